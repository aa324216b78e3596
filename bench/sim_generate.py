"""Benchmark: the bulk position generator and the Venezuela scenario.

Baseline, measured in the same run: a plain NumPy fill of the same POSITION_SCHEMA columns (random
numbers, no tracks, no behaviours) assembled into an Arrow table. The ratio says what realistic tracks
with injected gaps and encounters cost over the cheapest table of that size.

    python -m bench.sim_generate                      # 1M and 10M rows, plus the demo scenario
    python -m bench.sim_generate --sizes 50000000     # the detector benchmark's largest input
Each measurement runs in a fresh child process so its peak memory (max RSS) is its own.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

RESULTS = Path(__file__).resolve().parent / "results"


def numpy_fill(n_positions: int, n_vessels: int, seed: int) -> pa.Table:
    from shadowfleet.model.schemas import POSITION_SCHEMA, TS_TYPE

    rng = np.random.default_rng(seed)
    mmsi = np.sort(rng.integers(200_000_000, 775_999_999, n_vessels))[
        np.sort(rng.integers(0, n_vessels, n_positions))
    ]
    ts = (1_767_225_600 + np.arange(n_positions) % 2_592_000) * 1_000_000
    return pa.Table.from_arrays(
        [
            pa.array(mmsi),
            pa.array(ts).cast(TS_TYPE),
            pa.array(rng.uniform(-60, 60, n_positions)),
            pa.array(rng.uniform(-180, 180, n_positions)),
            pa.array(rng.uniform(0, 20, n_positions)),
            pa.array(rng.uniform(0, 360, n_positions)),
            pa.array(rng.uniform(0, 360, n_positions)),
            pa.nulls(n_positions, pa.float64()),
            pa.array(np.zeros(n_positions, np.int8)),
            pa.array(np.ones(n_positions, bool)),
            pa.array(np.ones(n_positions, np.int8)),
            pa.array(["simulated"] * 1).take(pa.array(np.zeros(n_positions, np.int32))),
            pa.nulls(n_positions, pa.string()),
            pa.array(["simulated:fill"] * 1).take(pa.array(np.zeros(n_positions, np.int32))),
            pa.array(np.ones(n_positions, bool)),
        ],
        schema=POSITION_SCHEMA,
    )


def child(kind: str, n_positions: int, n_vessels: int, seed: int) -> dict[str, float]:
    from shadowfleet.model.schemas import POSITION_SCHEMA  # noqa: F401  (imports outside the timing)
    from shadowfleet.sim.bulk import generate_positions
    from shadowfleet.sim.output import scenario_to_tables
    from shadowfleet.sim.scenario import venezuela_preset

    started = time.perf_counter()
    if kind == "bulk":
        rows = generate_positions(n_positions, n_vessels, seed).num_rows
    elif kind == "fill":
        rows = numpy_fill(n_positions, n_vessels, seed).num_rows
    else:
        rows = scenario_to_tables(venezuela_preset(seed)).positions.num_rows
    seconds = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "peak_rss_gb": peak_gb}


def measure(kind: str, n_positions: int, n_vessels: int, seed: int) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "bench.sim_generate",
        "--child",
        kind,
        str(n_positions),
        str(n_vessels),
        str(seed),
    ]
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--positions-per-vessel", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-scenario", action="store_true", help="skip the Venezuela scenario timing")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "N", "VESSELS", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, n, vessels, seed = args.child
        print(json.dumps(child(kind, int(n), int(vessels), int(seed))))
        return
    results: dict[str, object] = {"baseline": "numpy_fill", "runs": []}
    runs: list[dict[str, object]] = []
    for n in args.sizes:
        vessels = max(1, n // args.positions_per_vessel)
        bulk = measure("bulk", n, vessels, args.seed)
        fill = measure("fill", n, vessels, args.seed)
        ratio = bulk["seconds"] / fill["seconds"]
        runs.append(
            {
                "n_positions": n,
                "n_vessels": vessels,
                "bulk": bulk,
                "numpy_fill": fill,
                "time_ratio_to_baseline": ratio,
            }
        )
        print(
            f"{n:>11,} positions / {vessels:,} vessels: bulk {bulk['seconds']:.2f} s "
            f"({bulk['rows_per_s'] / 1e6:.2f} M rows/s, peak {bulk['peak_rss_gb']:.2f} GB); "
            f"numpy fill {fill['seconds']:.2f} s (peak {fill['peak_rss_gb']:.2f} GB); "
            f"bulk/baseline time ratio {ratio:.2f}"
        )
    results["runs"] = runs
    if not args.no_scenario:
        scenario = measure("scenario", 0, 0, args.seed)
        results["venezuela_scenario"] = scenario
        print(
            f"Venezuela preset (80 vessels, 30 days): {scenario['rows']:,} positions in {scenario['seconds']:.1f} s "
            f"(peak {scenario['peak_rss_gb']:.2f} GB)"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sim_generate.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
