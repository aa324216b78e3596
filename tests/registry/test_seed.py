"""The curated seed dataset loads through the same validation as editors' input."""

import json
import subprocess
from pathlib import Path

import pytest

from shadowfleet.registry import audit, seed
from shadowfleet.registry.service import Registry
from shadowfleet.registry.validation import RegistryValidationError
from tests.registry.helpers import table_counts


def test_packaged_seed_loads_every_entity_with_sources(registry: Registry) -> None:
    files = seed.packaged_files()
    assert files, "no seed files packaged"
    expected = sum(len(json.loads(f.read_text())["entities"]) for f in files)
    with registry.db.session(seed.ACTOR) as s:
        report = seed.load(s)
    assert report.entities == report.entities_added == expected
    assert report.by_schema.get("Support", 0) > 0
    with registry.db.session(seed.ACTOR) as s:
        again = seed.load(s)
    assert (again.entities_added, again.statements_added) == (0, 0)
    people = registry.list_persons()
    assert people and all(s.source.url.startswith("http") for p in people for s in p.person.statements)
    with registry.db.engine.connect() as conn:
        assert audit.verify(conn).ok


def _write(tmp_path: Path, entities: list[dict[str, object]]) -> Path:
    path = tmp_path / "bad.json"
    sources = [
        {
            "id": "s1",
            "url": "https://www.example.org/a",
            "title": "A",
            "publisher": "P",
            "published_date": "2020",
        }
    ]
    path.write_text(json.dumps({"dataset": "test", "sources": sources, "entities": entities}))
    return path


@pytest.mark.parametrize(
    ("entity", "field"),
    [
        (
            {
                "id": "v1",
                "schema": "Vessel",
                "properties": {"imoNumber": [{"value": "9187628", "sources": ["s1"]}]},
            },
            "bad.json.v1.properties.imoNumber[0].value",
        ),
        (
            {"id": "v1", "schema": "Vessel", "properties": {"name": [{"value": "X", "sources": []}]}},
            "bad.json.v1.properties.name[0].sources",
        ),
        (
            {"id": "v1", "schema": "Vessel", "properties": {"name": [{"value": "X", "sources": ["s9"]}]}},
            "bad.json.v1.properties.name[0].sources",
        ),
        (
            {"id": "p1", "schema": "Person", "properties": {"address": [{"value": "X", "sources": ["s1"]}]}},
            "bad.json.p1.properties.address",
        ),
        (
            {
                "id": "o1",
                "schema": "Occupancy",
                "properties": {"holder": [{"value": "nobody", "sources": ["s1"]}]},
            },
            "test.o1.properties.holder[0].value",
        ),
    ],
)
def test_bad_seed_is_refused_naming_the_field(
    registry: Registry, tmp_path: Path, entity: dict[str, object], field: str
) -> None:
    before = table_counts(registry)
    with pytest.raises(RegistryValidationError) as err, registry.db.session(seed.ACTOR) as s:
        seed.load(s, [_write(tmp_path, [entity])])
    assert err.value.field == field
    assert table_counts(registry) == before


def test_cli_init_and_seed(db_url: str, cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    for args in (["registry", "init"], ["registry", "seed"]):
        done = subprocess.run([*cli_cmd, *args, "--db", db_url], capture_output=True, text=True, env=cli_env)
        assert done.returncode == 0, done.stderr
    assert "seed:" in done.stdout
