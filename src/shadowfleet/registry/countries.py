"""ISO 3166-1 alpha-2 country codes (lower case, as FollowTheMoney stores them) and name lookup."""

import json
import re
from functools import cache
from importlib import resources

from unidecode import unidecode

# Spellings used by sanctions lists that differ from the English names in countries.json.
_ALIASES = {
    "russia": "ru",
    "iran": "ir",
    "syria": "sy",
    "vietnam": "vn",
    "turkey": "tr",
    "turkiye": "tr",
    "burma": "mm",
    "democratic peoples republic of korea": "kp",
    "north korea": "kp",
    "korea north": "kp",
    "south korea": "kr",
    "republic of korea": "kr",
    "korea south": "kr",
    "st kitts and nevis": "kn",
    "saint kitts and nevis": "kn",
    "st vincent and the grenadines": "vc",
    "saint vincent and the grenadines": "vc",
    "st lucia": "lc",
    "antigua and barbuda": "ag",
    "sao tome and principe": "st",
    "trinidad and tobago": "tt",
    "bosnia and herzegovina": "ba",
    "hong kong": "hk",
    "macau": "mo",
    "british virgin islands": "vg",
    "virgin islands british": "vg",
    "united states": "us",
    "united kingdom": "gb",
    "congo democratic republic of the": "cd",
    "congo republic of the": "cg",
    "cote divoire": "ci",
    "ivory coast": "ci",
    "czech republic": "cz",
    "laos": "la",
    "bolivia": "bo",
    "tanzania": "tz",
    "moldova": "md",
    "venezuela": "ve",
}


@cache
def country_names() -> dict[str, str]:
    """code -> English name."""
    text = resources.files("shadowfleet.registry").joinpath("countries.json").read_text("utf-8")
    return dict(json.loads(text))


def _key(name: str) -> str:
    text = unidecode(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z ]+", "", text)
    return " ".join(text.split())


@cache
def _by_name() -> dict[str, str]:
    table = {_key(name): code for code, name in country_names().items()}
    table.update(_ALIASES)
    return table


def is_country_code(code: str) -> bool:
    return code.lower() in country_names()


def country_code(name_or_code: str) -> str | None:
    """'Iran', 'IR', 'St. Kitts & Nevis' -> 'ir', 'ir', 'kn'; None when unknown (or 'None Identified')."""
    text = name_or_code.strip()
    if len(text) == 2 and is_country_code(text):
        return text.lower()
    return _by_name().get(_key(text))
