"""Hand-built tracks in metric units for the cases that break naive detectors."""

import json

import numpy as np

from shadowfleet.detect.encounters import EncounterParams, detect_encounters
from shadowfleet.detect.gaps import GapParams, detect_gaps
from shadowfleet.detect.gazetteer import gazetteer_from_points
from shadowfleet.detect.loitering import LoiteringParams, detect_loitering
from shadowfleet.detect.port_calls import PortCallParams, detect_port_calls
from shadowfleet.detect.segments import SegmentParams, segment_track, shared_mmsi_overlaps
from shadowfleet.detect.tracks import track_from_table

from .builders import combine, every, track

ANTIMERIDIAN = (-16.0, 179.99)  # Fiji waters, 0.01 degree west of the 180th meridian


def test_antimeridian_crossing_is_not_a_jump():
    # 4 kn eastwards for 6 h across 180: one segment, no gap, no spoofing-grade jump
    h = every(5, 6)
    east = h * 4 * 1852.0
    pos = track(1, ANTIMERIDIAN, h, np.zeros_like(h), east, sog_kn=4.0)
    lon = pos.column("lon").to_numpy()
    assert lon.max() > 179.9 and lon.min() < -179.9  # it did cross
    t = track_from_table(pos)
    segs = segment_track(t, SegmentParams())
    assert len(np.unique(segs.segment_id)) == 1
    assert not segs.jump_before.any()
    assert detect_gaps(pos).num_rows == 0


def test_encounter_across_the_antimeridian():
    # two tankers drifting together at 0.5 kn, 200 m apart, straddling 180 for 5 h
    h = every(3, 5)
    east = -3000 + h * 0.5 * 1852.0
    a = track(111, ANTIMERIDIAN, h, np.zeros_like(h), east)
    b = track(222, ANTIMERIDIAN, h + 0.01, np.full_like(h, 200.0), east + 20)
    events = detect_encounters(combine(a, b))
    assert events.num_rows == 1
    e = events.to_pylist()[0]
    assert (e["mmsi"], e["other_mmsi"]) == (111, 222)
    assert 190 < e["median_distance_m"] < 215
    assert e["duration_h"] >= 4.5
    assert abs(e["lon"]) > 179.9  # the mean position is on the meridian, not at 0 degrees


def test_two_ships_passing_at_speed_are_no_encounter():
    # head-on at 12 kn each, 100 m lateral separation: close only for minutes
    h = every(1, 4)
    run = (h - 2.0) * 12 * 1852.0
    a = track(10, (5.0, -40.0), h, run, np.zeros_like(h), sog_kn=12.0)
    b = track(20, (5.0, -40.0), h, -run, np.full_like(h, 100.0), sog_kn=12.0)
    assert detect_encounters(combine(a, b)).num_rows == 0


def test_slow_ships_that_stay_apart_are_no_encounter():
    h = every(5, 6)
    a = track(10, (5.0, -40.0), h, np.zeros_like(h), np.zeros_like(h))
    b = track(20, (5.0, -40.0), h, np.full_like(h, 900.0), np.zeros_like(h))
    assert detect_encounters(combine(a, b)).num_rows == 0
    assert detect_encounters(combine(a, b), EncounterParams(max_distance_m=1000)).num_rows == 1


def _one_port():
    return gazetteer_from_points(["TEST HARBOUR"], ["VE"], np.array([10.0]), np.array([-64.0]))


def test_port_boundary_does_not_flap():
    # drifting between 2.5 km and 3.8 km of the port for a day: one call, not dozens
    h = every(10, 24)
    dist = 3150 + 650 * np.sin(h * 2.0)
    pos = track(7, (10.0, -64.0), h, dist, np.zeros_like(h), sog_kn=0.2)
    calls = detect_port_calls(pos, _one_port())
    assert calls.num_rows == 1
    c = calls.to_pylist()[0]
    assert c["port_country"] == "VE" and c["port_name"] == "TEST HARBOUR"
    assert c["duration_h"] > 21  # from the first approach within 3 km to the end
    # without hysteresis (exit = entry) the same track flaps in and out
    flappy = detect_port_calls(pos, _one_port(), PortCallParams(exit_distance_m=3000.0))
    assert flappy.num_rows > 3


def test_passing_a_port_without_stopping_is_no_port_call():
    h = every(2, 2)
    pos = track(8, (10.0, -64.0), h, (h - 1) * 10 * 1852.0, np.full_like(h, 500.0), sog_kn=10.0)
    assert detect_port_calls(pos, _one_port()).num_rows == 0


def test_gap_spanning_midnight_is_one_gap():
    # positions every 10 min until 22:00, silence, back at 07:00 next day
    before = every(10, 22)
    after = every(10, 5, start_h=31)
    h = np.concatenate([before, after])
    pos = track(9, (0.0, -30.0), h, np.zeros_like(h), h * 1852.0, sog_kn=1.0)
    gaps = detect_gaps(pos, GapParams())
    assert gaps.num_rows == 1
    g = gaps.to_pylist()[0]
    assert g["duration_h"] == 9.0
    assert g["positions_before_12h"] == 72  # 10-min reports over the previous 12 h
    assert g["start_ts"].day == 1 and g["end_ts"].day == 2
    evidence = json.loads(g["evidence"])
    assert evidence["before"][-1][0] == "2024-03-01T22:00:00Z"
    assert evidence["after"][0][0] == "2024-03-02T07:00:00Z"
    assert len(evidence["before"]) == 72 and len(evidence["after"]) == 31  # 12 h before, 5 h after
    # the positions around the silence are named by time (the event's start and end), not by row
    assert set(evidence) == {"before", "after"}
    assert evidence["before"][-1][0] == g["start_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert evidence["after"][0][0] == g["end_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
    # the same gap in a table that holds another vessel first: the same evidence
    h_other = every(10, 30)
    other = track(1, (5.0, -40.0), h_other, np.zeros_like(h_other), np.zeros_like(h_other), sog_kn=1.0)
    both = detect_gaps(combine(other, pos), GapParams()).to_pylist()
    assert [e["evidence"] for e in both if e["mmsi"] == 9] == [g["evidence"]]


def test_likely_intentional_needs_offshore_start_and_good_reception(shore):
    before = every(10, 22)
    after = every(10, 5, start_h=38)  # 16 h silence
    h = np.concatenate([before, after])
    offshore = track(9, (0.0, -30.0), h, np.zeros_like(h), np.zeros_like(h))
    near_coast = track(9, (10.7, -66.9), h, np.zeros_like(h), np.zeros_like(h))  # off La Guaira
    g_off = detect_gaps(offshore, GapParams(), shore).to_pylist()[0]
    g_near = detect_gaps(near_coast, GapParams(), shore).to_pylist()[0]
    assert g_off["likely_intentional"] and g_off["shore_distance_nm"] > 50
    assert not g_near["likely_intentional"] and g_near["shore_distance_nm"] < 50
    sparse = track(9, (0.0, -30.0), np.array([0.0, 21.0, 22.0, 38.0]), np.zeros(4), np.zeros(4))
    assert not detect_gaps(sparse, GapParams(), shore).to_pylist()[0]["likely_intentional"]


def test_loitering_far_from_shore_only(shore):
    h = every(10, 6)
    drift = h * 0.8 * 1852.0
    offshore = track(5, (0.0, -30.0), h, drift, np.zeros_like(h), sog_kn=0.8)
    coastal = track(6, (10.62, -66.95), h, np.zeros_like(h), np.zeros_like(h), sog_kn=0.8)
    events = detect_loitering(combine(offshore, coastal), LoiteringParams(), shore)
    assert events.column("mmsi").to_pylist() == [5]
    assert events.column("duration_h").to_pylist()[0] == 6.0
    short = track(5, (0.0, -30.0), every(10, 3), np.zeros(19), np.zeros(19), sog_kn=0.5)
    assert detect_loitering(short, LoiteringParams(), shore).num_rows == 0


def test_shared_mmsi_makes_overlapping_segments():
    # one MMSI broadcast by two ships 300 km apart, alternating reports for 6 h
    h = every(5, 6)
    a = track(99, (20.0, -60.0), h, h * 10 * 1852.0, np.zeros_like(h))
    b = track(99, (20.0, -57.0), h + 1 / 120, h * 10 * 1852.0, np.zeros_like(h))
    pos = combine(a, b)
    t = track_from_table(pos)
    segs = segment_track(t, SegmentParams())
    assert len(np.unique(segs.segment_id)) == 2
    overlaps = shared_mmsi_overlaps(t, segs, SegmentParams())
    assert overlaps.num_rows == 1
    assert overlaps.column("n_positions_a").to_pylist()[0] == len(h)
    # a single honest vessel gives no overlap
    assert (
        shared_mmsi_overlaps(
            track_from_table(a), segment_track(track_from_table(a), SegmentParams()), SegmentParams()
        ).num_rows
        == 0
    )
