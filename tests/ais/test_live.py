"""Live readers against real sockets on 127.0.0.1: TCP reconnect after a dropped connection, UDP."""

import asyncio
import contextlib
import socket

import pytest

from shadowfleet.ais.live import LiveSource, parse_live_url, tcp_lines, udp_lines
from tests.ports import free_port

TCP_PORT = free_port()
UDP_PORT = free_port(socket.SOCK_DGRAM)
TCP_REFUSED_PORT = free_port()


def _lines(prefix: str, n: int) -> list[bytes]:
    return [f"!AIVDM,1,1,,A,{prefix}{i:06d},0*00".encode() for i in range(n)]


async def _collect(agen, n_expected: int, timeout_s: float = 10.0) -> list[bytes]:
    got: list[bytes] = []

    async def run() -> None:
        async for batch in agen:
            got.extend(batch.lines)
            if len(got) >= n_expected:
                return

    await asyncio.wait_for(run(), timeout_s)
    await agen.aclose()
    return got


def test_parse_live_url():
    assert parse_live_url("tcp://127.0.0.1:18100") == LiveSource("tcp", "127.0.0.1", 18100)
    assert parse_live_url("udp://:18101") == LiveSource("udp", "0.0.0.0", 18101)
    for bad in ("tcp://:18100", "http://x:1", "udp://host", "tcp://host:notaport"):
        with pytest.raises(ValueError):
            parse_live_url(bad)


def test_tcp_reconnects_and_loses_nothing_sent_after_reconnection():
    sessions = [_lines("FIRST", 300), _lines("SECOND", 500)]
    status: list[str] = []

    async def main() -> list[bytes]:
        served = 0

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal served
            if served >= len(sessions):
                await reader.read()  # keep later connections open and silent
                return
            lines = sessions[served]
            served += 1
            # odd write sizes so lines are split across reads; \r\n endings as real feeds send
            data = b"".join(ln + b"\r\n" for ln in lines)
            for i in range(0, len(data), 777):
                writer.write(data[i : i + 777])
                await writer.drain()
            writer.close()  # the drop
            await writer.wait_closed()

        server = await asyncio.start_server(handle, "127.0.0.1", TCP_PORT)
        async with server:
            agen = tcp_lines(
                "127.0.0.1", TCP_PORT, backoff_initial_s=0.05, on_status=lambda e, d: status.append(e)
            )
            return await _collect(agen, 800)

    got = asyncio.run(main())
    assert got == sessions[0] + sessions[1]
    assert status.count("connected") == 2 and "disconnected" in status


def test_tcp_retries_until_the_server_appears():
    status: list[str] = []

    async def main() -> list[bytes]:
        agen = tcp_lines(
            "127.0.0.1",
            TCP_REFUSED_PORT,
            backoff_initial_s=0.05,
            backoff_max_s=0.2,
            on_status=lambda e, d: status.append(e),
        )

        async def late_server() -> asyncio.Server:
            await asyncio.sleep(0.5)

            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                writer.write(b"".join(ln + b"\n" for ln in _lines("LATE", 10)))
                await writer.drain()
                await reader.read()

            return await asyncio.start_server(handle, "127.0.0.1", TCP_REFUSED_PORT)

        server_task = asyncio.create_task(late_server())
        got = await _collect(agen, 10)
        server = await server_task
        server.close()
        return got

    assert asyncio.run(main()) == _lines("LATE", 10)
    assert status.count("retry") >= 2 and status[-1] == "connected"


def test_udp_listener_splits_datagrams_into_lines():
    async def main() -> list[bytes]:
        agen = udp_lines("127.0.0.1", UDP_PORT)
        first = asyncio.create_task(anext(agen))  # binds the socket
        await asyncio.sleep(0.2)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        lines = _lines("UDP", 30)
        for i in range(0, 30, 3):  # AIS-catcher style: several sentences per datagram
            sock.sendto(b"\r\n".join(lines[i : i + 3]) + b"\r\n", ("127.0.0.1", UDP_PORT))
        sock.close()
        got = list((await first).lines)
        async for batch in agen:
            got.extend(batch.lines)
            if len(got) >= 30:
                break
        await agen.aclose()
        return got

    assert asyncio.run(asyncio.wait_for(main(), 10)) == _lines("UDP", 30)


def test_udp_port_in_use_is_a_clear_error():
    async def main() -> None:
        first = udp_lines("127.0.0.1", UDP_PORT)
        pending = asyncio.create_task(anext(first))
        await asyncio.sleep(0.1)
        second = udp_lines("127.0.0.1", UDP_PORT)
        with pytest.raises(OSError, match=f"cannot listen on udp://127.0.0.1:{UDP_PORT}"):
            await anext(second)
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
        await first.aclose()

    asyncio.run(main())
