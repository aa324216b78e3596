"""The runner: batching by vessel gives the same events as one pass; every kind lands in one table."""

import numpy as np
import pyarrow.compute as pc

from shadowfleet.detect.gazetteer import gazetteer_from_points
from shadowfleet.detect.run import DetectContext, run_all, vessel_batches

from .builders import combine, every, track


def _fleet():
    h = every(5, 8)
    drift = h * 0.5 * 1852.0
    tables = [
        # an encounter pair whose two vessels end up in different batches
        track(100, (12.0, -60.0), h, drift, np.zeros_like(h), sog_kn=0.5),
        track(900, (12.0, -60.0), h, drift, np.full_like(h, 150.0), sog_kn=0.5),
        # a port call
        track(300, (10.0, -64.0), h, np.full_like(h, 1000.0), np.zeros_like(h), sog_kn=0.1),
        # a long silence
        track(
            500,
            (5.0, -40.0),
            np.concatenate([h, h + 20]),
            np.zeros(2 * len(h)),
            np.zeros(2 * len(h)),
            sog_kn=11.0,
        ),
    ]
    return combine(*tables)


def test_vessel_batches_never_split_a_vessel():
    pos = _fleet()
    batches = vessel_batches(pos.column("mmsi"), 120)
    assert len(batches) > 1
    assert sum(n for _, n in batches) == pos.num_rows
    mmsi = pos.column("mmsi").to_numpy()
    for offset, _length in batches[1:]:
        assert mmsi[offset] != mmsi[offset - 1]


def test_batched_run_equals_single_pass():
    pos = _fleet()
    ctx = DetectContext(gazetteer_from_points(["TEST HARBOUR"], ["VE"], np.array([10.0]), np.array([-64.0])))
    timings: dict[str, float] = {}
    one, _ = run_all(pos, None, ctx, batch_rows=10**9)
    many, _ = run_all(pos, None, ctx, batch_rows=120, timings=timings)
    kinds = sorted(set(one.column("kind").to_pylist()))
    assert {"encounter", "port_call", "ais_gap", "loitering"} <= set(kinds)
    assert sorted(one.column("event_id").to_pylist()) == sorted(many.column("event_id").to_pylist())
    enc = many.filter(pc.equal(many.column("kind"), "encounter"))
    assert enc.column("mmsi").to_pylist() == [100] and enc.column("other_mmsi").to_pylist() == [900]
    assert {"segments", "ais_gap", "encounter", "port_call", "behaviours"} <= set(timings)


def test_batched_run_equals_single_pass_on_a_simulated_fleet(gazetteer):
    from shadowfleet.sim.output import scenario_to_tables

    sim = scenario_to_tables(seed=5, n_vessels=30, days=6)
    ctx = DetectContext(gazetteer)
    one, v_one = run_all(sim.positions, sim.statics, ctx)
    many, v_many = run_all(sim.positions, sim.statics, ctx, batch_rows=sim.positions.num_rows // 4)
    kinds = set(one.column("kind").to_pylist())
    assert {"port_call", "identity_change", "draught_change", "spoofing"} <= kinds
    assert sorted(one.column("event_id").to_pylist()) == sorted(many.column("event_id").to_pylist())
    assert sorted(v_one.column("voyage_id").to_pylist()) == sorted(v_many.column("voyage_id").to_pylist())
