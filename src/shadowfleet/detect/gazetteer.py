"""The port gazetteer as plain arrays: ports, and the points (port positions, anchorages) that belong to them.

Loading from files lives in `shadowfleet.geodata.ports`; this module only holds and queries the data.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from shadowfleet.detect.geo import haversine_m
from shadowfleet.detect.spatial import RadiusIndex

# Venezuelan oil terminals that the sanctions reporting names; matched against gazetteer port names.
VENEZUELAN_TERMINAL_PATTERNS = (
    r"\bJOSE\b",
    r"PUERTO LA CRUZ",
    r"GUARAGUAO",
    r"AMUAY",
    r"PUNTA CARDON",
    r"CARDON",
    r"EL PALITO",
    r"BAJO GRANDE",
    r"LA SALINA",
    r"PUNTA DE PALMAS",
    r"EL TABLAZO",
    r"PUERTO MIRANDA",
    r"LAS PIEDRAS",
    r"GUARANAO",
    r"CARIPITO",
    r"PERTIGALETE",
    r"GUANTA",
)


def is_venezuelan_terminal(name: str, country: str) -> bool:
    if country.upper() not in ("VE", "VEN"):
        return False
    upper = name.upper()
    return any(re.search(p, upper) for p in VENEZUELAN_TERMINAL_PATTERNS)


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Ports (one row each) and their points. `point_port[k]` is the port index of point k."""

    port_id: np.ndarray  # str
    port_name: np.ndarray  # str
    port_country: np.ndarray  # str, ISO 3166 alpha-2 where known
    port_lat: np.ndarray
    port_lon: np.ndarray
    port_is_ve_terminal: np.ndarray  # bool
    point_lat: np.ndarray
    point_lon: np.ndarray
    point_port: np.ndarray
    source: str = ""
    _indexes: dict[float, RadiusIndex] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.port_id)
        for name in ("port_name", "port_country", "port_lat", "port_lon", "port_is_ve_terminal"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"gazetteer column {name} has {len(getattr(self, name))} rows, expected {n}")
        if len(self.point_lat) != len(self.point_lon) or len(self.point_lat) != len(self.point_port):
            raise ValueError("gazetteer point columns differ in length")
        if len(self.point_port) and (self.point_port.min() < 0 or self.point_port.max() >= n):
            raise ValueError("gazetteer point refers to a port that does not exist")

    @property
    def n_ports(self) -> int:
        return len(self.port_id)

    def index(self, radius_m: float) -> RadiusIndex:
        """The radius index over the points, built once per radius and kept with this gazetteer."""
        if radius_m not in self._indexes:
            self._indexes[radius_m] = RadiusIndex.build(self.point_lat, self.point_lon, radius_m)
        return self._indexes[radius_m]

    def nearest_port(
        self, lat: np.ndarray, lon: np.ndarray, radius_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Port index of the nearest point within radius_m of each position (-1 if none), and distance_m."""
        pt, d = self.index(float(radius_m)).nearest(lat, lon)
        port = np.where(pt >= 0, self.point_port[np.maximum(pt, 0)], -1)
        return port, d

    def terminals(self) -> np.ndarray:
        """Indices of the Venezuelan terminal ports."""
        return np.flatnonzero(self.port_is_ve_terminal)

    def distance_to_ports_m(self, lat: np.ndarray, lon: np.ndarray, ports: np.ndarray) -> np.ndarray:
        """Distance matrix (n positions x len(ports)) in metres; for small port sets."""
        return haversine_m(
            np.asarray(lat)[:, None],
            np.asarray(lon)[:, None],
            self.port_lat[ports][None, :],
            self.port_lon[ports][None, :],
        )


def gazetteer_from_points(
    names: list[str],
    countries: list[str],
    lat: np.ndarray,
    lon: np.ndarray,
    ids: list[str] | None = None,
    source: str = "",
) -> Gazetteer:
    """Group named points into ports: points with the same (country, normalised name) are one port.

    The port's position is the mean of its points; its id is `COUNTRY-NAME` (or the given id of its first point).
    """
    keys = [c.upper() + "|" + " ".join(n.upper().split()) for n, c in zip(names, countries, strict=True)]
    uniq, first, inv = np.unique(np.array(keys, dtype=object), return_index=True, return_inverse=True)
    n = len(uniq)
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    from shadowfleet.detect.geo import group_mean_position

    plat, plon = group_mean_position(inv, lat, lon, n)
    port_name = np.array([names[i].strip() for i in first], dtype=object)
    port_country = np.array([countries[i].upper() for i in first], dtype=object)
    if ids is not None:
        port_id = np.array([ids[i] for i in first], dtype=object)
    else:
        port_id = np.array(
            [
                f"{c}-{re.sub(r'[^A-Z0-9]+', '-', nm.upper()).strip('-')}"
                for c, nm in zip(port_country, port_name, strict=True)
            ],
            dtype=object,
        )
    ve = np.array(
        [is_venezuelan_terminal(nm, c) for nm, c in zip(port_name, port_country, strict=True)], dtype=bool
    )
    return Gazetteer(
        port_id=port_id,
        port_name=port_name,
        port_country=port_country,
        port_lat=plat,
        port_lon=plon,
        port_is_ve_terminal=ve,
        point_lat=lat,
        point_lon=lon,
        point_port=inv.astype(np.int64),
        source=source,
    )
