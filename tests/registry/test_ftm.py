"""FollowTheMoney export validates with the followthemoney library and round-trips without loss."""

import json
import subprocess
from pathlib import Path

import pytest
from followthemoney import model

from shadowfleet.registry import ftm
from shadowfleet.registry.models import SourceIn
from shadowfleet.registry.service import Registry
from shadowfleet.registry.validation import RegistryValidationError
from tests.registry.conftest import Backend
from tests.registry.helpers import table_counts

_EXPORTS: dict[str, list[str]] = {}


def _export_cached(url: str) -> list[str]:
    """The shared OFAC database never changes, so export it once per backend."""
    if url not in _EXPORTS:
        _EXPORTS[url] = _export(url)
    return _EXPORTS[url]


def _export(url: str) -> list[str]:
    reg = Registry(url)
    try:
        with reg.db.session() as s:
            return [ftm.dumps(e) for e in ftm.export_entities(s, reg.retention_years)]
    finally:
        reg.close()


def _valid_ftm(line: str) -> None:
    data = json.loads(line)
    proxy = model.get_proxy(data, cleaned=False)  # raises on unknown schema or property
    for prop in proxy.iterprops():
        for value in proxy.get(prop):
            assert prop.type.clean(value) is not None, (data["id"], prop.name, value)
    assert not proxy.schema.abstract


def test_export_validates_and_round_trips(ofac_url: str, backend: Backend) -> None:
    lines = _export_cached(ofac_url)
    assert len(lines) > 2000
    for line in lines:
        _valid_ftm(line)
    schemas = {json.loads(line)["schema"] for line in lines}
    assert {"Vessel", "Sanction", "UnknownLink", "LegalEntity"} <= schemas
    copy = backend.clean_url()
    reg = Registry(copy)
    try:
        with reg.db.session("importer:ftm") as s:
            report = ftm.import_lines(s, lines, "importer:ftm")
        assert report.entities_added == len(lines) and not report.skipped
    finally:
        reg.close()
    assert _export(copy) == lines


def test_cli_export_writes_valid_ftm(ofac_url: str, cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    out = subprocess.run(
        [*cli_cmd, "registry", "export", "--format", "ftm", "--db", ofac_url],
        capture_output=True,
        text=True,
        env=cli_env,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert lines == _export_cached(ofac_url)
    for line in lines[:200]:
        _valid_ftm(line)


OPEN_SANCTIONS_LINE = json.dumps(
    {
        "id": "os-vessel-1",
        "schema": "Vessel",
        "properties": {
            "name": ["SEA STAR"],
            "imoNumber": ["IMO9187629"],
            "flag": ["pa"],
            "createdAt": ["2024-01-01"],
        },
        "datasets": ["opensanctions"],
    }
)


def test_plain_ftm_lines_import_with_the_file_source(registry: Registry) -> None:
    source = SourceIn(url="https://www.opensanctions.org/datasets/default/", title="OpenSanctions default")
    with registry.db.session("importer:ftm") as s:
        report = ftm.import_lines(s, [OPEN_SANCTIONS_LINE], "importer:ftm", source)
    assert report.entities_added == 1
    vessel = registry.entity("os-vessel-1")
    assert vessel.values("imoNumber") == ["9187629"] and vessel.values("flag") == ["pa"]
    assert {s.source.url for s in vessel.statements} == {source.url}


def test_plain_ftm_person_drops_private_data_by_policy(registry: Registry) -> None:
    line = json.dumps(
        {
            "id": "p1",
            "schema": "Person",
            "properties": {"name": ["A Person"], "address": ["1 Home St"], "email": ["x@y.example"]},
        }
    )
    with registry.db.session("importer:ftm") as s:
        ftm.import_lines(s, [line], "importer:ftm", SourceIn(url="https://www.example.org/list"))
    person = registry.entity("p1")
    assert {s.prop for s in person.statements} == {"name"}


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("{not json", "line 1"),
        (
            OPEN_SANCTIONS_LINE.replace("IMO9187629", "IMO9187628"),
            "line 1 (os-vessel-1).properties.imoNumber[0].value",
        ),
        (OPEN_SANCTIONS_LINE.replace('"pa"', '"zz"'), "line 1 (os-vessel-1).properties.flag[0].value"),
    ],
)
def test_bad_ftm_line_is_refused_and_changes_nothing(registry: Registry, line: str, field: str) -> None:
    before = table_counts(registry)
    with pytest.raises(RegistryValidationError) as err, registry.db.session("importer:ftm") as s:
        ftm.import_lines(s, [line], "importer:ftm", SourceIn(url="https://www.example.org/list"))
    assert err.value.field == field
    assert table_counts(registry) == before


def test_plain_ftm_without_any_source_is_refused(registry: Registry) -> None:
    with (
        pytest.raises(RegistryValidationError, match="without a source"),
        registry.db.session("importer:ftm") as s,
    ):
        ftm.import_lines(s, [OPEN_SANCTIONS_LINE], "importer:ftm")


def test_export_import_via_cli(
    tmp_path: Path, ofac_url: str, backend: Backend, cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    dump = tmp_path / "export.ftm.jsonl"
    dump.write_text("\n".join(_export_cached(ofac_url)[:300]) + "\n")
    target = backend.clean_url()
    subprocess.run(
        [*cli_cmd, "registry", "import", str(dump), "--db", target],
        check=True,
        env=cli_env,
        capture_output=True,
    )
    assert len(_export(target)) > 0


def test_retracted_entity_exports_no_claims(registry: Registry) -> None:
    from shadowfleet.registry import web_queries
    from shadowfleet.registry.models import EntityCreate, UserPublic
    from tests.registry.helpers import claim

    editor = UserPublic(id=1, username="editor1", role="editor")
    e = registry.create_draft(
        editor, EntityCreate(schema="Person", properties={"name": [claim("Wrongly Named")]})
    )
    reviewer = UserPublic(id=2, username="reviewer1", role="editor")
    e = registry.publish(reviewer, e.id, registry.submit_for_review(editor, e.id, e.version).version)
    registry.retract(editor, e.id, "misidentified", e.version)
    exported = web_queries.ftm_entity(registry, e.id)
    assert exported["properties"] == {} and exported["shadowfleet"]["statements"] == []  # type: ignore[index]
    _valid_ftm(json.dumps(exported))
