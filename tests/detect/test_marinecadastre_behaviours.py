"""Spoofing, identity, draught, voyages, cargo and risk on the real MarineCadastre sample (first 99,999
rows of 2022-01-03, US waters): they run and their numbers are bounded and plausible."""

import collections

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from shadowfleet.detect.cargo import CargoParams, estimate_cargo, vessel_cargo_inputs
from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from shadowfleet.detect.encounters import detect_encounters
from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.imo import imo_valid_mask
from shadowfleet.detect.port_calls import detect_port_calls
from shadowfleet.detect.risk import risk_signals_from_events, score_risk
from shadowfleet.detect.run import stack_events
from shadowfleet.detect.spoofing import SpoofingParams, detect_spoofing
from shadowfleet.detect.voyages import VoyageParams, build_voyages
from tests.detect.marinecadastre import load


@pytest.fixture(scope="module")
def sample(shared_data):
    return load(shared_data)


def test_spoofing_and_identity_on_real_data(sample) -> None:
    positions, statics = sample
    n_vessels = len(np.unique(positions.column("mmsi").to_numpy()))
    spoof = detect_spoofing(positions, statics, SpoofingParams())
    types = collections.Counter(spoof.column("spoof_type").to_pylist())
    print("\nMarineCadastre spoofing:", dict(types), "of", n_vessels, "vessels")
    jumps = spoof.filter(pc.equal(spoof.column("spoof_type"), "impossible_jump"))
    speeds = jumps.column("implied_speed_kn").to_numpy(zero_copy_only=False)
    assert np.all(np.isnan(speeds) | (speeds > 50))
    assert np.all(jumps.column("jump_distance_m").to_numpy() >= 2000)
    # US coastal traffic: spoofing of any kind touches a small minority of vessels.
    assert len(np.unique(spoof.column("mmsi").to_numpy())) < 0.05 * n_vessels
    assert types["on_land"] < 0.005 * n_vessels
    bad_imo = spoof.filter(pc.equal(spoof.column("spoof_type"), "invalid_imo")).column("imo").to_numpy()
    assert len(bad_imo) and not imo_valid_mask(bad_imo).any()
    assert len(set(spoof.column("event_id").to_pylist())) == spoof.num_rows

    identity = detect_identity_changes(statics, IdentityParams(), positions=positions)
    print(
        "MarineCadastre identity changes:",
        identity.num_rows,
        collections.Counter(identity.column("field").to_pylist()),
    )
    assert identity.num_rows < 0.01 * n_vessels
    assert (
        pc.all(pc.not_equal(identity.column("old_value"), identity.column("new_value"))).as_py() is not False
    )


def test_draught_voyages_cargo_and_risk_on_real_data(sample, gazetteer) -> None:
    positions, statics = sample
    calls = detect_port_calls(positions, gazetteer)
    encounters = detect_encounters(positions)
    draught = detect_draught_changes(statics, DraughtParams(), port_calls=calls, encounters=encounters)
    print(
        "\nMarineCadastre:",
        calls.num_rows,
        "port calls,",
        encounters.num_rows,
        "encounters,",
        draught.num_rows,
        "draught changes",
    )
    change = draught.column("draught_change_m").to_numpy()
    assert draught.num_rows <= calls.num_rows + 2 * encounters.num_rows
    assert np.all((np.abs(change) >= 0.5) & (np.abs(change) <= 25.5))
    assert set(draught.column("direction").to_pylist()) <= {"load", "discharge"}

    voyages = build_voyages(calls, VoyageParams(), positions=positions, statics=statics)
    print(
        "MarineCadastre voyages:",
        voyages.num_rows,
        "in progress:",
        pc.sum(voyages.column("in_progress")).as_py(),
    )
    assert voyages.num_rows > 0
    duration = voyages.column("duration_h").to_numpy()
    assert np.all((duration >= 0) & (duration <= 24))  # one day of data
    miles = voyages.column("distance_nm").to_numpy(zero_copy_only=False)
    assert np.all(np.isnan(miles) | (miles <= np.maximum(duration, 0.1) * 50))
    assert not pc.any(voyages.column("to_or_from_venezuela")).as_py()  # US waters
    assert len(set(voyages.column("voyage_id").to_pylist())) == voyages.num_rows

    cargo = estimate_cargo(vessel_cargo_inputs(statics), CargoParams())
    tankers = cargo.filter(
        pc.and_(
            pc.equal(cargo.column("ship_type_category"), "tanker"), pc.is_valid(cargo.column("cargo_bbl"))
        )
    )
    print("MarineCadastre tankers with a cargo estimate:", tankers.num_rows)
    assert tankers.num_rows > 100  # the sample holds 403 tankers
    low, mid, high = (tankers.column(c).to_numpy() for c in ("cargo_low_bbl", "cargo_bbl", "cargo_high_bbl"))
    assert np.all((low <= mid) & (mid <= high)) and high.max() < 4_000_000  # no tanker beyond a ULCC
    assert tankers.column("deadweight_t").to_numpy().max() < 600_000

    events = stack_events([calls, encounters, draught])
    scores = score_risk(risk_signals_from_events(events))
    risk = scores.column("risk_score").to_numpy()
    assert scores.num_rows > 0 and np.all((risk >= 0) & (risk <= 100))
    assert isinstance(scores, pa.Table)
