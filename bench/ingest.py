"""End-to-end ingest benchmark: NMEA file -> decoded -> sorted zstd Parquet lake with manifest.

Corpus: `shadowfleet.ais.encode.traffic_mix` (~80% types 1-3, 7% type 18, 6% lines of two-part type 5,
5% type 24, 2% other), written in blocks to a plain `.nmea` file (no tag blocks, as AIS-catcher or
rtl-ais print it).

Baseline, in the same run: pyais 3 decoding the same file, `for msg in FileReaderStream(path):
msg.decode()` (framing, multi-part assembly and full decode, nothing written) — pyais decode only, so
the ratio understates our advantage over any pyais pipeline that also stores its output.

Ours: `shadowfleet ingest FILE --lake DIR` run as a child process, timed from process start to exit
(interpreter start-up and imports included), its peak RSS and CPU time read with os.wait4. It runs on
two corpus sizes to show memory does not grow with the input; the CPU difference between the two runs
gives the steady-state rate with start-up excluded. The machine may be shared: CPU-time ratios are the
steadier figures, wall-clock ones are printed too.

    python -m bench.ingest                      # 1M and 5M lines, pyais on the 1M corpus
    python -m bench.ingest --lines 2000000 --big-lines 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
BLOCK_LINES = 250_000


def write_corpus(path: Path, n_lines: int) -> int:
    from shadowfleet.ais.encode import traffic_mix

    written = 0
    block = 0
    with open(path, "wb") as out:
        while written < n_lines:
            lines = traffic_mix(min(BLOCK_LINES, n_lines - written), seed=1000 + block)
            out.write(b"\n".join(lines) + b"\n")
            written += len(lines)
            block += 1
    return written


def pyais_decode(path: Path) -> dict[str, float]:
    from pyais.stream import FileReaderStream

    messages = errors = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for msg in FileReaderStream(str(path)):
        try:
            msg.decode()
            messages += 1
        except Exception:
            errors += 1
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "messages": messages,
        "errors": errors,
    }


def run_ingest(path: Path, lake: Path, chunk_lines: int) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "shadowfleet", "ingest", str(path), "--lake", str(lake)]
    cmd += ["--no-progress", "--json", "--chunk-lines", str(chunk_lines)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed ({proc.returncode}): {err.decode()[-2000:]}")
    summary = json.loads(out)
    return {
        "wall_seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,  # all threads of the child
        "in_process_seconds": summary["elapsed_s"],
        "peak_rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
        "lines": summary["lines"],
        "positions": summary["positions"],
        "statics": summary["statics"],
        "rejects": summary["rejects"],
        "files_written": summary["files_written"],
    }


def lake_size_bytes(lake: Path) -> int:
    return sum(p.stat().st_size for p in lake.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end ingest vs pyais decode")
    parser.add_argument("--lines", type=int, default=1_000_000, help="corpus size for the speed ratio")
    parser.add_argument("--big-lines", type=int, default=5_000_000, help="second size, for peak memory")
    parser.add_argument("--chunk-lines", type=int, default=500_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and lakes go (temp)")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "src"))
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        small, big = work / "small.nmea", work / "big.nmea"
        print(f"generating {args.lines:,} + {args.big_lines:,} lines ...", flush=True)
        n_small = write_corpus(small, args.lines)
        n_big = write_corpus(big, args.big_lines)

        print("pyais baseline ...", flush=True)
        base = pyais_decode(small)
        base_rate = n_small / base["seconds"]

        print("shadowfleet ingest (child processes) ...", flush=True)
        ours_small = run_ingest(small, work / "lake-small", args.chunk_lines)
        ours_big = run_ingest(big, work / "lake-big", args.chunk_lines)
        size_small = lake_size_bytes(work / "lake-small")
        rate_wall = n_small / float(ours_small["wall_seconds"])  # type: ignore[arg-type]
        rate_inproc = n_small / float(ours_small["in_process_seconds"])  # type: ignore[arg-type]
        rate_big = n_big / float(ours_big["wall_seconds"])  # type: ignore[arg-type]
        cpu_ratio = base["cpu_seconds"] / float(ours_small["cpu_seconds"])  # type: ignore[arg-type]
        # CPU per extra line between the two sizes: start-up and fixed costs cancel out
        marginal_cpu_s = float(ours_big["cpu_seconds"]) - float(ours_small["cpu_seconds"])  # type: ignore[arg-type]
        marginal_rate = (n_big - n_small) / marginal_cpu_s if marginal_cpu_s > 0 else float("nan")
        base_cpu_rate = n_small / base["cpu_seconds"]
        big_cpu_ratio = n_big / float(ours_big["cpu_seconds"]) / base_cpu_rate  # type: ignore[arg-type]

    result = {
        "corpus": "shadowfleet.ais.encode.traffic_mix, plain AIVDM lines",
        "lines_small": n_small,
        "lines_big": n_big,
        "chunk_lines": args.chunk_lines,
        "pyais": {**base, "lines_per_s": base_rate, "version": _pyais_version()},
        "ingest_small": {**ours_small, "lines_per_s_wall": rate_wall, "lines_per_s_in_process": rate_inproc},
        "ingest_big": {**ours_big, "lines_per_s_wall": rate_big},
        "ratio_wall_vs_pyais": rate_wall / base_rate,
        "ratio_in_process_vs_pyais": rate_inproc / base_rate,
        "ratio_cpu_vs_pyais": cpu_ratio,
        "ratio_cpu_big_vs_pyais": big_cpu_ratio,
        "marginal_lines_per_cpu_s": marginal_rate,
        "pyais_lines_per_cpu_s": base_cpu_rate,
        "ratio_marginal_cpu_vs_pyais": marginal_rate / base_cpu_rate,
        "lake_bytes_small": size_small,
        "input_bytes_small": (n_small and os.path.getsize(small)) if small.exists() else None,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "ingest.json"
    out.write_text(json.dumps(result, indent=2))

    small_wall = float(ours_small["wall_seconds"])  # type: ignore[arg-type]
    small_cpu = float(ours_small["cpu_seconds"])  # type: ignore[arg-type]
    rss_small = float(ours_small["peak_rss_mib"])  # type: ignore[arg-type]
    rss_big = float(ours_big["peak_rss_mib"])  # type: ignore[arg-type]
    print()
    print(
        f"pyais decode only           {base_rate:>10,.0f} lines/s  ({base['seconds']:.1f} s wall, {base['cpu_seconds']:.1f} s CPU)"
    )
    print(
        f"shadowfleet ingest, wall    {rate_wall:>10,.0f} lines/s  ({small_wall:.1f} s incl. start-up, {small_cpu:.1f} s CPU)"
    )
    print(f"shadowfleet ingest, inside  {rate_inproc:>10,.0f} lines/s")
    print(
        f"ratio to pyais: {rate_wall / base_rate:.1f}x wall, {rate_inproc / base_rate:.1f}x wall without start-up,"
        f" {cpu_ratio:.1f}x CPU time"
    )
    print(f"whole command on {n_big:,} lines: {big_cpu_ratio:.1f}x pyais CPU time")
    print(
        f"steady state (CPU per extra line, start-up excluded): {marginal_rate:,.0f} lines/CPU-s vs pyais"
        f" {base_cpu_rate:,.0f}: {marginal_rate / base_cpu_rate:.1f}x"
    )
    print(f"peak RSS: {rss_small:,.0f} MiB at {n_small:,} lines, {rss_big:,.0f} MiB at {n_big:,} lines")
    print(
        f"rows: {ours_small['positions']:,} positions, {ours_small['statics']:,} statics,"
        f" {ours_small['rejects']:,} rejects; lake {size_small / 2**20:,.1f} MiB"
    )
    print(f"written to {out}")


def _pyais_version() -> str:
    import pyais

    return str(pyais.__version__)


if __name__ == "__main__":
    main()
