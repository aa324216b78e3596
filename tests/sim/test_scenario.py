"""The ground truth agrees with the tracks, every record is simulated, and the fleet is fictional."""

import csv
import json
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from shadowfleet.model.schemas import EVENT_KINDS, POSITION_SCHEMA, STATIC_SCHEMA
from shadowfleet.sim.geo import haversine_m, is_land
from shadowfleet.sim.identity import flag_of_mmsi, imo_is_valid
from shadowfleet.sim.output import run_scenario, scenario_to_tables, truth_table, vessels_table
from shadowfleet.sim.reporting import Reports
from shadowfleet.sim.scenario import ScenarioConfig

HOUR_US = 3_600_000_000


def _positions(reports: Reports) -> pl.DataFrame:
    return pl.DataFrame(reports.positions).with_columns(pl.col("ts").dt.epoch("us").alias("t_us"))


def _truth(truth: pa.Table, kind: str) -> list[dict]:  # type: ignore[type-arg]
    rows = (
        pl.DataFrame(truth)
        .filter(pl.col("kind") == kind)
        .with_columns(
            pl.col("start_ts").dt.epoch("us").alias("start_us"),
            pl.col("end_ts").dt.epoch("us").alias("end_us"),
        )
    )
    return [dict(r, details=json.loads(r["details"])) for r in rows.iter_rows(named=True)]


def test_tables_follow_lake_schemas_and_are_marked_simulated(small_reports: Reports) -> None:
    pos, sta = small_reports.positions, small_reports.statics
    assert pos.schema == POSITION_SCHEMA and sta.schema == STATIC_SCHEMA
    for table in (pos, sta):
        assert table.num_rows > 0
        assert pa.compute.all(table.column("simulated")).as_py()
        assert set(table.column("ts_origin").to_pylist()) == {"simulated"}
        assert all(s.startswith("simulated:") for s in table.column("source").unique().to_pylist())
    df = _positions(small_reports)
    assert df.select(["mmsi", "t_us"]).equals(df.sort(["mmsi", "t_us"]).select(["mmsi", "t_us"]))
    assert set(df["msg_type"].unique().to_list()) == {1, 2, 3, 18}
    assert set(sta.column("msg_type").unique().to_pylist()) == {5, 24}


def test_every_behaviour_is_present(small_truth: pa.Table) -> None:
    kinds = set(small_truth.column("kind").to_pylist())
    assert kinds == set(EVENT_KINDS)
    spoof_types = {
        json.loads(d)["spoof_type"]
        for d, k in zip(*_cols(small_truth, "details", "kind"), strict=True)
        if k == "spoofing"
    }
    assert {"jump", "on_land", "shared_mmsi", "invalid_imo", "mid_flag_mismatch"} <= spoof_types
    assert pa.compute.all(small_truth.column("simulated")).as_py()


def _cols(table: pa.Table, *names: str) -> list[list]:  # type: ignore[type-arg]
    return [table.column(n).to_pylist() for n in names]


def test_no_positions_during_dark_periods(small_reports: Reports, small_truth: pa.Table) -> None:
    df = _positions(small_reports)
    dark = _truth(small_truth, "ais_gap") + _truth(small_truth, "dark_port_call")
    assert dark
    for event in dark:
        inside = df.filter(
            (pl.col("mmsi") == event["mmsi"])
            & (pl.col("t_us") > event["start_us"])
            & (pl.col("t_us") < event["end_us"])
        )
        assert inside.height == 0, event
        assert (event["end_us"] - event["start_us"]) >= 12 * HOUR_US
        before = df.filter((pl.col("mmsi") == event["mmsi"]) & (pl.col("t_us") <= event["start_us"]))
        after = df.filter((pl.col("mmsi") == event["mmsi"]) & (pl.col("t_us") >= event["end_us"]))
        assert before.height > 0 and after.height > 0  # the gap is observable: the ship was seen around it


def test_no_unlabelled_long_gaps(
    small_reports: Reports, small_truth: pa.Table, small_vessels: pa.Table
) -> None:
    df = _positions(small_reports)
    clones = set(pl.DataFrame(small_vessels).filter(pl.col("role") == "mmsi_clone")["mmsi"].to_list())
    gaps = (
        df.filter(~pl.col("mmsi").is_in(list(clones)))
        .with_columns(pl.col("t_us").shift(1).over("mmsi").alias("prev_us"))
        .filter((pl.col("t_us") - pl.col("prev_us")) >= 6 * HOUR_US)
    )
    labelled = _truth(small_truth, "ais_gap")
    for gap in gaps.iter_rows(named=True):
        assert any(
            e["mmsi"] == gap["mmsi"]
            and e["start_us"] - HOUR_US <= gap["prev_us"]
            and gap["t_us"] <= e["end_us"] + HOUR_US
            for e in labelled
        ), gap


def test_encounter_tracks_are_close_and_slow(small_reports: Reports, small_truth: pa.Table) -> None:
    df = _positions(small_reports)
    encounters = _truth(small_truth, "encounter")
    assert encounters
    for e in encounters:
        a = df.filter((pl.col("mmsi") == e["mmsi"]) & pl.col("t_us").is_between(e["start_us"], e["end_us"]))
        b = df.filter(
            (pl.col("mmsi") == e["other_mmsi"]) & pl.col("t_us").is_between(e["start_us"], e["end_us"])
        )
        assert a.height >= 3 and b.height >= 3
        assert (e["end_us"] - e["start_us"]) >= 3 * HOUR_US
        pairs = a.sort("t_us").join_asof(b.sort("t_us"), on="t_us", strategy="nearest", suffix="_b")
        dist = haversine_m(
            pairs["lat"].to_numpy(),
            pairs["lon"].to_numpy(),
            pairs["lat_b"].to_numpy(),
            pairs["lon_b"].to_numpy(),
        )
        assert float(dist.max()) <= 500.0
        assert float(a["sog_kn"].max()) < 2.0 and float(b["sog_kn"].max()) < 2.0


def test_on_land_spoofs_are_on_land_and_nothing_else_is(
    small_reports: Reports, small_truth: pa.Table
) -> None:
    df = _positions(small_reports)
    land = is_land(df["lat"].to_numpy(), df["lon"].to_numpy())
    on_land = _truth(small_truth, "spoofing")
    in_spoof = np.zeros(df.height, dtype=bool)
    t = df["t_us"].to_numpy()
    mmsi = df["mmsi"].to_numpy()
    n_on_land_spoofs = 0
    for e in on_land:
        if e["details"]["spoof_type"] not in ("on_land", "jump"):
            continue
        rows = (mmsi == e["mmsi"]) & (t >= e["start_us"]) & (t <= e["end_us"])
        assert rows.sum() >= 2, e
        in_spoof |= rows
        true_distance = haversine_m(
            df["lat"].to_numpy()[rows],
            df["lon"].to_numpy()[rows],
            e["details"]["true_lat"],
            e["details"]["true_lon"],
        )
        assert true_distance.min() > 50_000.0  # far from where the ship really is
        if e["details"]["spoof_type"] == "on_land":
            n_on_land_spoofs += 1
            assert land[rows].all()
    assert n_on_land_spoofs >= 1
    assert not land[~in_spoof].any()


def test_shared_mmsi_has_two_simultaneous_tracks(small_reports: Reports, small_truth: pa.Table) -> None:
    df = _positions(small_reports)
    shared = [e for e in _truth(small_truth, "spoofing") if e["details"]["spoof_type"] == "shared_mmsi"]
    assert len(shared) == 1
    track = df.filter(pl.col("mmsi") == shared[0]["mmsi"]).sort("t_us")
    lat, lon, t = track["lat"].to_numpy(), track["lon"].to_numpy(), track["t_us"].to_numpy()
    jump_m = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    hours = np.maximum(np.diff(t), 1) / HOUR_US
    implied_kn = jump_m / 1852.0 / hours
    assert (implied_kn > 50).sum() >= 10


def test_port_calls_stay_in_port(small_reports: Reports, small_truth: pa.Table) -> None:
    df = _positions(small_reports)
    shared = {
        e["mmsi"] for e in _truth(small_truth, "spoofing") if e["details"]["spoof_type"] == "shared_mmsi"
    }
    calls = [
        e for e in _truth(small_truth, "port_call") if not e["details"]["partial"] and e["mmsi"] not in shared
    ]
    assert len(calls) >= 10
    for e in calls:
        inside = df.filter(
            (pl.col("mmsi") == e["mmsi"]) & pl.col("t_us").is_between(e["start_us"], e["end_us"])
        )
        if inside.height == 0:
            continue
        d = haversine_m(inside["lat"].to_numpy(), inside["lon"].to_numpy(), e["lat"], e["lon"])
        assert d.max() <= 4_100.0, e
        assert d.min() <= 3_000.0
        assert float(inside["sog_kn"].min()) < 0.5


def test_loitering_is_slow_far_from_shore(small_reports: Reports, small_truth: pa.Table) -> None:
    df = _positions(small_reports)
    loiters = [e for e in _truth(small_truth, "loitering") if not e["details"].get("partial")]
    assert loiters
    for e in loiters:
        assert (e["end_us"] - e["start_us"]) >= 4 * HOUR_US
        inside = df.filter(
            (pl.col("mmsi") == e["mmsi"]) & pl.col("t_us").is_between(e["start_us"], e["end_us"])
        )
        assert inside.height >= 10
        assert float(inside["sog_kn"].max()) < 2.0
        assert not is_land(inside["lat"].to_numpy(), inside["lon"].to_numpy()).any()


def test_draught_and_identity_changes_show_in_statics(small_reports: Reports, small_truth: pa.Table) -> None:
    sta = pl.DataFrame(small_reports.statics).with_columns(pl.col("ts").dt.epoch("us").alias("t_us"))
    changes = [e for e in _truth(small_truth, "draught_change") if e["details"]["context"] == "port"]
    assert changes
    checked = 0
    for e in changes:
        mine = sta.filter(pl.col("mmsi") == e["mmsi"])
        before = mine.filter(pl.col("t_us") < e["start_us"]).sort("t_us").tail(1)
        after = mine.filter(pl.col("t_us") > e["end_us"]).sort("t_us").head(1)
        if before.height and after.height:
            assert before["draught_m"][0] == pytest.approx(e["details"]["draught_before_m"], abs=0.05)
            assert after["draught_m"][0] == pytest.approx(e["details"]["draught_after_m"], abs=0.05)
            checked += 1
    assert checked >= 3
    for e in _truth(small_truth, "identity_change"):
        d = e["details"]
        new = sta.filter((pl.col("mmsi") == e["mmsi"]) & (pl.col("t_us") > e["end_us"]))
        assert new.height and set(new["name"].to_list()) == {d["new_name"]}
        old_mmsi = d.get("old_mmsi", e["mmsi"])
        old = sta.filter((pl.col("mmsi") == old_mmsi) & (pl.col("t_us") < e["start_us"]))
        assert old.height and set(old["name"].to_list()) == {d["old_name"]}
        if d["change"] == "reflag":
            assert e["other_mmsi"] == old_mmsi != e["mmsi"]
            assert flag_of_mmsi(e["mmsi"]) == d["new_flag"] != d["old_flag"]
            assert sta.filter((pl.col("mmsi") == old_mmsi) & (pl.col("t_us") > e["end_us"])).height == 0


def test_fleet_is_fictional_and_valid(
    small_vessels: pa.Table, small_truth: pa.Table, shared_data: Path
) -> None:
    vessels = pl.DataFrame(small_vessels)
    assert vessels["simulated"].all()
    with open(shared_data / "ofac-sdn" / "sdn_2024-05-03.csv", encoding="latin-1") as fh:
        real_names = {
            row[1].strip().upper() for row in csv.reader(fh) if len(row) > 3 and row[2].strip() == "vessel"
        }
    assert len(real_names) > 500
    names = set(vessels["name"].to_list())
    for history in vessels["identity_history"].to_list():
        names |= {step["name"] for step in json.loads(history)}
    assert not names & real_names
    invalid = {
        json.loads(d)["imo"]
        for d, k in zip(*_cols(small_truth, "details", "kind"), strict=True)
        if k == "spoofing" and "imo" in json.loads(d)
    }
    for row in vessels.iter_rows(named=True):
        assert 100_000_000 <= row["mmsi"] <= 999_999_999 and flag_of_mmsi(row["mmsi"]) is not None
        assert len(row["name"]) <= 20
        if row["imo"] is not None:
            assert imo_is_valid(row["imo"]) != (row["imo"] in invalid)
        assert row["transceiver_class"] in ("A", "B")


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    small = ScenarioConfig(seed=5, n_vessels=15, days=3)
    (plan_a, first), (plan_b, second) = run_scenario(small), run_scenario(small)  # computed twice
    assert first.positions.equals(second.positions) and first.statics.equals(second.statics)
    assert truth_table(plan_a).equals(truth_table(plan_b))
    assert vessels_table(plan_a).equals(vessels_table(plan_b))
    cached = scenario_to_tables(small)
    assert cached.positions.equals(first.positions) and cached is scenario_to_tables(small)
    other = scenario_to_tables(seed=6, n_vessels=15, days=3)
    assert not other.positions.equals(first.positions)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="either a ScenarioConfig or keyword"):
        scenario_to_tables(ScenarioConfig(), seed=2)
    with pytest.raises(ValueError, match="at least 15 vessels"):
        scenario_to_tables(n_vessels=14, days=2)


def test_only_labelled_spoofs_jump(small_reports: Reports, small_truth: pa.Table) -> None:
    """Apart from labelled spoofs and the shared MMSI, no step needs more than 30 kn."""
    spoofs = _truth(small_truth, "spoofing")
    shared = [e["mmsi"] for e in spoofs if e["details"]["spoof_type"] == "shared_mmsi"]
    windows = [
        (e["mmsi"], e["start_us"], e["end_us"])
        for e in spoofs
        if e["details"]["spoof_type"] in ("jump", "on_land")
    ]
    steps = (
        _positions(small_reports)
        .filter(~pl.col("mmsi").is_in(shared))
        .with_columns(
            pl.col("lat").shift(1).over("mmsi").alias("prev_lat"),
            pl.col("lon").shift(1).over("mmsi").alias("prev_lon"),
            pl.col("t_us").shift(1).over("mmsi").alias("prev_us"),
        )
        .drop_nulls("prev_us")
    )
    dist_m = haversine_m(
        steps["prev_lat"].to_numpy(),
        steps["prev_lon"].to_numpy(),
        steps["lat"].to_numpy(),
        steps["lon"].to_numpy(),
    )
    hours = np.maximum(steps["t_us"].to_numpy() - steps["prev_us"].to_numpy(), 1) / HOUR_US
    fast = np.nonzero((dist_m / 1852 / hours > 30) & (dist_m > 1000))[0]
    assert len(fast) >= 2 * len(windows)  # into and out of each spoofed episode
    for i in fast.tolist():
        mmsi, t_a, t_b = steps["mmsi"][i], steps["prev_us"][i], steps["t_us"][i]
        assert any(m == mmsi and t_a <= end + 600e6 and t_b >= start - 600e6 for m, start, end in windows), (
            mmsi,
            t_a,
        )
