"""Windowed counts per vessel stay exact for lakes spanning decades and thousands of vessels."""

import numpy as np
import pyarrow as pa

from shadowfleet.detect.gaps import detect_gaps
from shadowfleet.detect.tracks import US_PER_H, group_count_in_window

from .builders import T0_US, combine, track

YEAR_US = 365 * 24 * US_PER_H


def _brute(group, ts, rows, window_us, forward):
    out = []
    for i in rows:
        same = group == group[i]
        if forward:
            out.append(int(np.sum(same & (ts >= ts[i]) & (ts < ts[i] + window_us))))
        else:
            out.append(int(np.sum(same & (ts > ts[i] - window_us) & (ts <= ts[i]))))
    return np.array(out)


def test_window_count_matches_brute_force_over_decades_and_many_vessels():
    rng = np.random.default_rng(7)
    n_groups = 3000  # with a 20-year span the old combined key overflowed past ~460 groups
    sizes = rng.integers(1, 8, n_groups)
    group = np.repeat(np.arange(n_groups, dtype=np.int64) * 7 + 201_000_000, sizes)
    ts = rng.integers(0, 20 * YEAR_US, len(group)) + 1_000_000_000 * 1_000_000
    order = np.lexsort((ts, group))
    group, ts = group[order], ts[order]
    # dense clusters so windows hold several rows
    ts[1::2] = np.maximum(ts[1::2], ts[:-1:2] + 1)
    order = np.lexsort((ts, group))
    group, ts = group[order], ts[order]
    rows = rng.choice(len(group), 400, replace=False)
    window_us = 12 * US_PER_H
    for forward in (False, True):
        got = group_count_in_window(group, ts, rows, window_us, forward=forward)
        assert np.array_equal(got, _brute(group, ts, rows, window_us, forward))
    # a window wider than the whole span counts every earlier row of the vessel
    wide = group_count_in_window(group, ts, rows, 30 * YEAR_US)
    assert np.array_equal(wide, _brute(group, ts, rows, 30 * YEAR_US, False))


def test_gaps_over_sixteen_years_with_many_vessels_do_not_fail():
    # 12,000 vessels reporting twice an hour apart, and one that reports in 2008 and again in 2024
    n = 12_000
    hours = np.tile([0.0, 1.0], n)
    many = track(300_000_000, (10.0, -60.0), hours, np.zeros(2 * n), np.zeros(2 * n))
    mmsi = pa.array(300_000_000 + np.repeat(np.arange(n, dtype=np.int64), 2), pa.int64())
    many = many.set_column(0, many.schema.field("mmsi"), mmsi)
    old_hours = np.array([0.0, 16 * 365 * 24.0])
    old = track(299_000_000, (10.0, -60.0), old_hours, np.zeros(2), np.zeros(2), t0_us=T0_US - 16 * YEAR_US)
    events = detect_gaps(combine(old, many))
    assert events.num_rows == 1
    e = events.to_pylist()[0]
    assert e["mmsi"] == 299_000_000
    assert e["duration_h"] > 15 * 365 * 24


def test_detect_command_reports_a_value_error_in_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import shadowfleet.detect.run as run_module
    from shadowfleet.cli import app

    def failing_run_all(*args, **kwargs):
        raise ValueError("positions table has no 'ts' column\n(second line)")

    monkeypatch.setattr(run_module, "run_all", failing_run_all)
    day = track(9, (0.0, -30.0), np.array([0.0, 1.0]), np.zeros(2), np.zeros(2))
    from shadowfleet.lake.writer import LakeWriter
    from shadowfleet.model.schemas import STATIC_SCHEMA

    from .test_incremental import _chunk

    with LakeWriter(tmp_path) as w:
        w.write_chunk(_chunk("a" * 40, day.num_rows), day, STATIC_SCHEMA.empty_table())
    result = CliRunner().invoke(app, ["detect", "--lake", str(tmp_path), "--full"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert lines == ["error: detection failed: positions table has no 'ts' column (second line)"]
