"""Matching AIS identities to registry vessels: IMO, MMSI in period, fuzzy transliterated names."""

import pyarrow as pa
import pytest

from shadowfleet.registry.matching import VesselIndex, normalise_name
from shadowfleet.registry.models import EntityCreate, UserPublic
from shadowfleet.registry.service import Registry
from tests.registry.helpers import claim


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M/T Фортуна-1", "FORTUNA 1"),
        ("MT. Sea-Star", "SEA STAR"),
        ("m/v  ÇAĞLAR", "CAGLAR"),
        ("MTM TRADER", "MTM TRADER"),
        (None, ""),
    ],
)
def test_normalise_name(raw: str | None, expected: str) -> None:
    assert normalise_name(raw) == expected


def _publish(reg: Registry, editor: UserPublic, schema: str, props: dict[str, list[dict[str, str]]]) -> str:
    e = reg.create_draft(editor, EntityCreate(schema=schema, properties=props))
    e = reg.submit_for_review(editor, e.id, e.version)
    return reg.publish(editor, e.id, e.version).id


@pytest.fixture
def fleet(registry: Registry, users_of: dict[str, UserPublic]) -> dict[str, str]:
    editor = users_of["editor"]
    owner = _publish(registry, editor, "Company", {"name": [claim("SHADOW SHIPPING LTD")]})
    _publish(
        registry,
        editor,
        "Sanction",
        {"entity": [claim(owner)], "program": [claim("VENEZUELA-EO13850")], "authority": [claim("OFAC")]},
    )
    fortuna = _publish(
        registry,
        editor,
        "Vessel",
        {
            "name": [claim("ФОРТУНА", start_date="2021-01-01")],
            "previousName": [claim("SEA STAR", end_date="2020-12-31")],
            "imoNumber": [claim("9187629")],
            "mmsi": [
                claim("636012345", start_date="2019-01-01", end_date="2021-06-30"),
                claim("273111222", start_date="2021-07-01"),
            ],
            "owner": [claim(owner, start_date="2021-01-01")],
            "callSign": [claim("UBXX7")],
        },
    )
    other = _publish(
        registry, editor, "Vessel", {"name": [claim("OCEAN PEARL")], "mmsi": [claim("538000001")]}
    )
    return {"fortuna": fortuna, "other": other, "owner": owner}


def test_rules_in_order_each_explained(registry: Registry, fleet: dict[str, str]) -> None:
    rows = [
        {"mmsi": "999999999", "imo": 9187629, "name": "ANYTHING"},
        {
            "mmsi": "273111222",
            "imo": None,
            "name": "FORTUNA",
            "first_seen": "2022-01-01",
            "last_seen": "2022-02-01",
        },
        {
            "mmsi": "636012345",
            "imo": None,
            "name": "SEA STAR",
            "first_seen": "2020-01-01",
            "last_seen": "2020-03-01",
        },
        {
            "mmsi": "636012345",
            "imo": None,
            "name": "SEA STAR",
            "first_seen": "2023-01-01",
            "last_seen": "2023-03-01",
        },
        {"mmsi": "111111111", "imo": "9187628", "name": "M/T FORTUNA"},
        {"mmsi": "222222222", "imo": None, "name": "TOTALLY DIFFERENT"},
        {"mmsi": "538000001", "imo": None, "name": "NOT THE PEARL"},
    ]
    results = registry.match_identities(rows)
    by_row = {r.row: r for r in results}
    assert (by_row[0].rule, by_row[0].score, by_row[0].certain, by_row[0].vessel_id) == (
        "imo",
        100,
        True,
        fleet["fortuna"],
    )
    assert (by_row[1].rule, by_row[1].certain) == ("mmsi", True) and "2021-07-01" in by_row[1].explanation
    assert (by_row[2].rule, by_row[2].certain, by_row[2].vessel_id) == ("mmsi", True, fleet["fortuna"])
    assert (by_row[3].rule, by_row[3].certain, by_row[3].score) == (
        "mmsi",
        False,
        50,
    )  # MMSI used outside its period
    assert "outside the AIS period" in by_row[3].explanation
    fuzzy = by_row[4]  # bad IMO ignored, transliterated Cyrillic name matched by fuzzy score
    assert (fuzzy.rule, fuzzy.certain, fuzzy.vessel_id) == ("name", False, fleet["fortuna"])
    assert fuzzy.score >= 85 and "check digit" in fuzzy.explanation and "FORTUNA" in fuzzy.explanation
    assert (by_row[5].rule, by_row[5].vessel_id) == (None, None)
    assert (by_row[6].rule, by_row[6].certain, by_row[6].score) == (
        "mmsi",
        False,
        70,
    )  # MMSI reused by another name
    assert by_row[0].sanctions == ["owned by a sanctioned company: SHADOW SHIPPING LTD"]
    assert by_row[6].sanctions == []


def test_uncertain_matches_go_to_the_review_queue(
    registry: Registry, fleet: dict[str, str], users_of: dict[str, UserPublic]
) -> None:
    rows = [
        {"mmsi": "999999999", "imo": "9187629", "name": "X"},  # certain
        {"mmsi": "111111111", "imo": None, "name": "SEA STARR"},  # name only -> queue
        {"mmsi": "538000001", "imo": None, "name": "NOT THE PEARL"},  # mmsi/name disagree -> queue
    ]
    registry.match_identities(rows)
    queue = registry.review_queue(users_of["editor"], kind="match")
    assert [(q.entity_id, q.payload["rule"]) for q in queue] == [
        (fleet["fortuna"], "name"),
        (fleet["other"], "mmsi"),
    ]
    assert queue[0].payload["identity"] == {"mmsi": "111111111", "imo": None, "name": "SEA STARR"}
    registry.match_identities(rows)  # the same identities again: nothing queued twice
    assert len(registry.review_queue(users_of["editor"], kind="match")) == 2
    registry.resolve_review(users_of["editor"], queue[0].id, accept=True, note="same hull, renamed")
    assert len(registry.review_queue(users_of["editor"], kind="match")) == 1


def test_arrow_table_input(registry: Registry, fleet: dict[str, str]) -> None:
    table = pa.table(
        {
            "mmsi": ["273111222"],
            "imo": [None],
            "name": ["FORTUNA"],
            "callsign": ["UBXX"],
            "first_seen": [None],
            "last_seen": [None],
        }
    )
    [result] = registry.match_identities(table, queue=False)
    assert result.vessel_id == fleet["fortuna"] and result.rule == "mmsi"


def test_matching_against_real_ofac_vessels(ofac_url: str) -> None:
    reg = Registry(ofac_url)
    try:
        with reg.db.session() as s:
            index = VesselIndex.from_session(s)
        [artavil] = index.match([{"mmsi": None, "imo": None, "name": "M/T Artavil"}])
        assert artavil.vessel_name == "ARTAVIL" and artavil.rule == "name"
        assert "sanctioned (IRAN)" in artavil.sanctions
        assert any(
            r.startswith("linked to a sanctioned entity: NATIONAL IRANIAN TANKER") for r in artavil.sanctions
        )
    finally:
        reg.close()


def test_name_with_agreeing_call_sign_is_certain(registry: Registry, fleet: dict[str, str]) -> None:
    rows = [
        {"mmsi": "123456789", "imo": None, "name": "FORTUNA", "callsign": "ubxx-7"},
        {"mmsi": "123456789", "imo": None, "name": "FORTUNA", "callsign": "D5AA1"},
    ]
    agree, differ = registry.match_identities(rows, queue=False)
    assert (agree.rule, agree.certain, agree.vessel_id) == ("name+callsign", True, fleet["fortuna"])
    assert "call sign UBXX7 agrees" in agree.explanation
    assert (differ.rule, differ.certain) == ("name", False)
