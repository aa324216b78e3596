"""Detector suite throughput: every detector over N simulated positions of 50k vessels.

    python -m bench.detect                      # 1M and 10M positions
    python -m bench.detect --sizes 1e6,1e7,5e7  # the full run

Tracks are random walks generated vectorised (transit and slow vessels, reporting every ~3 min, rare
long silences, and pairs of vessels that meet at sea), every row marked simulated. Each size runs in a
fresh (child) process so its peak memory (max RSS) is its own; the 1-minute load average is recorded,
because on a shared machine wall time includes waiting for a core (CPU seconds are then the measure).
Baseline in the same run: DuckDB computing only the gap step (LAG over mmsi ORDER BY ts) on the same
Arrow table; our own gap step is timed too.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

RESULTS = Path(__file__).resolve().parent / "results"


def generate(n_positions: int, n_vessels: int, seed: int = 7, vessels_per_chunk: int = 5_000) -> pa.Table:
    """Random-walk tracks, generated in chunks of vessels so that temporaries stay small."""
    chunks = []
    per_vessel = n_positions / n_vessels
    for k, first_vessel in enumerate(range(0, n_vessels, vessels_per_chunk)):
        n_v = min(vessels_per_chunk, n_vessels - first_vessel)
        n_pos = round(per_vessel * (first_vessel + n_v)) - round(per_vessel * first_vessel)
        chunks.append(_generate_chunk(n_pos, n_v, first_vessel, seed * 1_000_003 + k))
    return pa.concat_tables(chunks)


def _generate_chunk(n_positions: int, n_vessels: int, first_mmsi: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    per = np.full(n_vessels, n_positions // n_vessels, dtype=np.int64)
    per[: n_positions - int(per.sum())] += 1
    vessel = np.repeat(np.arange(n_vessels), per)
    first = np.cumsum(per) - per
    n = int(per.sum())
    dt_s = rng.exponential(180.0, n) + 2.0
    silence = rng.random(n) < 2e-4  # ~ one long silence per 5,000 reports
    dt_s[silence] += rng.uniform(6, 30, int(silence.sum())) * 3600
    dt_s[first] = rng.uniform(0, 86_400, n_vessels)
    ts_s = np.cumsum(dt_s)
    ts_s -= np.repeat(ts_s[first], per) - np.repeat(dt_s[first], per)
    slow_vessel = rng.random(n_vessels) < 0.3
    speed = np.where(slow_vessel[vessel], rng.uniform(0.0, 1.5, n), rng.uniform(9.0, 14.0, n))
    heading = np.cumsum(rng.normal(0, 0.05, n))
    heading -= np.repeat(heading[first], per) - np.repeat(rng.uniform(0, 2 * np.pi, n_vessels), per)
    step_m = speed * 0.5144 * np.minimum(dt_s, 3600)
    step_m[first] = 0.0
    lat0 = rng.uniform(-40, 40, n_vessels)
    lon0 = rng.uniform(-180, 180, n_vessels)
    north = np.cumsum(step_m * np.cos(heading))
    east = np.cumsum(step_m * np.sin(heading))
    north -= np.repeat(north[first], per)
    east -= np.repeat(east[first], per)
    lat = np.clip(np.repeat(lat0, per) + north / 111_195.0, -85, 85)
    lon = np.repeat(lon0, per) + east / (111_195.0 * np.cos(np.radians(lat)))
    # every 20th slow vessel is met by the next vessel: it copies the track 150 m north, 30 s later
    meet = np.flatnonzero(slow_vessel[:-1] & (np.arange(n_vessels - 1) % 20 == 0) & (per[:-1] == per[1:]))
    for v in meet:  # one step per meeting pair (a few hundred), vectorised inside
        a, b = slice(first[v], first[v] + per[v]), slice(first[v + 1], first[v + 1] + per[v + 1])
        lat[b] = lat[a] + 150 / 111_195.0
        lon[b] = lon[a]
        ts_s[b] = ts_s[a] + 30
        speed[b] = speed[a]
    lon = (lon + 180.0) % 360.0 - 180.0
    mmsi = 200_000_000 + first_mmsi + vessel.astype(np.int64)
    ts_us = (1_700_000_000 + ts_s).astype(np.int64) * 1_000_000
    from shadowfleet.model.schemas import POSITION_SCHEMA

    cols = {
        "mmsi": pa.array(mmsi),
        "ts": pa.array(ts_us).cast(pa.timestamp("us", tz="UTC")),
        "lat": pa.array(lat),
        "lon": pa.array(lon),
        "sog_kn": pa.array(np.round(speed, 1)),
        "cog_deg": _constant(None, pa.float64(), n),
        "heading_deg": _constant(None, pa.float64(), n),
        "rot_deg_min": _constant(None, pa.float64(), n),
        "nav_status": _constant(None, pa.int8(), n),
        "accuracy": _constant(None, pa.bool_(), n),
        "msg_type": _constant(1, pa.int8(), n),
        "ts_origin": _constant("simulated", pa.string(), n),
        "receiver": _constant(None, pa.string(), n),
        "source": _constant("bench", pa.string(), n),
        "simulated": _constant(True, pa.bool_(), n),
    }
    return pa.table(cols, schema=POSITION_SCHEMA)


_CONSTANT_CHUNKS: dict[tuple[object, str], pa.Array] = {}


def _constant(value: object, type_: pa.DataType, n: int) -> pa.Array:
    """A column of one value, as a slice of one shared array: constant columns cost no memory per chunk."""
    key = (value, str(type_))
    if key not in _CONSTANT_CHUNKS or len(_CONSTANT_CHUNKS[key]) < n:
        _CONSTANT_CHUNKS[key] = pa.array([value] * max(n, 2_000_000), type_)
    return _CONSTANT_CHUNKS[key].slice(0, n)


def _cpu_s() -> float:
    """CPU seconds of this process (all threads): on a shared, loaded machine wall time overstates."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _duckdb_gaps(table: pa.Table) -> tuple[float, float, int]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register("positions", table.select(["mmsi", "ts"]))
    cpu0 = _cpu_s()
    t = time.perf_counter()
    rows = con.execute(
        """SELECT count(*) FROM (
             SELECT ts - LAG(ts) OVER (PARTITION BY mmsi ORDER BY ts) AS gap FROM positions
           ) WHERE gap >= INTERVAL 6 HOUR"""
    ).fetchone()
    elapsed = time.perf_counter() - t
    cpu = _cpu_s() - cpu0
    con.close()
    return elapsed, cpu, int(rows[0]) if rows else 0


def run_one(n_positions: int, n_vessels: int) -> dict:
    from shadowfleet.detect.gaps import GapParams, gap_rows
    from shadowfleet.detect.run import DetectContext, run_all
    from shadowfleet.detect.spoofing import on_land_mask
    from shadowfleet.detect.tracks import track_from_table
    from shadowfleet.geodata.ports import load_gazetteer

    t = time.perf_counter()
    table = generate(n_positions, n_vessels)
    gen_s = time.perf_counter() - t
    context = DetectContext(gazetteer=load_gazetteer(None, include_searoute=True))
    context.gazetteer.index(4_000.0)  # build the port indexes outside the timed region
    context.gazetteer.index(10_000.0)
    # Reference data loaded once per process, like the gazetteer: the ~1 GB global land mask (the
    # spoofing detector loads it lazily on its first lookup) is loaded here, outside the timed region.
    t = time.perf_counter()
    on_land_mask(np.zeros(1), np.zeros(1), 0.0)
    land_mask_load_s = time.perf_counter() - t
    timings: dict[str, float] = {}
    cpu0 = _cpu_s()
    t = time.perf_counter()
    events, _ = run_all(table, None, context, timings=timings)
    suite_s = time.perf_counter() - t
    suite_cpu_s = _cpu_s() - cpu0
    suite_peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # before the baseline
    t = time.perf_counter()
    our_gaps = len(gap_rows(track_from_table(table), GapParams()))
    gap_s = time.perf_counter() - t
    duck_s, duck_cpu_s, duck_gaps = _duckdb_gaps(table)
    kinds = dict(
        zip(*np.unique(events.column("kind").to_numpy(zero_copy_only=False), return_counts=True), strict=True)
    )
    return {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "positions": table.num_rows,
        "vessels": n_vessels,
        "generate_s": round(gen_s, 2),
        "land_mask_load_s": round(land_mask_load_s, 2),
        "suite_s": round(suite_s, 2),
        "suite_positions_per_s": round(table.num_rows / suite_s),
        "suite_cpu_s": round(suite_cpu_s, 2),
        "suite_positions_per_cpu_s": round(table.num_rows / suite_cpu_s),
        "duckdb_gap_step_positions_per_cpu_s": round(table.num_rows / max(duck_cpu_s, 1e-9)),
        "duckdb_gap_step_cpu_s": round(duck_cpu_s, 3),
        "our_gap_step_s": round(gap_s, 3),
        "duckdb_gap_step_s": round(duck_s, 3),
        "gaps_ours": our_gaps,
        "gaps_duckdb": duck_gaps,
        "suite_vs_duckdb_gap_step": round(duck_s / suite_s, 3),
        "gap_step_vs_duckdb": round(duck_s / gap_s, 2),
        "events": {str(k): int(v) for k, v in kinds.items()},
        "detector_s": {k: round(v, 2) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])},
        "suite_peak_rss_gb": round(suite_peak_gb, 2),
        "peak_rss_gb_with_baseline": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1e6,1e7", help="comma-separated position counts")
    parser.add_argument("--vessels", type=int, default=50_000)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one), args.vessels)))
        return
    results = []
    for size in [float(s) for s in args.sizes.split(",")]:
        out = subprocess.run(
            [sys.executable, "-m", "bench.detect", "--one", str(size), "--vessels", str(args.vessels)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(f"size {size:.0e} failed")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['positions']:>11,} positions  suite {r['suite_s']:7.2f} s = {r['suite_positions_per_s']:>10,} pos/s"
            f"  peak {r['suite_peak_rss_gb']:.2f} GB | gap step: ours {r['our_gap_step_s']:.3f} s,"
            f" DuckDB LAG {r['duckdb_gap_step_s']:.3f} s (x{r['gap_step_vs_duckdb']} ours faster);"
            f" full suite / DuckDB gap-only = {1 / r['suite_vs_duckdb_gap_step']:.2f}x the time"
        )
        print(
            f"{'':>13}CPU time: suite {r['suite_cpu_s']:.2f} s = {r['suite_positions_per_cpu_s']:,} pos per CPU-s;"
            f" DuckDB gap-only {r['duckdb_gap_step_cpu_s']:.2f} CPU-s"
            f" = {r['duckdb_gap_step_positions_per_cpu_s']:,} pos per CPU-s (2 threads);"
            f" full suite / DuckDB gap-only = {r['suite_cpu_s'] / max(r['duckdb_gap_step_cpu_s'], 1e-9):.2f}x the CPU"
        )
        if r["load_average_1min"] > r["cores"]:
            print(
                f"{'':>13}machine loaded (1-min load {r['load_average_1min']} on {r['cores']} cores):"
                " wall times include waiting for a core; the CPU-time figures are the primary measure"
            )
        print(f"{'':>13}events {r['events']}  gaps ours {r['gaps_ours']} DuckDB {r['gaps_duckdb']}")
        print(f"{'':>13}seconds per detector {r['detector_s']}")
    if len(results) > 1:
        a, b = results[0], results[-1]
        size_ratio = np.log(b["positions"] / a["positions"])
        growth = np.log(b["suite_s"] / a["suite_s"]) / size_ratio
        cpu_growth = np.log(b["suite_cpu_s"] / a["suite_cpu_s"]) / size_ratio
        print(
            f"time grows as size^{growth:.2f} (wall), size^{cpu_growth:.2f} (CPU)"
            f" from {a['positions']:,} to {b['positions']:,}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"detect-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"machine": platform.platform(), "results": results}, indent=1))
    print(f"written {path}")


if __name__ == "__main__":
    main()
