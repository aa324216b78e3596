"""Crash safety for real: a subprocess ingest (or compaction) is SIGKILLed, then re-run.

After every kill the lake shows no partial file and no duplicate row; after the re-run it equals an
uninterrupted ingest of the same input, and the files on disk are exactly the manifest's.
"""

import signal
import subprocess
import time

import pyarrow as pa
import pytest
from bench.ingest_corpus import generate

from shadowfleet.lake import Lake
from shadowfleet.lake.faults import CRASH_ENV
from shadowfleet.lake.manifest import Manifest

EPOCH_S = 1_714_604_400  # 2024-05-01 23:00 UTC: the corpus crosses midnight, so chunks write two days


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "feed.nmea"
    generate(path, 6_000, seed=5, tag_epoch_s=EPOCH_S)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus, cli_cmd, cli_env):
    lake = tmp_path_factory.mktemp("reference") / "lake"
    subprocess.run(
        [*cli_cmd, "ingest", str(corpus), "--lake", str(lake), "--chunk-lines", "1000", "--no-progress"],
        env=cli_env,
        check=True,
        capture_output=True,
    )
    return _rows(lake)


def _rows(lake_dir) -> pa.Table:
    with Lake(lake_dir) as lake:
        return lake.sql(
            "SELECT 'p' AS kind, mmsi, ts, msg_type, lat, lon, NULL AS name FROM positions"
            " UNION ALL SELECT 's', mmsi, ts, msg_type, NULL, NULL, name FROM static ORDER BY ALL"
        )


def _run(cmd, env, crash_at=None, kill_after_s=None):
    env = dict(env)
    if crash_at:
        env[CRASH_ENV] = crash_at
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after_s is not None:
        try:
            proc.wait(kill_after_s)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    proc.wait(120)
    return proc.returncode


def _assert_no_duplicates_and_subset(lake_dir, reference: pa.Table) -> None:
    got = _rows(lake_dir)
    keys = set(
        zip(
            got["kind"].to_pylist(),
            got["mmsi"].to_pylist(),
            got["ts"].to_pylist(),
            got["msg_type"].to_pylist(),
            strict=True,
        )
    )
    assert len(keys) == got.num_rows, "a killed run left duplicate rows visible"
    ref = set(
        zip(
            reference["kind"].to_pylist(),
            reference["mmsi"].to_pylist(),
            reference["ts"].to_pylist(),
            reference["msg_type"].to_pylist(),
            strict=True,
        )
    )
    assert keys <= ref


def _assert_clean(lake_dir) -> None:
    on_disk = {
        p.relative_to(lake_dir).as_posix()
        for d in ("positions", "static")
        for p in (lake_dir / d).rglob("*")
        if p.is_file()
    }
    manifest = Manifest(lake_dir)
    try:
        assert on_disk == manifest.all_file_paths()
    finally:
        manifest.close()
    assert not any(".tmp-" in p for p in on_disk)


@pytest.mark.parametrize("crash_at", ["before_publish:5", "after_publish:7", "after_commit:3"])
def test_sigkill_at_a_write_step_then_rerun(tmp_path, corpus, reference, cli_cmd, cli_env, crash_at):
    lake = tmp_path / "lake"
    cmd = [*cli_cmd, "ingest", str(corpus), "--lake", str(lake), "--chunk-lines", "1000", "--no-progress"]
    assert _run(cmd, cli_env, crash_at) == -signal.SIGKILL
    _assert_no_duplicates_and_subset(lake, reference)
    partial = _rows(lake).num_rows
    assert 0 < partial < reference.num_rows or crash_at.startswith("before_publish")
    assert _run(cmd, cli_env) == 0
    assert _rows(lake).equals(reference)
    _assert_clean(lake)
    assert _run(cmd, cli_env) == 0  # and once more: nothing added
    assert _rows(lake).equals(reference)


def test_sigkill_at_random_moments_then_rerun(tmp_path, corpus, reference, cli_cmd, cli_env):
    # The kill moments are fractions of an uninterrupted run on this machine, so they land inside the
    # run whether the machine is fast or loaded.
    timed = [*cli_cmd, "ingest", str(corpus), "--lake", str(tmp_path / "timed"), "--chunk-lines", "1000"]
    started = time.perf_counter()
    assert _run([*timed, "--no-progress"], cli_env) == 0
    full_run_s = time.perf_counter() - started
    lake = tmp_path / "lake"
    cmd = [*cli_cmd, "ingest", str(corpus), "--lake", str(lake), "--chunk-lines", "1000", "--no-progress"]
    killed = 0
    for fraction in (0.45, 0.65, 0.85):
        rc = _run(cmd, cli_env, kill_after_s=fraction * full_run_s)
        if rc == -signal.SIGKILL:
            killed += 1
            if (lake / "_manifest" / "manifest.sqlite").exists():  # else it died before creating the lake
                _assert_no_duplicates_and_subset(lake, reference)
        else:
            assert rc == 0
    assert _run(cmd, cli_env) == 0
    assert killed >= 1
    assert _rows(lake).equals(reference)
    _assert_clean(lake)


@pytest.mark.parametrize("crash_at", ["compact_after_publish:1", "compact_after_commit:1"])
def test_sigkill_during_compaction(tmp_path, corpus, reference, cli_cmd, cli_env, crash_at):
    lake = tmp_path / "lake"
    ingest = [*cli_cmd, "ingest", str(corpus), "--lake", str(lake), "--chunk-lines", "1000", "--no-progress"]
    assert _run(ingest, cli_env) == 0
    compact = [*cli_cmd, "lake", "compact", "--lake", str(lake)]
    assert _run(compact, cli_env, crash_at) == -signal.SIGKILL
    assert _rows(lake).equals(reference)  # readers see the old files or the new one, never both
    assert _run(compact, cli_env) == 0
    assert _rows(lake).equals(reference)
    _assert_clean(lake)
    with Lake(lake) as handle:
        assert handle.days()["files"].to_pylist() == [2, 2]  # one positions + one static file per day
