"""The shortcuts the detectors take for speed give exactly what the direct computation gives."""

import numpy as np
import pyarrow as pa

from shadowfleet.detect.geo import haversine_m, step_bound_m
from shadowfleet.detect.spatial import RadiusIndex
from shadowfleet.detect.spoofing import SpoofingParams, detect_on_land, on_land_mask


def _random_track(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = np.clip(np.cumsum(rng.normal(0, 0.02, n)) + rng.uniform(-60, 60), -89.9, 89.9)
    lon = np.cumsum(rng.normal(0, 0.02, n))
    jumps = rng.random(n) < 0.1
    lat = np.clip(lat + np.cumsum(np.where(jumps, rng.normal(0, 3, n), 0.0)), -89.9, 89.9)
    lon = (lon + np.cumsum(np.where(jumps, rng.normal(0, 3, n), 0.0)) + 180.0) % 360.0 - 180.0
    return lat, lon


def test_step_bound_is_never_below_the_great_circle():
    lat, lon = _random_track(50_000, 1)
    # poles, the antimeridian both ways, identical points and antipodes
    lat = np.concatenate([lat, [89.99, -89.99, 10.0, 10.0, 0.0, 0.0, 45.0, -45.0]])
    lon = np.concatenate([lon, [0.0, 180.0, 179.999, -179.999, 0.0, 0.0, 0.0, 180.0]])
    bound = step_bound_m(lat, lon)
    exact = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    assert np.all(bound >= exact)
    # and tight enough to be useful away from the poles: at most sqrt(2) / cos(lat) times the distance
    short = (exact < 1e4) & (np.abs(lat[:-1]) < 60) & (np.abs(lat[1:]) < 60)
    assert short.sum() > 5_000
    assert np.all(bound[short] <= 3 * exact[short] + 1e-2)


def _on_land_direct(lat: np.ndarray, lon: np.ndarray, mmsi: np.ndarray, margin_m: float) -> list[tuple]:
    """The on-land rule computed for every position (the definition, without shortcuts)."""
    land = on_land_mask(lat, lon, margin_m)
    plain = on_land_mask(lat, lon, 0.0)
    out = []
    n = len(lat)
    for f in range(1, n):
        if not land[f] or mmsi[f - 1] != mmsi[f] or plain[f - 1]:  # plain water is never deep land
            continue
        entry = haversine_m(lat[f - 1 : f], lon[f - 1 : f], lat[f : f + 1], lon[f : f + 1])[0]
        if entry < margin_m:
            continue
        last = f
        while last + 1 < n and mmsi[last + 1] == mmsi[f] and land[last + 1]:
            last += 1
        out.append((f, last, last - f + 1, entry))
    return out


def test_on_land_runs_match_the_direct_rule():
    lat, lon = _random_track(20_000, 2)
    n = len(lat)
    mmsi = 200_000_000 + np.repeat(np.arange(40), n // 40)
    ts = (1_700_000_000 + np.arange(n) * 600) * 1_000_000
    table = pa.table(
        {"mmsi": mmsi, "ts": pa.array(ts).cast(pa.timestamp("us", tz="UTC")), "lat": lat, "lon": lon}
    )
    params = SpoofingParams()
    events = detect_on_land(table, params)
    expected = _on_land_direct(lat, lon, mmsi, params.land_margin_m)
    assert len(expected) > 20 and any(c > 1 for _, _, c, _ in expected)  # runs longer than one position
    assert events.num_rows == len(expected)
    start = events.column("start_ts").cast(pa.int64()).to_numpy()
    end = events.column("end_ts").cast(pa.int64()).to_numpy()
    assert list(start) == [ts[f] for f, _, _, _ in expected]
    assert list(end) == [ts[last] for _, last, _, _ in expected]
    assert events.column("n_positions").to_pylist() == [c for _, _, c, _ in expected]
    assert events.column("jump_distance_m").to_pylist() == [e for _, _, _, e in expected]


def test_radius_index_matches_brute_force():
    rng = np.random.default_rng(3)
    p_lat = rng.uniform(-85, 85, 400)
    p_lon = rng.uniform(-180, 180, 400)
    p_lat[:5], p_lon[:5] = [0.0, 10.0, -84.99, 84.99, 30.0], [179.99, -179.99, 0.0, 45.0, 180.0 - 1e-9]
    radius_m = 50_000.0
    index = RadiusIndex.build(p_lat, p_lon, radius_m)
    q_lat = np.concatenate([rng.uniform(-90, 90, 2_000), p_lat + rng.normal(0, 0.2, 400)])
    q_lon = np.concatenate([rng.uniform(-180, 180, 2_000), p_lon + rng.normal(0, 0.2, 400)])
    q_lat = np.clip(q_lat, -90, 90)
    q_lon = (q_lon + 180.0) % 360.0 - 180.0
    best, best_d = index.nearest(q_lat, q_lon)
    d = haversine_m(q_lat[:, None], q_lon[:, None], p_lat[None, :], p_lon[None, :])
    d_min = d.min(axis=1)
    within = d_min <= radius_m
    assert within.sum() > 300
    assert np.array_equal(best >= 0, within)
    assert np.array_equal(best_d[within], d_min[within])
    assert np.all(best_d[~within] == np.inf)
