"""Evidence payloads: positions sufficient to redraw an event on a map, as compact JSON."""

import json

import numpy as np

MAX_EVIDENCE_POINTS = 200


def iso(ts_us: int) -> str:
    return str(np.datetime64(int(ts_us), "us").astype("datetime64[s]")) + "Z"


def downsample(n: int, max_points: int) -> np.ndarray:
    """Indices 0..n-1 thinned evenly to at most max_points, first and last kept."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def points(
    ts_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_points: int = MAX_EVIDENCE_POINTS
) -> list[list]:
    keep = downsample(len(ts_us), max_points)
    return [[iso(ts_us[k]), round(float(lat[k]), 6), round(float(lon[k]), 6)] for k in keep]


def dumps(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)
