"""Bit layouts of the AIS message types the project reads itself, as data: (name, width, kind).

Kinds: "u" unsigned, "i" signed (two's complement), "b" flag, "t" 6-bit text (width a multiple of 6),
"x" spare (skipped). Layouts follow ITU-R M.1371 as documented in gpsd's AIVDM.adoc.
Types not listed here are decoded with pyais (see messages.py).
"""

from shadowfleet.ais.sixbit import payload_to_int, sixbit_text

Field = tuple[str, int, str]

_HEAD: list[Field] = [("type", 6, "u"), ("repeat", 2, "u"), ("mmsi", 30, "u")]
_DIMS: list[Field] = [("to_bow", 9, "u"), ("to_stern", 9, "u"), ("to_port", 6, "u"), ("to_starboard", 6, "u")]

_CLASS_A: list[Field] = [
    *_HEAD,
    ("status", 4, "u"),
    ("turn", 8, "i"),
    ("speed", 10, "u"),
    ("accuracy", 1, "b"),
    ("lon", 28, "i"),
    ("lat", 27, "i"),
    ("course", 12, "u"),
    ("heading", 9, "u"),
    ("second", 6, "u"),
    ("maneuver", 2, "u"),
    ("spare", 3, "x"),
    ("raim", 1, "b"),
    ("radio", 19, "u"),
]

_BASE_STATION: list[Field] = [
    *_HEAD,
    ("year", 14, "u"),
    ("month", 4, "u"),
    ("day", 5, "u"),
    ("hour", 5, "u"),
    ("minute", 6, "u"),
    ("second", 6, "u"),
    ("accuracy", 1, "b"),
    ("lon", 28, "i"),
    ("lat", 27, "i"),
    ("epfd", 4, "u"),
    ("spare", 10, "x"),
    ("raim", 1, "b"),
    ("radio", 19, "u"),
]

LAYOUTS: dict[int, list[Field]] = {
    1: _CLASS_A,
    2: _CLASS_A,
    3: _CLASS_A,
    4: _BASE_STATION,
    11: _BASE_STATION,
    5: [
        *_HEAD,
        ("ais_version", 2, "u"),
        ("imo", 30, "u"),
        ("callsign", 42, "t"),
        ("shipname", 120, "t"),
        ("shiptype", 8, "u"),
        *_DIMS,
        ("epfd", 4, "u"),
        ("month", 4, "u"),
        ("day", 5, "u"),
        ("hour", 5, "u"),
        ("minute", 6, "u"),
        ("draught", 8, "u"),
        ("destination", 120, "t"),
        ("dte", 1, "b"),
        ("spare", 1, "x"),
    ],
    9: [
        *_HEAD,
        ("alt", 12, "u"),
        ("speed", 10, "u"),
        ("accuracy", 1, "b"),
        ("lon", 28, "i"),
        ("lat", 27, "i"),
        ("course", 12, "u"),
        ("second", 6, "u"),
        ("regional", 8, "u"),
        ("dte", 1, "b"),
        ("spare", 3, "x"),
        ("assigned", 1, "b"),
        ("raim", 1, "b"),
        ("radio", 20, "u"),
    ],
    18: [
        *_HEAD,
        ("reserved", 8, "u"),
        ("speed", 10, "u"),
        ("accuracy", 1, "b"),
        ("lon", 28, "i"),
        ("lat", 27, "i"),
        ("course", 12, "u"),
        ("heading", 9, "u"),
        ("second", 6, "u"),
        ("regional", 2, "u"),
        ("cs", 1, "b"),
        ("display", 1, "b"),
        ("dsc", 1, "b"),
        ("band", 1, "b"),
        ("msg22", 1, "b"),
        ("assigned", 1, "b"),
        ("raim", 1, "b"),
        ("radio", 20, "u"),
    ],
    19: [
        *_HEAD,
        ("reserved", 8, "u"),
        ("speed", 10, "u"),
        ("accuracy", 1, "b"),
        ("lon", 28, "i"),
        ("lat", 27, "i"),
        ("course", 12, "u"),
        ("heading", 9, "u"),
        ("second", 6, "u"),
        ("regional", 4, "u"),
        ("shipname", 120, "t"),
        ("shiptype", 8, "u"),
        *_DIMS,
        ("epfd", 4, "u"),
        ("raim", 1, "b"),
        ("dte", 1, "b"),
        ("assigned", 1, "b"),
        ("spare", 4, "x"),
    ],
    21: [
        *_HEAD,
        ("aid_type", 5, "u"),
        ("name", 120, "t"),
        ("accuracy", 1, "b"),
        ("lon", 28, "i"),
        ("lat", 27, "i"),
        *_DIMS,
        ("epfd", 4, "u"),
        ("second", 6, "u"),
        ("off_position", 1, "b"),
        ("regional", 8, "u"),
        ("raim", 1, "b"),
        ("virtual_aid", 1, "b"),
        ("assigned", 1, "b"),
        ("spare", 1, "x"),
    ],
    27: [
        *_HEAD,
        ("accuracy", 1, "b"),
        ("raim", 1, "b"),
        ("status", 4, "u"),
        ("lon", 18, "i"),
        ("lat", 17, "i"),
        ("speed", 6, "u"),
        ("course", 9, "u"),
        ("gnss", 1, "b"),
        ("spare", 1, "x"),
    ],
}

_TYPE24_A: list[Field] = [*_HEAD, ("partno", 2, "u"), ("shipname", 120, "t")]
_TYPE24_B: list[Field] = [
    *_HEAD,
    ("partno", 2, "u"),
    ("shiptype", 8, "u"),
    ("vendorid", 18, "t"),
    ("model", 4, "u"),
    ("serial", 20, "u"),
    ("callsign", 42, "t"),
    *_DIMS,
    ("spare", 6, "x"),
]
_TYPE24_B_AUX: list[Field] = [*_TYPE24_B[:9], ("mothership_mmsi", 30, "u"), ("spare", 6, "x")]

# The fewest bits a message of each type may have and still be decoded; shorter ones are rejected
# ("bad_length"). Missing trailing bits above this count read as zero (some transmitters cut spares).
MIN_BITS: dict[int, int] = {1: 149, 2: 149, 3: 149, 4: 149, 11: 149, 5: 420, 9: 148, 18: 148, 19: 308}
MIN_BITS.update({21: 268, 24: 160, 27: 96})


_LAYOUT_BITS: dict[int, int] = {}  # by id(): layouts are module-level constants, never freed


def layout_bits(layout: list[Field]) -> int:
    key = id(layout)
    bits = _LAYOUT_BITS.get(key)
    if bits is None:
        bits = _LAYOUT_BITS[key] = sum(width for _, width, _ in layout)
    return bits


def is_auxiliary_mmsi(mmsi: int) -> bool:
    """Craft associated with a mother ship: MMSI 98MIDXXXX (type 24 part B then carries her MMSI)."""
    return 980_000_000 <= mmsi < 990_000_000


def layout_for(msg_type: int, value: int, nbits: int) -> list[Field] | None:
    if msg_type == 24:
        partno = (value >> (nbits - 40)) & 3 if nbits >= 40 else -1
        if partno == 0:
            return _TYPE24_A
        if partno == 1:
            mmsi = (value >> (nbits - 38)) & 0x3FFFFFFF
            return _TYPE24_B_AUX if is_auxiliary_mmsi(mmsi) else _TYPE24_B
        return None
    return LAYOUTS.get(msg_type)


def decode_fields(layout: list[Field], value: int, nbits: int) -> dict[str, int | bool | str]:
    """Raw field values (integers, flags, text) of a payload held as one integer of `nbits` bits.

    A message cut short (never below MIN_BITS) reads like gpsd: a field cut by the end of the payload is
    the number its remaining bits make (text: its complete characters); fields past the end read 0 / "".
    """
    out: dict[str, int | bool | str] = {}
    start = 0
    for name, width, kind in layout:
        end = start + width
        if end <= nbits:
            raw = (value >> (nbits - end)) & ((1 << width) - 1)
        elif start < nbits:
            width = nbits - start
            if kind == "t":
                width -= width % 6
            raw = (value >> (nbits - start - width)) & ((1 << width) - 1)
        else:
            raw, width = 0, 0
        start = end
        if kind == "x":
            continue
        if kind == "u":
            out[name] = raw
        elif kind == "i":
            out[name] = raw - (1 << width) if width and raw >> (width - 1) else raw
        elif kind == "b":
            out[name] = bool(raw)
        else:
            out[name] = sixbit_text(raw, width // 6)
    return out


def decode_type21_name_ext(value: int, nbits: int) -> str:
    """Type 21 may carry up to 14 more name characters after bit 272."""
    extra_chars = max(0, nbits - 272) // 6
    if extra_chars == 0:
        return ""
    rest = (value >> (nbits - 272 - 6 * extra_chars)) & ((1 << (6 * extra_chars)) - 1)
    return sixbit_text(rest, extra_chars)


__all__ = ["LAYOUTS", "MIN_BITS", "decode_fields", "layout_for", "payload_to_int"]
