"""Text values of CSV exports (Danish Maritime Authority) mapped to AIS codes."""

import re

NAV_STATUS_CODES: dict[str, int] = {
    "under way using engine": 0,
    "at anchor": 1,
    "not under command": 2,
    "restricted maneuverability": 3,
    "constrained by her draught": 4,
    "moored": 5,
    "aground": 6,
    "engaged in fishing": 7,
    "under way sailing": 8,
    "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13,
    "ais-sart is active": 14,
}

# First digit (and for some, the second) of the AIS ship-and-cargo type code.
SHIP_TYPE_CODES: dict[str, int] = {
    "wig": 20,
    "fishing": 30,
    "towing": 31,
    "towing long/wide": 32,
    "dredging": 33,
    "diving": 34,
    "military": 35,
    "sailing": 36,
    "pleasure": 37,
    "hsc": 40,
    "pilot": 50,
    "sar": 51,
    "tug": 52,
    "port tender": 53,
    "anti-pollution": 54,
    "law enforcement": 55,
    "medical": 58,
    "not party to conflict": 59,
    "passenger": 60,
    "cargo": 70,
    "tanker": 80,
    "other": 90,
}

# Hazard category of the cargo: second digit for types 2x, 4x, 6x, 7x, 8x, 9x.
CARGO_CATEGORY_DIGIT = {"category x": 1, "category y": 2, "category z": 3, "category os": 4}
_HAZARD_FAMILIES = {20, 40, 60, 70, 80, 90}


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return text.replace("manoeuverability", "maneuverability").replace("manoeuvrability", "maneuverability")


def nav_status_code(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    return NAV_STATUS_CODES.get(_norm(text))


def ship_type_code(ship_type: object, cargo_type: object = None) -> int | None:
    """DMA ship type text (and cargo category text) -> AIS ship-and-cargo type code; None if unknown."""
    if not isinstance(ship_type, str):
        return None
    code = SHIP_TYPE_CODES.get(_norm(ship_type))
    if code is None:
        return None
    if code in _HAZARD_FAMILIES and isinstance(cargo_type, str):
        code += CARGO_CATEGORY_DIGIT.get(_norm(cargo_type), 0)
    return code
