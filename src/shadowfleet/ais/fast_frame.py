"""Vectorised NMEA framing of a whole batch of lines: where each sentence, its payload, fill bits and
checksum are, its tag block and trailer. Used by the fast path (fastpath.py)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shadowfleet.ais import nmea

HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _i, _ch in enumerate(b"0123456789ABCDEF"):
    HEX_VALUE[_ch] = _i
for _i, _ch in enumerate(b"abcdef"):
    HEX_VALUE[_ch] = 10 + _i

STRIP = np.zeros(256, dtype=bool)
STRIP[list(b" \t\r\n\x00\x1a")] = True

PAD = 64  # zero bytes after the buffer so fixed-offset peeks never run past it

# Where a fast-path row's receive time comes from (see model.schemas.TS_ORIGINS).
ORIGINS = ("clock", "tagblock", "trailer")
ORIGIN_CLOCK, ORIGIN_TAGBLOCK, ORIGIN_TRAILER = 0, 1, 2


def windows(arr: np.ndarray, width: int) -> np.ndarray:
    """Row i = arr[i : i + width] (a view; the buffer is padded so every start is valid)."""
    return np.lib.stride_tricks.as_strided(arr, shape=(arr.size - PAD + 1, width), strides=(1, 1))


@dataclass
class LineBuffer:
    """A batch of lines held as one buffer: line i is data[starts[i]:ends[i]] (without its newline)."""

    data: bytes
    arr: np.ndarray  # data as uint8, followed by PAD zero bytes
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return int(self.starts.size)

    def line(self, i: int) -> bytes:
        return self.data[int(self.starts[i]) : int(self.ends[i])]

    @classmethod
    def from_lines(cls, lines: Sequence[bytes]) -> "LineBuffer":
        joined = b"\n".join(lines)
        lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        starts = np.zeros(len(lines), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        arr = np.frombuffer(joined + bytes(PAD), dtype=np.uint8)
        return cls(joined, arr, starts, starts + lengths)

    @classmethod
    def from_buffer(cls, data: bytes) -> "LineBuffer":
        """Complete lines separated by LF (CR LF is fine); a last line without LF counts as a line."""
        arr = np.frombuffer(data + bytes(PAD), dtype=np.uint8)
        newlines = np.flatnonzero(arr[: len(data)] == 10)
        ends = newlines if data.endswith(b"\n") or not data else np.append(newlines, len(data))
        starts = np.zeros(ends.size, dtype=np.int64)
        starts[1:] = ends[:-1] + 1
        return cls(data, arr, starts, ends.astype(np.int64))


def char(ch: str) -> int:
    return ord(ch)


@dataclass
class Frames:
    """Framing of every line of a batch (vectorised); `ok` marks plain sentences with a valid checksum."""

    arr: np.ndarray
    s: np.ndarray
    e: np.ndarray
    ps: np.ndarray  # payload start
    plen: np.ndarray  # payload length in characters
    fill: np.ndarray
    total: np.ndarray
    number: np.ndarray
    seq: np.ndarray  # sequence id character (',' when empty)
    chan: np.ndarray  # channel character (',' when empty)
    ok: np.ndarray
    tagged: np.ndarray  # the sentence follows a (checked, parsed) tag block
    ts_us: np.ndarray  # receive time from the tag block's c: or the trailer, -1 when none
    origin: np.ndarray  # index into ORIGINS
    receiver: np.ndarray | None  # object array of stations (None: no tag block or trailer in the batch)
    simulated: np.ndarray  # tag block i:SIMULATED


def frame_lines(buf: LineBuffer, gatehouse_pending: bool) -> Frames:
    n = len(buf)
    arr, s, e, joined = buf.arr, buf.starts, buf.ends, buf.data
    allow_before = 0 if gatehouse_pending else None
    gatehouse_at = joined.find(b"$PGHP") if joined.find(b"$") >= 0 else -1  # one-byte search first
    if gatehouse_at >= 0 and allow_before is None:
        allow_before = int(np.searchsorted(s, gatehouse_at, side="right")) - 1
    # strip trailing CR, LF, blanks, NUL and 0x1A
    for _ in range(4):
        trailing = (e > s) & STRIP[arr[np.maximum(e - 1, 0)]]
        if not trailing.any():
            break
        e = e - trailing
    start = s  # where the sentence starts: after the tag block, if any
    tagged = arr[s] == char("\\")
    tag_end = np.zeros(n, dtype=np.int64)
    if tagged.any():
        start, tagged, tag_end = _tag_blocks(arr, s, e, tagged)
    pre = windows(arr, 16)[start]
    ok = (e - start >= 20) & (pre[:, 0] == char("!")) & (pre[:, 3] == char("V")) & (pre[:, 4] == char("D"))
    ok &= tagged | (arr[s] != char("\\"))
    if allow_before is not None:
        ok[allow_before:] = False
    ok &= (pre[:, 5] == char("M")) | (pre[:, 5] == char("O"))
    total, number = pre[:, 7].astype(np.int64) - 48, pre[:, 9].astype(np.int64) - 48
    ok &= (pre[:, 6] == char(",")) & (pre[:, 8] == char(",")) & (pre[:, 10] == char(","))
    ok &= (total >= 1) & (total <= 9) & (number >= 1) & (number <= total)
    # optional one-digit sequence id, then an optional one-character channel
    seq = pre[:, 11]
    seq_empty = seq == char(",")
    ok &= seq_empty | ((seq >= char("0")) & (seq <= char("9")) & (pre[:, 12] == char(",")))
    q = np.where(seq_empty, 12, 13)
    rows = np.arange(n)
    cq, cq1 = pre[rows, q], pre[rows, q + 1]
    chan_empty = cq == char(",")
    ok &= chan_empty | ((cq1 == char(",")) & (cq != char("*")))
    ps = start + q + np.where(chan_empty, 1, 2)
    # a USCG-style trailer after the checksum: the sentence ends 3 bytes after its first '*'
    se = e
    trailer = np.zeros(n, dtype=bool)
    if not _stars_only_at_ends(arr, start, e, tagged):
        stars = np.flatnonzero(arr[: arr.size - PAD] == char("*"))
        j = np.searchsorted(stars, start)
        star = stars[np.minimum(j, stars.size - 1)]
        trailer = (
            ok & (j < stars.size) & (star + 3 < e) & (arr[np.minimum(star + 3, arr.size - 1)] == char(","))
        )
        se = np.where(trailer, star + 3, e)
    # ",f*hh" ending: fill bits and the checksum
    suf = windows(arr, 5)[np.maximum(se - 5, 0)]
    fill = suf[:, 1].astype(np.int64) - 48
    ok &= (suf[:, 0] == char(",")) & (fill >= 0) & (fill <= 5) & (suf[:, 2] == char("*"))
    hi, lo = HEX_VALUE[suf[:, 3]], HEX_VALUE[suf[:, 4]]
    ok &= (hi >= 0) & (lo >= 0)
    plen = (se - 5) - ps
    ok &= plen > 0
    idx = np.flatnonzero(ok)
    if idx.size:
        bad_cs = xor_between(arr, start[idx] + 1, se[idx] - 3) != (hi[idx] * 16 + lo[idx])
        ok[idx[bad_cs]] = False
    ts_us = np.full(n, -1, dtype=np.int64)
    origin = np.zeros(n, dtype=np.int8)  # index into ORIGINS
    simulated = np.zeros(n, dtype=bool)
    receiver: np.ndarray | None = None
    tagged &= ok
    trailer &= ok
    if tagged.any() or trailer.any():
        receiver = np.full(n, None, dtype=object)
    has_station = np.zeros(n, dtype=bool)
    if tagged.any():
        cache: dict[bytes, tuple[int, str | None, bool] | None] = {}  # tag blocks repeat within a second
        for i in np.flatnonzero(tagged).tolist():
            body = joined[int(s[i]) + 1 : int(tag_end[i]) - 3]
            parsed = cache.get(body, _MISSING)
            if parsed is _MISSING:
                parsed = cache[body] = parse_simple_tag_block(body)
            if parsed is None:
                ok[i] = tagged[i] = trailer[i] = False
                continue
            ts_us[i], receiver[i], simulated[i] = parsed  # type: ignore[index]
            has_station[i] = parsed[1] is not None
            if parsed[0] >= 0:
                origin[i] = ORIGIN_TAGBLOCK
    if trailer.any():
        for i in np.flatnonzero(trailer).tolist():
            known = receiver[i] if has_station[i] else None  # type: ignore[index]
            station, time_us = nmea.parse_trailer(joined[int(se[i]) : int(e[i])], known)
            receiver[i] = station  # type: ignore[index]
            if origin[i] == ORIGIN_CLOCK and time_us is not None:
                ts_us[i], origin[i] = time_us, ORIGIN_TRAILER
    return Frames(
        arr, s, e, ps, plen, fill, total, number, seq, cq, ok, tagged, ts_us, origin, receiver, simulated
    )


def xor_between(arr: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """XOR of the bytes arr[lo[k]:hi[k]] for each k (0 for an empty range): NMEA checksums."""
    if not lo.size:
        return np.zeros(0, dtype=np.int64)
    bounds = np.empty(2 * lo.size, dtype=np.int64)
    bounds[0::2] = np.clip(lo, 0, arr.size - 1)
    bounds[1::2] = np.clip(hi, 0, arr.size - 1)
    sums = np.bitwise_xor.reduceat(arr, bounds)[0::2]
    return np.where(hi > lo, sums, 0).astype(np.int64)


def _stars_only_at_ends(arr: np.ndarray, start: np.ndarray, e: np.ndarray, tagged: np.ndarray) -> bool:
    """Whether every '*' of the batch is a sentence's checksum star 3 bytes before its line end, or a
    well-formed tag block's. Then no line has a trailer after its checksum, and the search for each
    sentence's first '*' can be skipped."""
    at = np.maximum(e - 3, 0)
    ending = (arr[at] == char("*")) & (at >= start)
    stars = np.count_nonzero(arr[: arr.size - PAD] == char("*"))
    return stars == int(np.count_nonzero(ending)) + int(np.count_nonzero(tagged))


def _tag_blocks(
    arr: np.ndarray, s: np.ndarray, e: np.ndarray, tagged: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines starting with a tag block `\\...*hh\\`: where the sentence starts, which tag blocks are
    well framed with a valid checksum, and where each tag block ends (its closing backslash)."""
    n = s.size
    start = s.copy()
    tag_end = np.zeros(n, dtype=np.int64)
    backslashes = np.flatnonzero(arr[: arr.size - PAD] == char("\\"))
    t_idx = np.flatnonzero(tagged)
    j = np.searchsorted(backslashes, s[t_idx], side="right")
    has_end = j < backslashes.size
    te = np.where(has_end, backslashes[np.minimum(j, backslashes.size - 1)], 0)
    good = has_end & (te < e[t_idx]) & (te - s[t_idx] >= 5)
    te = np.where(good, te, s[t_idx] + 5)
    hi, lo = HEX_VALUE[arr[te - 2]], HEX_VALUE[arr[te - 1]]
    good &= (arr[te - 3] == char("*")) & (hi >= 0) & (lo >= 0)
    good &= xor_between(arr, s[t_idx] + 1, te - 3) == (hi * 16 + lo)
    t_idx, te = t_idx[good], te[good]
    start[t_idx] = te + 1
    tag_end[t_idx] = te
    out = np.zeros(n, dtype=bool)
    out[t_idx] = True
    return start, out, tag_end


_MISSING: tuple[int, str | None, bool] = (-2, None, False)


def parse_simple_tag_block(body: bytes) -> tuple[int, str | None, bool] | None:
    """(c: time in us or -1, s: station, i:SIMULATED) of a tag block body without its checksum, when it
    is one the general path reads the same way and holds no g: group; otherwise None."""
    if not body.isascii():
        return None
    fields: dict[bytes, bytes] = {}
    for item in body.split(b","):
        key, sep, value = item.partition(b":")
        if not sep or not key:
            return None
        fields[key] = value
    if b"g" in fields:
        return None
    ts_us = -1
    if b"c" in fields:
        parsed = nmea.epoch_us(fields[b"c"].decode())
        if parsed is None:
            return None
        ts_us = parsed
    station = fields[b"s"].decode() if b"s" in fields else None
    return ts_us, station, fields.get(b"i", b"").decode().upper() == "SIMULATED"
