"""Finding and opening AIS input files: folders, globs, gzip, NMEA-or-CSV by content, bounded line chunks.

Nothing here decodes: it turns user arguments into readable byte streams and bounded lists of lines.
"""

from __future__ import annotations

import glob
import io
import os
import re
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 65_536
GUNZIP_READ_BYTES = 1 << 18  # compressed bytes per read
GUNZIP_OUT_BYTES = 1 << 20  # decompressed bytes per inflate call
GUNZIP_HOLD_BYTES = 1 << 20  # a run this long without a newline is passed on without waiting for one
LIVE_SCHEMES = ("tcp://", "udp://")
# an AIS sentence's start anywhere in a line (after a tag block, a timestamp or another prefix):
# `!AIVDM,` / `!AIVDO,` with any two-letter talker (AI, AB, BS, AN, SA, ...), or `$` instead of `!`
AIS_SENTENCE = re.compile(rb"[!$][A-Z]{2}VD[MO],")
AIS_SCAN_BYTES = 1 << 24


@dataclass
class ExpandedInputs:
    files: list[Path] = field(default_factory=list)
    live: list[str] = field(default_factory=list)  # tcp://host:port, udp://[host]:port
    errors: list[str] = field(default_factory=list)  # one clear message per argument that found nothing
    # resolved paths of the files named as such (not found in a folder or by a glob)
    named: set[Path] = field(default_factory=set)


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
                out.named.add(path.resolve())
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


class DamagedInputError(EOFError):
    """A compressed input is damaged (cut short or corrupt); the whole lines before the damage were read."""

    def __init__(self, reason: str, good_bytes: int) -> None:
        super().__init__(f"damaged gzip: {reason}, after {good_bytes:,} decompressed bytes")
        self.reason = reason
        self.good_bytes = good_bytes  # decompressed bytes handed out: whole lines only


class GunzipReader(io.RawIOBase):
    """Decompresses a gzip stream (every member, as `gzip` does) and survives damage.

    Where the data is cut short or corrupt, the stream ends cleanly after the last whole line that could
    be decompressed (the partial line is dropped) and `damage` says what was wrong; the caller reports
    it (`OpenedInput.close` raises `DamagedInputError`). `gzip.GzipFile` raises instead, and the bytes
    decompressed by the failing read are lost with it.
    """

    def __init__(self, compressed: BinaryIO) -> None:
        self._src = compressed
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._in = b""  # compressed bytes not yet given to the inflater
        self._buf = bytearray()  # decompressed bytes not yet handed out
        self._ready = 0  # bytes at the start of `_buf` that may be handed out
        self._ended = False
        self.damage: str | None = None
        self.bytes_out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._ready and not self._ended:
            self._step()
        n = min(len(buffer), self._ready)
        buffer[:n] = self._buf[:n]
        del self._buf[:n]
        self._ready -= n
        self.bytes_out += n
        return n

    def _step(self) -> None:
        """Inflate one more piece into `_buf` and mark what may be handed out; or end the stream."""
        if self._inflater.eof:  # a member ended: another one, zero padding, or the end
            self._in = self._in.lstrip(b"\0")
            if len(self._in) < len(GZIP_MAGIC):
                more = self._src.read(GUNZIP_READ_BYTES)
                if not more:
                    return self._end(None if not self._in else "trailing bytes after the gzip data")
                self._in += more
                return
            if not self._in.startswith(GZIP_MAGIC):
                return self._end("trailing bytes after the gzip data are not gzip")
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        if not self._in:
            self._in = self._src.read(GUNZIP_READ_BYTES)
            if not self._in:
                return self._end(
                    "the compressed data ends before the end of the gzip stream (file cut short)"
                )
        before = self._inflater.copy()
        try:
            out = self._inflater.decompress(self._in, GUNZIP_OUT_BYTES)
        except zlib.error as exc:
            self._buf += _inflate_until_error(before, self._in)  # what the failed call had decompressed
            return self._end(f"corrupt compressed data ({exc})")
        self._in = self._inflater.unused_data if self._inflater.eof else self._inflater.unconsumed_tail
        self._buf += out
        self._mark_whole_lines()
        if len(self._buf) - self._ready >= GUNZIP_HOLD_BYTES:  # not line data: do not hold it back
            self._ready = len(self._buf)

    def _mark_whole_lines(self) -> None:
        last_lf = self._buf.rfind(b"\n", self._ready)
        if last_lf >= 0:
            self._ready = last_lf + 1

    def _end(self, damage: str | None) -> None:
        self._ended = True
        self.damage = damage
        if damage is None:
            self._ready = len(self._buf)
        else:  # only whole lines before the damage
            self._mark_whole_lines()
            del self._buf[self._ready :]

    def close(self) -> None:
        self._src.close()
        super().close()


def _inflate_until_error(inflater: zlib._Decompress, data: bytes, step: int = 64) -> bytes:
    """The output `data` gives, fed a few bytes at a time, up to the piece that raises."""
    out = bytearray()
    for start in range(0, len(data), step):
        try:
            out += inflater.decompress(data[start : start + step])
        except zlib.error:
            break
    return bytes(out)


@dataclass
class OpenedInput:
    """A decompressed byte stream plus a counter of on-disk bytes consumed."""

    stream: BinaryIO
    counter: CountingReader
    compressed: bool
    gunzip: GunzipReader | None = None

    @property
    def damage(self) -> DamagedInputError | None:
        """What was wrong with a damaged compressed input once reading reached the damage; else None."""
        if self.gunzip is None or self.gunzip.damage is None:
            return None
        return DamagedInputError(self.gunzip.damage, self.gunzip.bytes_out)

    def close(self, *, check: bool = True) -> None:
        """Close; with `check`, raise `DamagedInputError` if reading met damage (unless already raising)."""
        self.stream.close()
        damage = self.damage
        if check and damage is not None and sys.exc_info()[1] is None:
            raise damage


def open_input(path: Path) -> OpenedInput:
    """Open a file for reading, transparently gunzipping it when it starts with the gzip magic bytes.

    A damaged .gz reads as its whole lines before the damage; `close()` then raises `DamagedInputError`.
    """
    raw = open(path, "rb")  # noqa: SIM115 - closed by OpenedInput.close
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if buffered.peek(2)[:2] != GZIP_MAGIC:
        return OpenedInput(buffered, counter, False)  # type: ignore[arg-type]
    gunzip = GunzipReader(buffered)  # type: ignore[arg-type]
    stream = io.BufferedReader(gunzip, buffer_size=1 << 20)
    return OpenedInput(stream, counter, True, gunzip)  # type: ignore[arg-type]


def read_head(path: Path, n_bytes: int = SNIFF_BYTES) -> bytes:
    """The first `n_bytes` (decompressed); of a damaged .gz, what can be read before the damage."""
    opened = open_input(path)
    try:
        return opened.stream.read(n_bytes)
    finally:
        opened.close(check=False)


def file_has_ais(path: Path, head: bytes) -> bool:
    """Whether any line of the file holds an AIS sentence (`AIS_SENTENCE`); `head` is its first bytes.

    Only a file without one in its head is read further, up to its end or its first AIS sentence. A
    damaged .gz raises `DamagedInputError` when what could be read holds none.
    """
    if AIS_SENTENCE.search(head):
        return True
    found = False
    opened = open_input(path)
    try:
        tail = b""
        while block := opened.stream.read(AIS_SCAN_BYTES):
            if AIS_SENTENCE.search(tail + block):
                found = True
                break
            tail = block[-8:]  # a sentence start cut by the block boundary
    finally:
        opened.close(check=not found)
    return found


def sniff_kind(head: bytes) -> str:
    """'csv' when the first meaningful line looks like a CSV header or row, else 'nmea'.

    Files that are neither (binary garbage, prose) count as NMEA here; `file_has_ais` then tells
    whether any of their lines is AIS at all (the lake's ingest skips files without).
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
