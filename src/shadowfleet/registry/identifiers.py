"""Vessel identifiers: IMO numbers (with their check digit) and MMSIs."""

import re

_IMO_RE = re.compile(r"^(?:IMO)?\s*(\d{7})$")


def imo_check_digit_ok(digits: str) -> bool:
    """True when the 7-digit string's last digit equals sum(d_i * (7 - i)) mod 10 over the first six."""
    if len(digits) != 7 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def normalise_imo(raw: str | int | None) -> str | None:
    """'IMO 9187629', '9187629' or 9187629 -> '9187629' when the check digit holds, else None."""
    if raw is None:
        return None
    text = str(raw).strip().upper().replace("IMO", "").strip()
    match = _IMO_RE.match(text)
    if not match:
        return None
    digits = match.group(1)
    return digits if imo_check_digit_ok(digits) else None


def normalise_mmsi(raw: str | int | None) -> str | None:
    """A 9-digit MMSI as a string, or None when it is not nine digits (or is all zeros)."""
    if raw is None:
        return None
    text = str(raw).strip()
    if len(text) != 9 or not text.isdigit() or set(text) == {"0"}:
        return None
    return text
