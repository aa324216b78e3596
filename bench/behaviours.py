"""Behaviour detectors' throughput on a simulated scenario: spoofing, identity changes, draught changes
and voyages, against a DuckDB SQL window query computing only the impossible-jump step (LAG + haversine
+ implied speed) on the same positions, in the same run.

    python -m bench.behaviours                   # 80 vessels x 30 days (~0.35M positions)
    python -m bench.behaviours --vessels 400     # larger fleet
"""

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.spoofing import SpoofingParams, detect_spoofing
from shadowfleet.detect.voyages import VoyageParams, build_voyages
from shadowfleet.sim.output import scenario_to_tables

RESULTS = Path(__file__).resolve().parent / "results"


def _duckdb_jump_step(positions: pa.Table, params: SpoofingParams) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    con.register("positions", positions.select(["mmsi", "ts", "lat", "lon"]))
    sql = f"""
        WITH p AS (
          SELECT lat, lon, epoch(ts) AS t,
                 LAG(lat) OVER w AS plat, LAG(lon) OVER w AS plon, LAG(epoch(ts)) OVER w AS pt
          FROM positions WINDOW w AS (PARTITION BY mmsi ORDER BY ts)
        ), d AS (
          SELECT t - pt AS dt_s,
                 2 * 6371008.8 * asin(sqrt(pow(sin(radians(lat - plat) / 2), 2)
                   + cos(radians(plat)) * cos(radians(lat)) * pow(sin(radians(lon - plon) / 2), 2))) AS dist_m
          FROM p WHERE pt IS NOT NULL
        )
        SELECT count(*) FROM d
        WHERE dist_m >= {params.min_jump_distance_m}
          AND (dt_s <= 0 OR dist_m / dt_s / 0.514444 > {params.max_speed_kn})
    """
    start = time.perf_counter()
    (count,) = con.execute(sql).fetchone() or (0,)
    return time.perf_counter() - start, int(count)


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vessels", type=int, default=80)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    tables = scenario_to_tables(seed=args.seed, n_vessels=args.vessels, days=args.days)
    pos, st, truth = tables.positions, tables.statics, tables.truth
    calls = truth.filter(pc.equal(truth.column("kind"), "port_call"))
    encounters = truth.filter(pc.equal(truth.column("kind"), "encounter"))
    flags = tables.vessels.select(["mmsi", "flag"])
    detect_spoofing(pos.slice(0, 1000), None, SpoofingParams())  # load the land mask outside the timing

    timings = {
        "spoofing": _timed(lambda: detect_spoofing(pos, st, SpoofingParams(), declared_flags=flags)),
        "identity": _timed(lambda: detect_identity_changes(st, IdentityParams(), positions=pos)),
        "draught": _timed(lambda: detect_draught_changes(st, DraughtParams(), calls, encounters)),
        "voyages": _timed(lambda: build_voyages(calls, VoyageParams(), positions=pos, statics=st)),
    }
    duck_s, duck_jumps = _duckdb_jump_step(pos, SpoofingParams())
    total_s = sum(t for t, _ in timings.values())
    n = pos.num_rows
    result = {
        "positions": n,
        "statics": st.num_rows,
        "vessels": args.vessels,
        "days": args.days,
        **{f"{k}_s": round(t, 3) for k, (t, _) in timings.items()},
        **{f"{k}_rows": out.num_rows for k, (_, out) in timings.items()},
        "behaviours_total_s": round(total_s, 3),
        "positions_per_s": round(n / total_s),
        "duckdb_jump_step_s": round(duck_s, 3),
        "duckdb_jump_pairs": duck_jumps,
        "behaviours_time_over_duckdb_jump_step": round(total_s / duck_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": platform.platform(),
    }
    for k, (t, out) in timings.items():
        print(f"{k:>9}: {t:7.3f} s  {n / t / 1e6:6.2f} M positions/s  ({out.num_rows} rows)")
    print(
        f"all four: {total_s:.3f} s for {n} positions and {st.num_rows} static reports = {n / total_s / 1e6:.2f} M positions/s"
    )
    print(
        f"baseline DuckDB impossible-jump step only: {duck_s:.3f} s ({duck_jumps} jump pairs); "
        f"all four behaviour detectors take {total_s / duck_s:.2f}x its time"
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"behaviours-{args.vessels}v-{args.days:g}d.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
