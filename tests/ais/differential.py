"""Field-by-field comparison of our position rows with pyais on the same lines (used by the tests)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyais
import pyarrow as pa
from pyais.bit_vector import bit_vector
from pyais.constants import TurnRate
from pyais.messages import MSG_CLASS

from shadowfleet.ais.decoder import NmeaDecoder

POSITION_TYPES = (1, 2, 3, 9, 18, 19, 27)
FIELDS = (
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


@dataclass
class Comparison:
    compared_rows: int
    mismatches: dict[str, int]
    examples: list[str]
    rejected_as_expected: int


def _expected_row(msg: object) -> dict[str, float | int | bool | None] | str:
    """What the lake row must hold, from pyais' decode and our documented null rules; or the reject reason."""
    t = msg.msg_type  # type: ignore[attr-defined]
    lat, lon = msg.lat, msg.lon  # type: ignore[attr-defined]
    if lat is None or lon is None or msg.speed is None or msg.course is None:  # type: ignore[attr-defined]
        return "bad_length"  # pyais leaves the fields of a truncated payload empty
    if lat != 91.0 and abs(lat) > 90:
        return "invalid_field:lat"
    if lon != 181.0 and abs(lon) > 180:
        return "invalid_field:lon"
    speed, course = msg.speed, msg.course  # type: ignore[attr-defined]
    if t == 27:
        sog = None if speed == 63 else float(speed)
        cog = None if course >= 360 else float(course)
        heading = None
    elif t == 9:  # SAR aircraft: whole knots, no heading
        sog = None if speed == 1023 else float(speed)
        cog = None if course >= 360 else float(course)
        heading = None
    else:
        sog = None if speed == 102.3 else float(speed)
        cog = None if course >= 360 else float(course)
        h = msg.heading  # type: ignore[attr-defined]
        heading = None if h >= 360 else float(h)
    turn = getattr(msg, "turn", None)
    rot = None if turn is None or isinstance(turn, TurnRate) else float(turn)
    status = getattr(msg, "status", None)
    nav = None if status is None or int(status) == 15 else int(status)
    return {
        "mmsi": int(msg.mmsi),  # type: ignore[attr-defined]
        "msg_type": t,
        "lat": None if lat == 91.0 else lat,
        "lon": None if lon == 181.0 else lon,
        "sog_kn": sog,
        "cog_deg": cog,
        "heading_deg": heading,
        "rot_deg_min": rot,
        "nav_status": nav,
        "accuracy": bool(msg.accuracy),  # type: ignore[attr-defined]
    }


def _pyais_payload_decode(line: bytes) -> object:
    """pyais on the payload bits only (skips its NMEA layer; used for generated, well-framed lines)."""
    fields = line.split(b"*", 1)[0].split(b",")
    payload, fill = fields[5], int(fields[6])
    bv = bit_vector(payload, fill)
    msg_type = (payload[0] - 48) - (8 if payload[0] > 87 else 0)
    return MSG_CLASS[msg_type].from_vector(bv)


def compare_with_pyais(
    lines: Sequence[bytes], chunk: int = 100_000, *, payload_only: bool = False
) -> Comparison:
    """Decode single-line position reports with both decoders and compare every lake field.

    payload_only: let pyais decode only the payload bits (about twice as fast; the framing of generated
    lines is ours by construction and tested on the real corpora)."""
    oracle = _pyais_payload_decode if payload_only else pyais.decode
    mismatches = dict.fromkeys(FIELDS, 0)
    examples: list[str] = []
    compared = rejected_ok = 0
    for start in range(0, len(lines), chunk):
        part = lines[start : start + chunk]
        dec = NmeaDecoder("diff")
        result = dec.feed(part, 1)
        rejected = dict(
            zip(
                result.rejects.column("line_no").to_pylist(),
                result.rejects.column("reason").to_pylist(),
                strict=True,
            )
        )
        expected_rows: list[dict[str, float | int | bool | None]] = []
        for i, line in enumerate(part, start=1):
            try:
                msg = oracle(line)
            except Exception:
                assert i in rejected, f"pyais cannot decode {line!r} but we did"
                continue
            if msg.msg_type not in POSITION_TYPES:
                continue
            if i in rejected and rejected[i] in FRAMING_REASONS and framing_is_bad(line):
                rejected_ok += 1  # pyais does not check checksums; we reject such lines
                continue
            exp = "bad_length" if _payload_bits(line) < MIN_BITS[msg.msg_type] else _expected_row(msg)
            if isinstance(exp, str):
                if rejected.get(i) != exp:
                    mismatches["msg_type"] += 1
                    examples.append(f"{line!r}: expected reject {exp}, got {rejected.get(i)}")
                else:
                    rejected_ok += 1
                continue
            if i in rejected:
                mismatches["msg_type"] += 1
                examples.append(f"{line!r}: rejected {rejected[i]} but pyais decodes it")
                continue
            expected_rows.append(exp)
        ours = result.positions
        if ours.num_rows != len(expected_rows):
            raise AssertionError(f"row count {ours.num_rows} != expected {len(expected_rows)}")
        compared += ours.num_rows
        for name in FIELDS:
            got = ours.column(name).to_numpy(zero_copy_only=False)
            exp_col = pa.array([r[name] for r in expected_rows], type=ours.schema.field(name).type)
            want = exp_col.to_numpy(zero_copy_only=False)
            if name == "rot_deg_min":
                got = np.round(got.astype(np.float64))  # pyais rounds the rate of turn to whole degrees
            if got.dtype == object or want.dtype == object:
                bad = np.array([not _same(a, b) for a, b in zip(got, want, strict=True)], dtype=bool)
            else:
                g, w = got.astype(np.float64), want.astype(np.float64)
                bad = ~((g == w) | (np.isnan(g) & np.isnan(w)))
            mismatches[name] += int(bad.sum())
            for j in np.flatnonzero(bad)[:3]:
                examples.append(f"{name}: ours {got[j]!r} pyais {want[j]!r} row {j}")
    return Comparison(compared, mismatches, examples, rejected_ok)


# Fewest payload bits we accept per position type: every field up to the radio/communication state.
MIN_BITS = {1: 149, 2: 149, 3: 149, 9: 148, 18: 148, 19: 308, 27: 96}


def _payload_bits(line: bytes) -> int:
    fields = line.rsplit(b"\\", 1)[-1].split(b"*")[0].split(b",")
    return 6 * len(fields[5]) - int(fields[6] or b"0")


FRAMING_REASONS = ("bad_checksum", "bad_tag_block", "truncated")


def _xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def framing_is_bad(line: bytes) -> bool:
    """Independent check: the tag block or the sentence lacks a valid two-digit checksum."""
    rest = line
    if line.startswith(b"\\"):
        tag, _, rest = line[1:].partition(b"\\")
        body, star, cs = tag.rpartition(b"*")
        if star and (len(cs) != 2 or _xor(body) != int(cs, 16)):
            return True
    body, star, tail = rest[1:].partition(b"*")
    cs = tail[:2]
    try:
        return not star or len(cs) != 2 or _xor(body) != int(cs, 16)
    except ValueError:
        return True


def _same(a: object, b: object) -> bool:
    a_null = a is None or (isinstance(a, float) and np.isnan(a))
    b_null = b is None or (isinstance(b, float) and np.isnan(b))
    if a_null or b_null:
        return a_null and b_null
    return a == b
