"""Web latency under load: p50/p99 and errors with 32 concurrent connections against `shadowfleet serve`
(uvicorn, one process, 127.0.0.1) for the dossier, the track of a vessel with a year of positions, and
the latest positions of 50k vessels.

Baseline, measured in the same run: the lake room's own API answering the same question in-process with
no HTTP and no cache (`Lake.static_history` + `read_events` for the dossier, `Lake.track`,
`Lake.latest_positions`), one call at a time. Ratio = web p50 under load / baseline single-call median.

    python -m bench.web                      # 50k vessels, 365 days of track, 640 requests per endpoint
    python -m bench.web --vessels 200000 --requests 2000

Data (simulated, marked so) is generated once into var/bench-web/ and reused.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from shadowfleet.lake.events import read_events, write_events, write_voyages
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.query import Lake
from shadowfleet.lake.writer import LakeWriter
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

PORT = 18260
YEAR_MMSI = 775999001
T_END = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
TARGETS_P99_MS = {"dossier": 100.0, "track": 100.0, "latest_positions": 200.0}
RESULTS = Path("bench") / "results"


def _positions(mmsi: np.ndarray, t_us: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> pa.Table:
    n = len(mmsi)
    return pa.table(
        {
            "mmsi": pa.array(mmsi, pa.int64()),
            "ts": pa.array(t_us, pa.int64()).cast(POSITION_SCHEMA.field("ts").type),
            "lat": lat,
            "lon": lon,
            "sog_kn": np.full(n, 11.0),
            "cog_deg": np.full(n, 80.0),
            "heading_deg": pa.nulls(n, pa.float64()),
            "rot_deg_min": pa.nulls(n, pa.float64()),
            "nav_status": pa.array(np.zeros(n, dtype=np.int8)),
            "accuracy": pa.array(np.ones(n, dtype=bool)),
            "msg_type": pa.array(np.ones(n, dtype=np.int8)),
            "ts_origin": pa.array(["simulated"] * n),
            "receiver": pa.nulls(n, pa.string()),
            "source": pa.array(["bench"] * n),
            "simulated": pa.array(np.ones(n, dtype=bool)),
        },
        schema=POSITION_SCHEMA,
    )


def _statics(mmsi: np.ndarray, t_us: np.ndarray, draught_m: np.ndarray) -> pa.Table:
    n = len(mmsi)
    return pa.table(
        {
            "mmsi": pa.array(mmsi, pa.int64()),
            "ts": pa.array(t_us, pa.int64()).cast(STATIC_SCHEMA.field("ts").type),
            "imo": pa.nulls(n, pa.int64()),
            "name": pa.array([f"BENCH {m}" for m in mmsi]),
            "callsign": pa.nulls(n, pa.string()),
            "ship_type": pa.array(np.full(n, 80, dtype=np.int16)),
            "length_m": np.full(n, 240.0),
            "beam_m": np.full(n, 42.0),
            "draught_m": draught_m,
            "destination": pa.nulls(n, pa.string()),
            "eta": pa.nulls(n, STATIC_SCHEMA.field("eta").type),
            "msg_type": pa.array(np.full(n, 5, dtype=np.int8)),
            "ts_origin": pa.array(["simulated"] * n),
            "receiver": pa.nulls(n, pa.string()),
            "source": pa.array(["bench"] * n),
            "simulated": pa.array(np.ones(n, dtype=bool)),
        },
        schema=STATIC_SCHEMA,
    )


def _chunk(key: str, n_pos: int, n_sta: int) -> ChunkEntry:
    return ChunkEntry(key, "bench", "simulated", 0, 1, n_pos + n_sta, 0, n_pos, n_sta, 0, simulated=True)


def build_lake(root: Path, n_vessels: int, track_days: int, step_s: int) -> Path:
    marker = root / "bench-params.json"
    params = {"vessels": n_vessels, "track_days": track_days, "step_s": step_s}
    if marker.is_file() and json.loads(marker.read_text()) == params:
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    rng = np.random.default_rng(42)
    end_us = int(T_END.timestamp() * 1e6)
    with LakeWriter(root) as writer:
        # The fleet: each vessel reports 4 times on the last day, anywhere at sea-ish latitudes.
        mmsi = np.repeat(np.arange(200_000_000, 200_000_000 + n_vessels, dtype=np.int64), 4)
        t_us = end_us - 86_400_000_000 + rng.integers(0, 86_400_000_000 - 1, len(mmsi))
        order = np.lexsort((t_us, mmsi))
        fleet = _positions(
            mmsi[order], t_us[order], rng.uniform(-60, 60, len(mmsi)), rng.uniform(-180, 180, len(mmsi))
        )
        statics = _statics(mmsi[::4], np.full(n_vessels, end_us - 43_200_000_000), np.full(n_vessels, 12.0))
        writer.write_chunk(_chunk("bench-fleet", fleet.num_rows, statics.num_rows), fleet, statics)
        # One vessel with a year of positions, one every step_s seconds, written a month per chunk.
        n = track_days * 86_400 // step_s
        t_year = end_us - track_days * 86_400_000_000 + np.arange(n, dtype=np.int64) * step_s * 1_000_000
        phase = np.linspace(0, 40 * np.pi, n)
        lat = 12 + 6 * np.sin(phase)
        lon = -60 + 25 * np.sin(phase / 2)
        for i, part in enumerate(np.array_split(np.arange(n), 12)):
            year = _positions(np.full(len(part), YEAR_MMSI), t_year[part], lat[part], lon[part])
            sta_t = t_year[part][:: max(1, len(part) // 30)]
            draught = np.where((np.arange(len(sta_t)) // 5) % 2 == 0, 9.0, 15.5)
            sta = _statics(np.full(len(sta_t), YEAR_MMSI), sta_t, draught)
            writer.write_chunk(_chunk(f"bench-year-{i}", year.num_rows, sta.num_rows), year, sta)
    from shadowfleet.detect.events import build_events
    from shadowfleet.detect.run import stack_events

    @__import__("dataclasses").dataclass(frozen=True)
    class BenchParams:
        note: str = "bench"

    k = 200
    starts = (
        end_us
        - track_days * 86_400_000_000
        + np.arange(k, dtype=np.int64) * (track_days * 86_400_000_000 // k)
    )
    gaps = build_events(
        "ais_gap",
        mmsi=np.full(k, YEAR_MMSI),
        start_us=starts,
        end_us=starts + 3_600_000_000 * 8,
        lat=np.full(k, 12.0),
        lon=np.full(k, -60.0),
        confidence=np.full(k, 0.7),
        evidence=["{}"] * k,
        params=BenchParams(),
        detector_version="bench",
        simulated=np.ones(k, dtype=bool),
        extra={"duration_h": np.full(k, 8.0)},
    )
    write_events(root, stack_events([gaps]))
    write_voyages(root, pa.table({"mmsi": pa.array([], pa.int64())}))
    marker.write_text(json.dumps(params))
    return root


def baseline_ms(lake_dir: Path, repeats: int) -> dict[str, float]:
    """Median single-call latency of the lake room's API for the same questions (no HTTP, no cache)."""
    out: dict[str, float] = {}
    with Lake(lake_dir) as lake:
        calls = {
            "dossier": lambda: (lake.static_history(YEAR_MMSI), read_events(lake_dir)),
            "track": lambda: lake.track(YEAR_MMSI),
            "latest_positions": lambda: lake.latest_positions(),
        }
        for name, call in calls.items():
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                call()
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = statistics.median(times)
    return out


async def _fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, int]:
    """One keep-alive HTTP/1.1 GET on an open connection: (status, body bytes as sent on the wire)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


async def load(url: str, n_requests: int, concurrency: int) -> dict[str, float]:
    """`concurrency` keep-alive connections, each sending its next request as soon as the last is read.

    A minimal asyncio HTTP/1.1 client, so the client's own CPU use stays small beside the server's
    (`Accept-Encoding: gzip`: bytes are timed as they cross the wire, as a browser receives them)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
        "Accept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    remaining = n_requests

    async def worker() -> None:
        nonlocal errors, remaining
        reader, writer = await asyncio.open_connection(host, port, limit=2**24)
        try:
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                try:
                    status, size = await _fetch(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port, limit=2**24)
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                sizes.append(size)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    t_start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall_s = time.perf_counter() - t_start
    arr = np.array(latencies) if latencies else np.array([float("nan")])
    return {
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
        "max_ms": float(arr.max()),
        "errors": errors,
        "requests": n_requests,
        "req_per_s": n_requests / wall_s,
        "body_bytes": int(np.median(sizes)) if sizes else 0,
    }


def cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(lake_dir: Path, db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["SHADOWFLEET_SECRET_KEY"] = secrets.token_urlsafe(48)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "shadowfleet", "serve", "--lake", str(lake_dir), "--db", db_url]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start: " + (proc.stdout.read().decode() if proc.stdout else ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vessels", type=int, default=50_000)
    parser.add_argument("--track-days", type=int, default=365)
    parser.add_argument(
        "--step-s", type=int, default=180, help="seconds between the year-long vessel's positions"
    )
    parser.add_argument("--requests", type=int, default=640, help="requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--warmup", type=int, default=64, help="untimed requests per endpoint before measuring"
    )
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--dir", type=Path, default=Path("var") / "bench-web")
    args = parser.parse_args()

    t0 = time.perf_counter()
    lake_dir = build_lake(args.dir / "lake", args.vessels, args.track_days, args.step_s)
    print(
        f"lake ready in {time.perf_counter() - t0:.1f} s: {args.vessels} vessels, {args.track_days} days of track"
    )
    from shadowfleet.registry import seed
    from shadowfleet.registry.service import Registry
    from shadowfleet.registry.validation import RegistryError

    db_url = f"sqlite:///{(args.dir / 'registry.db').resolve()}"
    registry = Registry(db_url)
    registry.init()
    try:
        with registry.db.session(seed.ACTOR) as session:
            seed.load(session)
    except RegistryError as exc:
        print(f"registry seed not loaded ({exc}); dossiers still query the (empty) registry")
    registry.close()

    base = baseline_ms(lake_dir, repeats=5)
    proc = start_server(lake_dir, db_url, args.port)
    results: dict[str, dict[str, float]] = {}
    try:
        root = f"http://127.0.0.1:{args.port}/api/v1"
        urls = {
            "dossier": f"{root}/vessels/{YEAR_MMSI}",
            "track": f"{root}/vessels/{YEAR_MMSI}/track",
            "latest_positions": f"{root}/positions/latest",
        }
        import httpx

        for name, url in urls.items():
            t_cold = time.perf_counter()
            httpx.get(url, timeout=120).raise_for_status()
            cold_ms = (time.perf_counter() - t_cold) * 1000
            asyncio.run(load(url, args.warmup, args.concurrency))  # untimed: connections, caches, GC settle
            cpu_before = cpu_s(proc.pid)
            stats = asyncio.run(load(url, args.requests, args.concurrency))
            stats["server_cpu_ms_per_request"] = (cpu_s(proc.pid) - cpu_before) * 1000 / args.requests
            stats["cold_first_request_ms"] = cold_ms
            stats["baseline_lake_api_ms"] = base[name]
            stats["ratio_web_p50_to_baseline"] = stats["p50_ms"] / base[name]
            stats["target_p99_ms"] = TARGETS_P99_MS[name]
            results[name] = stats
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    load_avg = os.getloadavg()
    print(
        f"\n{args.concurrency} concurrent connections, {args.requests} requests per endpoint, one uvicorn process; "
        f"machine load average {load_avg[0]:.1f} on {os.cpu_count()} CPUs"
    )
    header = f"{'endpoint':18} {'p50 ms':>8} {'p99 ms':>8} {'target':>7} {'errors':>6} {'req/s':>7} {'wire KiB':>8} {'cold ms':>8} {'srv CPU ms':>10} {'lake API ms':>11} {'ratio':>6}"
    print(header)
    for name, s in results.items():
        print(
            f"{name:18} {s['p50_ms']:8.1f} {s['p99_ms']:8.1f} {s['target_p99_ms']:7.0f} {s['errors']:6d} "
            f"{s['req_per_s']:7.0f} {s['body_bytes'] / 1024:8.0f} {s['cold_first_request_ms']:8.0f} {s['server_cpu_ms_per_request']:10.2f} "
            f"{s['baseline_lake_api_ms']:11.1f} {s['ratio_web_p50_to_baseline']:6.2f}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "web.json"
    meta = {"load_average_1m": load_avg[0], "cpus": os.cpu_count()}
    out.write_text(
        json.dumps(
            {"params": vars(args) | {"dir": str(args.dir)}, "machine": meta, "results": results}, indent=2
        )
    )
    print(f"\nwritten {out}")
    failed = [n for n, s in results.items() if s["errors"] or s["p99_ms"] > s["target_p99_ms"]]
    if failed:
        print(f"targets missed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
