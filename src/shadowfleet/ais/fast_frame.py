"""Vectorised NMEA framing of a whole batch of lines: where each sentence, its payload, fill bits and
checksum are, its tag block and trailer. Used by the fast path (fastpath.py)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
    simulated: np.ndarray  # tag block i:SIMULATED
    # receiving station per line as a code into `stations` (-1: none); None: no tag block or trailer in
    # the batch. Codes, not strings, so no step needs a Python call per line.
    receiver_code: np.ndarray | None
    stations: list[str]

    def station(self, line: int) -> str | None:
        code = -1 if self.receiver_code is None else int(self.receiver_code[line])
        return None if code < 0 else self.stations[code]


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
    code: np.ndarray | None = None
    names = StationNames()
    tagged &= ok
    trailer &= ok
    if tagged.any() or trailer.any():
        code = np.full(n, -1, dtype=np.int64)
    has_station = np.zeros(n, dtype=bool)
    if tagged.any():
        assert code is not None
        lines = np.flatnonzero(tagged)
        parsed_ts, parsed_code, parsed_names, parsed_sim, usable = parse_tag_blocks(
            arr, joined, s[lines] + 1, tag_end[lines] - 3
        )
        unusable = lines[~usable]
        ok[unusable] = tagged[unusable] = trailer[unusable] = False
        lines = lines[usable]
        ts_us[lines] = parsed_ts[usable]
        code[lines] = names.merge(parsed_code[usable], parsed_names)
        simulated[lines] = parsed_sim[usable]
        has_station[lines] = parsed_code[usable] >= 0
        origin[lines[parsed_ts[usable] >= 0]] = ORIGIN_TAGBLOCK
    if trailer.any():
        assert code is not None
        lines = np.flatnonzero(trailer & ~has_station)
        trailer_us, trailer_code, trailer_names = parse_trailers(arr, joined, se[lines], e[lines])
        code[lines] = names.merge(trailer_code, trailer_names)
        use = (trailer_us >= 0) & (origin[lines] == ORIGIN_CLOCK)  # a tag block's time comes first
        ts_us[lines[use]], origin[lines[use]] = trailer_us[use], ORIGIN_TRAILER
        for i in np.flatnonzero(trailer & has_station).tolist():  # a tag block named the station
            _, time_us = nmea.parse_trailer(joined[int(se[i]) : int(e[i])], names.names[int(code[i])])
            if origin[i] == ORIGIN_CLOCK and time_us is not None:
                ts_us[i], origin[i] = time_us, ORIGIN_TRAILER
    return Frames(
        arr,
        s,
        e,
        ps,
        plen,
        fill,
        total,
        number,
        seq,
        cq,
        ok,
        tagged,
        ts_us,
        origin,
        simulated,
        code,
        names.names,
    )


class StationNames:
    """Receiver stations of a batch: each distinct name once, lines refer to it by its code."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        found = self._codes.get(name)
        if found is None:
            found = self._codes[name] = len(self.names)
            self.names.append(name)
        return found

    def merge(self, codes: np.ndarray, names: list[str]) -> np.ndarray:
        """Codes into another table (-1: none) as codes into this one."""
        mapping = np.array([self.code(name) for name in names] + [-1], dtype=np.int64)
        return mapping[codes]  # -1 picks the trailing -1


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


_TAG_WINDOW = 64  # tag block bodies up to this long are grouped vectorised; longer ones one by one
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def parse_tag_blocks(
    arr: np.ndarray, joined: bytes, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """`parse_simple_tag_block` of each body joined[lo:hi], without a Python call per line (see
    `_parse_grouped`). Returns (c: time in us or -1, station code into the returned names or -1,
    names, i:SIMULATED, parsed at all)."""
    m = int(lo.size)
    ts_us = np.full(m, -1, dtype=np.int64)
    code = np.full(m, -1, dtype=np.int64)
    names = StationNames()
    simulated = np.zeros(m, dtype=bool)
    usable = np.zeros(m, dtype=bool)
    time_us, group, described = _parse_grouped(arr, joined, lo, hi, _tag_time_span, parse_simple_tag_block)
    grouped = group >= 0
    rows, g = np.flatnonzero(grouped), group[grouped]
    if rows.size:
        good = np.array([d is not None for d in described], dtype=bool)
        group_code = np.array([-1 if d is None or d[1] is None else names.code(d[1]) for d in described])
        group_sim = np.array([d is not None and d[2] for d in described], dtype=bool)
        timed = time_us[rows] != _NO_TIME
        usable[rows] = good[g] & (~timed | (time_us[rows] >= 0))
        ts_us[rows] = np.where(timed, time_us[rows], -1)
        code[rows] = group_code[g]
        simulated[rows] = group_sim[g]
    for i in np.flatnonzero(~grouped).tolist():
        one = parse_simple_tag_block(joined[int(lo[i]) : int(hi[i])]) if hi[i] >= lo[i] else None
        if one is not None:
            usable[i] = True
            ts_us[i], simulated[i] = one[0], one[2]
            code[i] = -1 if one[1] is None else names.code(one[1])
    return ts_us, code, names.names, simulated, usable


def parse_trailers(
    arr: np.ndarray, joined: bytes, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`nmea.parse_trailer` (no station known before) of each USCG-style trailer joined[lo:hi], without
    a Python call per line (see `_parse_grouped`). Returns (receive time in us or -1, station code into
    the returned names or -1, names)."""
    m = int(lo.size)
    ts_us = np.full(m, -1, dtype=np.int64)
    code = np.full(m, -1, dtype=np.int64)
    names = StationNames()
    time_us, group, described = _parse_grouped(arr, joined, lo, hi, _trailer_time_span, nmea.parse_trailer)
    grouped = group >= 0
    rows, g = np.flatnonzero(grouped), group[grouped]
    if rows.size:
        ts_us[rows] = np.maximum(time_us[rows], -1)
        group_code = np.array([-1 if d[0] is None else names.code(d[0]) for d in described], dtype=np.int64)
        code[rows] = group_code[g]
    for i in np.flatnonzero(~grouped).tolist():
        one_station, one_us = nmea.parse_trailer(joined[int(lo[i]) : int(hi[i])])
        code[i] = -1 if one_station is None else names.code(one_station)
        ts_us[i] = -1 if one_us is None else one_us
    return ts_us, code, names.names


_NO_TIME = -2  # _parse_grouped: the text has no time field (-1: it has one that is not a valid time)


def _parse_grouped(
    arr: np.ndarray,
    joined: bytes,
    lo: np.ndarray,
    hi: np.ndarray,
    time_span: Callable[[bytes], tuple[int, int]],
    describe: Callable[[bytes], Any],
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Parse many short texts (tag blocks, trailers) that differ mostly in a time field, with few Python
    calls: `describe` each distinct text once, and read each line's time from its own digits.

    Texts are grouped by *shape* (every digit blanked); `time_span` finds, once per shape, where the
    time's digits are ((-1, -1): no time; (0, 0): too odd to group). Texts with those digits blanked are
    grouped again (stations differ in their digits) and `describe`d once per group with the time written
    as ones (a valid time of the same length), and each line's digits are converted with the arithmetic
    of `nmea.epoch_us`. Groups are found by hashing; every text is compared byte for byte with its
    group's first, so a hash collision only costs speed. `time_span` and `describe` must decide on
    character classes and lengths, which blanking keeps.
    Returns (time in us per line, -1 for an invalid time, _NO_TIME without one; group of each line, -1
    for lines the caller must parse one by one; `describe` of each group).
    """
    m = int(lo.size)
    time_us = np.full(m, _NO_TIME, dtype=np.int64)
    line_group = np.full(m, -1, dtype=np.int64)
    length = hi - lo
    rows = np.flatnonzero((length >= 0) & (length <= _TAG_WINDOW))
    if not rows.size:
        return time_us, line_group, []
    ln = length[rows]
    width = max(8, -(-int(ln.max()) // 8) * 8)  # whole 64-bit words
    k = np.arange(width)[None, :]
    text = np.where(k < ln[:, None], windows(arr, width)[lo[rows]], np.uint8(0))
    digit = (text - np.uint8(ord("0"))) < 10
    shape_group, shape_first, same = _groups(np.where(digit, np.uint8(ord("0")), text), ln)
    spans = [time_span(joined[int(lo[i]) : int(hi[i])]) for i in rows[shape_first].tolist()]
    span = np.array(spans, dtype=np.int64).reshape(-1, 2)
    a, b = span[shape_group, 0], span[shape_group, 1]  # time digits at text[a:b]; a = b = -1: none
    in_time = (k >= a[:, None]) & (k < b[:, None])
    group, first, same2 = _groups(np.where(in_time, np.uint8(ord("0")), text), ln)
    spanned = same & ((a < 0) | (b > a))  # the line's shape and time span are known
    simple = spanned & same2 & spanned[first[group]]  # ... and its group's representative's too
    group_described = [
        describe(_with_ones(joined[int(lo[i]) : int(hi[i])], ta, tb))
        for i, ta, tb in zip(rows[first].tolist(), a[first].tolist(), b[first].tolist(), strict=True)
    ]
    timed = a >= 0
    value = _digits_value(arr, lo[rows] + np.maximum(a, 0), np.where(timed, b - a, 0))
    keep = rows[simple]
    time_us[keep] = np.where(timed, _epoch_us(value), _NO_TIME)[simple]
    line_group[keep] = group[simple]
    return time_us, line_group, group_described


def _with_ones(text: bytes, a: int, b: int) -> bytes:
    """text with its time digits text[a:b] written as ones: a valid time of the same length."""
    return text if a < 0 or b <= a else text[:a] + b"1" * (b - a) + text[b:]


def _tag_time_span(body: bytes) -> tuple[int, int]:
    """Where the digits of a tag block body's one `c:` field are, (-1, -1) without one; (0, 0) when it
    is not one run of 1 to 15 digits (or there are several c: fields)."""
    spans = []
    offset = 0
    for item in body.split(b","):
        if item.startswith(b"c:"):
            spans.append((offset + 2, offset + len(item)))
        offset += len(item) + 1
    if not spans:
        return -1, -1
    (a, b), value = spans[0], body[spans[0][0] : spans[0][1]]
    if len(spans) > 1 or not (1 <= len(value) <= 15) or not value.isdigit() or not value.isascii():
        return 0, 0
    return a, b


def _trailer_time_span(trailer: bytes) -> tuple[int, int]:
    """Where the digits of the field `nmea.parse_trailer` reads as the time are: the one field of 9 to 13
    digits; (-1, -1) without one; (0, 0) with several (which one counts depends on their values)."""
    spans = []
    offset = 0
    for n, item in enumerate(trailer.split(b",")):
        if n and item.isdigit() and item.isascii() and 9 <= len(item) <= 13:
            spans.append((offset, offset + len(item)))
        offset += len(item) + 1
    if not spans:
        return -1, -1
    return spans[0] if len(spans) == 1 else (0, 0)


def _groups(rows: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equal rows of bytes: (group of each row, first row of each group, row equals its group's first)."""
    words = np.ascontiguousarray(rows).view("<u8")
    digest = length.astype(np.uint64)
    for col in range(words.shape[1]):
        digest = (digest * _HASH_MULTIPLIER) ^ words[:, col]
    _, first, group = np.unique(digest, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    rep = first[group]
    differs = length != length[rep]
    for col in range(words.shape[1]):
        differs |= words[:, col] != words[rep, col]
    return group, first, ~differs


def _digits_value(arr: np.ndarray, start: np.ndarray, n_digits: np.ndarray) -> np.ndarray:
    """The number written by arr[start : start + n_digits] (up to 15 ASCII digits) per row."""
    digits = windows(arr, 16)[start]
    value = np.zeros(start.size, dtype=np.int64)
    uniform = bool((n_digits == n_digits[0]).all()) if n_digits.size else True
    for j in range(15):
        more = j < n_digits
        if not more.any():
            break
        step = value * 10 + (digits[:, j].astype(np.int64) - ord("0"))
        value = step if uniform else np.where(more, step, value)
    return value


def _epoch_us(value: np.ndarray) -> np.ndarray:
    """nmea.epoch_us on whole numbers, element-wise and with the same float arithmetic; -1 for None."""
    seconds = value.astype(np.float64)
    seconds = np.where(seconds > nmea.MAX_EPOCH_S, seconds / 1000.0, seconds)
    ok = (value > 0) & (seconds <= nmea.MAX_EPOCH_S)
    return np.where(ok, np.rint(seconds * 1_000_000), -1).astype(np.int64)


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
