"""Finding and opening AIS input files: folders, globs, gzip, NMEA-or-CSV by content, bounded line chunks.

Nothing here decodes: it turns user arguments into readable byte streams and bounded lists of lines.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 65_536
LIVE_SCHEMES = ("tcp://", "udp://")


@dataclass
class ExpandedInputs:
    files: list[Path] = field(default_factory=list)
    live: list[str] = field(default_factory=list)  # tcp://host:port, udp://[host]:port
    errors: list[str] = field(default_factory=list)  # one clear message per argument that found nothing


def expand_inputs(args: Sequence[str]) -> ExpandedInputs:
    """Files as given, folders recursively (hidden entries skipped), globs (`**` allowed), URLs apart.

    Order is stable (sorted within a folder or glob) and each file appears once.
    """
    out = ExpandedInputs()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.files.append(path)

    for arg in args:
        if arg.startswith(LIVE_SCHEMES):
            out.live.append(arg)
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                out.errors.append(f"{arg}: folder has no files")
            for p in found:
                add(p)
        elif path.exists():
            if not path.is_file():
                out.errors.append(f"{arg}: not a regular file")
            else:
                add(path)
        elif glob.has_magic(arg):
            matches = sorted(Path(m) for m in glob.glob(arg, recursive=True) if os.path.isfile(m))
            if not matches:
                out.errors.append(f"{arg}: no file matches this pattern")
            for p in matches:
                add(p)
        else:
            out.errors.append(f"{arg}: no such file or folder")
    return out


class CountingReader(io.RawIOBase):
    """Wraps a raw file and counts the bytes read from disk (progress for compressed inputs)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class OpenedInput:
    """A decompressed byte stream plus a counter of on-disk bytes consumed."""

    stream: BinaryIO
    counter: CountingReader
    compressed: bool

    def close(self) -> None:
        self.stream.close()


def open_input(path: Path) -> OpenedInput:
    """Open a file for reading, transparently gunzipping it when it starts with the gzip magic bytes."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by OpenedInput.close
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    compressed = buffered.peek(2)[:2] == GZIP_MAGIC
    stream: BinaryIO = gzip.GzipFile(fileobj=buffered, mode="rb") if compressed else buffered  # type: ignore[assignment]
    return OpenedInput(stream, counter, compressed)


def read_head(path: Path, n_bytes: int = SNIFF_BYTES) -> bytes:
    opened = open_input(path)
    try:
        return opened.stream.read(n_bytes)
    finally:
        opened.close()


def sniff_kind(head: bytes) -> str:
    """'csv' when the first meaningful line looks like a CSV header or row, else 'nmea'.

    Files that are neither (binary garbage, prose) are read as NMEA, so every line is rejected with a
    reason rather than the file refused.
    """
    lines = [ln.strip() for ln in head.splitlines()[:200]]
    lines = [ln for ln in lines if ln and not ln.startswith(b"#")]
    if not lines:
        return "nmea"
    if any(ln[:1] in (b"!", b"$", b"\\") or b"VDM," in ln or b"VDO," in ln for ln in lines[:50]):
        return "nmea"
    first = lines[0]
    if first.count(b",") >= 2 and first.count(b",") == lines[min(1, len(lines) - 1)].count(b","):
        return "csv"
    if first.count(b";") >= 2:  # the Danish Maritime Authority exports may use ';'
        return "csv"
    return "nmea"


def iter_line_chunks(stream: BinaryIO, max_lines: int) -> Iterator[list[bytes]]:
    """Lists of at most `max_lines` raw lines (line endings kept), so memory stays bounded."""
    readlines = stream.readlines
    # readlines(hint) stops after ~hint bytes; 80 bytes is a typical AIVDM line with a tag block.
    hint = max_lines * 80
    pending: list[bytes] = []
    while True:
        batch = readlines(hint)
        if not batch:
            break
        pending.extend(batch)
        while len(pending) >= max_lines:
            yield pending[:max_lines]
            pending = pending[max_lines:]
    if pending:
        yield pending
