"""Vectorised AIS encoding: bit fields -> 6-bit armoured payloads -> NMEA sentences, many at once.

Used to generate large test and benchmark corpora (random valid payloads with edge values) and by
anything that needs to write AIS (e.g. a simulator). Layouts are those of layouts.py.
"""

from collections.abc import Sequence

import numpy as np

from shadowfleet.ais.layouts import LAYOUTS, Field, layout_bits

_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_SIXBIT_TEXT_VALUE = {ch: (ord(ch) - 64 if 64 <= ord(ch) < 96 else ord(ch)) for ch in map(chr, range(32, 96))}


class BitMatrix:
    """m payloads of `nbits` bits each, one uint8 per bit (row-major)."""

    def __init__(self, m: int, nbits: int, rng: np.random.Generator | None = None) -> None:
        if rng is None:
            self.bits = np.zeros((m, nbits), dtype=np.uint8)
        else:
            self.bits = rng.integers(0, 2, size=(m, nbits), dtype=np.uint8)

    def put(self, offset: int, width: int, values: np.ndarray | int) -> None:
        vals = np.broadcast_to(np.asarray(values, dtype=np.int64), (self.bits.shape[0],))
        shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
        self.bits[:, offset : offset + width] = ((vals[:, None] >> shifts) & 1).astype(np.uint8)

    def put_text(self, offset: int, nchars: int, texts: Sequence[str]) -> None:
        codes = np.zeros((len(texts), nchars), dtype=np.int64)
        for i, text in enumerate(texts):
            for j, ch in enumerate(text.upper()[:nchars].ljust(nchars, "@")):
                codes[i, j] = _SIXBIT_TEXT_VALUE.get(ch, 0)
        for j in range(nchars):
            self.put(offset + 6 * j, 6, codes[:, j])


def field_offsets(layout: list[Field]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    pos = 0
    for name, width, _ in layout:
        out.setdefault(name, (pos, width))
        pos += width
    return out


def armour(bits: np.ndarray) -> tuple[np.ndarray, int]:
    """(m, nbits) bits -> (m, nchars) armour characters and the number of fill bits."""
    m, nbits = bits.shape
    fill = (-nbits) % 6
    if fill:
        bits = np.concatenate([bits, np.zeros((m, fill), dtype=np.uint8)], axis=1)
    b = bits.reshape(m, -1, 6)
    v = (
        (b[..., 0] << 5)
        | (b[..., 1] << 4)
        | (b[..., 2] << 3)
        | (b[..., 3] << 2)
        | (b[..., 4] << 1)
        | b[..., 5]
    )
    chars = v + np.uint8(48)
    chars += (v >= 40).astype(np.uint8) * np.uint8(8)
    return chars, fill


def sentences(
    payload: np.ndarray,
    fill_bits: int,
    *,
    talkers: Sequence[bytes] = (b"AI",),
    channels: bytes = b"AB",
    total: int = 1,
    number: int = 1,
    seq_ids: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
    own_ship_share: float = 0.0,
) -> list[bytes]:
    """NMEA sentences for m payloads of equal length. `seq_ids`: one digit per row or None (empty).

    Talker, channel and VDM/VDO are drawn per row with `rng` (first choice when no rng).
    """
    m, plen = payload.shape
    with_seq = seq_ids is not None
    head = 1 + 5 + 1 + 1 + 1 + 1 + 1 + (1 if with_seq else 0) + 1 + 1 + 1  # !AIVDM,t,n,[s],c,
    length = head + plen + 5  # ,F*HH
    out = np.empty((m, length), dtype=np.uint8)
    out[:, 0] = ord("!")
    pick = rng.integers(0, len(talkers), m) if rng is not None else np.zeros(m, dtype=np.int64)
    tk = np.frombuffer(b"".join(talkers), dtype=np.uint8).reshape(len(talkers), 2)
    out[:, 1:3] = tk[pick]
    out[:, 3:6] = np.frombuffer(b"VDM", dtype=np.uint8)
    if rng is not None and own_ship_share > 0:
        out[rng.random(m) < own_ship_share, 5] = ord("O")
    pos = 6
    for piece in (b",", str(total).encode(), b",", str(number).encode(), b","):
        out[:, pos] = piece[0]
        pos += 1
    if with_seq:
        assert seq_ids is not None
        out[:, pos] = ord("0") + (np.asarray(seq_ids) % 10)
        pos += 1
    out[:, pos] = ord(",")
    pos += 1
    chan = np.frombuffer(channels, dtype=np.uint8)
    out[:, pos] = chan[rng.integers(0, len(chan), m)] if rng is not None else chan[0]
    out[:, pos + 1] = ord(",")
    pos += 2
    out[:, pos : pos + plen] = payload
    pos += plen
    out[:, pos] = ord(",")
    out[:, pos + 1] = ord("0") + fill_bits
    out[:, pos + 2] = ord("*")
    cs = np.bitwise_xor.reduce(out[:, 1 : pos + 2], axis=1)
    out[:, pos + 3] = _HEX[cs >> 4]
    out[:, pos + 4] = _HEX[cs & 15]
    raw = out.tobytes()
    return [raw[i * length : (i + 1) * length] for i in range(m)]


# ---- random position reports for differential tests ------------------------------------------------

# Edge values per field name (raw integers): not-available markers, extremes, zero.
EDGE_VALUES: dict[str, list[int]] = {
    "lat": [91 * 600_000, -90 * 600_000, 90 * 600_000, 0, -1, 2**26 - 1, -(2**26)],
    "lon": [181 * 600_000, -180 * 600_000, 180 * 600_000, 0, -1, 2**27 - 1, -(2**27)],
    "speed": [1023, 1022, 0],
    "course": [3600, 3599, 0, 4095],
    "heading": [511, 359, 0, 360],
    "turn": [-128, 127, -127, 0, 126, -126, 1, -1],
    "status": [15, 0, 14],
    "mmsi": [0, 999_999_999, 2**30 - 1],
}
EDGE_VALUES_27 = {
    "lat": [91 * 600, -90 * 600, 90 * 600, 0, -1, 2**16 - 1, -(2**16)],
    "lon": [181 * 600, -180 * 600, 180 * 600, 0, -1, 2**17 - 1, -(2**17)],
    "speed": [63, 62, 0],
    "course": [511, 359, 360, 0],
}


def random_position_payloads(
    msg_type: int, m: int, rng: np.random.Generator, edge_share: float = 0.1
) -> BitMatrix:
    """Random payloads of a position type: every bit random except coordinates (uniform on the Earth),
    the type set, and for each field a share of rows holding an edge value (some off the Earth)."""
    layout = LAYOUTS[msg_type]
    bm = BitMatrix(m, layout_bits(layout), rng)
    offsets = field_offsets(layout)
    bm.put(*offsets["type"], msg_type)
    per_deg = 600 if msg_type == 27 else 600_000
    for name, limit in (("lat", 90), ("lon", 180)):
        offset, width = offsets[name]
        bm.put(offset, width, rng.integers(-limit * per_deg, limit * per_deg + 1, m) & ((1 << width) - 1))
    edges = EDGE_VALUES_27 if msg_type == 27 else EDGE_VALUES
    for name, values in edges.items():
        if name not in offsets:
            continue
        rows = rng.random(m) < edge_share
        if rows.any():
            offset, width = offsets[name]
            chosen = np.asarray(values, dtype=np.int64)[rng.integers(0, len(values), int(rows.sum()))]
            sub = BitMatrix(int(rows.sum()), 0)
            sub.bits = bm.bits[rows]
            sub.put(offset, width, chosen & ((1 << width) - 1))
            bm.bits[rows] = sub.bits
    return bm


# ---- a realistic traffic mix for benchmarks -------------------------------------------------------------


def _plausible_positions(msg_type: int, m: int, rng: np.random.Generator) -> np.ndarray:
    layout = LAYOUTS[msg_type]
    bm = BitMatrix(m, layout_bits(layout))
    o = field_offsets(layout)
    bm.put(*o["type"], msg_type)
    bm.put(*o["mmsi"], rng.integers(200_000_000, 775_999_999, m))
    if msg_type == 27:
        bm.put(*o["lon"], rng.integers(-180 * 600, 180 * 600, m) & (2**18 - 1))
        bm.put(*o["lat"], rng.integers(-90 * 600, 90 * 600, m) & (2**17 - 1))
        bm.put(*o["speed"], rng.integers(0, 30, m))
        bm.put(*o["course"], rng.integers(0, 360, m))
        bm.put(*o["status"], rng.integers(0, 9, m))
        return bm.bits
    bm.put(*o["lon"], rng.integers(-180 * 600_000, 180 * 600_000, m) & (2**28 - 1))
    bm.put(*o["lat"], rng.integers(-90 * 600_000, 90 * 600_000, m) & (2**27 - 1))
    bm.put(*o["speed"], rng.integers(0, 250, m))
    bm.put(*o["course"], rng.integers(0, 3600, m))
    bm.put(*o["heading"], np.where(rng.random(m) < 0.2, 511, rng.integers(0, 360, m)))
    bm.put(*o["second"], rng.integers(0, 60, m))
    if "status" in o:
        bm.put(*o["status"], rng.integers(0, 9, m))
        bm.put(*o["turn"], np.where(rng.random(m) < 0.5, -128, rng.integers(-126, 127, m)) & 255)
    return bm.bits


def _statics_type5(m: int, rng: np.random.Generator) -> np.ndarray:
    layout = LAYOUTS[5]
    bm = BitMatrix(m, layout_bits(layout))
    o = field_offsets(layout)
    bm.put(*o["type"], 5)
    bm.put(*o["mmsi"], rng.integers(200_000_000, 775_999_999, m))
    bm.put(*o["imo"], rng.integers(9_000_000, 9_999_999, m))
    bm.put_text(o["callsign"][0], 7, [f"C{i % 100000}" for i in range(m)])
    bm.put_text(o["shipname"][0], 20, [f"VESSEL {i % 9973}" for i in range(m)])
    bm.put(*o["shiptype"], rng.integers(70, 90, m))
    bm.put(*o["to_bow"], rng.integers(10, 200, m))
    bm.put(*o["to_stern"], rng.integers(10, 100, m))
    bm.put(*o["to_port"], rng.integers(1, 25, m))
    bm.put(*o["to_starboard"], rng.integers(1, 25, m))
    bm.put(*o["month"], rng.integers(1, 13, m))
    bm.put(*o["day"], rng.integers(1, 29, m))
    bm.put(*o["hour"], rng.integers(0, 24, m))
    bm.put(*o["minute"], rng.integers(0, 60, m))
    bm.put(*o["draught"], rng.integers(30, 200, m))
    bm.put_text(o["destination"][0], 20, [f"PORT {i % 97}" for i in range(m)])
    return bm.bits


def _statics_type24(m: int, rng: np.random.Generator) -> np.ndarray:
    bm = BitMatrix(m, 168)
    bm.put(0, 6, 24)
    bm.put(8, 30, rng.integers(200_000_000, 775_999_999, m))
    part_b = rng.random(m) < 0.5
    bm.put(38, 2, part_b.astype(np.int64))
    names = BitMatrix(m, 168)
    names.put_text(40, 20, [f"YACHT {i % 997}" for i in range(m)])
    bm.bits[~part_b, 40:160] = names.bits[~part_b, 40:160]
    bm.put(40, 8, np.where(part_b, 37, 0))
    bm.bits[~part_b, 40:48] = names.bits[~part_b, 40:48]
    return bm.bits


def traffic_mix(n: int, seed: int = 1) -> list[bytes]:
    """About n lines of realistic traffic: ~80% types 1-3, 7% type 18, 6% two-part type 5 (two lines
    each), 5% type 24, 2% other (types 4 and 21), shuffled with multi-part pairs kept adjacent."""
    rng = np.random.default_rng(seed)
    counts = {"123": int(n * 0.80), "18": int(n * 0.07), "5": int(n * 0.03), "24": int(n * 0.05)}
    counts["other"] = max(0, n - counts["123"] - counts["18"] - 2 * counts["5"] - counts["24"])
    units: list[list[bytes]] = []
    types = rng.choice([1, 2, 3], size=counts["123"], p=[0.7, 0.1, 0.2])
    for t in (1, 2, 3):
        m = int((types == t).sum())
        chars, fill = armour(_plausible_positions(t, m, rng))
        units += [[s] for s in sentences(chars, fill, rng=rng)]
    chars, fill = armour(_plausible_positions(18, counts["18"], rng))
    units += [[s] for s in sentences(chars, fill, rng=rng)]
    chars, fill = armour(_statics_type5(counts["5"], rng))
    seq = np.arange(counts["5"]) % 10
    first = sentences(chars[:, :60], 0, total=2, number=1, seq_ids=seq, channels=b"A")
    second = sentences(chars[:, 60:], fill, total=2, number=2, seq_ids=seq, channels=b"A")
    units += [[a, b] for a, b in zip(first, second, strict=True)]
    chars, fill = armour(_statics_type24(counts["24"], rng))
    units += [[s] for s in sentences(chars, fill, rng=rng)]
    other = BitMatrix(counts["other"], 168, rng)
    other.put(0, 6, np.where(rng.random(counts["other"]) < 0.5, 4, 21))
    chars, fill = armour(other.bits)
    units += [[s] for s in sentences(chars, fill, rng=rng)]
    order = rng.permutation(len(units))
    return [line for i in order for line in units[i]]
