"""Local engine vs Spark (local mode) on the same lake, and a projection for a day of global AIS.

    python -m bench.scale                           # 200k and 1M positions: a few minutes
    python -m bench.scale --sizes 1e7,5e7           # the full comparison (needs ~10 GB free for 50M)
    python -m bench.scale --master local[4] --executors 8,32,128 --cores-per-executor 4

Data: `shadowfleet.sim.bulk.generate_bulk` (simulated open-ocean tracks with injected gaps and
encounters, and static reports), written into a fresh lake per size by the lake's own writer. Both
engines read that lake, run every detector (gazetteer and shore loaded once, not timed) and return the
same events (checked: same event ids). The local engine is timed in a child process (peak RSS is its own)
as `shadowfleet detect --full` runs it; Spark in this process, session started once (its start-up is
reported apart). Results go to bench/results/scale-<time>.json.

Projection: per-position cost on Spark measured here, divided among `executors x cores` (assumes the
per-vessel and per-cell groups spread evenly, which holds when vessels >> tasks), plus the fixed cost of
the smallest run; the local engine extrapolated linearly (and its memory: ~0.6 kB per position peak).
"""

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
GLOBAL_DAY_POSITIONS = 300_000_000  # order of magnitude of one day of global terrestrial + satellite AIS
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _context() -> Any:
    from shadowfleet.detect.run import DetectContext
    from shadowfleet.geodata.land import load_shore
    from shadowfleet.geodata.ports import load_gazetteer

    return DetectContext(
        load_gazetteer(SHARED / "gfw-ports-anchorages", include_searoute=True),
        load_shore(SHARED / "geo" / "world-atlas" / "land-10m.json"),
    )


def build(root: Path, n_positions: int, n_vessels: int, seed: int) -> dict[str, Any]:
    from shadowfleet.lake.manifest import ChunkEntry
    from shadowfleet.lake.writer import LakeWriter
    from shadowfleet.sim.bulk import generate_bulk

    t0 = time.perf_counter()
    try:
        bulk = generate_bulk(n_positions, n_vessels, seed)
        pos, sta, generator = bulk.positions, bulk.statics, "shadowfleet.sim.bulk"
    except ValueError as exc:  # the bulk generator fails on some sizes; random walks keep the run going
        from bench.detect import generate
        from shadowfleet.model.schemas import STATIC_SCHEMA

        pos, sta = generate(n_positions, n_vessels, seed), STATIC_SCHEMA.empty_table()
        generator = f"bench.detect random walks (sim.bulk: {exc})"
    t1 = time.perf_counter()
    chunk = ChunkEntry(
        chunk_key=f"bench-scale-{n_positions}-{seed}".ljust(40, "0"), source="bench.scale",
        source_kind="simulated", chunk_index=0, first_line=1, n_lines=pos.num_rows, n_bytes=0,
        positions=pos.num_rows, statics=sta.num_rows, rejects=0, simulated=True,
    )  # fmt: skip
    with LakeWriter(root) as w:
        w.write_chunk(chunk, pos, sta)
    return {
        "generate_s": t1 - t0,
        "write_s": time.perf_counter() - t1,
        "statics": sta.num_rows,
        "generator": generator,
    }


def run_local(root: Path) -> dict[str, Any]:
    from shadowfleet.detect.run import run_all
    from shadowfleet.lake.events import read_events, run_incremental

    context = _context()
    t0 = time.perf_counter()
    report = run_incremental(root, lambda p, s: run_all(p, s, context), full=True)
    seconds = time.perf_counter() - t0
    events = read_events(root)
    ids = sorted(events.column("event_id").to_pylist()) if events is not None else []
    return {
        "seconds": seconds,
        "positions": report.positions,
        "events": len(ids),
        "ids": ids,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fit(sizes: list[int], seconds: list[float]) -> tuple[float, float]:
    """(fixed s, s per position) by least squares; with one size, all cost is per position."""
    if len(sizes) < 2:
        return 0.0, seconds[0] / sizes[0]
    n = len(sizes)
    mx, my = sum(sizes) / n, sum(seconds) / n
    b = sum((x - mx) * (y - my) for x, y in zip(sizes, seconds, strict=True)) / sum(
        (x - mx) ** 2 for x in sizes
    )
    b = max(b, 1e-12)
    return max(my - b * mx, 0.0), b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2e5,1e6", help="comma-separated position counts")
    ap.add_argument("--positions-per-vessel", type=int, default=400)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--shuffle-partitions", type=int, default=8)
    ap.add_argument("--executors", default="4,16,64", help="executor counts for the projection")
    ap.add_argument("--cores-per-executor", type=int, default=4)
    ap.add_argument("--keep", action="store_true", help="keep the generated lakes")
    ap.add_argument("--_build", nargs=4, metavar=("ROOT", "N", "VESSELS", "SEED"), help=argparse.SUPPRESS)
    ap.add_argument("--_local", metavar="ROOT", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._build:
        print(json.dumps(build(Path(a._build[0]), int(a._build[1]), int(a._build[2]), int(a._build[3]))))
        return
    if a._local:
        print(json.dumps(run_local(Path(a._local))))
        return

    from shadowfleet.scale.runner import detect_spark
    from shadowfleet.scale.session import spark_session
    from shadowfleet.scale.steps import ScaleParams

    sizes = [int(float(s)) for s in a.sizes.split(",")]
    t0 = time.perf_counter()
    spark = spark_session(
        a.master,
        app_name="shadowfleet-bench",
        shuffle_partitions=a.shuffle_partitions,
        driver_memory=a.driver_memory,
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - t0
    context = _context()
    local_cores = spark.sparkContext.defaultParallelism
    # first run of a session starts the Python workers and builds the geodata indexes there: apart
    warm_root = Path(tempfile.mkdtemp(prefix="shadowfleet-bench-scale-warm-"))
    try:
        _child("--_build", str(warm_root), "20000", "50", str(a.seed))
        t0 = time.perf_counter()
        detect_spark(spark, str(warm_root), context, write=False)
        warm_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(warm_root, ignore_errors=True)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"shadowfleet-bench-scale-{n}-"))
        try:
            vessels = max(n // a.positions_per_vessel, 2)
            made = _child("--_build", str(root), str(n), str(vessels), str(a.seed))
            local = _child("--_local", str(root))
            buckets = max(16, min(512, n // 50_000))
            scale = ScaleParams(
                vessel_buckets=buckets, cell_buckets=buckets, pair_buckets=max(4, buckets // 4)
            )
            t1 = time.perf_counter()
            run = detect_spark(spark, str(root), context, scale=scale, write=False)
            spark_s = time.perf_counter() - t1
            same = sorted(run.events.column("event_id").to_pylist()) == local["ids"]
            row = {
                "spark_phases_s": {k: round(v, 2) for k, v in run.seconds.items()},
                "positions": n,
                "vessels": vessels,
                "statics": made["statics"],
                "generator": made["generator"],
                "events": local["events"],
                "same_event_ids": same,
                "local_s": round(local["seconds"], 2),
                "local_max_rss_mb": round(local["max_rss_mb"]),
                "spark_s": round(spark_s, 2),
                "buckets": buckets,
                "local_positions_per_s": round(n / local["seconds"]),
                "spark_positions_per_s": round(n / spark_s),
                "spark_over_local": round(spark_s / local["seconds"], 2),
            }
            rows.append(row)
            print(
                f"{n:>11,} positions {vessels:>7,} vessels  local {local['seconds']:8.1f} s "
                f"({row['local_positions_per_s']:>9,}/s, {row['local_max_rss_mb']:,} MB)  "
                f"spark {spark_s:8.1f} s ({row['spark_positions_per_s']:>9,}/s)  "
                f"spark/local {row['spark_over_local']:.2f}  same ids: {same}  [{made['generator'][:40]}]",
                flush=True,
            )
        finally:
            if not a.keep:
                shutil.rmtree(root, ignore_errors=True)
    spark.stop()
    ns = [r["positions"] for r in rows]
    la, lb = _fit(ns, [r["local_s"] for r in rows])
    sa, sb = _fit(ns, [r["spark_s"] for r in rows])
    crossover = (sa - la) / (lb - sb) if lb > sb and sa > la else None
    # per-position cost for the projection: the fitted slope, but never less than the largest run's
    # time above the smallest run's (small runs are all fixed cost, and a noisy fit can say "free")
    big = max(rows, key=lambda r: r["positions"])
    small = min(rows, key=lambda r: r["positions"])
    floor = (big["spark_s"] - (small["spark_s"] if len(rows) > 1 else 0.0)) / max(
        big["positions"] - (small["positions"] if len(rows) > 1 else 0), 1
    )
    per_core_s = max(sb, floor, 0.0) * local_cores  # Spark seconds per position on one core
    projection = []
    for e in [int(x) for x in a.executors.split(",")]:
        cores = e * a.cores_per_executor
        projection.append(
            {
                "executors": e,
                "cores": cores,
                "spark_s": round(sa + per_core_s * GLOBAL_DAY_POSITIONS / cores),
            }
        )
    local_day_s = la + lb * GLOBAL_DAY_POSITIONS
    _rss_base_mb, rss_mb_per_pos = _fit(ns, [float(r["local_max_rss_mb"]) for r in rows])
    rss_per_pos = rss_mb_per_pos * 1e6  # bytes per position above the process's base
    print(
        f"spark session start {session_s:.1f} s, first run (workers, indexes) {warm_s:.1f} s ({a.master}, {local_cores} cores)"
    )
    print("fits:")
    print(f"  local  {la:6.1f} s + {lb * 1e6:7.2f} s per million positions")
    print(
        f"  spark  {sa:6.1f} s + {sb * 1e6:7.2f} s per million positions ({per_core_s * 1e6:.2f} core-s per million)"
    )
    print(
        "  crossover on this machine: "
        + (
            f"{crossover:,.0f} positions"
            if crossover
            else "none (Spark costs more per position on the same cores)"
        )
    )
    print(
        f"one day of global AIS (~{GLOBAL_DAY_POSITIONS / 1e6:.0f}M positions): local engine ~{local_day_s / 60:.0f} min "
        f"and ~{rss_per_pos * GLOBAL_DAY_POSITIONS / 1e9:.0f} GB peak in one process; Spark:"
    )
    for p in projection:
        print(f"  {p['executors']:>4} executors x {a.cores_per_executor} cores: ~{p['spark_s'] / 60:.1f} min")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scale-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "machine": {"platform": platform.platform(), "python": platform.python_version()},
                "master": a.master,
                "spark_session_s": round(session_s, 1),
                "spark_first_run_s": round(warm_s, 1),
                "rows": rows,
                "fit": {"local": [la, lb], "spark": [sa, sb]},
                "crossover_positions": crossover,
                "global_day": {
                    "positions": GLOBAL_DAY_POSITIONS,
                    "local_s": round(local_day_s),
                    "local_peak_gb": round(rss_per_pos * GLOBAL_DAY_POSITIONS / 1e9),
                    "spark": projection,
                },
            },
            indent=1,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
