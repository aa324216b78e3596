"""Real ports for the scenario, read from the `searoute` package's port list, with a berth at sea nearby.

Port points in gazetteers are often on the shore or in town. A simulated ship moors at a "berth": the
nearest point within `BERTH_MAX_M` of the port point whose surroundings are water on the ~1 km land
mask, so its reported positions never fall on land while it stays within a port-call geofence.
"""

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from shadowfleet.sim.geo import nearest_water

BERTH_MAX_M = 2_500.0


@dataclass(frozen=True)
class Port:
    locode: str
    name: str
    country: str
    lat: float
    lon: float
    berth_lat: float
    berth_lon: float
    venezuelan_terminal: bool = False


# Venezuelan crude and fuel terminals (UN/LOCODE from the searoute list).
VENEZUELAN_TERMINALS = ("VEAMY", "VEPCN", "VEELP", "VEBJV", "VEMAR", "VEGUT", "VEETV", "VEPBL")
# Terminals positioned as the World Port Index gives them: missing from the searoute list (Jose,
# Puerto la Cruz), or listed there at a point with no water within BERTH_MAX_M (Amuay).
EXTRA_TERMINALS: dict[str, tuple[str, float, float]] = {
    "VEJOT": ("Jose Terminal", 10.1, -64.85),
    "VEPLC": ("Puerto la Cruz", 10.25, -64.633333),
    "VEAMY": ("Amuay", 11.75, -70.233333),
}
CHINA_PORTS = ("CNTAO", "CNDLC", "CNNGB", "CNZOS", "CNRZH")
RUSSIA_TURKEY_PORTS = ("RUNVS", "RUTUA", "TRALI", "TRIZT", "TRMER")
IRAN_PORTS = ("IRBND", "IRBKM")
CARIBBEAN_PORTS = (
    "USHOU", "USCRP", "USMSY", "MXVER", "MXCOA", "COCTG", "COSMR", "COBAQ", "JMKIN", "PACTB", "CWWIL",
    "AWAUA", "TTPOS", "TTPTS", "DOSDQ", "DOHAI", "PRSJU", "BSFPO", "CUHAV", "CUCFG", "CUMAR", "BBBGI",
    "GYGEO",
)  # fmt: skip
CUBA_PORTS = ("CUHAV", "CUCFG", "CUMAR")


@lru_cache(maxsize=1)
def searoute_ports() -> dict[str, dict[str, Any]]:
    """UN/LOCODE -> {name, country, lat, lon} from the port list shipped in the `searoute` package."""
    text = resources.files("searoute").joinpath("data/ports.geojson").read_text(encoding="utf-8")
    out: dict[str, dict[str, Any]] = {}
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        out[props["port"]] = {
            "name": props["name"],
            "country": str(props["cty"]).replace("_", " "),
            "lat": float(lat),
            "lon": float(lon),
        }
    return out


@cache
def port(locode: str) -> Port | None:
    """The port with its berth, or None when the code is unknown or no water is near the port point."""
    if locode in EXTRA_TERMINALS:
        name, lat, lon = EXTRA_TERMINALS[locode]
        country = "Venezuela"
    else:
        entry = searoute_ports().get(locode)
        if entry is None:
            return None
        name, country, lat, lon = entry["name"], entry["country"], entry["lat"], entry["lon"]
    berth = nearest_water(lat, lon, BERTH_MAX_M)
    if berth is None:
        return None
    terminal = locode in VENEZUELAN_TERMINALS or locode in EXTRA_TERMINALS
    return Port(locode, name, country, lat, lon, berth[0], berth[1], terminal)


def ports(locodes: tuple[str, ...]) -> list[Port]:
    """The usable ports among `locodes`, in the given order."""
    return [p for p in (port(code) for code in locodes) if p is not None]


def venezuelan_terminals() -> list[Port]:
    extra = tuple(code for code in EXTRA_TERMINALS if code not in VENEZUELAN_TERMINALS)
    return ports(VENEZUELAN_TERMINALS + extra)
