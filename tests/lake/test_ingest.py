"""File ingest: idempotent by content, chunk boundaries invisible, errors reported, rejects logged."""

import datetime as dt
import gzip
import json
import os
import shutil

import pyarrow as pa
import pytest
from bench.ingest_corpus import generate

from shadowfleet.lake import Lake
from shadowfleet.lake.ingest import IngestOptions, ingest_paths

CLOCK = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def _opts(chunk_lines: int = 500_000) -> IngestOptions:
    return IngestOptions(chunk_lines=chunk_lines, clock=lambda: CLOCK)


def _content(lake_dir) -> tuple[pa.Table, pa.Table]:
    """Every position and static row, in a canonical order, without the source column."""
    with Lake(lake_dir) as lake:
        pos = lake.sql("SELECT * EXCLUDE (source) FROM positions ORDER BY ALL")
        sta = lake.sql("SELECT * EXCLUDE (source) FROM static ORDER BY ALL")
    return pos, sta


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "mix.nmea"
    generate(path, 12_000, seed=3)
    return path


def test_same_input_twice_adds_nothing_even_renamed_or_gzipped(tmp_path, corpus):
    lake = tmp_path / "lake"
    first = ingest_paths(lake, [str(corpus)], _opts(2_000))
    assert first.chunks_written == 6 and first.errors == []
    assert first.positions > 9_000 and first.statics > 1_000
    before = _content(lake)
    renamed = tmp_path / "other-name.txt"
    shutil.copy(corpus, renamed)
    zipped = tmp_path / "again.nmea.gz"
    zipped.write_bytes(gzip.compress(corpus.read_bytes()))
    again = ingest_paths(lake, [str(corpus), str(renamed), str(zipped)], _opts(2_000))
    assert again.chunks_written == 0 and again.chunks_skipped == 18
    assert again.lines == 0 and again.lines_skipped == 3 * first.lines
    after = _content(lake)
    assert after[0].equals(before[0]) and after[1].equals(before[1])
    with Lake(lake) as handle:
        assert handle.stats().chunks == 6


def test_chunk_boundaries_do_not_change_the_result(tmp_path, corpus):
    lines = corpus.read_bytes().splitlines()

    def straddles(size: int) -> int:
        return sum(lines[i - 1].startswith(b"!AIVDM,2,1,") for i in range(size, len(lines), size))

    # a chunk size that cuts at least two two-part messages in half
    chunk = next(size for size in range(997, 2000) if straddles(size) >= 2)
    small = ingest_paths(tmp_path / "small", [str(corpus)], _opts(chunk))
    whole = ingest_paths(tmp_path / "whole", [str(corpus)], _opts(1_000_000))
    assert small.chunks_written == -(-len(lines) // chunk) and whole.chunks_written == 1
    assert (small.positions, small.statics, small.rejects) == (whole.positions, whole.statics, whole.rejects)
    assert small.rejects == 0
    a, b = _content(tmp_path / "small"), _content(tmp_path / "whole")
    assert a[0].equals(b[0]) and a[1].equals(b[1])


def test_resume_replays_the_carry_over(tmp_path, corpus):
    """A lake holding only the first chunks (as after a crash) is completed exactly by a re-run."""
    lines = corpus.read_bytes().splitlines(keepends=True)
    prefix = tmp_path / "prefix.nmea"
    prefix.write_bytes(b"".join(lines[: 997 * 4]))
    lake = tmp_path / "lake"
    ingest_paths(lake, [str(prefix)], _opts(997))
    resumed = ingest_paths(lake, [str(corpus)], _opts(997))
    assert resumed.chunks_skipped == 4
    ingest_paths(tmp_path / "clean", [str(corpus)], _opts(997))
    a, b = _content(lake), _content(tmp_path / "clean")
    # the prefix run flushed its pending fragments as rejects; rows are identical
    assert a[0].equals(b[0]) and a[1].equals(b[1])


def test_errors_are_reported_and_the_rest_lands(tmp_path, corpus):
    lake = tmp_path / "lake"
    unreadable = tmp_path / "secret.nmea"
    generate(unreadable, 300, seed=11)
    unreadable.chmod(0)
    root = os.geteuid() == 0  # root reads any file: then it is simply ingested
    truncated = tmp_path / "cut.nmea.gz"
    truncated.write_bytes(gzip.compress(corpus.read_bytes())[:-200])
    empty = tmp_path / "empty.nmea"
    empty.write_bytes(b"")
    try:
        summary = ingest_paths(
            lake,
            [str(tmp_path / "missing.nmea"), str(unreadable), str(truncated), str(empty), str(corpus)],
            _opts(2_000),
        )
    finally:
        unreadable.chmod(0o644)
    messages = "\n".join(summary.errors)
    assert "missing.nmea: no such file or folder" in messages
    if not root:
        assert "secret.nmea: permission denied" in messages
    assert "cut.nmea.gz" in messages and len(summary.errors) == 3 - root
    reference = ingest_paths(
        tmp_path / "ref", [str(corpus)] + ([str(unreadable)] if root else []), _opts(2_000)
    )
    # the corpus landed in full; the truncated copy shares its leading chunks, so they are not doubled
    assert _content(lake)[0].equals(_content(tmp_path / "ref")[0])
    assert summary.positions == reference.positions


@pytest.mark.parametrize("name", ["rejects.csv", "rejects.jsonl"])
def test_rejects_file_has_every_rejected_line_with_reason(tmp_path, name):
    bad = tmp_path / "bad.nmea"
    bad.write_bytes(
        b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n"  # good
        b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*25\n"  # bad checksum
        b"\x00\x01\x02 binary junk\n"
        b"!AIVDM,2,1,7,B,53u?etPv2;0n:dDPwUM1U1Cb069D13u?etPv2;0n:dDPwUM1U1Cb069D1,0*00\n"
    )
    out = tmp_path / name
    summary = ingest_paths(tmp_path / "lake", [str(bad)], _opts(), rejects_path=out)
    assert summary.positions == 1
    if name.endswith(".csv"):
        import csv

        rows = list(csv.DictReader(out.open()))
    else:
        rows = [json.loads(line) for line in out.open()]
    assert len(rows) == summary.rejects == 3
    assert {int(r["line_no"]) for r in rows} == {2, 3, 4}
    assert all(r["reason"] and r["source"] == str(bad) for r in rows)
    assert sum(summary.rejects_by_reason.values()) == 3


@pytest.mark.parametrize("cut_mid_line", [False, True])
def test_a_growing_log_ingested_repeatedly_adds_each_line_once(tmp_path, corpus, cut_mid_line):
    """A receiver log still being written, ingested again and again (e.g. hourly), never duplicates."""
    data = corpus.read_bytes()
    log = tmp_path / "receiver.log"
    lake = tmp_path / "lake"
    sizes = [len(data) // 5, len(data) // 3, len(data) // 3 + 17, (len(data) * 2) // 3, len(data)]
    for size in sizes:
        if not cut_mid_line:
            size = data.rfind(b"\n", 0, size) + 1 if size < len(data) else size
        log.write_bytes(data[:size])  # the logger may stop mid-line: that line is finished next time
        ingest_paths(lake, [str(log)], _opts(997))
    ingest_paths(tmp_path / "clean", [str(corpus)], _opts(997))
    got, want = _content(lake), _content(tmp_path / "clean")
    assert got[0].equals(want[0]) and got[1].equals(want[1])


def test_a_log_whose_last_line_lacked_only_its_line_ending(tmp_path, corpus):
    data = corpus.read_bytes()
    end = data.find(b"\n", len(data) // 2)
    log = tmp_path / "receiver.log"
    log.write_bytes(data[:end])  # a whole last line, no newline yet
    first = ingest_paths(tmp_path / "lake", [str(log)], _opts(997))
    log.write_bytes(data)
    ingest_paths(tmp_path / "lake", [str(log)], _opts(997))
    ingest_paths(tmp_path / "clean", [str(corpus)], _opts(997))
    assert first.rejects == 0
    got, want = _content(tmp_path / "lake"), _content(tmp_path / "clean")
    assert got[0].equals(want[0]) and got[1].equals(want[1])


def test_a_lake_keeps_its_chunk_size(tmp_path, corpus):
    """Chunk keys depend on the chunk size, so a lake refuses another one instead of duplicating rows."""
    lake = tmp_path / "lake"
    ingest_paths(lake, [str(corpus)], _opts(2_000))
    other = ingest_paths(lake, [str(corpus)], _opts(3_000))
    assert other.positions == 0 and "chunks of 2,000 lines" in other.errors[0]
    default = ingest_paths(lake, [str(corpus)], IngestOptions(clock=lambda: CLOCK))
    assert default.chunks_written == 0 and default.chunks_skipped == 6
