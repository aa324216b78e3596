"""Live sources into the lake through real loopback sockets: visible within seconds, nothing lost."""

import asyncio
import signal
import socket
import subprocess
import time

import pytest

from shadowfleet.ais.decoder import NmeaDecoder
from shadowfleet.ais.encode import traffic_mix
from shadowfleet.lake import Lake, LakeWriter
from shadowfleet.lake.live_ingest import LiveIngest, LiveOptions
from tests.ports import free_port

TCP_PORT = free_port()
UDP_PORT = free_port(socket.SOCK_DGRAM)
CLI_TCP_PORT = free_port()


def _expected(lines: list[bytes]) -> tuple[int, int]:
    decoder = NmeaDecoder("expected")
    result = decoder.feed(lines, 1)
    return result.positions.num_rows, result.statics.num_rows


def _lake_counts(path) -> tuple[int, int]:
    try:
        with Lake(path) as lake:
            stats = lake.stats()
    except FileNotFoundError:
        return (0, 0)
    return stats.position_rows, stats.static_rows


async def _wait_for(path, expected: tuple[int, int], timeout_s: float) -> float:
    """Seconds until the lake holds `expected` (positions, statics); fails after `timeout_s`."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if await asyncio.to_thread(_lake_counts, path) == expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.1)
    pytest.fail(f"lake holds {_lake_counts(path)}, expected {expected} within {timeout_s}s")


def test_tcp_feed_with_a_dropped_connection_lands_within_seconds(tmp_path):
    first = traffic_mix(3_000, seed=21)
    second = traffic_mix(4_000, seed=22)
    later = traffic_mix(500, seed=23)
    lake_dir = tmp_path / "lake"

    async def main() -> dict[str, float]:
        sessions: list[asyncio.StreamWriter] = []
        second_sent = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sessions.append(writer)
            if len(sessions) == 1:
                writer.write(b"\r\n".join(first) + b"\r\n")
                await writer.drain()
                writer.close()  # the receiver goes away ...
                return
            for i in range(0, len(second), 500):  # ... comes back and streams on
                writer.write(b"\r\n".join(second[i : i + 500]) + b"\r\n")
                await writer.drain()
                await asyncio.sleep(0.3)
            second_sent.set()
            await reader.read()

        server = await asyncio.start_server(handle, "127.0.0.1", TCP_PORT)
        stop = asyncio.Event()
        with LakeWriter(lake_dir) as writer:
            live = LiveIngest(
                writer,
                f"tcp://127.0.0.1:{TCP_PORT}",
                LiveOptions(
                    flush_interval_s=0.2,
                    flush_lines=1_000,
                    backoff_initial_s=0.2,
                    compact_interval_s=1.0,
                    compact_min_files=4,
                ),
            )
            task = asyncio.create_task(live.run(stop))
            await asyncio.wait_for(second_sent.wait(), 20)
            latency_s = await _wait_for(lake_dir, _expected(first + second), 10)
            sessions[-1].write(b"\n".join(later) + b"\n")
            await sessions[-1].drain()
            latency_later_s = await _wait_for(lake_dir, _expected(first + second + later), 10)
            stop.set()
            stats = await asyncio.wait_for(task, 20)
        server.close()
        events = [e for e, _ in stats.status]
        assert events.count("connected") == 2 and "disconnected" in events
        assert stats.summary.lines == len(first) + len(second) + len(later)
        with Lake(lake_dir) as lake:  # compaction ran while ingesting: fewer files than batches
            assert lake.stats().files < 2 * stats.batches
        return {"latency_s": latency_s, "latency_later_s": latency_later_s}

    timings = asyncio.run(main())
    assert timings["latency_later_s"] < 5.0
    with Lake(lake_dir) as lake:
        assert lake.stats().input_lines == len(first) + len(second) + len(later)
        ts_origins = set(lake.sql("SELECT DISTINCT ts_origin FROM positions")["ts_origin"].to_pylist())
        assert ts_origins == {"clock"}  # stamped with arrival time, flagged as such


def test_udp_feed_lands(tmp_path):
    lines = traffic_mix(2_000, seed=31)
    lake_dir = tmp_path / "lake"

    async def main() -> None:
        stop = asyncio.Event()
        with LakeWriter(lake_dir) as writer:
            live = LiveIngest(writer, f"udp://127.0.0.1:{UDP_PORT}", LiveOptions(flush_interval_s=0.3))
            task = asyncio.create_task(live.run(stop))
            await asyncio.sleep(0.3)
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            i = 0
            while i < len(lines):  # keep two-part messages in one datagram, as AIS-catcher does
                j = i + 2 if lines[i].startswith(b"!AIVDM,2,1") else i + 1
                sock.sendto(b"\r\n".join(lines[i:j]) + b"\r\n", ("127.0.0.1", UDP_PORT))
                i = j
                if i % 50 < 2:
                    await asyncio.sleep(0.005)
            sock.close()
            await _wait_for(lake_dir, _expected(lines), 10)
            stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(main())


def test_cli_live_ingest_stops_cleanly_on_sigterm(tmp_path, cli_cmd, cli_env):
    lines = traffic_mix(1_500, seed=41)
    lake_dir = tmp_path / "lake"
    listener = socket.create_server(("127.0.0.1", CLI_TCP_PORT))
    proc = subprocess.Popen(
        [
            *cli_cmd,
            "ingest",
            f"tcp://127.0.0.1:{CLI_TCP_PORT}",
            "--lake",
            str(lake_dir),
            "--flush-interval",
            "0.5",
        ],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        listener.settimeout(20)
        conn, _ = listener.accept()
        conn.sendall(b"\n".join(lines) + b"\n")
        expected = _expected(lines)
        deadline = time.time() + 15
        while _lake_counts(lake_dir) != expected and time.time() < deadline:
            time.sleep(0.2)
        assert _lake_counts(lake_dir) == expected
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        listener.close()
    assert proc.returncode == 0, err.decode()
    assert b"positions written" in out and b"connected" in err


def test_status_history_is_bounded_while_a_source_keeps_retrying(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shadowfleet.lake.live_ingest import STATUS_KEPT, LiveIngest
    from shadowfleet.lake.writer import LakeWriter

    with LakeWriter(tmp_path / "lake") as writer:
        live = LiveIngest(writer, "tcp://127.0.0.1:9")
        for attempt in range(3 * STATUS_KEPT):
            live._status("retry", f"refused (attempt {attempt}); next try in 1 s")
    assert len(live.stats.status) == STATUS_KEPT
    assert live.stats.status[-1][1].startswith(f"refused (attempt {3 * STATUS_KEPT - 1})")
    assert live.stats.attempts_failed == 3 * STATUS_KEPT
