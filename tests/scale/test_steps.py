"""The Spark plan's steps run by hand in plain Python (no JVM): the same encounters as the detector."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.encounters import detect_encounters
from shadowfleet.detect.run import DetectParams
from shadowfleet.model.schemas import STATIC_SCHEMA
from shadowfleet.scale.blobs import unpack
from shadowfleet.scale.steps import ScaleParams, StepConfig, cell_step, families, pair_step, vessel_step
from tests.detect.builders import combine, every, track

from .lakes import assert_same_events


def _groups(table: pa.Table, column: str) -> list[pa.Table]:
    keys = table.column(column).to_numpy()
    return [table.filter(pa.array(keys == k)) for k in np.unique(keys)]


def _by_hand(positions: pa.Table, scale: ScaleParams) -> pa.Table:
    config = StepConfig(scale=scale)
    points = []
    for vessel in _groups(positions, "mmsi"):
        _, p = vessel_step(vessel, STATIC_SCHEMA.empty_table(), config)
        points.append(p)
    cells = pa.concat_tables(points)
    pair_steps = pa.concat_tables([cell_step(g, config) for g in _groups(cells, "group")])
    key = pair_steps.column("a").to_numpy() * 1_000_000_000 + pair_steps.column("b").to_numpy()
    pair_steps = pair_steps.append_column("pair", pa.array(key))
    events = [t for g in _groups(pair_steps, "pair") for t in unpack(pair_step(g, config), "encounters")]
    return pa.concat_tables(events)


def test_steps_by_hand_match_the_detector_across_many_small_cells():
    rng = np.random.default_rng(5)
    tables = []
    for k in range(12):  # six pairs drifting together at 1-3 kn through 1 km cells, across midnight
        origin = (float(rng.uniform(10, 15)), float(rng.uniform(-70, -60)))
        h = every(10, float(rng.uniform(3, 9)), start_h=float(rng.uniform(18, 23)))
        kn = float(rng.uniform(1.0, 1.9))
        north = (h - h[0]) * kn * 1852.0 * np.cos(k)
        east = (h - h[0]) * kn * 1852.0 * np.sin(k)
        for side in (0, 1):
            tables.append(track(500000000 + 2 * k + side, origin, h, north + 200.0 * side, east, sog_kn=kn))
    positions = combine(*tables)
    expected = detect_encounters(positions, DetectParams().encounters)
    assert expected.num_rows == 12
    actual = _by_hand(positions, ScaleParams(cell_m=1_100.0, cell_buckets=0))
    assert_same_events(expected, actual)
    assert_same_events(expected, _by_hand(positions, ScaleParams(cell_m=1_100.0, cell_buckets=3)))


def test_families_link_mmsis_through_shared_imo_numbers():
    mmsi = np.array([1, 2, 2, 3, 4, 5, 6], np.int64)
    imo = np.array([9074729, 9074729, 9176187, 9176187, 1234568, 1234568, 9074729], np.int64)
    fam = families(mmsi, imo)
    got = dict(zip(fam.column("mmsi").to_pylist(), fam.column("family").to_pylist(), strict=True))
    assert got == {1: 1, 2: 1, 3: 1, 6: 1}  # 1234568 has a bad check digit: 4 and 5 stay apart
    assert pc.sum(fam.column("family")).as_py() == 4
