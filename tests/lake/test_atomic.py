"""The atomic writers others reuse: single Parquet file and a whole set of files."""

import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shadowfleet.lake.atomic import cleanup_generations, replace_dir_atomic, write_parquet_atomic


def _t(values):
    return pa.table({"x": pa.array(values, pa.int64())})


def test_write_parquet_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "a.parquet"
    write_parquet_atomic(_t([1, 2]), target)
    size = write_parquet_atomic(_t([3]), target)
    assert pq.read_table(target)["x"].to_pylist() == [3]
    assert size == target.stat().st_size
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.parquet"]


def test_write_parquet_atomic_failure_keeps_old_file(tmp_path):
    target = tmp_path / "a.parquet"
    write_parquet_atomic(_t([1]), target)

    def boom():
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_parquet_atomic(_t([2]), target, before_publish=boom)
    assert pq.read_table(target)["x"].to_pylist() == [1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet"]


def test_replace_dir_atomic_swaps_the_set(tmp_path):
    events = tmp_path / "events"
    replace_dir_atomic(
        events, {"date=2024-01-01/part-0.parquet": _t([1]), "date=2024-01-02/part-0.parquet": _t([2])}
    )
    replace_dir_atomic(events, {"all.parquet": _t([7, 8, 9])})
    assert events.is_symlink()
    total = (
        duckdb.connect()
        .execute(f"SELECT sum(x), count(*) FROM read_parquet('{events}/**/*.parquet')")
        .fetchall()
    )
    assert total == [(24, 3)]
    generations = list((tmp_path / "events.generations").iterdir())
    assert len(generations) == 1  # the previous generation is gone


def test_replace_dir_atomic_migrates_a_real_folder_and_refuses_escapes(tmp_path):
    voyages = tmp_path / "voyages"
    voyages.mkdir()
    pq.write_table(_t([1]), voyages / "old.parquet")
    replace_dir_atomic(voyages, {"new.parquet": _t([2])})
    assert sorted(os.listdir(voyages)) == ["new.parquet"]
    with pytest.raises(ValueError, match="relative"):
        replace_dir_atomic(voyages, {"../evil.parquet": _t([3])})
    cleanup_generations(voyages)  # removes the half-written generation of the refused call
    assert len(list((tmp_path / "voyages.generations").iterdir())) == 1
    assert pq.read_table(voyages / "new.parquet")["x"].to_pylist() == [2]
