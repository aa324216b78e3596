"""Vectorised decoding of single-part position reports (types 1, 2, 3, 18, 19, 27), many lines at once.

Only lines of the plain form `!xxVDM,1,1,[d],[c],<payload>,0*hh` (no tag block, no trailer) whose
payload has exactly the standard length take this path; everything else (and anything odd about these:
bad checksum, bad characters, impossible coordinates) is left to the general path, which produces the
same rows or the reject. Field values are bit-identical to the general path (tests/ais prove it).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shadowfleet.ais.sixbit import ARMOUR_VALUE

_HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX_VALUE[_c] = _i
for _i, _c in enumerate(b"abcdef"):
    _HEX_VALUE[_c] = 10 + _i

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


def _bits(v: np.ndarray, offset: int, width: int, signed: bool = False) -> np.ndarray:
    """Field [offset, offset+width) from 6-bit values v (shape: chars x rows, int64)."""
    c0, c1 = offset // 6, (offset + width - 1) // 6
    acc = v[c0].copy()
    for c in range(c0 + 1, c1 + 1):
        acc <<= 6
        acc |= v[c]
    acc >>= (c1 + 1) * 6 - (offset + width)
    acc &= (1 << width) - 1
    if signed:
        acc -= (acc >> (width - 1)) << width
    return acc


def _latlon(raw: np.ndarray, na_deg: int, per_deg: int) -> np.ndarray:
    deg = ((raw * (6_000_000 // per_deg) + 3) // 6) / 1e6
    deg[raw == na_deg * per_deg] = np.nan
    return deg


def _line_bounds(lines: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
    joined = b"\n".join(lines)
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    starts = np.zeros(len(lines), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    arr = np.frombuffer(joined + bytes(_PAD), dtype=np.uint8)
    return arr, starts, starts + lengths, joined


def decode_fast(lines: Sequence[bytes], *, allow_before: int | None = None) -> FastColumns:
    """Decode the fast-path lines among `lines`; `allow_before` limits the path to lines before an index."""
    n = len(lines)
    if n == 0:
        return FastColumns.empty(0)
    arr, s, e, _ = _line_bounds(lines)
    # strip trailing CR, LF, blanks, NUL and 0x1A
    for _ in range(4):
        trailing = (e > s) & _STRIP[arr[np.maximum(e - 1, 0)]]
        if not trailing.any():
            break
        e = e - trailing
    ok = (e - s >= 27) & (arr[s] == ord("!"))
    if allow_before is not None:
        ok[allow_before:] = False
    ok &= (
        (arr[s + 3] == ord("V"))
        & (arr[s + 4] == ord("D"))
        & ((arr[s + 5] == ord("M")) | (arr[s + 5] == ord("O")))
    )
    ok &= (arr[s + 6] == ord(",")) & (arr[s + 7] == ord("1")) & (arr[s + 8] == ord(","))
    ok &= (arr[s + 9] == ord("1")) & (arr[s + 10] == ord(","))
    # optional one-character sequence id and channel
    seq_empty = arr[s + 11] == ord(",")
    q = np.where(seq_empty, s + 12, s + 13)
    ok &= seq_empty | ((arr[s + 11] >= ord("0")) & (arr[s + 11] <= ord("9")) & (arr[s + 12] == ord(",")))
    chan_empty = arr[q] == ord(",")
    ps = np.where(chan_empty, q + 1, q + 2)
    ok &= chan_empty | ((arr[q] != ord(",")) & (arr[q + 1] == ord(",")) & (arr[q] != ord("*")))
    # ",0*hh" ending: fill bits 0 and the checksum
    ok &= (arr[e - 5] == ord(",")) & (arr[e - 4] == ord("0")) & (arr[e - 3] == ord("*"))
    hi, lo = _HEX_VALUE[arr[e - 2]], _HEX_VALUE[arr[e - 1]]
    ok &= (hi >= 0) & (lo >= 0)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return FastColumns.empty(n)
    cx = np.bitwise_xor.accumulate(arr)
    sel_s, sel_e = s[idx], e[idx]
    good_cs = (cx[sel_e - 4] ^ cx[sel_s]) == (hi[idx] * 16 + lo[idx])
    idx = idx[good_cs]
    payload_len = (e[idx] - 5) - ps[idx]
    first = arr[ps[idx]]

    parts: list[FastColumns] = []
    for kind_chars, window in (
        ((ord("1"), ord("2"), ord("3")), 28),
        ((ord("B"),), 28),
        ((ord("C"),), 52),
        ((ord("K"),), 16),
    ):
        m = np.isin(first, kind_chars) & (payload_len == window)
        if not m.any():
            continue
        g_idx = idx[m]
        chars = arr[ps[g_idx][:, None] + np.arange(window)]
        vals = ARMOUR_VALUE[chars]
        valid = (vals >= 0).all(axis=1)
        g_idx = g_idx[valid]
        v = np.ascontiguousarray(vals[valid].T, dtype=np.int64)
        parts.append(_decode_group(v, g_idx, int(kind_chars[0])))
    return _concat(parts, n)


def _decode_group(v: np.ndarray, line_idx: np.ndarray, kind: int) -> FastColumns:
    m = line_idx.size
    nan_f = np.full(m, np.nan)
    mmsi = _bits(v, 8, 30)
    msg_type = v[0].astype(np.int8)
    if kind == ord("K"):  # type 27: 1/10 minute positions, whole knots and degrees
        accuracy = _bits(v, 38, 1).astype(bool)
        status = _bits(v, 40, 4)
        lon_raw, lat_raw = _bits(v, 44, 18, True), _bits(v, 62, 17, True)
        speed27, course27 = _bits(v, 79, 6), _bits(v, 85, 9)
        lat, lon = _latlon(lat_raw, 91, 600), _latlon(lon_raw, 181, 600)
        sog = np.where(speed27 == 63, np.nan, speed27.astype(np.float64))
        cog = np.where(course27 == 511, np.nan, course27.astype(np.float64))
        hdg, rot = nan_f, nan_f.copy()
        bad_heading = np.zeros(m, dtype=bool)
        nav = np.where(status == 15, -1, status).astype(np.int8)
    else:
        if kind == ord("B") or kind == ord("C"):
            speed = _bits(v, 46, 10)
            accuracy = _bits(v, 56, 1).astype(bool)
            lon_raw, lat_raw = _bits(v, 57, 28, True), _bits(v, 85, 27, True)
            course, heading = _bits(v, 112, 12), _bits(v, 124, 9)
            rot = nan_f
            nav = np.full(m, -1, dtype=np.int8)
        else:
            status = _bits(v, 38, 4)
            turn = _bits(v, 42, 8, True)
            speed = _bits(v, 50, 10)
            accuracy = _bits(v, 60, 1).astype(bool)
            lon_raw, lat_raw = _bits(v, 61, 28, True), _bits(v, 89, 27, True)
            course, heading = _bits(v, 116, 12), _bits(v, 128, 9)
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
