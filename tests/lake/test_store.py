"""LakeWriter + Lake on hand-built tables: layout, sorting, manifest visibility, queries, compaction."""

import datetime as dt
import os

import duckdb
import pyarrow.parquet as pq
import pytest

from shadowfleet.lake import Lake, LakeLockedError, LakeWriter
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA
from tests.lake.builders import chunk, h, positions, statics


def _write_sample(root):
    with LakeWriter(root) as w:
        # day 1 (2024-03-01) and day 2 (2024-03-02) in one chunk, deliberately unsorted
        w.write_chunk(
            chunk("a" * 64, positions=5, statics=2),
            positions(
                [
                    (222, h(2), 10.0, -66.0),
                    (111, h(1), 10.5, -64.0),
                    (111, h(0), 10.4, -64.1),
                    (111, h(13), 11.0, -63.0),  # 2024-03-02 01:00
                    (222, h(0.5), None, None),
                ]
            ),
            statics([(111, h(0), "OLD NAME", 9_000_001), (111, h(14), "NEW NAME", None)]),
        )
        w.write_chunk(
            chunk("b" * 64, positions=2, index=1),
            positions([(333, h(3), 40.0, 170.0), (222, h(4), 10.2, -66.2)]),
            statics([]),
        )


def test_layout_sorted_zstd_and_manifest(tmp_path):
    _write_sample(tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert files == [
        f"positions/date=2024-03-01/part-{'a' * 32}.parquet",
        f"positions/date=2024-03-01/part-{'b' * 32}.parquet",
        f"positions/date=2024-03-02/part-{'a' * 32}.parquet",
        f"static/date=2024-03-01/part-{'a' * 32}.parquet",
        f"static/date=2024-03-02/part-{'a' * 32}.parquet",
    ]
    first = tmp_path / files[0]
    table = pq.read_table(first)
    assert table.schema.equals(POSITION_SCHEMA)
    assert list(zip(table["mmsi"].to_pylist(), table["ts"].to_pylist(), strict=True)) == [
        (111, h(0)),
        (111, h(1)),
        (222, h(0.5)),
        (222, h(2)),
    ]
    assert pq.ParquetFile(first).metadata.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_table(tmp_path / files[3]).schema.equals(STATIC_SCHEMA)


def test_file_encodings_and_statistics(tmp_path):
    """Doubles are byte-stream-split; min/max statistics exist for the columns queries filter on
    (and are left out for the others, which they only slow down)."""
    _write_sample(tmp_path)
    meta = pq.ParquetFile(tmp_path / f"positions/date=2024-03-01/part-{'a' * 32}.parquet").metadata
    columns = {
        meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
        for i in range(meta.num_columns)
    }
    assert "BYTE_STREAM_SPLIT" in columns["lat"].encodings
    assert "BYTE_STREAM_SPLIT" in columns["sog_kn"].encodings
    assert columns["mmsi"].statistics.min == 111 and columns["mmsi"].statistics.max == 222
    assert columns["lat"].statistics.has_min_max
    assert columns["sog_kn"].statistics is None or not columns["sog_kn"].statistics.has_min_max
    con = duckdb.connect()
    (n,) = con.execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/positions/*/*.parquet') WHERE lat BETWEEN 10.3 AND 10.6"
    ).fetchone()
    assert n == 2


def test_unmanifested_files_are_invisible_and_cleaned(tmp_path):
    _write_sample(tmp_path)
    stray = tmp_path / "positions/date=2024-03-01/part-stray.parquet"
    pq.write_table(positions([(999, h(0), 1.0, 1.0)]), stray)
    tmp_file = tmp_path / "positions/date=2024-03-01/.tmp-123-part-x.parquet.tmp"
    tmp_file.write_bytes(b"half a file")
    with Lake(tmp_path) as lake:
        assert 999 not in lake.vessels()["mmsi"].to_pylist()
    with LakeWriter(tmp_path) as w:
        assert (w.cleanup.removed_tmp, w.cleanup.removed_unmanifested) == (1, 1)
    assert not stray.exists() and not tmp_file.exists()


def test_track_latest_vessels_history(tmp_path):
    _write_sample(tmp_path)
    with Lake(tmp_path) as lake:
        track = lake.track(111)
        assert track["ts"].to_pylist() == [h(0), h(1), h(13)]
        assert lake.track(111, start=h(0.5), end=h(13))["ts"].to_pylist() == [h(1)]
        assert lake.track(111, start="2024-03-02").num_rows == 1
        assert lake.track(424242).num_rows == 0

        latest = lake.latest_positions()
        assert latest.schema.equals(POSITION_SCHEMA)
        assert [(r["mmsi"], r["ts"]) for r in latest.to_pylist()] == [(111, h(13)), (222, h(4)), (333, h(3))]
        caribbean = lake.latest_positions(bbox=(-70.0, 5.0, -60.0, 15.0))
        assert caribbean["mmsi"].to_pylist() == [111, 222]
        across_antimeridian = lake.latest_positions(bbox=(160.0, 30.0, -170.0, 50.0))
        assert across_antimeridian["mmsi"].to_pylist() == [333]
        assert lake.latest_positions(since=h(3.5))["mmsi"].to_pylist() == [111, 222]

        vessels = {r["mmsi"]: r for r in lake.vessels().to_pylist()}
        assert set(vessels) == {111, 222, 333}
        assert vessels[111]["name"] == "NEW NAME"
        assert vessels[111]["imo"] == 9_000_001  # latest non-null
        assert vessels[111]["first_seen"] == h(0) and vessels[111]["last_seen"] == h(14)
        assert vessels[111]["position_count"] == 3 and vessels[111]["static_count"] == 2
        assert vessels[222]["name"] is None and vessels[222]["position_count"] == 3
        assert vessels[333]["simulated"] is False

        assert lake.static_history(111)["name"].to_pylist() == ["OLD NAME", "NEW NAME"]

        day1 = lake.positions_for_days(["2024-03-01"])
        assert list(zip(day1["mmsi"].to_pylist(), day1["ts"].to_pylist(), strict=True)) == sorted(
            zip(day1["mmsi"].to_pylist(), day1["ts"].to_pylist(), strict=True)
        )
        assert day1.num_rows == 6
        assert lake.positions_for_days([dt.date(2024, 3, 2), "2024-03-05"]).num_rows == 1

        days = lake.days().to_pylist()
        assert [(d["date"], d["positions"], d["statics"]) for d in days] == [
            (dt.date(2024, 3, 1), 6, 1),
            (dt.date(2024, 3, 2), 1, 1),
        ]
        stats = lake.stats()
        assert (stats.position_rows, stats.static_rows, stats.vessels, stats.chunks) == (7, 2, 3, 2)
        assert stats.rejects_by_reason == {"bad checksum": 2}
        assert stats.bytes_on_disk > 0


def test_empty_lake_answers_with_empty_tables(tmp_path):
    LakeWriter(tmp_path).close()
    with Lake(tmp_path) as lake:
        assert lake.track(1).num_rows == 0
        assert lake.latest_positions().schema.equals(POSITION_SCHEMA)
        assert lake.vessels().num_rows == 0
        assert lake.stats().vessels == 0


def test_not_a_lake(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a shadowfleet lake"):
        Lake(tmp_path)


def test_one_writer_at_a_time(tmp_path):
    with LakeWriter(tmp_path), pytest.raises(LakeLockedError):
        LakeWriter(tmp_path)


def test_wrong_schema_is_refused_and_nothing_written(tmp_path):
    bad = positions([(1, h(0), 1.0, 1.0)]).drop_columns(["source"])
    with LakeWriter(tmp_path) as w, pytest.raises(ValueError, match=r"missing columns \['source'\]"):
        w.write_chunk(chunk("c" * 64), bad, statics([]))
    assert not list(tmp_path.rglob("*.parquet"))


def test_compaction_merges_sorted_and_atomic(tmp_path):
    with LakeWriter(tmp_path) as w:
        for i in range(5):
            w.write_chunk(
                chunk(f"{i}" * 64, positions=2, index=i),
                positions([(500 - i, h(i), 1.0, 2.0), (100 + i, h(5 - i), 3.0, 4.0)]),
                statics([(100 + i, h(i), f"N{i}", None)]),
            )
        before = Lake(tmp_path).positions_for_days(["2024-03-01"])
        report = w.compact()
        assert report.files_before == 10 and report.files_after == 2 and report.rows == 15
    files = list((tmp_path / "positions").rglob("*.parquet"))
    assert len(files) == 1 and files[0].name.startswith("compact-")
    merged = pq.read_table(files[0])
    assert merged.schema.equals(POSITION_SCHEMA)
    keys = list(zip(merged["mmsi"].to_pylist(), merged["ts"].to_pylist(), strict=True))
    assert keys == sorted(keys)
    with Lake(tmp_path) as lake:
        after = lake.positions_for_days(["2024-03-01"])
        assert after.equals(before)
        assert lake.static_history(103)["name"].to_pylist() == ["N3"]


def test_duckdb_and_hive_glob_read_the_layout(tmp_path):
    _write_sample(tmp_path)
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT date, count(*) FROM read_parquet('{tmp_path}/positions/*/*.parquet', hive_partitioning = true)"
        " GROUP BY date ORDER BY date"
    ).fetchall()
    assert [(str(d), n) for d, n in rows] == [("2024-03-01", 6), ("2024-03-02", 1)]
    assert os.path.isfile(tmp_path / "_manifest" / "manifest.sqlite")


def test_readers_during_writes_and_compactions_see_no_duplicates(tmp_path):
    import threading

    with LakeWriter(tmp_path) as w:
        w.write_chunk(chunk("s" * 64, positions=1), positions([(1, h(0), 1.0, 1.0)]), statics([]))
        seen: list[tuple[int, int]] = []
        errors: list[BaseException] = []
        done = threading.Event()

        def read() -> None:
            with Lake(tmp_path) as lake:
                while not done.is_set():
                    try:
                        t = lake.sql("SELECT count(*) AS n, count(DISTINCT (mmsi, ts)) AS d FROM positions")
                        seen.append((t["n"][0].as_py(), t["d"][0].as_py()))
                    except BaseException as exc:
                        errors.append(exc)
                        return

        reader = threading.Thread(target=read)
        reader.start()
        try:
            for i in range(15):
                for j in range(2):
                    rows = [(1000 * i + 10 * j + k, h(0.01 * k), 1.0, 2.0) for k in range(50)]
                    w.write_chunk(
                        chunk(f"{i:02d}{j}".ljust(64, "x"), positions=50), positions(rows), statics([])
                    )
                w.compact()
        finally:
            done.set()
            reader.join()
    assert not errors, errors
    assert len(seen) > 5
    assert all(n == d for n, d in seen), "a reader saw a row twice"
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)
    with Lake(tmp_path) as lake:
        assert lake.stats().position_rows == 1 + 15 * 100
