"""The real OFAC SDN snapshot (2024-05-03): every vessel with its identifiers, flag, program and links."""

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shadowfleet.registry import ofac
from shadowfleet.registry.service import Registry
from shadowfleet.registry.tables import Entity, Statement
from tests.registry.conftest import OFAC_DIR, SDN_FILE
from tests.registry.helpers import table_counts


def _raw_vessels(shared_data: Path) -> list[list[str]]:
    """An independent reading of the file with the csv module, for the expected counts."""
    text = (shared_data / OFAC_DIR / SDN_FILE).read_bytes().decode("utf-8").rstrip("\x1a\r\n")
    return [r for r in csv.reader(io.StringIO(text)) if r[2].strip() == "vessel"]


def _count(reg: Registry, schema: str, prop: str | None = None) -> int:
    with reg.db.session() as s:
        if prop is None:
            return s.scalar(select(func.count()).select_from(Entity).where(Entity.schema_name == schema)) or 0
        q = select(func.count(func.distinct(Statement.entity_id))).join(
            Entity, Entity.id == Statement.entity_id
        )
        return s.scalar(q.where(Entity.schema_name == schema, Statement.prop == prop)) or 0


def test_snapshot_imports_all_851_vessels_with_identifiers(ofac_url: str, shared_data: Path) -> None:
    raw = _raw_vessels(shared_data)
    assert len(raw) == 851  # the data README's figure
    reg = Registry(ofac_url)
    try:
        assert _count(reg, "Vessel") == 851
        assert (
            _count(reg, "Vessel", "imoNumber")
            == sum(bool(re.search(r"IMO\s+\d{7}", r[11])) for r in raw)
            == 844
        )
        assert (
            _count(reg, "Vessel", "mmsi") == sum(bool(re.search(r"MMSI\s+\d{9}", r[11])) for r in raw) == 154
        )
        flagged = [r for r in raw if r[9].strip() not in ("-0-", "None Identified")]
        assert _count(reg, "Vessel", "flag") == len(flagged)
        assert _count(reg, "Vessel", "previousName") == len({r[0] for r in raw if "f.k.a." in r[11]})
        with reg.db.session() as s:
            sanctioned_vessels = s.scalar(
                select(func.count(func.distinct(Statement.value)))
                .join(Entity, Entity.id == Statement.entity_id)
                .where(
                    Entity.schema_name == "Sanction",
                    Statement.prop == "entity",
                    Statement.value.like("ofac-%"),
                )
                .where(Statement.value.in_(select(Entity.id).where(Entity.schema_name == "Vessel")))
            )
            link_q = (
                select(Statement.value)
                .join(Entity, Entity.id == Statement.entity_id)
                .where(Entity.schema_name == "UnknownLink", Statement.prop == "subject")
            )
            links = s.scalars(link_q).all()
            owners = s.scalar(
                select(func.count(func.distinct(Statement.entity_id))).where(
                    Statement.prop == "owner", Statement.entity_id.like("ofac-%")
                )
            )
        assert sanctioned_vessels == 851
        assert len(set(links)) == sum("Linked To:" in r[11] for r in raw) == 825  # vessels with links
        assert len(links) == sum(r[11].count("Linked To:") for r in raw) == 844  # links
        assert owners == sum(r[10].strip() != "-0-" for r in raw) == 6
    finally:
        reg.close()


def test_vessel_dossier_shows_program_flag_and_propagated_sanction(ofac_url: str, shared_data: Path) -> None:
    reg = Registry(ofac_url)
    try:
        [artavil] = reg.search_vessels(imo="IMO 9187629")
        assert (artavil.name, artavil.flag, artavil.mmsi, artavil.sanctioned) == (
            "ARTAVIL",
            "ir",
            ["572469210"],
            True,
        )
        dossier = reg.vessel_dossier(artavil.id)
        assert [s.value for s in dossier.history["previousName"]] == ["ALPHA"]
        assert {s.value for s in dossier.history["pastFlags"]} == {"mt", "tv", "tz"}
        reasons = {f.reason: f for f in dossier.sanctions}
        assert reasons["sanctioned"].program == ["IRAN"]
        via = reasons["linked to a sanctioned entity"]
        assert via.via_entity is not None and via.via_entity.caption == "NATIONAL IRANIAN TANKER COMPANY"
        assert "IRAN" in via.program
        every = dossier.vessel.statements
        assert all(s.source.url == ofac.SDN_URL and s.source.published_date == "2024-05-03" for s in every)
        # every Venezuela-program vessel is found by its name, with that program on its sanction
        venezuelan = [r for r in _raw_vessels(shared_data) if "VENEZUELA" in r[3]]
        assert len(venezuelan) >= 40
        for row in venezuelan:
            hits = [v for v in reg.search_vessels(q=row[1].lower()) if v.id == f"ofac-{row[0]}"]
            assert hits and hits[0].sanctioned, row[1]
            programs = {p for f in reg.vessel_dossier(hits[0].id).sanctions for p in f.program}
            assert any(p.startswith("VENEZUELA") for p in programs)
    finally:
        reg.close()


def test_designation_dates_come_from_the_history_file(ofac_url: str) -> None:
    reg = Registry(ofac_url)
    try:
        with reg.db.session() as s:
            dated = s.scalar(
                select(func.count())
                .select_from(Statement)
                .where(Statement.prop == "startDate", Statement.entity_id.like("ofac-%-sanction"))
            )
        # entries first seen after the scrape began (2021-08-18) get that date as designation start
        assert dated and dated > 100
    finally:
        reg.close()


def test_reimport_adds_nothing_and_refreshes_last_seen(registry: Registry, shared_data: Path) -> None:
    entries, _ = ofac.read_files(shared_data / OFAC_DIR / SDN_FILE)
    vessels = [e for e in entries if e.sdn_type == "vessel"][:40]
    with registry.db.session(ofac.ACTOR) as s:
        first = ofac.import_entries(s, vessels, "2024-05-03")
    with registry.db.session(ofac.ACTOR) as s:
        second = ofac.import_entries(s, vessels, "2024-05-04")
    assert first.entities_added > 40 and first.statements_added > 0
    assert (second.entities_added, second.statements_added) == (0, 0)
    assert second.statements_seen_again == first.statements_added


SDN_ROWS = (
    b'9001,"TEST TANKER","vessel","IRAN",-0- ,"ABC1","Crude Oil Tanker","100,000","50,000","Panama","OWNER CO",'
    b"\"Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'OLD NAME'; Linked To: OWNER CO.\"\r\n"
    b'9002,"OWNER CO",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
)


def test_alt_and_add_files(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(SDN_ROWS)
    (tmp_path / "alt.csv").write_bytes(
        b'9001,1,"fka","SECOND OLD NAME",-0- \r\n9002,2,"aka","OWNERCO",-0- \r\n'
    )
    (tmp_path / "add.csv").write_bytes(b'9002,5,"1 Harbour Road","Kish Island","Iran",-0- \r\n')
    entries, _ = ofac.read_files(tmp_path / "sdn.csv", tmp_path / "alt.csv", tmp_path / "add.csv")
    with registry.db.session(ofac.ACTOR) as s:
        ofac.import_entries(s, entries, "2024-05-03")
    vessel = registry.entity("ofac-9001")
    assert vessel.values("alias") == ["SECOND OLD NAME"]
    assert vessel.values("previousName") == ["OLD NAME"]
    assert vessel.values("deadweightTonnage") == ["100000"]
    owner = registry.entity("ofac-9002")
    assert owner.values("address") == ["1 Harbour Road, Kish Island, Iran"]
    assert registry.vessel_dossier("ofac-9001").links[0].entity.id == "ofac-9002"
    flags = {f.reason for f in registry.vessel_dossier("ofac-9001").sanctions}
    assert flags == {"sanctioned", "owned by a sanctioned company", "linked to a sanctioned entity"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'1,"ONLY THREE",-0-\r\n', "line 1: 3 columns, expected 12"),
        (SDN_ROWS.replace(b"9002,", b"X9002,"), "line 2: ent_num 'X9002' is not a number"),
    ],
)
def test_malformed_sanctions_file_is_refused_and_changes_nothing(
    registry: Registry, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "sdn_bad.csv"
    path.write_bytes(content)
    before = table_counts(registry)
    with pytest.raises(ofac.SanctionsFileError, match=re.escape(message)) as err:
        ofac.read_files(path)
    assert "sdn_bad.csv" in str(err.value)
    assert table_counts(registry) == before
