"""Load land polygons and coastline vertices from Natural Earth TopoJSON (npm `world-atlas`, land-*.json).

TopoJSON stores shared arcs, delta-encoded integers with a scale/translate transform; rings list arc
indices (a negative index ~i means arc i reversed).
"""

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from shadowfleet.detect.shore import Shore


class LandDataError(ValueError):
    pass


def _decode_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=np.float64)
        if transform:
            a = np.cumsum(a, axis=0) * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
        arcs.append(a[:, :2])
    return arcs


def _ring(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    parts = []
    for k, r in enumerate(refs):
        a = arcs[r] if r >= 0 else arcs[~r][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts)


def load_shore(path: Path) -> Shore:
    """Read a TopoJSON land file into a Shore (coast vertices + land multipolygon)."""
    try:
        topo = json.loads(Path(path).read_text(encoding="utf-8"))
        arcs = _decode_arcs(topo)
        geoms = next(iter(topo["objects"].values()))["geometries"]
    except (OSError, json.JSONDecodeError, KeyError, StopIteration) as exc:
        raise LandDataError(f"{path}: not a readable TopoJSON land file ({exc})") from exc
    polygons = []
    for g in geoms:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]] if g["type"] == "Polygon" else []
        for poly in polys:
            rings = [_ring(arcs, refs) for refs in poly]
            if len(rings[0]) >= 4:
                polygons.append(shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
    land = shapely.MultiPolygon(polygons) if polygons else None
    coast = np.concatenate(arcs) if arcs else np.zeros((0, 2))
    # arcs along the antimeridian and the south pole cut are not coastline
    real = (np.abs(coast[:, 0]) < 179.999) & (coast[:, 1] > -89.9)
    coast = np.unique(np.round(coast[real], 5), axis=0)
    return Shore(coast_lat=coast[:, 1].copy(), coast_lon=coast[:, 0].copy(), land=land, source=str(path))


def default_land_path(shared_data: Path | None = None) -> Path | None:
    """The Natural Earth 1:10m land file: from the shared data folder when present (`shared_data`,
    $SHADOWFLEET_SHARED_DATA, or ../shared/data), else the npm package `world-atlas` that the set-up
    step installs into node_modules (of the working directory or of the source checkout)."""
    shared_dirs = [Path(shared_data)] if shared_data is not None else []
    if os.environ.get("SHADOWFLEET_SHARED_DATA"):
        shared_dirs.append(Path(os.environ["SHADOWFLEET_SHARED_DATA"]))
    shared_dirs.append(Path.cwd().parent / "shared" / "data")
    candidates = [d / "geo" / "world-atlas" / "land-10m.json" for d in shared_dirs]
    checkout = Path(__file__).resolve().parents[3]
    candidates += [root / "node_modules" / "world-atlas" / "land-10m.json" for root in (Path.cwd(), checkout)]
    for c in candidates:
        if c.is_file():
            return c
    return None
