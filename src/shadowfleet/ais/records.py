"""From decoded messages to lake rows: which types become positions and statics, and the null rules.

positions: types 1, 2, 3 (Class A), 9 (SAR aircraft), 18, 19 (Class B), 27 (long range).
statics:   types 5 (Class A static and voyage), 19 (Class B extended), 24 A and B (Class B static).
Base stations (4, 11) and aids to navigation (21) are decoded and counted but kept out of both tables:
they are fixed stations, not vessels (decode_message still returns them in full).
"""

from datetime import UTC, datetime
from typing import Any

POSITION_TYPES = frozenset({1, 2, 3, 9, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})

NAV_STATUS_NOT_DEFINED = 15


class RowRejected(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def position_values(msg: dict[str, Any], nulled: dict[str, int]) -> dict[str, Any]:
    """The POSITION_SCHEMA values a decoded message carries (without ts/source columns).

    A latitude or longitude outside the Earth rejects the message (RowRejected); other impossible values
    (course over 360, heading 360-510) become null and are counted in `nulled`.
    """
    lat, lon = msg.get("lat"), msg.get("lon")
    if lat is not None and not -90.0 <= lat <= 90.0:
        raise RowRejected("invalid_field:lat")
    if lon is not None and not -180.0 <= lon <= 180.0:
        raise RowRejected("invalid_field:lon")
    cog = msg.get("course")
    if cog is not None and cog >= 360.0:
        nulled["cog_deg"] = nulled.get("cog_deg", 0) + 1
        cog = None
    heading = msg.get("heading")
    if heading is not None and heading >= 360:
        nulled["heading_deg"] = nulled.get("heading_deg", 0) + 1
        heading = None
    status = msg.get("status")
    if status == NAV_STATUS_NOT_DEFINED:
        status = None
    speed = msg.get("speed")
    return {
        "mmsi": msg["mmsi"],
        "lat": lat,
        "lon": lon,
        "sog_kn": float(speed) if speed is not None else None,
        "cog_deg": float(cog) if cog is not None else None,
        "heading_deg": float(heading) if heading is not None else None,
        "rot_deg_min": msg.get("turn"),
        "nav_status": status,
        "accuracy": msg.get("accuracy"),
        "msg_type": msg["type"],
    }


def _sum_positive(a: int | None, b: int | None) -> float | None:
    total = (a or 0) + (b or 0)
    return float(total) if total > 0 else None


def eta_near(ts_us: int, month: int, day: int, hour: int, minute: int) -> int | None:
    """AIS ETA (no year) as epoch microseconds, in the year that puts it nearest the report time."""
    report = datetime.fromtimestamp(ts_us / 1_000_000, tz=UTC)
    best: int | None = None
    for year in (report.year - 1, report.year, report.year + 1):
        try:
            candidate = datetime(year, month, day, hour, minute, tzinfo=UTC)
        except ValueError:
            continue
        us = round(candidate.timestamp() * 1_000_000)
        if best is None or abs(us - ts_us) < abs(best - ts_us):
            best = us
    return best


def static_values(msg: dict[str, Any], ts_us: int, nulled: dict[str, int]) -> dict[str, Any]:
    """The STATIC_SCHEMA values of a type 5, 19 or 24 message (without ts/source columns)."""
    eta = None
    if msg["type"] == 5:
        parts = (msg.get("month"), msg.get("day"), msg.get("hour"), msg.get("minute"))
        if all(p is not None for p in parts):
            month, day, hour, minute = (int(p) for p in parts)  # type: ignore[arg-type]
            if 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60:
                eta = eta_near(ts_us, month, day, hour, minute)
            if eta is None:
                nulled["eta"] = nulled.get("eta", 0) + 1
    has_dims = "to_bow" in msg
    return {
        "mmsi": msg["mmsi"],
        "imo": msg.get("imo"),
        "name": msg.get("shipname"),
        "callsign": msg.get("callsign"),
        "ship_type": msg.get("shiptype"),
        "length_m": _sum_positive(msg.get("to_bow"), msg.get("to_stern")) if has_dims else None,
        "beam_m": _sum_positive(msg.get("to_port"), msg.get("to_starboard")) if has_dims else None,
        "draught_m": msg.get("draught"),
        "destination": msg.get("destination"),
        "eta": eta,
        "msg_type": msg["type"],
    }
