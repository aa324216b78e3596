"""Fictional vessel identities: names, MMSIs with a real flag MID, IMO numbers with a valid check digit.

Names are made from two invented word lists plus a number, so they read like ship names but belong to
no real vessel; `fictional_name_words()` lets tests compare them against real vessel lists.
"""

import numpy as np

# Maritime identification digits (ITU) of the flags this scenario uses, with the ISO 3166 code.
FLAG_MIDS: dict[str, tuple[int, ...]] = {
    "PA": (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373),
    "LR": (636,),
    "MH": (538,),
    "MT": (215, 229, 248, 249, 256),
    "VE": (775,),
    "IR": (422,),
    "RU": (273,),
    "CN": (412, 413, 414),
    "CM": (613,),
    "KM": (616,),
    "GA": (626,),
    "TG": (671,),
    "PW": (511,),
    "SL": (667,),
    "GR": (237, 239, 240, 241),
    "HK": (477,),
    "SG": (563, 564, 565, 566),
    "BS": (308, 309, 311),
    "CY": (209, 210, 212),
    "TR": (271,),
    "NL": (244, 245, 246),
    "CO": (730,),
    "CU": (323,),
    "NO": (257, 258, 259),
    "US": (366, 367, 368, 369),
}

MID_FLAG: dict[int, str] = {mid: flag for flag, mids in FLAG_MIDS.items() for mid in mids}

# Invented words: adjectives and nouns that make plausible but fictional ship names.
_FIRST_WORDS = (
    "AMBER", "BRASS", "CINDER", "DUSKY", "EMBER", "FERN", "GILDED", "HAZEL", "INDIGO", "JASPER",
    "KESTREL", "LILAC", "MOSSY", "NUTMEG", "OCHRE", "PEWTER", "QUARTZ", "RUSSET", "SABLE", "TAWNY",
    "UMBRA", "VELVET", "WILLOW", "XENIA", "YARROW", "ZEPHYRA", "COBALT", "MARLIN", "SORREL", "THISTLE",
)  # fmt: skip
_SECOND_WORDS = (
    "ALBATROSS", "BADGER", "CORMORANT", "DORMOUSE", "EGRET", "FALCONET", "GANNET", "HEDGEHOG", "IBEX",
    "JACKDAW", "KINGLET", "LAPWING", "MARMOT", "NUTHATCH", "OSPREYLING", "PIPIT", "QUOKKA", "REDSHANK",
    "SHREW", "TURNSTONE", "URCHIN", "VOLE", "WAGTAIL", "XERUS", "YAFFLE", "ZORILLA", "PLOVER", "STOAT",
)  # fmt: skip


def fictional_name_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return _FIRST_WORDS, _SECOND_WORDS


def fictional_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct fictional names like "RUSSET PIPIT 7" (<= 20 characters, AIS text)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        first = _FIRST_WORDS[int(rng.integers(len(_FIRST_WORDS)))]
        second = _SECOND_WORDS[int(rng.integers(len(_SECOND_WORDS)))]
        name = f"{first} {second} {int(rng.integers(1, 100))}"
        if len(name) <= 20 and name not in seen:
            seen.add(name)
            names.append(name)
    return names


def imo_check_digit(first_six: int) -> int:
    """The IMO number's seventh digit: sum of the first six digits weighted 7..2, modulo 10."""
    digits = [int(d) for d in f"{first_six:06d}"]
    return sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10


def imo_is_valid(imo: int) -> bool:
    return 1_000_000 <= imo <= 9_999_999 and imo_check_digit(imo // 10) == imo % 10


def fictional_imos(rng: np.random.Generator, count: int) -> list[int]:
    """Distinct 7-digit IMO numbers with a valid check digit, drawn from 1000000-1999999."""
    bases = rng.choice(np.arange(100_000, 200_000), size=count, replace=False)
    return [int(b) * 10 + imo_check_digit(int(b)) for b in bases]


def invalid_imo(valid_imo: int) -> int:
    """The same number with a wrong check digit."""
    return valid_imo // 10 * 10 + (valid_imo % 10 + 3) % 10


def fictional_mmsi(rng: np.random.Generator, flag: str, taken: set[int]) -> int:
    """A ship MMSI (MID + 6 digits) for `flag`, distinct from `taken`; the last digits start with 9."""
    mids = FLAG_MIDS[flag]
    while True:
        mid = mids[int(rng.integers(len(mids)))]
        mmsi = mid * 1_000_000 + 900_000 + int(rng.integers(0, 100_000))
        if mmsi not in taken:
            taken.add(mmsi)
            return mmsi


def flag_of_mmsi(mmsi: int) -> str | None:
    return MID_FLAG.get(mmsi // 1_000_000)


_CALLSIGN_PREFIX = {
    "PA": "3E", "LR": "A8", "MH": "V7", "MT": "9H", "VE": "YV", "IR": "EP", "RU": "UB", "CN": "BO",
    "CM": "TJ", "KM": "D6", "GA": "TR", "TG": "5V", "PW": "T8", "SL": "9L", "GR": "SV", "HK": "VR",
    "SG": "9V", "BS": "C6", "CY": "5B", "TR": "TC", "NL": "PD", "CO": "HK", "CU": "CL", "NO": "LA",
    "US": "WD",
}  # fmt: skip


def fictional_callsign(rng: np.random.Generator, flag: str) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(letters[int(rng.integers(len(letters)))] for _ in range(2)) + str(
        int(rng.integers(10, 99))
    )
    return (_CALLSIGN_PREFIX.get(flag, "ZZ") + tail)[:7]
