"""Real corpora from ../shared/data into the lake: the lake holds exactly what the decoder produced."""

import datetime as dt

import pyarrow as pa
import pytest

from shadowfleet.ais.csv_import import read_csv
from shadowfleet.ais.decoder import NmeaDecoder
from shadowfleet.lake import Lake
from shadowfleet.lake.ingest import IngestOptions, ingest_paths
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

CLOCK = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
NMEA_CORPORA = [
    "gpsd-ais/test/sample.aivdm",
    "gpsd-ais/test/daemon/ais-raw-messages.log",
    "gpsd-ais/test/daemon/ais-nmea.log",
    "libais-testdata/test/data/typeexamples.nmea",
    "libais-testdata/test/data/tagblock.nmea",
    "libais-testdata/test/data/test.aivdm",
    "pyais-samples/tests/nmea_data_sample.txt",
    "pyais-samples/tests/mixed.txt",
    "pyais-samples/examples/gatehouse.nmea",
]


def _canonical(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


@pytest.mark.parametrize("rel", NMEA_CORPORA)
def test_nmea_corpus_lands_exactly_as_decoded(tmp_path, shared_data, rel):
    path = shared_data / rel
    decoder = NmeaDecoder(str(path), clock=lambda: CLOCK)
    lines = path.read_bytes().splitlines(keepends=True)
    direct = decoder.feed(lines, 1)
    tail = decoder.flush()
    expected_pos = pa.concat_tables([direct.positions, tail.positions])
    expected_sta = pa.concat_tables([direct.statics, tail.statics])
    expected_rejects = direct.rejects.num_rows + tail.rejects.num_rows

    # small chunks, so multi-part messages and tag-block groups cross chunk boundaries
    summary = ingest_paths(tmp_path, [str(path)], IngestOptions(chunk_lines=7, clock=lambda: CLOCK))
    assert summary.errors == []
    assert (summary.lines, summary.positions, summary.statics, summary.rejects) == (
        len(lines),
        expected_pos.num_rows,
        expected_sta.num_rows,
        expected_rejects,
    )
    with Lake(tmp_path) as lake:
        got_pos = lake.sql("SELECT * FROM positions")
        got_sta = lake.sql("SELECT * FROM static")
        stats = lake.stats()
    assert _canonical(got_pos.cast(POSITION_SCHEMA)).equals(_canonical(expected_pos))
    assert _canonical(got_sta.cast(STATIC_SCHEMA)).equals(_canonical(expected_sta))
    assert stats.rejects == expected_rejects and stats.input_lines == len(lines)


def test_pyais_sample_rejects_are_all_counted_with_reasons(tmp_path, shared_data):
    path = shared_data / "pyais-samples/tests/nmea_data_sample.txt"
    out = tmp_path / "rejects.jsonl"
    summary = ingest_paths(
        tmp_path / "lake", [str(path)], IngestOptions(clock=lambda: CLOCK), rejects_path=out
    )
    rows = out.read_text().splitlines()
    assert len(rows) == summary.rejects >= 100  # the sample's 100 malformed lines, at least
    assert summary.rejects_by_reason and all(summary.rejects_by_reason.values())


def test_marinecadastre_sample(tmp_path, shared_data):
    path = shared_data / "marinecadastre-2022-01-03-sample" / "AIS_2022_01_03_first99999.csv"
    decoded = list(read_csv(path))
    expected_positions = sum(r.positions.num_rows for r in decoded)
    expected_statics = sum(r.statics.num_rows for r in decoded)
    summary = ingest_paths(tmp_path, [str(path)])
    assert summary.errors == []
    # 99,999 rows: every one is a position but five whose MMSI has ten digits (rejected, with reason)
    assert summary.positions == expected_positions == 99_994
    assert summary.rejects_by_reason == {"invalid_field:mmsi": 5}
    assert summary.positions + summary.rejects == 99_999
    assert summary.statics == expected_statics
    with Lake(tmp_path) as lake:
        stats = lake.stats()
        assert stats.position_rows == 99_994 and stats.rejects == 5
        distinct = lake.sql("SELECT count(DISTINCT mmsi) AS n FROM positions")["n"][0].as_py()
        assert distinct == 10_631 - 1  # the README's 10,631 MMSIs less the invalid 1072211352
        assert [d.isoformat() for d in lake.days()["date"].to_pylist()] == ["2022-01-03"]
        vessels = lake.vessels()
        assert vessels.num_rows == 10_630
        tankers = lake.sql("SELECT count(DISTINCT mmsi) AS n FROM static WHERE ship_type BETWEEN 80 AND 89")
        assert tankers["n"][0].as_py() > 0
    again = ingest_paths(tmp_path, [str(path)])
    assert again.chunks_written == 0 and again.positions == 0
