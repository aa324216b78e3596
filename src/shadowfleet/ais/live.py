"""Live NMEA sources: a TCP client that reconnects, and a UDP listener, as async line iterators.

AIS-catcher, rtl-ais, gpsd-style forwarders and AISHub deliver NMEA as plain lines over a TCP
connection (we connect to them) or as UDP datagrams (they send to us). Both readers yield
`LiveLines`: the raw lines (line ending stripped) of one network read plus the time they arrived.
They know nothing about decoding or storage.

    async for batch in tcp_lines("127.0.0.1", 10110):
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

READ_BYTES = 65_536
MAX_LINE_BYTES = 8_192  # a longer run without a newline is not NMEA; it is cut and passed on as a line

StatusFn = Callable[[str, str], None]  # (event, detail): connected, disconnected, retry, listening


@dataclass(frozen=True)
class LiveSource:
    scheme: str  # "tcp" or "udp"
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_live_url(url: str) -> LiveSource:
    """`tcp://host:port` (we connect) or `udp://[host]:port` (we listen; host defaults to 0.0.0.0)."""
    parts = urlsplit(url)
    if parts.scheme not in ("tcp", "udp"):
        raise ValueError(f"{url}: live sources are tcp://host:port or udp://:port")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{url}: bad port ({exc})") from None
    if port is None:
        raise ValueError(f"{url}: a port is required")
    host = parts.hostname or ""
    if parts.scheme == "tcp" and not host:
        raise ValueError(f"{url}: tcp needs a host to connect to")
    return LiveSource(parts.scheme, host or "0.0.0.0", port)


@dataclass(frozen=True)
class LiveLines:
    lines: list[bytes]
    arrived: dt.datetime  # UTC


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _LineSplitter:
    """Turns arbitrary byte chunks into complete lines, keeping the unfinished tail for the next chunk."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, data: bytes) -> list[bytes]:
        buf = self.tail + data
        parts = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        self.tail = parts.pop()
        if len(self.tail) > MAX_LINE_BYTES:
            parts.append(self.tail)
            self.tail = b""
        return [p for p in parts if p]

    def reset(self) -> bytes:
        """Forget the unfinished tail (the connection dropped mid-line); returns it."""
        tail, self.tail = self.tail, b""
        return tail


async def tcp_lines(
    host: str,
    port: int,
    *,
    backoff_initial_s: float = 0.5,
    backoff_max_s: float = 30.0,
    connect_timeout_s: float = 10.0,
    idle_timeout_s: float | None = None,
    on_status: StatusFn | None = None,
) -> AsyncIterator[LiveLines]:
    """Connect to a TCP NMEA server and yield its lines forever, reconnecting after any drop.

    The wait between attempts doubles from `backoff_initial_s` to `backoff_max_s` and resets after a
    successful connection. With `idle_timeout_s`, a connection silent that long is dropped and reopened
    (half-open connections otherwise hang). A line cut by a drop is discarded (reported as
    `partial_line_dropped`). Stop by breaking out of the loop or cancelling the task.
    """
    status = on_status or (lambda event, detail: None)
    backoff = backoff_initial_s
    splitter = _LineSplitter()
    while True:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            status("retry", f"{host}:{port}: {exc or 'timeout'}; next try in {backoff:.1f}s")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, backoff_max_s)
            continue
        status("connected", f"{host}:{port}")
        backoff = backoff_initial_s
        try:
            while True:
                if idle_timeout_s is None:
                    data = await reader.read(READ_BYTES)
                else:
                    data = await asyncio.wait_for(reader.read(READ_BYTES), idle_timeout_s)
                if not data:
                    status("disconnected", f"{host}:{port}: closed by peer")
                    break
                lines = splitter.feed(data)
                if lines:
                    yield LiveLines(lines, _now())
        except TimeoutError:
            status("disconnected", f"{host}:{port}: silent for {idle_timeout_s}s")
        except OSError as exc:
            status("disconnected", f"{host}:{port}: {exc}")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if splitter.reset():
            status("partial_line_dropped", f"{host}:{port}")
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, backoff_max_s)


class _DatagramQueue(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[LiveLines], on_drop: Callable[[], None]) -> None:
        self.queue = queue
        self.on_drop = on_drop

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        lines = [ln for ln in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n") if ln]
        if not lines:
            return
        try:
            self.queue.put_nowait(LiveLines(lines, _now()))
        except asyncio.QueueFull:
            self.on_drop()


async def udp_lines(
    host: str,
    port: int,
    *,
    queue_datagrams: int = 100_000,
    receive_buffer_bytes: int = 8 << 20,
    on_status: StatusFn | None = None,
) -> AsyncIterator[LiveLines]:
    """Listen for NMEA datagrams on host:port and yield their lines (one or more per datagram).

    Datagrams are queued as they arrive, independent of how fast the consumer is; past
    `queue_datagrams` waiting ones, new datagrams are dropped and reported (`datagrams_dropped`).
    """
    status = on_status or (lambda event, detail: None)
    queue: asyncio.Queue[LiveLines] = asyncio.Queue(maxsize=queue_datagrams)
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # a big kernel buffer absorbs bursts while the process is busy (capped by net.core.rmem_max)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer_bytes)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on udp://{host}:{port}: {exc.strerror}") from None
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _DatagramQueue(queue, lambda: status("datagrams_dropped", f"{host}:{port}")), sock=sock
    )
    status("listening", f"{host}:{port}")
    try:
        while True:
            yield await queue.get()
    finally:
        transport.close()


def live_lines(
    source: LiveSource, *, on_status: StatusFn | None = None, **options: float
) -> AsyncIterator[LiveLines]:
    """The right reader for a parsed URL."""
    if source.scheme == "tcp":
        return tcp_lines(source.host, source.port, on_status=on_status, **options)
    return udp_lines(source.host, source.port, on_status=on_status)
