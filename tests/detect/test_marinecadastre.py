"""The real MarineCadastre sample (first 99,999 rows of 2022-01-03, US waters) runs with plausible results."""

import collections

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from shadowfleet.detect.run import DetectContext, run_all


def _positions(shared_data) -> pa.Table:
    t = pcsv.read_csv(shared_data / "marinecadastre-2022-01-03-sample" / "AIS_2022_01_03_first99999.csv")
    return pa.table(
        {
            "mmsi": t["MMSI"].cast(pa.int64()),
            "ts": pc.assume_timezone(t["BaseDateTime"].cast(pa.timestamp("us")), "UTC"),
            "lat": t["LAT"],
            "lon": t["LON"],
            "sog_kn": t["SOG"],
            "nav_status": t["Status"].cast(pa.int8()),
        }
    ).sort_by([("mmsi", "ascending"), ("ts", "ascending")])


def test_marinecadastre_sample_plausible(shared_data, gazetteer, shore):
    pos = _positions(shared_data)
    events, _ = run_all(pos, None, DetectContext(gazetteer, shore))
    kinds = collections.Counter(events.column("kind").to_pylist())
    print("\nMarineCadastre sample events:", dict(kinds))
    n_vessels = len(np.unique(pos.column("mmsi").to_numpy()))
    assert set(kinds) <= {"ais_gap", "port_call", "loitering", "encounter", "dark_port_call", "spoofing"}
    assert kinds["spoofing"] < 0.02 * n_vessels  # real coastal traffic: spoofing is rare
    # US coastal waters in one morning: many port calls, no Venezuelan dark port calls
    assert 0 < kinds["port_call"] <= n_vessels * 2
    assert kinds["dark_port_call"] == 0
    calls = events.filter(pc.equal(events.column("kind"), "port_call"))
    countries = collections.Counter(calls.column("port_country").to_pylist())
    assert countries.most_common(1)[0][0] == "US"
    assert sum(countries.values()) * 0.8 <= countries["US"] + countries.get("CA", 0) + countries.get(
        "PR", 0
    ) + countries.get("MX", 0)
    gaps = events.filter(pc.equal(events.column("kind"), "ais_gap"))
    dur = gaps.column("duration_h").to_numpy()
    assert np.all((dur >= 6) & (dur <= 24))  # one day of data
    # coastal US traffic: hardly any gap can start 50 nm offshore with good reception
    assert pc.sum(gaps.column("likely_intentional")).as_py() <= 0.1 * max(gaps.num_rows, 1)
    enc = events.filter(pc.equal(events.column("kind"), "encounter"))
    if enc.num_rows:
        assert np.all(enc.column("median_distance_m").to_numpy() <= 500)
        assert np.all(enc.column("mmsi").to_numpy() < enc.column("other_mmsi").to_numpy())
    assert np.all(np.abs(events.column("lat").to_numpy()) <= 90)
    assert len(events.column("event_id").unique()) == events.num_rows
