"""The AIS 6-bit payload armour: characters to bit values, bit fields, 6-bit text."""

import numpy as np

# Payload character -> 6-bit value, -1 for a character that is not part of the armour alphabet
# ('0'..'W' carry 0..39, '`'..'w' carry 40..63).
ARMOUR_VALUE = np.full(256, -1, dtype=np.int16)
for _c in range(48, 88):
    ARMOUR_VALUE[_c] = _c - 48
for _c in range(96, 120):
    ARMOUR_VALUE[_c] = _c - 56

_VALID = bytes(c for c in range(256) if ARMOUR_VALUE[c] >= 0)
# Each 6-bit value is two octal digits: translate tables for the high and the low digit.
_HI_OCTAL = bytes((48 + (int(ARMOUR_VALUE[c]) >> 3)) if ARMOUR_VALUE[c] >= 0 else 48 for c in range(256))
_LO_OCTAL = bytes((48 + (int(ARMOUR_VALUE[c]) & 7)) if ARMOUR_VALUE[c] >= 0 else 48 for c in range(256))

# 6-bit value -> text character: 0..31 are '@'..'_', 32..63 are ' '..'?'.
SIXBIT_CHARS = "".join(chr(v + 64) if v < 32 else chr(v) for v in range(64))

_OCTAL_PAIR_CHAR = {format(v, "02o").encode(): ord(SIXBIT_CHARS[v]) for v in range(64)}

# Value -> armour character, used by the encoder.
ARMOUR_CHARS = bytes(c for c in range(256) if ARMOUR_VALUE[c] >= 0)


def payload_is_valid(payload: bytes) -> bool:
    return bool(payload) and not payload.translate(None, _VALID)


def payload_to_int(payload: bytes, fill_bits: int) -> tuple[int, int]:
    """The payload as one unsigned integer (first bit most significant) and its bit count."""
    nbits = 6 * len(payload) - fill_bits
    octal = bytearray(2 * len(payload))
    octal[0::2] = payload.translate(_HI_OCTAL)
    octal[1::2] = payload.translate(_LO_OCTAL)
    return int(octal, 8) >> fill_bits, nbits


def sixbit_text(value: int, nchars: int) -> str:
    """Decode `nchars` 6-bit characters packed in `value` (first character most significant).

    The text ends at the first '@' (the padding character); trailing spaces are stripped.
    """
    octal = format(value, "o").rjust(2 * nchars, "0").encode()
    text = bytes(_OCTAL_PAIR_CHAR[octal[i : i + 2]] for i in range(0, 2 * nchars, 2)).decode("ascii")
    at = text.find("@")
    if at >= 0:
        text = text[:at]
    return text.rstrip(" ")
