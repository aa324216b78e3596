import numpy as np
import pytest

from shadowfleet.detect.geo import (
    destination,
    haversine_m,
    initial_bearing_deg,
    lon_delta_deg,
    offset_m,
    unwrap_lon_runs,
)


def test_one_degree_of_latitude_is_about_111_km():
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195, rel=1e-4)


def test_antimeridian_distance_is_short_way_round():
    # 179.99 E to 179.99 W at the equator: 0.02 degrees, about 2.2 km, not 40,000 km
    d = haversine_m(0.0, 179.99, 0.0, -179.99)
    assert d == pytest.approx(2_224, rel=1e-3)
    assert lon_delta_deg(179.99, -179.99) == pytest.approx(0.02)


def test_bearings_and_destination_round_trip():
    lat, lon = destination(np.array([10.0]), np.array([179.999]), np.array([90.0]), np.array([5_000.0]))
    assert lon[0] < 0  # crossed the meridian eastwards
    assert haversine_m(10.0, 179.999, lat[0], lon[0]) == pytest.approx(5_000, rel=1e-6)
    assert initial_bearing_deg(10.0, 179.999, lat[0], lon[0]) == pytest.approx(90.0, abs=0.01)


def test_offset_in_metres():
    lat, lon = offset_m(np.array([-27.5]), np.array([38.5]), np.array([300.0]), np.array([400.0]))
    assert haversine_m(-27.5, 38.5, lat[0], lon[0]) == pytest.approx(500.0, rel=1e-6)


def test_unwrap_keeps_runs_continuous():
    lon = np.array([179.0, 179.5, -179.5, -179.0, 10.0, 11.0])
    start = np.array([True, False, False, False, True, False])
    out = unwrap_lon_runs(lon, start)
    np.testing.assert_allclose(out, [179.0, 179.5, 180.5, 181.0, 10.0, 11.0])
