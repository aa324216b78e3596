"""A vectorised AIS encoder (ITU-R M.1371-5): payload bits, 6-bit armouring, NMEA 0183/4.0 framing.

Each `*_payloads` function takes one NumPy array per field (one element per message) and returns the
armoured payloads as a NumPy array of str. Field layouts follow ITU-R M.1371-5 Annex 8: types 1/2/3
(Class A position), 18 (Class B position), 5 (Class A static and voyage, 424 bits, sent as two
sentences) and 24 (Class B static, parts A and B). "Not available" values are the standard ones.
"""

from collections.abc import Sequence

import numpy as np

LAT_NOT_AVAILABLE = 91.0
LON_NOT_AVAILABLE = 181.0
SPEED_NOT_AVAILABLE = 1023
COURSE_NOT_AVAILABLE = 3600
HEADING_NOT_AVAILABLE = 511
ROT_NOT_AVAILABLE = -128

_SIX_BIT_WEIGHTS = np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)


def _ascii_to_sixbit_table() -> np.ndarray:
    """AIS text: ASCII 64-95 ('@'..'_') map to 0-31, ASCII 32-63 (' '..'?') to 32-63."""
    table = np.full(256, 63, dtype=np.uint8)  # anything else becomes '?'
    for code in range(32, 64):
        table[code] = code
    for code in range(64, 96):
        table[code] = code - 64
    for code in range(ord("a"), ord("z") + 1):
        table[code] = code - 32 - 64
    return table


_TEXT_TABLE = _ascii_to_sixbit_table()


class BitWriter:
    """A (messages x bits) matrix of 0/1 written field by field, most significant bit first."""

    def __init__(self, n_messages: int, n_bits: int) -> None:
        self.bits = np.zeros((n_messages, n_bits), dtype=np.uint8)
        self.offset = 0

    def uint(self, values: np.ndarray | int, width: int) -> None:
        n = self.bits.shape[0]
        v = np.broadcast_to(np.asarray(values, dtype=np.int64), (n,))
        v = v & ((1 << width) - 1)  # two's complement for signed fields
        shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
        self.bits[:, self.offset : self.offset + width] = ((v[:, None] >> shifts) & 1).astype(np.uint8)
        self.offset += width

    def text(self, values: Sequence[str] | np.ndarray, n_chars: int) -> None:
        """Fixed-width AIS text, padded with '@' (0) and cut at n_chars."""
        n = self.bits.shape[0]
        encoded = np.zeros((n, n_chars), dtype=np.uint8)  # '@' padding
        raw = np.array([s.upper()[:n_chars].encode("ascii", "replace") for s in values], dtype=f"S{n_chars}")
        as_bytes = raw.view(np.uint8).reshape(n, n_chars) if n else np.zeros((0, n_chars), np.uint8)
        present = as_bytes != 0
        encoded[present] = _TEXT_TABLE[as_bytes[present]]
        shifts = np.arange(5, -1, -1, dtype=np.uint8)
        bits = (encoded[:, :, None] >> shifts) & 1
        width = 6 * n_chars
        self.bits[:, self.offset : self.offset + width] = bits.reshape(n, width)
        self.offset += width

    def armour(self) -> tuple[np.ndarray, int]:
        """Payload strings (6 bits a character) and the number of fill bits added at the end."""
        n, n_bits = self.bits.shape
        fill_bits = (-n_bits) % 6
        bits = np.concatenate([self.bits, np.zeros((n, fill_bits), np.uint8)], axis=1)
        values = (bits.reshape(n, -1, 6) * _SIX_BIT_WEIGHTS).sum(axis=2).astype(np.uint8)
        chars = np.where(values < 40, values + 48, values + 56).astype(np.uint8)
        n_chars = chars.shape[1]
        payloads = chars.view(f"S{n_chars}").ravel().astype(f"U{n_chars}")
        return payloads, fill_bits


def _scaled_latlon(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.where(np.isnan(lat), LAT_NOT_AVAILABLE, lat)
    lon = np.where(np.isnan(lon), LON_NOT_AVAILABLE, lon)
    return np.rint(lat * 600_000).astype(np.int64), np.rint(lon * 600_000).astype(np.int64)


def _speed_field(sog_kn: np.ndarray) -> np.ndarray:
    field = np.rint(np.nan_to_num(sog_kn, nan=-1.0) * 10).astype(np.int64)
    return np.where(np.isnan(sog_kn), SPEED_NOT_AVAILABLE, np.clip(field, 0, 1022))


def _course_field(cog_deg: np.ndarray) -> np.ndarray:
    field = np.rint(np.nan_to_num(cog_deg) * 10).astype(np.int64) % 3600
    return np.where(np.isnan(cog_deg), COURSE_NOT_AVAILABLE, field)


def _heading_field(heading_deg: np.ndarray) -> np.ndarray:
    field = np.rint(np.nan_to_num(heading_deg)).astype(np.int64) % 360
    return np.where(np.isnan(heading_deg), HEADING_NOT_AVAILABLE, field)


def class_a_position_payloads(
    *,
    msg_type: np.ndarray | int,
    mmsi: np.ndarray,
    nav_status: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    sog_kn: np.ndarray,
    cog_deg: np.ndarray,
    heading_deg: np.ndarray,
    second: np.ndarray,
    accuracy: np.ndarray | int = 0,
    rot_field: np.ndarray | int = ROT_NOT_AVAILABLE,
) -> np.ndarray:
    """Types 1, 2, 3 (168 bits, 28 characters, no fill bits)."""
    w = BitWriter(len(mmsi), 168)
    lat_f, lon_f = _scaled_latlon(np.asarray(lat, float), np.asarray(lon, float))
    w.uint(msg_type, 6)
    w.uint(0, 2)  # repeat indicator
    w.uint(mmsi, 30)
    w.uint(nav_status, 4)
    w.uint(rot_field, 8)
    w.uint(_speed_field(np.asarray(sog_kn, float)), 10)
    w.uint(accuracy, 1)
    w.uint(lon_f, 28)
    w.uint(lat_f, 27)
    w.uint(_course_field(np.asarray(cog_deg, float)), 12)
    w.uint(_heading_field(np.asarray(heading_deg, float)), 9)
    w.uint(second, 6)
    w.uint(0, 2)  # manoeuvre indicator: not available
    w.uint(0, 3)  # spare
    w.uint(0, 1)  # RAIM
    w.uint(0, 19)  # radio status
    return w.armour()[0]


def class_b_position_payloads(
    *,
    mmsi: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    sog_kn: np.ndarray,
    cog_deg: np.ndarray,
    heading_deg: np.ndarray,
    second: np.ndarray,
    accuracy: np.ndarray | int = 0,
) -> np.ndarray:
    """Type 18 (168 bits), a carrier-sense (CS) unit with DSC and whole-band capability."""
    w = BitWriter(len(mmsi), 168)
    lat_f, lon_f = _scaled_latlon(np.asarray(lat, float), np.asarray(lon, float))
    w.uint(18, 6)
    w.uint(0, 2)
    w.uint(mmsi, 30)
    w.uint(0, 8)  # regional reserved
    w.uint(_speed_field(np.asarray(sog_kn, float)), 10)
    w.uint(accuracy, 1)
    w.uint(lon_f, 28)
    w.uint(lat_f, 27)
    w.uint(_course_field(np.asarray(cog_deg, float)), 12)
    w.uint(_heading_field(np.asarray(heading_deg, float)), 9)
    w.uint(second, 6)
    w.uint(0, 2)  # regional reserved
    w.uint(1, 1)  # CS unit
    w.uint(0, 1)  # no display
    w.uint(1, 1)  # DSC
    w.uint(1, 1)  # whole marine band
    w.uint(1, 1)  # accepts message 22
    w.uint(0, 1)  # autonomous mode
    w.uint(0, 1)  # RAIM
    w.uint(0, 20)  # radio status
    return w.armour()[0]


def _dimension_fields(length_m: np.ndarray, beam_m: np.ndarray) -> tuple[np.ndarray, ...]:
    """Antenna position as AIS gives it: 85 % of the length from the bow (near an aft bridge), centred."""
    length = np.rint(np.nan_to_num(np.asarray(length_m, float))).astype(np.int64)
    beam = np.rint(np.nan_to_num(np.asarray(beam_m, float))).astype(np.int64)
    to_stern = np.minimum(np.rint(length * 0.15).astype(np.int64), 511)
    to_bow = np.minimum(length - to_stern, 511)
    to_port = np.minimum(beam // 2, 63)
    to_starboard = np.minimum(beam - beam // 2, 63)
    return to_bow, to_stern, to_port, to_starboard


def type5_payloads(
    *,
    mmsi: np.ndarray,
    imo: np.ndarray,
    callsign: Sequence[str] | np.ndarray,
    name: Sequence[str] | np.ndarray,
    ship_type: np.ndarray,
    length_m: np.ndarray,
    beam_m: np.ndarray,
    eta_month: np.ndarray,
    eta_day: np.ndarray,
    eta_hour: np.ndarray,
    eta_minute: np.ndarray,
    draught_m: np.ndarray,
    destination: Sequence[str] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Type 5 (424 bits, 71 characters): the first 60 characters, the remaining 11, and fill bits (2)."""
    w = BitWriter(len(mmsi), 424)
    to_bow, to_stern, to_port, to_starboard = _dimension_fields(length_m, beam_m)
    w.uint(5, 6)
    w.uint(0, 2)
    w.uint(mmsi, 30)
    w.uint(0, 2)  # AIS version: ITU-R M.1371-1
    w.uint(imo, 30)
    w.text(callsign, 7)
    w.text(name, 20)
    w.uint(ship_type, 8)
    w.uint(to_bow, 9)
    w.uint(to_stern, 9)
    w.uint(to_port, 6)
    w.uint(to_starboard, 6)
    w.uint(1, 4)  # EPFD: GPS
    w.uint(eta_month, 4)
    w.uint(eta_day, 5)
    w.uint(eta_hour, 5)
    w.uint(eta_minute, 6)
    w.uint(np.clip(np.rint(np.asarray(draught_m, float) * 10), 0, 255).astype(np.int64), 8)
    w.text(destination, 20)
    w.uint(0, 1)  # DTE ready
    w.uint(0, 1)  # spare
    payloads, fill_bits = w.armour()
    first = np.array([p[:60] for p in payloads], dtype="U60")
    second = np.array([p[60:] for p in payloads], dtype="U11")
    return first, second, fill_bits


def type24_payloads(
    *,
    mmsi: np.ndarray,
    name: Sequence[str] | np.ndarray,
    ship_type: np.ndarray,
    callsign: Sequence[str] | np.ndarray,
    length_m: np.ndarray,
    beam_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Type 24 parts A (name) and B (type, vendor, call sign, dimensions), 168 bits each."""
    n = len(mmsi)
    a = BitWriter(n, 168)
    a.uint(24, 6)
    a.uint(0, 2)
    a.uint(mmsi, 30)
    a.uint(0, 2)  # part A
    a.text(name, 20)
    a.uint(0, 8)
    to_bow, to_stern, to_port, to_starboard = _dimension_fields(length_m, beam_m)
    b = BitWriter(n, 168)
    b.uint(24, 6)
    b.uint(0, 2)
    b.uint(mmsi, 30)
    b.uint(1, 2)  # part B
    b.uint(ship_type, 8)
    b.text(["SIM"] * n, 3)  # vendor id
    b.uint(0, 4)  # unit model
    b.uint(0, 20)  # serial number
    b.text(callsign, 7)
    b.uint(to_bow, 9)
    b.uint(to_stern, 9)
    b.uint(to_port, 6)
    b.uint(to_starboard, 6)
    b.uint(0, 6)
    return a.armour()[0], b.armour()[0]


def xor_checksums(bodies: Sequence[str] | np.ndarray) -> list[str]:
    """NMEA checksums: two upper-case hex digits, the XOR of every byte of each body."""
    if not bodies:
        return []
    encoded = [s.encode("ascii") for s in bodies]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    sums = np.zeros(len(encoded), dtype=np.uint8)
    nonempty = lengths > 0
    if nonempty.any():  # reduceat needs strictly increasing starts: empty bodies are left at 0
        sums[nonempty] = np.bitwise_xor.reduceat(data, starts[nonempty])
    return [f"{int(v):02X}" for v in sums]


def tag_block_bodies(
    receive_s: np.ndarray,
    receiver: Sequence[str] | np.ndarray,
    group: Sequence[str] | np.ndarray | None = None,
) -> list[str]:
    """NMEA 4.0 tag block contents: optional `g:` group, `s:` source, `c:` unix seconds, `i:SIMULATED`."""
    out = []
    for k, (t, rcv) in enumerate(zip(receive_s, receiver, strict=True)):
        prefix = f"g:{group[k]}," if group is not None else ""
        out.append(f"{prefix}s:{rcv},c:{int(t)},i:SIMULATED")
    return out


def nmea_lines(
    tag_bodies: Sequence[str] | np.ndarray,
    sentence_bodies: Sequence[str] | np.ndarray,
) -> list[str]:
    """`\\tag*CS\\!body*CS` lines from tag-block and sentence bodies (both without delimiters)."""
    tag_cs = xor_checksums(tag_bodies)
    sentence_cs = xor_checksums(sentence_bodies)
    return [
        f"\\{tag}*{tcs}\\!{body}*{scs}"
        for tag, tcs, body, scs in zip(tag_bodies, tag_cs, sentence_bodies, sentence_cs, strict=True)
    ]


def sentence_bodies(
    payloads: Sequence[str] | np.ndarray,
    *,
    fill_bits: int,
    channel: Sequence[str] | np.ndarray,
    fragment_count: int = 1,
    fragment_number: int = 1,
    sequence_id: Sequence[str] | np.ndarray | None = None,
) -> list[str]:
    """`AIVDM,count,number,seq,channel,payload,fill` bodies."""
    seq = sequence_id if sequence_id is not None else [""] * len(payloads)
    return [
        f"AIVDM,{fragment_count},{fragment_number},{s},{ch},{p},{fill_bits}"
        for p, ch, s in zip(payloads, channel, seq, strict=True)
    ]
