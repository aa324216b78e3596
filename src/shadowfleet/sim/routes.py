"""Sea routes between berths: shortest paths on the `searoute` sea-lane network (Eurostat MARNET).

Routes are densified to short chords so straight-line interpolation keeps speeds and distances
consistent. The network is coarse near some coasts; `route_land_fraction` measures how much of a
route crosses the ~1 km land mask, and the scenario avoids pairs that cross land.
"""

import warnings
from functools import lru_cache

import numpy as np

from shadowfleet.sim.geo import Polyline, is_land

CHORD_M = 10_000.0


@lru_cache(maxsize=512)
def sea_route(
    from_lat: float, from_lon: float, to_lat: float, to_lon: float, avoid: tuple[str, ...] = ("northwest",)
) -> Polyline:
    """The shortest sea-lane route between two points (their nearest network nodes, joined by straight legs)."""
    import searoute  # imported lazily: loading the network takes a few seconds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feature = searoute.searoute(
            [from_lon, from_lat], [to_lon, to_lat], append_orig_dest=True, restrictions=list(avoid)
        )
    coords = np.asarray(feature["geometry"]["coordinates"], dtype=float)
    if coords.ndim != 2 or len(coords) < 2:
        raise ValueError(f"no sea route from ({from_lat}, {from_lon}) to ({to_lat}, {to_lon})")
    rough = Polyline(coords[:, 1], coords[:, 0])
    lat, lon = rough.densified(CHORD_M)
    return Polyline(lat, lon)


def route_land_fraction(route: Polyline, step_m: float = 2_000.0) -> float:
    lat, lon = route.densified(step_m)
    return float(is_land(lat, lon).mean())


def longest_land_run_m(route: Polyline, step_m: float = 1_000.0) -> float:
    """The longest stretch of the route over land cells (canals, a lane cutting a cape, a bad node)."""
    lat, lon = route.densified(step_m)
    land = is_land(lat, lon).astype(np.int8)
    if not land.any():
        return 0.0
    edges = np.diff(np.concatenate([[0], land, [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return float((ends - starts).max() * step_m)
