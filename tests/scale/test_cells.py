"""Encounters on cell borders and across midnight: found once, identical to the local engine."""

import numpy as np
import pyarrow.compute as pc
import pytest

from shadowfleet.detect.geo import EARTH_RADIUS_M, haversine_m, offset_m, to_unit_xyz
from shadowfleet.detect.run import DetectContext
from shadowfleet.lake.events import read_events
from shadowfleet.scale.cells import replicate
from shadowfleet.scale.runner import detect_spark
from shadowfleet.scale.steps import ScaleParams
from tests.detect.builders import combine, every, track

from .lakes import assert_same_events, local_events, write_lake

CELL_M = 2_000.0


def test_every_close_pair_meets_in_the_home_cell_of_either():
    rng = np.random.default_rng(3)
    n = 4000
    lat = rng.uniform(-89.9, 89.9, n)
    lon = rng.uniform(-180, 180, n)
    # partners 0-500 m away in random directions, some exactly across the antimeridian and near the poles
    lat[:10], lon[:10] = 89.999, rng.uniform(-180, 180, 10)
    lon[10:20] = 179.9999
    plat, plon = offset_m(lat, lon, rng.uniform(-350, 350, n), rng.uniform(-350, 350, n))
    ts = np.zeros(n, np.int64)
    assert np.all(haversine_m(lat, lon, plat, plon) <= 500.0)
    i1, k1, h1 = replicate(lat, lon, ts, CELL_M, 500.0)
    i2, k2, h2 = replicate(plat, plon, ts, CELL_M, 500.0)
    home1 = h1[np.unique(i1, return_index=True)[1]]
    home2 = h2[np.unique(i2, return_index=True)[1]]
    copies2 = set(zip(i2.tolist(), k2.tolist(), strict=True))
    copies1 = set(zip(i1.tolist(), k1.tolist(), strict=True))
    assert all((p, int(home1[p])) in copies2 for p in range(n))
    assert all((p, int(home2[p])) in copies1 for p in range(n))
    assert np.sum(home1 != home2) > 100  # many pairs straddle a border


def test_cell_size_must_exceed_twice_the_distance():
    with pytest.raises(ValueError, match="twice"):
        replicate(np.zeros(1), np.zeros(1), np.zeros(1, np.int64), 1_000.0, 500.0)


def _border_origin() -> tuple[float, float]:
    """A point of the open Caribbean lying exactly on a cell face (x = k * CELL_M in Earth-centred metres)."""
    lat, lon = 13.6, -66.3
    x = to_unit_xyz(np.array([lat]), np.array([lon]))[0] * EARTH_RADIUS_M
    cp = np.cos(np.radians(lat))
    target_x = np.ceil(x[0] / CELL_M) * CELL_M
    lon_new = -np.degrees(np.arccos(target_x / (EARTH_RADIUS_M * cp)))
    return lat, float(lon_new)


@pytest.fixture(scope="module")
def border_lake(tmp_path_factory):
    lat0, lon0 = _border_origin()
    # pair 1 sits astride the face: 150 m west and 150 m east of it, 6 h (one cell each)
    h = every(10, 6, start_h=2)
    west = track(411000001, (lat0, lon0), h, np.zeros_like(h), np.full_like(h, -150.0), sog_kn=0.2)
    east = track(411000002, (lat0, lon0), h, np.zeros_like(h), np.full_like(h, 150.0), sog_kn=0.2)
    # pair 2 drifts east at 1.5 kn through several cells, 21:00 to 04:00 (across midnight)
    h2 = every(10, 7, start_h=21)
    drift = (h2 - 21) * 1.5 * 1852.0
    a = track(411000003, (lat0 + 0.1, lon0 - 0.05), h2, np.zeros_like(h2), drift, sog_kn=1.5)
    b = track(411000004, (lat0 + 0.1, lon0 - 0.05), h2, np.full_like(h2, 300.0), drift, sog_kn=1.5)
    root = write_lake(tmp_path_factory.mktemp("border"), combine(west, east, a, b))
    return root, local_events(root, DetectContext())


def test_border_lake_is_what_it_claims(border_lake):
    _, local = border_lake
    lat0, lon0 = _border_origin()
    lat, lon = offset_m(np.full(2, lat0), np.full(2, lon0), np.zeros(2), np.array([-150.0, 150.0]))
    _, _, homes = replicate(lat, lon, np.zeros(2, np.int64), CELL_M, 500.0)
    assert len(set(homes.tolist())) == 2  # the two vessels of pair 1 live in different cells
    enc = local.filter(pc.equal(local.column("kind"), "encounter")).sort_by("mmsi").to_pylist()
    assert [(e["mmsi"], e["other_mmsi"]) for e in enc] == [(411000001, 411000002), (411000003, 411000004)]
    assert enc[1]["start_ts"].day == 1 and enc[1]["end_ts"].day == 2


@pytest.mark.spark
def test_border_encounters_found_once_as_local(spark, border_lake):
    root, local = border_lake
    scale = ScaleParams(cell_m=CELL_M, cell_buckets=0, vessel_buckets=2, pair_buckets=0)
    run = detect_spark(spark, str(root), DetectContext(), scale=scale)
    enc = run.events.filter(pc.equal(run.events.column("kind"), "encounter"))
    assert enc.num_rows == 2
    stored = read_events(root)
    assert stored is not None
    assert_same_events(local, stored)
