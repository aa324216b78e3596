"""Full decoding of one AIS message of any type 1-27 into a plain dict, for analysts.

Field names follow gpsd's AIVDM documentation. Values are scaled to degrees, knots and metres;
AIS "not available" markers become None. Types 1-5, 9, 11, 18, 19, 21, 24 and 27 are decoded by the
project's own layouts (layouts.py); the rarer binary and text types go through pyais.
"""

import enum
import math
from typing import Any

from shadowfleet.ais import nmea
from shadowfleet.ais.layouts import MIN_BITS, decode_fields, decode_type21_name_ext, layout_for
from shadowfleet.ais.sixbit import payload_is_valid, payload_to_int

LAT_NA_DEG = 91.0
LON_NA_DEG = 181.0


# Type 24 part B read the old way: the 42 bits after the ship type as one 7-character vendor id.
_VENDOR_ID_42 = [("x", 48, "x"), ("vendorid", 42, "t")]


MAX_MESSAGE_ID = 27  # ITU-R M.1371 defines message IDs 1-27; 0 and 28-63 have no layout


class DecodeError(ValueError):
    """A payload that cannot be decoded; `reason` is the short machine reason used in reject rows."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def latlon_deg(raw: int, per_deg: int) -> float:
    """Raw 1/`per_deg` degree units to degrees, correctly rounded to 6 decimals.

    Rounding to 1e-6 degree is lossless (the wire step, 1/600000 degree, is larger) and identical to
    pyais, so fast and general paths and the oracle agree bit for bit.
    """
    # degrees * 1e6 = raw * 1e6 / per_deg = raw * k / 6 with k = 6e6 / per_deg (10 or 10000); + 3 // 6
    # rounds to nearest (the remainder is never exactly half).
    return ((raw * (6_000_000 // per_deg) + 3) // 6) / 1e6


def rot_deg_min(raw: int) -> float | None:
    """Rate of turn indicator to degrees per minute; None for 'not available' and the +-127 'fast turn'
    codes (no turn indicator, so no measured rate)."""
    if raw in (-128, 127, -127):
        return None
    x = raw / 4.733
    return math.copysign(x * x, raw)  # x * x, not ** 2: bit-identical to the vectorised path


def _na(value: Any, marker: Any) -> Any:
    return None if value == marker else value


def _text(value: Any) -> str | None:
    return value if value else None


def scale_fields(msg: dict[str, Any]) -> dict[str, Any]:
    """Raw integer fields -> scaled values with None for 'not available' (in place, returned)."""
    t = msg["type"]
    if "lat" in msg:
        per_deg = 600 if t == 27 else 600_000
        lat_raw, lon_raw = msg["lat"], msg["lon"]
        msg["lat"] = None if lat_raw == 91 * per_deg else latlon_deg(lat_raw, per_deg)
        msg["lon"] = None if lon_raw == 181 * per_deg else latlon_deg(lon_raw, per_deg)
    if "speed" in msg:
        if t == 27:
            msg["speed"] = _na(msg["speed"], 63) if msg["speed"] is not None else None
        elif t == 9:
            msg["speed"] = _na(msg["speed"], 1023)
        else:
            msg["speed"] = None if msg["speed"] == 1023 else msg["speed"] / 10
    if "course" in msg:
        if t == 27:
            msg["course"] = _na(msg["course"], 511)
        else:
            msg["course"] = None if msg["course"] == 3600 else msg["course"] / 10
    if "heading" in msg:
        msg["heading"] = _na(msg["heading"], 511)
    if "turn" in msg:
        msg["turn_raw"] = msg["turn"]
        msg["turn"] = rot_deg_min(msg["turn"])
    if "alt" in msg:
        msg["alt"] = _na(msg["alt"], 4095)
    if "draught" in msg:
        msg["draught"] = None if msg["draught"] == 0 else msg["draught"] / 10
    if "imo" in msg:
        msg["imo"] = _na(msg["imo"], 0)
    if "month" in msg and t == 5:
        msg["month"] = _na(msg["month"], 0)
        msg["day"] = _na(msg["day"], 0)
        msg["hour"] = _na(msg["hour"], 24)
        msg["minute"] = _na(msg["minute"], 60)
    if "shiptype" in msg:
        msg["shiptype"] = _na(msg["shiptype"], 0)
    for key in ("shipname", "callsign", "destination", "name", "vendorid"):
        if key in msg:
            msg[key] = _text(msg[key])
    return msg


def decode_payload(payload: bytes, fill_bits: int) -> dict[str, Any]:
    """Decode an armoured payload (all fragments joined) into a dict; raises DecodeError."""
    if not payload_is_valid(payload):
        raise DecodeError("bad_payload", "empty or outside the 6-bit armour alphabet")
    if not 0 <= fill_bits <= 5:
        raise DecodeError("bad_fill_bits")
    value, nbits = payload_to_int(payload, fill_bits)
    if nbits < 6:
        raise DecodeError("bad_length")
    msg_type = value >> (nbits - 6)
    if not 1 <= msg_type <= MAX_MESSAGE_ID:
        raise DecodeError("undefined_message_type", f"message ID {msg_type} is not defined by ITU-R M.1371")
    if nbits < 38:
        raise DecodeError("bad_length", f"type {msg_type}: {nbits} bits")
    layout = layout_for(msg_type, value, nbits)
    if layout is not None:
        if nbits < MIN_BITS[msg_type]:
            raise DecodeError("bad_length", f"type {msg_type}: {nbits} bits")
        msg: dict[str, Any] = decode_fields(layout, value, nbits)
        if msg_type == 21:
            # The name extension continues the name (gpsd reports them joined, as here).
            ext = decode_type21_name_ext(value, nbits)
            msg["name_ext"] = ext or None
            msg["name"] = (str(msg["name"]) + ext) if ext else msg["name"]
        elif msg_type == 24 and "vendorid" in msg:
            # Before ITU-R M.1371-4 the 42 bits after the ship type were one 7-character vendor id;
            # gpsd reports that text and the newer model / serial split of the same bits; so do we.
            full = decode_fields(_VENDOR_ID_42, value, nbits)
            msg["vendorid"] = full["vendorid"]
        return scale_fields(msg)
    if msg_type == 24:
        raise DecodeError("bad_field:partno")
    return _decode_with_pyais(payload, fill_bits, msg_type)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _decode_with_pyais(payload: bytes, fill_bits: int, msg_type: int) -> dict[str, Any]:
    import pyais

    sentence = nmea.build_sentence(payload, fill_bits)
    try:
        decoded = pyais.decode(sentence)
    except Exception as exc:  # pyais raises many types on malformed payloads
        raise DecodeError("bad_payload", f"type {msg_type}: {exc}") from exc
    raw: dict[str, Any] = decoded.asdict()
    out: dict[str, Any] = {"type": msg_type}
    for key, value in raw.items():
        if key == "msg_type" or key.startswith("spare"):
            continue
        out[key] = _plain(value)
    return out


def decode_message(sentence_or_payload: str | bytes | list[str] | list[bytes]) -> dict[str, Any]:
    """Decode one AIS message of any type 1-27.

    Accepts a bare armoured payload (`"15RTgt0PAso;90TKcjM8h6g208CQ"`), one NMEA sentence (with or
    without tag block / trailer), or the list of fragments of a multi-part message.
    Raises DecodeError (a ValueError) naming the reason when it cannot.
    """
    parts = sentence_or_payload if isinstance(sentence_or_payload, list) else [sentence_or_payload]
    raw_parts = [p.encode("latin-1") if isinstance(p, str) else p for p in parts]
    raw_parts = [p.strip() for p in raw_parts]
    if len(raw_parts) == 1 and raw_parts[0][:1] not in (b"!", b"\\", b"$"):
        return decode_payload(raw_parts[0], 0)
    payloads: list[bytes] = []
    fill = 0
    for part in raw_parts:
        parsed = nmea.parse_line(part)
        if isinstance(parsed, str):
            raise DecodeError(parsed)
        if parsed.sentence is None:
            raise DecodeError("not_ais")
        payloads.append(parsed.sentence.payload)
        fill = parsed.sentence.fill_bits
    return decode_payload(b"".join(payloads), fill)
