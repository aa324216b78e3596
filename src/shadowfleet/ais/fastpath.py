"""Vectorised decoding of the bulk of AIS traffic, many lines at once.

Handled here: single-part position reports (types 1, 2, 3, 18, 19, 27) of the standard length, single-
part type 24 static reports, types 4, 11 and 21 (counted), and two-part type 5 messages whose fragments
are adjacent lines; all of the form `[\\tag block\\]!xxVDM,t,n,[d],[c],<payload>,f*hh[,trailer]`
(framing in fast_frame.py). Everything else (and anything odd about these: bad checksum or characters,
impossible coordinates, other lengths) is left to the general path, which produces the same rows or the
reject. Values are bit-identical to the general path (tests/ais/test_fast_equals_general.py).
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from shadowfleet.ais import fast_static
from shadowfleet.ais.fast_frame import PAD, Frames, LineBuffer, char, frame_lines, windows
from shadowfleet.model.arrow_numpy import from_numpy


@dataclass
class FastColumns:
    """Decoded rows (one per handled line, in input order) and which lines were handled."""

    handled: np.ndarray  # bool per input line
    line_idx: np.ndarray  # int64 index into the input lines, one per row
    mmsi: np.ndarray
    msg_type: np.ndarray
    lat: np.ndarray  # float64, NaN = null
    lon: np.ndarray
    sog_kn: np.ndarray
    cog_deg: np.ndarray
    heading_deg: np.ndarray
    rot_deg_min: np.ndarray
    nav_status: np.ndarray  # int8, -1 = null
    accuracy: np.ndarray
    nulled: dict[str, int] = field(default_factory=dict)
    # static rows (STATIC_SCHEMA columns without ts/origin/receiver/source/simulated), ordered by the
    # index of each message's last line
    static_line_idx: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    statics: pa.Table | None = None
    static_stamp_idx: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    n_sentences: int = 0  # lines decoded here
    n_tag_blocks: int = 0  # of which after a tag block
    # per input line: receive time (-1: none, use the clock), its origin, station, i:SIMULATED
    line_ts_us: np.ndarray | None = None
    line_origin: np.ndarray | None = None
    line_simulated: np.ndarray | None = None
    line_receiver_code: np.ndarray | None = None  # codes into `stations`, -1: none
    stations: list[str] = field(default_factory=list)
    type_counts: dict[int, int] = field(default_factory=dict)  # messages decoded here, by type

    @classmethod
    def empty(cls, n_lines: int) -> "FastColumns":
        f = np.empty(0, dtype=np.float64)
        return cls(
            handled=np.zeros(n_lines, dtype=bool),
            line_idx=np.empty(0, dtype=np.int64),
            mmsi=np.empty(0, dtype=np.int64),
            msg_type=np.empty(0, dtype=np.int8),
            lat=f,
            lon=f,
            sog_kn=f,
            cog_deg=f,
            heading_deg=f,
            rot_deg_min=f,
            nav_status=np.empty(0, dtype=np.int8),
            accuracy=np.empty(0, dtype=bool),
        )


class _Words:
    """A group of payloads as big-endian 64-bit words (column k = payload bits 64k .. 64k+63)."""

    def __init__(self, v: np.ndarray) -> None:
        m, width = v.shape
        v4 = v.reshape(m, width // 4, 4)
        packed = np.zeros((m, -(-3 * width // 4 // 8) * 8), dtype=np.uint8)
        b = packed[:, : 3 * width // 4].reshape(m, width // 4, 3)
        b[..., 0] = (v4[..., 0] << 2) | (v4[..., 1] >> 4)
        b[..., 1] = ((v4[..., 1] & 15) << 4) | (v4[..., 2] >> 2)
        b[..., 2] = ((v4[..., 2] & 3) << 6) | v4[..., 3]
        self.words = np.ascontiguousarray(packed.view(">u8").astype(np.uint64).T)

    @classmethod
    def from_armour(cls, chars: np.ndarray) -> tuple["_Words", np.ndarray]:
        """Payload characters (rows x an even number of chars) -> words, and which rows are all valid
        armour. Two characters at a time: one lookup gives their 12 bits."""
        m = chars.shape[0]
        units = np.take(_ARMOUR_PAIR_BITS, np.ascontiguousarray(chars).view("<u2"))
        bad = units == _BAD_PAIR
        valid = np.ones(m, dtype=bool) if not bad.any() else ~bad.any(axis=1)
        cols = np.ascontiguousarray(units.T).astype(np.uint64)
        words = np.zeros((-(-12 * cols.shape[0] // 64), m), dtype=np.uint64)
        for k in range(cols.shape[0]):
            word, bit = divmod(12 * k, 64)
            shift = 64 - 12 - bit  # where the unit's lowest bit lands in its word
            if shift >= 0:
                words[word] |= cols[k] << np.uint64(shift)
            else:
                words[word] |= cols[k] >> np.uint64(-shift)
                words[word + 1] |= cols[k] << np.uint64(64 + shift)
        new = cls.__new__(cls)
        new.words = words
        return new, valid

    @classmethod
    def subset(cls, other: "_Words", mask: np.ndarray) -> "_Words":
        new = cls.__new__(cls)
        new.words = other.words[:, mask]
        return new

    def bits(self, offset: int, width: int, signed: bool = False) -> np.ndarray:
        """Field [offset, offset+width) as int64."""
        k, start = divmod(offset, 64)
        if start + width <= 64:
            val = self.words[k] >> np.uint64(64 - start - width)
        else:
            low_bits = start + width - 64
            val = (self.words[k] << np.uint64(low_bits)) | (self.words[k + 1] >> np.uint64(64 - low_bits))
        out = (val & np.uint64((1 << width) - 1)).view(np.int64)
        if signed:
            out -= (out >> (width - 1)) << width
        return out


def _latlon(raw: np.ndarray, na_deg: int, per_deg: int) -> np.ndarray:
    deg = ((raw * (6_000_000 // per_deg) + 3) // 6) / 1e6
    deg[raw == na_deg * per_deg] = np.nan
    return deg


def _armour_pair_bits() -> np.ndarray:
    """Two armour characters read as one little-endian uint16 -> their 12 payload bits (first
    character high), or _BAD_PAIR when either is not an armour character."""
    six = np.full(256, -1, dtype=np.int32)
    code = np.arange(256) - 48
    six[(code >= 0) & (code <= 39)] = code[(code >= 0) & (code <= 39)]
    six[(code >= 48) & (code <= 71)] = code[(code >= 48) & (code <= 71)] - 8
    pair = np.arange(65536)
    first, second = six[pair & 0xFF], six[pair >> 8]
    return np.where((first >= 0) & (second >= 0), (first << 6) | second, _BAD_PAIR).astype(np.uint16)


_BAD_PAIR = 0xFFFF
_ARMOUR_PAIR_BITS = _armour_pair_bits()


def _six_bit_values(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Armour characters (rows x chars) -> 6-bit values and a per-row validity mask."""
    v = chars - np.uint8(48)
    valid = ((v <= 39) | ((v >= 48) & (v <= 71))).all(axis=1)
    v -= (v > 40).astype(np.uint8) * np.uint8(8)
    return v, np.asarray(valid)


def decode_fast(
    lines: Sequence[bytes] | LineBuffer,
    *,
    gatehouse_pending: bool = False,
    pending_keys: Collection[tuple[str | None, bytes, bytes, frozenset[int]]] = (),
    report_us: Callable[[], int] | None = None,
) -> FastColumns:
    """Decode the fast-path lines among `lines`.

    A Gatehouse `$PGHP` line stamps the sentence after it, so from the first such line on (or from the
    start when a stamp is pending from the previous batch) every line is left to the general path.
    `pending_keys`: (station, sequence id, channel, fragment numbers seen) of two-part messages already
    waiting in the decoder (see _type5_pairs). `report_us`: receive time for ETA years (default: now).
    """
    buf = lines if isinstance(lines, LineBuffer) else LineBuffer.from_lines(lines)
    n = len(buf)
    if n == 0:
        return FastColumns.empty(0)
    f = frame_lines(buf, gatehouse_pending)
    arr, ps = f.arr, f.ps
    single = f.ok & (f.total == 1)
    idx = np.flatnonzero(single & (f.fill == 0))
    payload_len = f.plen[idx]
    first = arr[ps[idx]]

    parts: list[FastColumns] = []
    static_parts: list[tuple[np.ndarray, pa.Table]] = []
    nulled_eta = 0
    groups = ((b"123B", 28), (b"C", 52), (b"K", 16))
    for kind_chars, window in groups:
        m = np.isin(first, np.frombuffer(kind_chars, dtype=np.uint8)) & (payload_len == window)
        if not m.any():
            continue
        g_idx = idx[m]
        words, valid = _Words.from_armour(windows(arr, window)[ps[g_idx]])
        if not valid.all():
            g_idx = g_idx[valid]
            words = _Words.subset(words, valid)
        if kind_chars == b"123B":
            is_b = first[m][valid] == char("B")
            if (~is_b).any():
                parts.append(_decode_group(_Words.subset(words, ~is_b), g_idx[~is_b], "A"))
            if is_b.any():
                parts.append(_decode_group(_Words.subset(words, is_b), g_idx[is_b], "B"))
        else:
            part = _decode_group(words, g_idx, "B" if kind_chars == b"C" else "K")
            parts.append(part)
            if kind_chars == b"C" and part.line_idx.size:
                kept = np.isin(g_idx, part.line_idx)
                static_parts.append((part.line_idx, fast_static.statics_type19(_Words.subset(words, kept))))

    # type 24, single part: 27 or 28 characters
    sel = np.flatnonzero(single & (arr[ps] == char("H")) & ((f.plen == 28) | (f.plen == 27)))
    if sel.size:
        v, valid, nbits = _payload_window(f, sel, sel, 28)
        partno = (v[:, 6] >> 2) & 3  # bits 38-39 of the 36-41 character
        # every field complete: part A through the name (bit 160), part B through the dimensions (162)
        use = valid & (((partno == 0) & (nbits >= 160)) | ((partno == 1) & (nbits >= 162)))
        if use.any():
            static_parts.append((sel[use], fast_static.statics_type24(_Words(v[use]))))

    # type 5 in two fragments on adjacent lines with the same sequence id and channel
    pairs = _type5_pairs(f, other_multipart=_multipart_elsewhere(buf, f), pending_keys=pending_keys)
    stamp_from: tuple[np.ndarray, np.ndarray] | None = None  # (static row lines, lines whose stamp they take)
    if pairs is not None:
        a, b, v = pairs
        # the message takes the first fragment's receive time, or the second's when only it has one
        stamp_line = np.where((f.ts_us[a] >= 0) | (f.ts_us[b] < 0), a, b)
        now = (report_us or _now_us)()
        report = np.where(f.ts_us[stamp_line] >= 0, f.ts_us[stamp_line], now)
        table, impossible = fast_static.statics_type5(_Words(v), report)
        nulled_eta += impossible
        static_parts.append((b, table))
        static_parts.append((a, _EMPTY_MARK))  # first fragments are handled too, without a row
        stamp_from = (b, stamp_line)

    # base stations (4, 11) and aids to navigation (21): decoded for their counts only (no rows)
    counted = _count_only(f, single)

    out = _concat(parts, n)
    _attach_statics(out, static_parts, arr)
    if out.statics is not None:
        out.static_stamp_idx = out.static_line_idx.copy()
        if stamp_from is not None:  # static_line_idx is sorted and holds every line of `b`
            out.static_stamp_idx[np.searchsorted(out.static_line_idx, stamp_from[0])] = stamp_from[1]
    for msg_type, line_idx in counted.items():
        out.handled[line_idx] = True
        out.type_counts[msg_type] = out.type_counts.get(msg_type, 0) + int(line_idx.size)
    out.n_sentences = int(out.handled.sum())
    if f.receiver_code is not None:
        out.line_ts_us, out.line_origin, out.line_simulated = f.ts_us, f.origin, f.simulated
        out.line_receiver_code, out.stations = f.receiver_code, f.stations
        out.n_tag_blocks = int((out.handled & f.tagged).sum())
    if nulled_eta:
        out.nulled["eta"] = out.nulled.get("eta", 0) + nulled_eta
    return out


_EMPTY_MARK = pa.table({})


def _multipart_elsewhere(buf: LineBuffer, f: Frames) -> bool:
    """Whether a line outside the plain framing (tag block, trailer, bad checksum, ...) looks like a
    fragment of a two-part message."""
    for i in np.flatnonzero(~f.ok).tolist():
        line = buf.line(i)
        if b"VDM,2," in line or b"VDO,2," in line:
            return True
    return False


def _type5_pairs(
    f: Frames,
    *,
    other_multipart: bool,
    pending_keys: Collection[tuple[str | None, bytes, bytes, frozenset[int]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Adjacent (first, second) fragment lines of two-part type 5 messages that the general path would
    assemble exactly so, with their payloads as 6-bit values; None when there are none.

    Assembly is stateful, so a pair is only taken when nothing else can touch its key (station, sequence
    id, channel): every two-part line of the batch must be framed here (else no pairs at all); a key
    waiting from an earlier batch is resolved by its first line here (left to the general path); and once
    a line of a key is not part of a clean pair, later pairs of that key are left to the general path.
    """
    two = f.ok & (f.total == 2)
    if other_multipart or not two.any():
        return None
    n = f.ok.size
    cand = np.flatnonzero(two[:-1] & (f.number[:-1] == 1) & two[1:] & (f.number[1:] == 2))
    a, b = cand, cand + 1
    ok = (f.seq[a] == f.seq[b]) & (f.chan[a] == f.chan[b]) & (f.seq[a] != char(",")) & (f.fill[a] == 0)
    ok &= f.arr[f.ps[a]] == char("5")
    total_chars = f.plen[a] + f.plen[b]
    ok &= (total_chars >= 70) & (total_chars <= 72)
    a, b = a[ok], b[ok]
    v, valid, nbits = _payload_window(f, a, b, 72)
    use = valid & (nbits >= 422)  # complete through the destination
    a, b, v = a[use], b[use], v[use]
    # Per-key consistency, in line order. Pairs need one station on both lines; the decoder may join
    # fragments whose station is known on one side only, so consistency is kept per (sequence id,
    # channel) whatever the station.
    station = np.zeros(n, dtype=np.int64) if f.receiver_code is None else f.receiver_code + 1  # 0: none
    key = f.seq.astype(np.int64) * 256 + f.chan.astype(np.int64)
    ok_pair = (key[a] == key[b]) & (station[a] == station[b])
    a, b, v = a[ok_pair], b[ok_pair], v[ok_pair]
    resolving = np.zeros(n, dtype=bool)  # lines that settle a key waiting from the previous batch
    unsettled = np.zeros(n, dtype=bool)  # ... or leave it waiting in a way only the general path follows
    waiting_per_key: dict[int, int] = {}
    for _, seq_id, channel, _ in pending_keys:
        if len(seq_id) == 1 and len(channel) <= 1:
            k = seq_id[0] * 256 + (channel[0] if channel else char(","))
            waiting_per_key[k] = waiting_per_key.get(k, 0) + 1
    for waiting_station, seq_id, channel, parts_seen in pending_keys:
        if len(seq_id) != 1 or len(channel) > 1:
            continue
        wanted = seq_id[0] * 256 + (channel[0] if channel else char(","))
        with_key = np.flatnonzero(two & (key == wanted))
        if not with_key.size:
            continue
        first = int(with_key[0])
        line_station = f.station(first)
        joins = line_station == waiting_station or line_station is None or waiting_station is None
        if waiting_per_key[wanted] > 1 or not joins:
            unsettled[first] = True  # several messages waiting, or one this line cannot join
            continue
        completes = int(f.number[first]) not in parts_seen
        if completes:  # the waiting message takes this fragment and is done
            resolving[first] = True
        elif (
            f.number[first] == 1
            and with_key.size > 1
            and with_key[1] == first + 1
            and f.number[first + 1] == 2
            and station[first] == station[first + 1]
        ):
            resolving[first] = resolving[first + 1] = True  # supersedes it, and the next line completes
        else:
            unsettled[first] = True
    # pairs starting at a resolving line are the general path's; their other line is then not in a pair
    keep = ~resolving[a]
    in_pair = np.zeros(n, dtype=bool)
    in_pair[a[keep]] = True
    in_pair[b[keep]] = True
    broken = (two & ~in_pair & ~resolving) | unsettled
    first_broken: dict[int, int] = {}
    for line_no in np.flatnonzero(broken).tolist():
        first_broken.setdefault(int(key[line_no]), line_no)
    if first_broken:
        limit = np.array([first_broken.get(int(k), n) for k in key[a]], dtype=np.int64)
        keep &= a < limit
    if not keep.any():
        return None
    return a[keep], b[keep], v[keep]


# first payload character -> (type, fewest bits, as in layouts.MIN_BITS) for count-only types
_COUNT_ONLY = {ord("4"): (4, 149), ord(";"): (11, 149), ord("E"): (21, 268)}


def _count_only(f: Frames, single: np.ndarray) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    first = f.arr[f.ps]
    for ch, (msg_type, min_bits) in _COUNT_ONLY.items():
        sel = np.flatnonzero(single & (first == ch) & (6 * f.plen - f.fill >= min_bits) & (f.plen <= 64))
        if sel.size:
            _, valid = _six_bit_values(_mask_beyond(f, sel))
            out[msg_type] = sel[valid]
    return out


def _mask_beyond(f: Frames, sel: np.ndarray) -> np.ndarray:
    """The payload characters of `sel` in 64 columns, '0' beyond each payload's end."""
    k = np.arange(64)[None, :]
    chars = windows(f.arr, 64)[f.ps[sel]]
    return np.where(k < f.plen[sel][:, None], chars, ord("0")).astype(np.uint8)


def _now_us() -> int:
    import time

    return time.time_ns() // 1000


def _payload_window(
    f: Frames, a: np.ndarray, b: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Payload characters of fragment lines a (then b when different) as 6-bit values in `width` columns,
    zero beyond the payload and in the fill bits; with per-row validity and bit count."""
    single = a is b or np.array_equal(a, b)
    la = np.minimum(f.plen[a], width)
    total = la if single else la + f.plen[b]
    chars = np.empty((a.size, width), dtype=np.uint8)
    for length in np.unique(la).tolist():  # fragment lengths: one or two values in practice
        rows = np.flatnonzero(la == length)
        chars[rows, :length] = _chars_at(f.arr, f.ps[a[rows]], length)
        if length < width:
            chars[rows, length:] = ord("0") if single else _chars_at(f.arr, f.ps[b[rows]], width - length)
    k = np.arange(width)[None, :]
    chars = np.where(k < total[:, None], chars, np.uint8(ord("0")))
    v, valid = _six_bit_values(chars)
    fill = f.fill[b]
    last = total - 1
    rows = np.arange(a.size)
    v[rows, last] &= ((63 << fill) & 63).astype(np.uint8)
    return v, valid, 6 * total - fill


def _chars_at(arr: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """arr[start : start + width] for each start, as rows (reads past a line stay in the padding)."""
    if width <= PAD:
        return windows(arr, width)[starts]
    return arr[np.minimum(starts[:, None] + np.arange(width)[None, :], arr.size - 1)]


def _attach_statics(
    out: FastColumns, static_parts: list[tuple[np.ndarray, pa.Table]], arr: np.ndarray
) -> None:
    per_type = np.bincount(out.msg_type.astype(np.intp), minlength=64) if out.msg_type.size else np.zeros(0)
    counts = {int(t): int(per_type[t]) for t in np.flatnonzero(per_type)}
    tables = []
    keys = []
    for line_idx, table in static_parts:
        out.handled[line_idx] = True
        if table is _EMPTY_MARK:
            continue
        t = int(table.column("msg_type")[0].as_py())
        if t != 19:  # type 19 is already counted with the positions
            counts[t] = counts.get(t, 0) + table.num_rows
        tables.append(table)
        keys.append(line_idx)
    out.n_sentences = int(out.handled.sum())
    out.type_counts = counts
    if tables:
        key = np.concatenate(keys)
        order = np.argsort(key, kind="stable")
        out.static_line_idx = key[order]
        out.statics = pa.concat_tables(tables).take(from_numpy(order))


def _decode_group(w: _Words, line_idx: np.ndarray, kind: str) -> FastColumns:
    """kind "A": types 1-3; "B": types 18 and 19 (same position fields); "K": type 27."""
    m = line_idx.size
    nan_f = np.full(m, np.nan)
    mmsi = w.bits(8, 30)
    msg_type = w.bits(0, 6).astype(np.int8)
    if kind == "K":  # 1/10 minute positions, whole knots and degrees
        accuracy = w.bits(38, 1).astype(bool)
        status = w.bits(40, 4)
        lon_raw, lat_raw = w.bits(44, 18, True), w.bits(62, 17, True)
        speed27, course27 = w.bits(79, 6), w.bits(85, 9)
        lat, lon = _latlon(lat_raw, 91, 600), _latlon(lon_raw, 181, 600)
        sog = np.where(speed27 == 63, np.nan, speed27.astype(np.float64))
        cog = np.where(course27 == 511, np.nan, course27.astype(np.float64))
        hdg, rot = nan_f, nan_f.copy()
        bad_heading = np.zeros(m, dtype=bool)
        nav = np.where(status == 15, -1, status).astype(np.int8)
    else:
        if kind == "B":
            speed = w.bits(46, 10)
            accuracy = w.bits(56, 1).astype(bool)
            lon_raw, lat_raw = w.bits(57, 28, True), w.bits(85, 27, True)
            course, heading = w.bits(112, 12), w.bits(124, 9)
            rot = nan_f
            nav = np.full(m, -1, dtype=np.int8)
        else:
            status = w.bits(38, 4)
            turn = w.bits(42, 8, True)
            speed = w.bits(50, 10)
            accuracy = w.bits(60, 1).astype(bool)
            lon_raw, lat_raw = w.bits(61, 28, True), w.bits(89, 27, True)
            course, heading = w.bits(116, 12), w.bits(128, 9)
            x = turn / 4.733
            rot = np.copysign(x * x, turn)
            rot[(turn == -128) | (turn == 127) | (turn == -127)] = np.nan
            nav = np.where(status == 15, -1, status).astype(np.int8)
        lat, lon = _latlon(lat_raw, 91, 600_000), _latlon(lon_raw, 181, 600_000)
        sog = np.where(speed == 1023, np.nan, speed / 10)
        cog = np.where(course == 3600, np.nan, course / 10)
        hdg = np.where(heading >= 360, np.nan, heading.astype(np.float64))
        bad_heading = (heading >= 360) & (heading != 511)
    bad_cog = cog >= 360
    cog[bad_cog] = np.nan
    # Coordinates off the Earth are left to the general path, which rejects them with a reason.
    keep = ~((np.abs(lat) > 90) | (np.abs(lon) > 180))
    nulled = {"cog_deg": int((bad_cog & keep).sum()), "heading_deg": int((bad_heading & keep).sum())}
    if keep.all():
        return FastColumns(
            np.empty(0, dtype=bool),
            line_idx,
            mmsi,
            msg_type,
            lat,
            lon,
            sog,
            cog,
            hdg,
            rot,
            nav,
            accuracy,
            nulled,
        )
    return FastColumns(
        handled=np.empty(0, dtype=bool),
        line_idx=line_idx[keep],
        mmsi=mmsi[keep],
        msg_type=msg_type[keep],
        lat=lat[keep],
        lon=lon[keep],
        sog_kn=sog[keep],
        cog_deg=cog[keep],
        heading_deg=hdg[keep],
        rot_deg_min=rot[keep],
        nav_status=nav[keep],
        accuracy=accuracy[keep],
        nulled=nulled,
    )


_COLUMNS = (
    "line_idx",
    "mmsi",
    "msg_type",
    "lat",
    "lon",
    "sog_kn",
    "cog_deg",
    "heading_deg",
    "rot_deg_min",
    "nav_status",
    "accuracy",
)


def _concat(parts: list[FastColumns], n_lines: int) -> FastColumns:
    if not parts:
        return FastColumns.empty(n_lines)
    if len(parts) == 1:
        out = parts[0]
    else:
        cols = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _COLUMNS}
        order = np.argsort(cols["line_idx"], kind="stable")
        cols = {name: col[order] for name, col in cols.items()}
        nulled: dict[str, int] = {}
        for p in parts:
            for key, count in p.nulled.items():
                nulled[key] = nulled.get(key, 0) + count
        out = FastColumns(handled=np.empty(0, dtype=bool), nulled=nulled, **cols)  # type: ignore[arg-type]
    out.handled = np.zeros(n_lines, dtype=bool)
    out.handled[out.line_idx] = True
    return out
