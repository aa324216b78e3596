"""The curated seed dataset obeys the editorial rules, and the rules catch each kind of fault."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.registry_seed.seed_rules import SUPPORTING_STATES, validate_seed

SEED_DIR = Path(__file__).resolve().parents[2] / "src" / "shadowfleet" / "registry" / "seed"


@pytest.fixture(scope="module")
def reference_text(shared_data: Path) -> str:
    reference_dir = shared_data.parent / "reference"
    texts = sorted(reference_dir.glob("*.txt"))
    if len(texts) < 2:
        pytest.fail(f"reference texts not found in {reference_dir}")
    return "\n".join(path.read_text(encoding="utf-8") for path in texts)


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    files = sorted(SEED_DIR.glob("*.json"))
    assert files, f"no seed files in {SEED_DIR}"
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in files}


def _entities(documents: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [entity for doc in documents.values() for entity in doc["entities"]]


def _values(entity: dict[str, Any], prop: str) -> list[str]:
    return [statement["value"] for statement in entity["properties"].get(prop, [])]


def test_seed_follows_every_rule(documents: dict[str, dict[str, Any]], reference_text: str) -> None:
    errors = validate_seed(documents, reference_text)
    assert errors == [], "\n".join(errors)


def test_each_supporting_state_has_sourced_support(documents: dict[str, dict[str, Any]]) -> None:
    states = {
        state
        for entity in _entities(documents)
        if entity["schema"] == "Support"
        for state in _values(entity, "state")
    }
    assert states == SUPPORTING_STATES
    countries = {
        code for e in _entities(documents) if e["schema"] == "Country" for code in _values(e, "country")
    }
    assert countries == SUPPORTING_STATES


def test_personnel_entries_are_people_in_posts(documents: dict[str, dict[str, Any]]) -> None:
    by_id = {entity["id"]: entity for entity in _entities(documents)}
    occupancies = [e for e in by_id.values() if e["schema"] == "Occupancy"]
    assert len(occupancies) >= 5
    for occupancy in occupancies:
        (holder,) = _values(occupancy, "holder")
        (post,) = _values(occupancy, "post")
        assert by_id[holder]["schema"] == "Person"
        assert by_id[post]["schema"] == "Position"
        assert _values(occupancy, "confidence") == ["high"]


def _first_statement(documents: dict[str, dict[str, Any]], schema: str, prop: str) -> dict[str, Any]:
    for entity in _entities(documents):
        if entity["schema"] == schema and prop in entity["properties"]:
            return entity["properties"][prop][0]
    raise AssertionError(f"no {schema}.{prop} in the seed")


def _fault_injectors() -> dict[str, Any]:
    def invented_quote(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Support", "summary")["quote"] = (
            "Iran delivered twelve submarines to Caracas in 2019."
        )
        return "quote not found verbatim"

    def reworded_quote(docs: dict[str, Any]) -> str:
        statement = _first_statement(docs, "Support", "summary")
        statement["quote"] = statement["quote"].replace("a", "the", 1)
        return "quote not found verbatim"

    def reordered_fragments(docs: dict[str, Any]) -> str:
        statement = _first_statement(docs, "Support", "summary")
        words = statement["quote"].split()
        half = len(words) // 2
        statement["quote"] = " ".join(words[half:]) + " […] " + " ".join(words[:half])
        return "quote not found verbatim"

    def short_fragments(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Support", "summary")["quote"] = "Russia […] sold […] Iran […] submarines"
        return "quote not found verbatim"

    def unsourced(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Person", "name")["sources"] = []
        return "no source"

    def unknown_source(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Company", "name")["sources"] = ["no-such-source"]
        return "'no-such-source' is not in this file's sources"

    def non_http_url(docs: dict[str, Any]) -> str:
        next(iter(docs.values()))["sources"][0]["url"] = "ftp://example.org/brief.pdf"
        return "is not an http(s) URL"

    def bad_date(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Support", "date")["value"] = "2019-13"
        return "not YYYY, YYYY-MM or YYYY-MM-DD"

    def home_address(docs: dict[str, Any]) -> str:
        person = next(e for e in _entities(docs) if e["schema"] == "Person")
        person["properties"]["address"] = [dict(person["properties"]["name"][0], value="1 Example Street")]
        return "forbidden by the harm policy"

    def dangling_reference(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Occupancy", "holder")["value"] = "person-nobody"
        return "refers to no entity"

    def unknown_schema(docs: dict[str, Any]) -> str:
        next(e for e in _entities(docs) if e["schema"] == "Company")["schema"] = "Corporation"
        return "unknown schema"

    def lowercase_state(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Support", "state")["value"] = "ru"
        return "upper-case ISO 3166"

    def bad_imo(docs: dict[str, Any]) -> str:
        vessel = next(e for e in _entities(docs) if e["schema"] == "Vessel")
        vessel["properties"]["imoNumber"] = [dict(vessel["properties"]["name"][0], value="9176188")]
        return "not a valid IMO number"

    def two_support_types(docs: dict[str, Any]) -> str:
        support = next(e for e in _entities(docs) if e["schema"] == "Support")
        first = support["properties"]["supportType"][0]
        support["properties"]["supportType"].append(dict(first, value="other"))
        return "takes one value"

    def unknown_confidence(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Occupancy", "confidence")["value"] = "certain"
        return "confidence must be one of"

    def unknown_support_type(docs: dict[str, Any]) -> str:
        _first_statement(docs, "Support", "supportType")["value"] = "vibes"
        return "unknown support type"

    return {
        fn.__name__: fn
        for fn in (
            invented_quote,
            reworded_quote,
            reordered_fragments,
            short_fragments,
            unsourced,
            unknown_source,
            non_http_url,
            bad_date,
            home_address,
            dangling_reference,
            unknown_schema,
            lowercase_state,
            unknown_support_type,
            bad_imo,
            two_support_types,
            unknown_confidence,
        )
    }


@pytest.mark.parametrize("fault", sorted(_fault_injectors()))
def test_rules_reject_injected_fault(
    documents: dict[str, dict[str, Any]], reference_text: str, fault: str
) -> None:
    broken = copy.deepcopy(documents)
    expected = _fault_injectors()[fault](broken)
    errors = validate_seed(broken, reference_text)
    assert any(expected in error for error in errors), errors


def test_followthemoney_keeps_every_value(documents: dict[str, dict[str, Any]]) -> None:
    """Values of FollowTheMoney schemas survive its cleaning, so an FtM export loses nothing."""
    from followthemoney import model

    lost = []
    for entity in _entities(documents):
        if entity["schema"] in ("Support", "Country"):
            continue
        proxy = model.make_entity(entity["schema"])
        proxy.id = entity["id"]
        for prop, statements in entity["properties"].items():
            if proxy.schema.get(prop) is None:
                continue
            for statement in statements:
                proxy.add(prop, statement["value"], quiet=True)
                kept = {value.lower() for value in proxy.get(prop)}
                if statement["value"].lower() not in kept:
                    lost.append(f"{entity['id']}.{prop}={statement['value']!r}")
    assert lost == []
