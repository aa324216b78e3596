"""Bad input: a clear error naming the field, and the database unchanged."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shadowfleet.registry.identifiers import imo_check_digit_ok, normalise_imo, normalise_mmsi
from shadowfleet.registry.models import EntityCreate
from shadowfleet.registry.service import Registry
from shadowfleet.registry.validation import RegistryValidationError
from tests.registry.helpers import SOURCE, claim, table_counts


def test_imo_check_digit() -> None:
    assert imo_check_digit_ok("9187629")  # ARTAVIL, from OFAC's list
    assert not imo_check_digit_ok("9187628")
    assert normalise_imo("IMO 9074729") == "9074729"
    assert normalise_imo("IMO 9074728") is None
    assert normalise_imo("123") is None
    assert normalise_mmsi("572469210") == "572469210"
    assert normalise_mmsi("57246921") is None


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "Vessel",
        {"name": [claim("X")], "imoNumber": [claim("9187628")]},
        "properties.imoNumber[0].value",
        "IMO",
    ),
    ("Vessel", {"name": [claim("X")], "mmsi": [claim("12345")]}, "properties.mmsi[0].value", "MMSI"),
    (
        "Vessel",
        {"name": [claim("X", start_date="2021-05-01", end_date="2020-01-01")]},
        "properties.name[0].end_date",
        "before it starts",
    ),
    (
        "Occupancy",
        {"startDate": [claim("2021")], "endDate": [claim("2019-12")]},
        "properties.endDate",
        "before it starts",
    ),
    ("Vessel", {"name": [{"value": "NO SOURCE"}]}, "properties.name[0].source", "needs a source"),
    (
        "Person",
        {"name": [claim("A Person")], "address": [claim("1 Home Street")]},
        "properties.address",
        "home addresses",
    ),
    (
        "Person",
        {"name": [claim("A Person")], "email": [claim("a@b.example")]},
        "properties.email",
        "private contact",
    ),
    (
        "Person",
        {"name": [claim("A Person")], "familyRelative": [claim("x")]},
        "properties.familyRelative",
        "relatives",
    ),
    (
        "Person",
        {"name": [claim("A Child")], "birthDate": [claim("2020-01-01")]},
        "properties.birthDate[0].value",
        "minors",
    ),
    ("Vessel", {"name": [claim("X")], "flag": [claim("xx")]}, "properties.flag[0].value", "ISO 3166"),
    (
        "Company",
        {"name": [claim("X")], "jurisdiction": [claim("Venezuela")]},
        "properties.jurisdiction[0].value",
        "ISO 3166",
    ),
    (
        "Vessel",
        {"name": [claim("X", start_date="2020-02-30")]},
        "properties.name[0].start_date",
        "not a real date",
    ),
    (
        "Vessel",
        {"name": [{"value": "X", "source": {**SOURCE, "url": "not a url"}}]},
        "properties.name[0].source.url",
        "http",
    ),
    ("Vessel", {"owner": [claim("no-such-entity")]}, "properties.owner[0].value", "no entity"),
    ("Family", {"person": [claim("x")]}, "schema", "relatives"),
    ("Starship", {"name": [claim("x")]}, "schema", "unknown schema"),
]


@pytest.mark.parametrize(
    ("schema", "props", "field", "words"), BAD_INPUTS, ids=[b[2] + "-" + b[3] for b in BAD_INPUTS]
)
def test_bad_input_names_the_field_and_changes_nothing(
    registry: Registry, users_of: dict[str, Any], schema: str, props: dict[str, Any], field: str, words: str
) -> None:
    before = table_counts(registry)
    with pytest.raises(RegistryValidationError) as err:
        registry.create_draft(users_of["contributor"], EntityCreate(schema=schema, properties=props))
    assert err.value.field == field
    assert words in str(err.value)
    assert table_counts(registry) == before


def test_update_with_bad_value_keeps_previous_content(registry: Registry, users_of: dict[str, Any]) -> None:
    from shadowfleet.registry.models import EntityUpdate

    editor = users_of["editor"]
    draft = registry.create_draft(
        editor, EntityCreate(schema="Vessel", properties={"name": [claim("GOOD NAME")]})
    )
    before = table_counts(registry)
    with pytest.raises(RegistryValidationError, match="IMO"):
        registry.update_draft(
            editor,
            draft.id,
            EntityUpdate(
                expected_version=draft.version,
                properties={"name": [claim("NEW")], "imoNumber": [claim("1111111")]},
            ),
        )
    assert table_counts(registry) == before
    assert registry.entity(draft.id, include_unpublished=True).values("name") == ["GOOD NAME"]


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.integers(min_value=1, max_value=9))
def test_imo_check_digit_property(six: str, offset: int) -> None:
    check = sum(int(d) * w for d, w in zip(six, range(7, 1, -1), strict=True)) % 10
    assert normalise_imo(f"IMO {six}{check}") == f"{six}{check}"
    assert normalise_imo(f"{six}{(check + offset) % 10}") is None  # any other last digit fails
