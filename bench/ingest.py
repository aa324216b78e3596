"""End-to-end ingest benchmark: NMEA file -> decoded -> sorted zstd Parquet lake with manifest.

Corpus: `shadowfleet.ais.encode.traffic_mix` (~80% types 1-3, 7% type 18, 6% lines of two-part type 5,
5% type 24, 2% other), written in blocks to a plain `.nmea` file (no tag blocks, as AIS-catcher or
rtl-ais print it).

Baseline, in the same run: pyais 3 decoding the same kind of file, `for msg in FileReaderStream(path):
msg.decode()` (framing, multi-part assembly and full decode, nothing written) — pyais decode only, so
the ratio understates our advantage over any pyais pipeline that also stores its output. pyais runs in
one thread; its rate per line does not depend on the file's size.

Ours: `shadowfleet ingest FILE --lake DIR` run as a child process, timed from process start to exit
(interpreter start-up and imports included), with its peak RSS and CPU time (all threads) read with
os.wait4, `--repeat` times per size on a fresh lake (medians reported). The command overlaps reading
and hashing, decoding, and sorting and writing in three threads, so on a machine with two or more cores
its wall time is below its CPU time: both ratios are reported. Memory should not grow with the input:
the sizes go up to a file of several GB. The machine's load average is printed: on a shared machine,
wall-clock figures are only as good as the quiet they were measured in.

    python -m bench.ingest                                   # 1M, 5M and 20M lines, 3 runs each
    python -m bench.ingest --sizes 1e6,5e6 --repeat 5
    python -m bench.ingest --tag-blocks                      # every line behind a tag block
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
BLOCK_LINES = 250_000


def write_corpus(path: Path, n_lines: int, tag_blocks: bool = False) -> int:
    """The traffic mix; with `tag_blocks`, each line behind `\\s:rBENCH,c:<time>*hh\\` (10 lines a
    second, as a receiver writing NMEA 4.0 tag blocks), so rows get real receive times."""
    from bench.decode import with_tag_blocks
    from shadowfleet.ais.encode import traffic_mix

    written = 0
    block = 0
    with open(path, "wb") as out:
        while written < n_lines:
            lines = traffic_mix(min(BLOCK_LINES, n_lines - written), seed=1000 + block)
            if tag_blocks:
                lines = with_tag_blocks(lines, written)
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


def run_ingest(path: Path, lake: Path, chunk_lines: int | None) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "shadowfleet", "ingest", str(path), "--lake", str(lake)]
    cmd += ["--no-progress", "--json"]
    if chunk_lines is not None:
        cmd += ["--chunk-lines", str(chunk_lines)]
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


@dataclass
class SizeResult:
    lines: int
    input_bytes: int
    lake_bytes: int
    wall_s: float  # medians over the runs
    wall_s_min: float
    wall_s_max: float
    cpu_s: float
    in_process_s: float
    peak_rss_mib: float  # the largest over the runs
    positions: int
    statics: int
    rejects: int
    runs: list[dict[str, object]] = field(default_factory=list)

    def ratios(self, base_wall_rate: float, base_cpu_rate: float) -> dict[str, float]:
        return {
            "ratio_wall_vs_pyais": self.lines / self.wall_s / base_wall_rate,
            "ratio_cpu_vs_pyais": self.lines / self.cpu_s / base_cpu_rate,
            "ratio_wall_in_process_vs_pyais": self.lines / self.in_process_s / base_wall_rate,
        }


def measure_size(
    work: Path, n_lines: int, repeat: int, chunk_lines: int | None, tag_blocks: bool
) -> SizeResult:
    corpus = work / f"corpus-{n_lines}.nmea"
    n = write_corpus(corpus, n_lines, tag_blocks)
    runs = []
    lake_bytes = 0
    for _ in range(repeat):
        lake = work / "lake"
        shutil.rmtree(lake, ignore_errors=True)
        runs.append(run_ingest(corpus, lake, chunk_lines))
        lake_bytes = lake_size_bytes(lake)
    shutil.rmtree(work / "lake", ignore_errors=True)
    input_bytes = corpus.stat().st_size
    corpus.unlink()

    def values(key: str) -> list[float]:
        return [float(r[key]) for r in runs]  # type: ignore[arg-type]

    walls = values("wall_seconds")
    return SizeResult(
        lines=n,
        input_bytes=input_bytes,
        lake_bytes=lake_bytes,
        wall_s=statistics.median(walls),
        wall_s_min=min(walls),
        wall_s_max=max(walls),
        cpu_s=statistics.median(values("cpu_seconds")),
        in_process_s=statistics.median(values("in_process_seconds")),
        peak_rss_mib=max(values("peak_rss_mib")),
        positions=int(values("positions")[0]),
        statics=int(values("statics")[0]),
        rejects=int(values("rejects")[0]),
        runs=runs,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end ingest vs pyais decode")
    parser.add_argument("--sizes", default="1e6,5e6,2e7", help="corpus sizes in lines, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="ingest runs per size (medians reported)")
    parser.add_argument("--pyais-lines", type=float, default=1e6, help="lines pyais decodes for the baseline")
    parser.add_argument("--chunk-lines", type=int, default=None, help="default: the lake's default")
    parser.add_argument(
        "--tag-blocks", action="store_true", help="NMEA 4.0 tag block (station, time) on each line"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and lakes go (temp)")
    args = parser.parse_args()
    sizes = [int(float(x)) for x in args.sizes.split(",") if x.strip()]

    sys.path.insert(0, str(REPO / "src"))
    # as an installed package is: byte-compiled (PYTHONDONTWRITEBYTECODE would make every run compile)
    compileall.compile_dir(REPO / "src" / "shadowfleet", quiet=1)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        base_corpus = work / "pyais.nmea"
        n_base = write_corpus(base_corpus, int(args.pyais_lines), args.tag_blocks)
        print(f"pyais baseline on {n_base:,} lines ...", flush=True)
        base = pyais_decode(base_corpus)
        base_corpus.unlink()
        results = []
        for n_lines in sizes:
            print(f"shadowfleet ingest, {n_lines:,} lines x {args.repeat} ...", flush=True)
            results.append(measure_size(work, n_lines, args.repeat, args.chunk_lines, args.tag_blocks))
    load_after = os.getloadavg()
    base_wall_rate = n_base / base["seconds"]
    base_cpu_rate = n_base / base["cpu_seconds"]

    first, last = results[0], results[-1]
    extra_lines = last.lines - first.lines
    extra_wall, extra_cpu = last.wall_s - first.wall_s, last.cpu_s - first.cpu_s
    marginal_wall = extra_lines / extra_wall if extra_lines and extra_wall > 0 else float("nan")
    marginal_cpu = extra_lines / extra_cpu if extra_lines and extra_cpu > 0 else float("nan")
    result = {
        "corpus": "shadowfleet.ais.encode.traffic_mix, "
        + ("AIVDM lines behind tag blocks" if args.tag_blocks else "plain AIVDM lines"),
        "pyais": {**base, "lines": n_base, "lines_per_s": base_wall_rate, "version": _pyais_version()},
        "sizes": [{**asdict(r), **r.ratios(base_wall_rate, base_cpu_rate)} for r in results],
        "marginal_lines_per_s_wall": marginal_wall,
        "marginal_lines_per_cpu_s": marginal_cpu,
        "ratio_marginal_wall_vs_pyais": marginal_wall / base_wall_rate,
        "ratio_marginal_cpu_vs_pyais": marginal_cpu / base_cpu_rate,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "ingest.json"
    out.write_text(json.dumps(result, indent=2))

    print()
    print(
        f"pyais decode only: {base_wall_rate:,.0f} lines/s wall, {base_cpu_rate:,.0f} lines per CPU-s"
        f" ({n_base:,} lines)"
    )
    print(
        f"{'lines':>12} {'wall s (min-max)':>19} {'lines/s':>11} {'x pyais':>8} {'CPU s':>7} {'x pyais CPU':>11} {'peak RSS':>10}"
    )
    for r in results:
        ratio = r.ratios(base_wall_rate, base_cpu_rate)
        print(
            f"{r.lines:>12,} {r.wall_s:>6.2f} ({r.wall_s_min:.2f}-{r.wall_s_max:.2f})"
            f" {r.lines / r.wall_s:>11,.0f} {ratio['ratio_wall_vs_pyais']:>7.1f}x"
            f" {r.cpu_s:>7.2f} {ratio['ratio_cpu_vs_pyais']:>10.1f}x {r.peak_rss_mib:>6,.0f} MiB"
        )
    if len(results) > 1:
        print(
            f"steady state ({first.lines:,} -> {last.lines:,} lines, start-up excluded):"
            f" {marginal_wall:,.0f} lines/s wall = {marginal_wall / base_wall_rate:.1f}x,"
            f" {marginal_cpu:,.0f} lines per CPU-s = {marginal_cpu / base_cpu_rate:.1f}x pyais"
        )
    print(
        f"rows at {first.lines:,} lines: {first.positions:,} positions, {first.statics:,} statics,"
        f" {first.rejects:,} rejects; lake {first.lake_bytes / 2**20:,.1f} MiB from"
        f" {first.input_bytes / 2**20:,.1f} MiB of NMEA"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"written to {out}")


def _pyais_version() -> str:
    import pyais

    return str(pyais.__version__)


if __name__ == "__main__":
    main()
