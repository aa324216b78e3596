"""Vectorised decoding of single-part position reports (types 1, 2, 3, 18, 19, 27), many lines at once.

Only lines of the plain form `!xxVDM,1,1,[d],[c],<payload>,0*hh` (no tag block, no trailer) whose
payload has exactly the standard length take this path; everything else (and anything odd about these:
bad checksum, bad characters, impossible coordinates) is left to the general path, which produces the
same rows or the reject. Field values are bit-identical to the general path (tests/ais prove it).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

_HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _i, _ch in enumerate(b"0123456789ABCDEF"):
    _HEX_VALUE[_ch] = _i
for _i, _ch in enumerate(b"abcdef"):
    _HEX_VALUE[_ch] = 10 + _i

_STRIP = np.zeros(256, dtype=bool)
_STRIP[list(b" \t\r\n\x00\x1a")] = True

# Standard payload length in characters (fill bits 0) for each fast type's first payload character.
_FAST_KIND = {ord("1"): 28, ord("2"): 28, ord("3"): 28, ord("B"): 28, ord("C"): 52, ord("K"): 16}
_PAD = 64  # zero bytes after the buffer so fixed-offset peeks never run past it


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
        out = (val & np.uint64((1 << width) - 1)).astype(np.int64)
        if signed:
            out -= (out >> (width - 1)) << width
        return out


def _latlon(raw: np.ndarray, na_deg: int, per_deg: int) -> np.ndarray:
    deg = ((raw * (6_000_000 // per_deg) + 3) // 6) / 1e6
    deg[raw == na_deg * per_deg] = np.nan
    return deg


def _windows(arr: np.ndarray, width: int) -> np.ndarray:
    """Row i = arr[i : i + width] (a view; the buffer is padded so every start is valid)."""
    return np.lib.stride_tricks.as_strided(arr, shape=(arr.size - _PAD + 1, width), strides=(1, 1))


def _line_bounds(lines: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
    joined = b"\n".join(lines)
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    starts = np.zeros(len(lines), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    arr = np.frombuffer(joined + bytes(_PAD), dtype=np.uint8)
    return arr, starts, starts + lengths, joined


def _c(ch: str) -> int:
    return ord(ch)


def decode_fast(lines: Sequence[bytes], *, gatehouse_pending: bool = False) -> FastColumns:
    """Decode the fast-path lines among `lines`.

    A Gatehouse `$PGHP` line stamps the sentence after it, so from the first such line on (or from the
    start when a stamp is pending from the previous batch) every line is left to the general path.
    """
    n = len(lines)
    if n == 0:
        return FastColumns.empty(0)
    arr, s, e, joined = _line_bounds(lines)
    allow_before = 0 if gatehouse_pending else None
    gatehouse_at = joined.find(b"$PGHP")
    if gatehouse_at >= 0 and allow_before is None:
        allow_before = int(np.searchsorted(s, gatehouse_at, side="right")) - 1
    # strip trailing CR, LF, blanks, NUL and 0x1A
    for _ in range(4):
        trailing = (e > s) & _STRIP[arr[np.maximum(e - 1, 0)]]
        if not trailing.any():
            break
        e = e - trailing
    pre = _windows(arr, 16)[s]
    ok = (e - s >= 27) & (pre[:, 0] == _c("!")) & (pre[:, 3] == _c("V")) & (pre[:, 4] == _c("D"))
    if allow_before is not None:
        ok[allow_before:] = False
    ok &= (pre[:, 5] == _c("M")) | (pre[:, 5] == _c("O"))
    ok &= (pre[:, 6] == _c(",")) & (pre[:, 7] == _c("1")) & (pre[:, 8] == _c(","))
    ok &= (pre[:, 9] == _c("1")) & (pre[:, 10] == _c(","))
    # optional one-digit sequence id, then an optional one-character channel
    seq_empty = pre[:, 11] == _c(",")
    ok &= seq_empty | ((pre[:, 11] >= _c("0")) & (pre[:, 11] <= _c("9")) & (pre[:, 12] == _c(",")))
    q = np.where(seq_empty, 12, 13)
    rows = np.arange(n)
    cq, cq1 = pre[rows, q], pre[rows, q + 1]
    chan_empty = cq == _c(",")
    ok &= chan_empty | ((cq1 == _c(",")) & (cq != _c("*")))
    ps = s + q + np.where(chan_empty, 1, 2)
    # ",0*hh" ending: fill bits 0 and the checksum
    suf = _windows(arr, 5)[np.maximum(e - 5, 0)]
    ok &= (suf[:, 0] == _c(",")) & (suf[:, 1] == _c("0")) & (suf[:, 2] == _c("*"))
    hi, lo = _HEX_VALUE[suf[:, 3]], _HEX_VALUE[suf[:, 4]]
    ok &= (hi >= 0) & (lo >= 0)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return FastColumns.empty(n)
    cx = np.bitwise_xor.accumulate(arr)
    good_cs = (cx[e[idx] - 4] ^ cx[s[idx]]) == (hi[idx] * 16 + lo[idx])
    idx = idx[good_cs]
    payload_len = (e[idx] - 5) - ps[idx]
    first = arr[ps[idx]]

    parts: list[FastColumns] = []
    groups = ((b"123B", 28), (b"C", 52), (b"K", 16))
    for kind_chars, window in groups:
        m = np.isin(first, np.frombuffer(kind_chars, dtype=np.uint8)) & (payload_len == window)
        if not m.any():
            continue
        g_idx = idx[m]
        v = _windows(arr, window)[ps[g_idx]] - np.uint8(48)
        valid = ((v <= 39) | ((v >= 48) & (v <= 71))).all(axis=1)
        if not valid.all():
            g_idx, v = g_idx[valid], v[valid]
        v -= (v > 40).astype(np.uint8) * np.uint8(8)
        words = _Words(v)
        if kind_chars == b"123B":
            is_b = first[m][valid] == _c("B")
            if (~is_b).any():
                parts.append(_decode_group(_Words.subset(words, ~is_b), g_idx[~is_b], "A"))
            if is_b.any():
                parts.append(_decode_group(_Words.subset(words, is_b), g_idx[is_b], "B"))
        else:
            parts.append(_decode_group(words, g_idx, "B" if kind_chars == b"C" else "K"))
    return _concat(parts, n)


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
            rot = np.copysign((turn / 4.733) ** 2, turn)
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
        out = FastColumns(handled=np.empty(0, dtype=bool), nulled=nulled, **cols)
    out.handled = np.zeros(n_lines, dtype=bool)
    out.handled[out.line_idx] = True
    return out
