"""A CSV's own `Simulated` column (as the simulator writes it) marks its rows simulated, row by row."""

from pathlib import Path

import pyarrow as pa

from shadowfleet.ais.csv_import import read_csv
from shadowfleet.lake.ingest import IngestOptions, ingest_paths
from shadowfleet.lake.query import Lake

HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
    "Length,Width,Draft,Cargo,TransceiverClass,Simulated"
)
ROWS = [
    "636000001,2024-03-01T10:00:00,10.5,-66.9,12.3,90.0,88,SIM ONE,IMO9000001,D5AA1,80,0,250,44,12.1,80,A,true",
    "636000002,2024-03-01T10:00:05,10.6,-66.8,0.1,0.0,511,REAL TWO,,D5AA2,70,5,180,30,9.0,70,A,false",
    "636000003,2024-03-01T10:00:10,10.7,-66.7,3.0,45.0,44,,,,,,,,,,B,",
    "636000004,2024-03-01T10:00:15,10.8,-66.6,4.0,46.0,45,SIM FOUR,,,,,,,,,B,True",
    "636000005,2024-03-01T10:00:20,10.9,-66.5,5.0,47.0,46,,,,,,,,,,A,maybe",
]


def _write(tmp_path: Path, header: str, rows: list[str]) -> Path:
    path = tmp_path / "sim.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _sim_by_mmsi(table: pa.Table) -> dict[int, bool]:
    return dict(zip(table["mmsi"].to_pylist(), table["simulated"].to_pylist(), strict=True))


def test_simulated_column_marks_rows(tmp_path: Path) -> None:
    results = list(read_csv(_write(tmp_path, HEADER, ROWS)))
    positions = pa.concat_tables([r.positions for r in results])
    statics = pa.concat_tables([r.statics for r in results])
    rejects = pa.concat_tables([r.rejects for r in results])
    assert _sim_by_mmsi(positions) == {636000001: True, 636000002: False, 636000003: False, 636000004: True}
    assert _sim_by_mmsi(statics) == {636000001: True, 636000002: False, 636000004: True}
    assert rejects["reason"].to_pylist() == ["invalid_field:simulated"]
    assert rejects["line_no"].to_pylist() == [6]


def test_simulated_option_still_marks_every_row(tmp_path: Path) -> None:
    results = list(read_csv(_write(tmp_path, HEADER, ROWS[:3]), simulated=True))
    assert all(pa.concat_tables([r.positions for r in results])["simulated"].to_pylist())


def test_without_the_column_rows_are_real(tmp_path: Path) -> None:
    header = HEADER.removesuffix(",Simulated")
    rows = [r.rsplit(",", 1)[0] for r in ROWS[:2]]
    results = list(read_csv(_write(tmp_path, header, rows)))
    assert pa.concat_tables([r.positions for r in results])["simulated"].to_pylist() == [False, False]


def test_simulated_rows_land_marked_in_the_lake(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER, ROWS)
    summary = ingest_paths(tmp_path / "lake", [str(path)], IngestOptions())
    assert summary.errors == [] and summary.positions == 4 and summary.rejects == 1
    with Lake(tmp_path / "lake") as lake:
        got = lake.sql("SELECT mmsi, simulated FROM positions ORDER BY mmsi")
    assert _sim_by_mmsi(got) == {636000001: True, 636000002: False, 636000003: False, 636000004: True}
