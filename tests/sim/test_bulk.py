"""The bulk generator: exact size, lake schema, sort order, determinism, and its injected behaviours."""

import numpy as np
import polars as pl
import pyarrow.compute as pc
import pytest

from shadowfleet.model.schemas import POSITION_SCHEMA
from shadowfleet.sim.bulk import BulkParams, generate_bulk, generate_positions
from shadowfleet.sim.geo import haversine_m

HOUR_US = 3_600_000_000


@pytest.fixture(scope="module")
def bulk():  # type: ignore[no-untyped-def]
    return generate_bulk(200_000, 400, seed=3, params=BulkParams(encounter_pair_fraction=0.05))


def test_size_schema_order_and_marking(bulk) -> None:  # type: ignore[no-untyped-def]
    pos = bulk.positions
    assert pos.schema == POSITION_SCHEMA
    assert pos.num_rows == 200_000
    assert pc.count_distinct(pos.column("mmsi")).as_py() == 400
    df = pl.DataFrame(pos).with_columns(pl.col("ts").dt.epoch("us").alias("t"))
    assert df.select("mmsi", "t").equals(df.sort("mmsi", "t").select("mmsi", "t"))
    assert (
        df.group_by("mmsi")
        .agg(pl.col("t").n_unique().alias("u"), pl.len().alias("n"))
        .filter(pl.col("u") != pl.col("n"))
        .height
        == 0
    )
    assert df["simulated"].all() and set(df["ts_origin"].unique()) == {"simulated"}
    assert df["lat"].is_between(-90, 90).all() and df["lon"].is_between(-180, 180).all()
    assert set(df["msg_type"].unique()) == {1, 18}


def test_deterministic_for_a_seed() -> None:
    a = generate_positions(20_000, 50, seed=9)
    assert a.equals(generate_positions(20_000, 50, seed=9))
    assert not a.equals(generate_positions(20_000, 50, seed=10))


def test_injected_gaps_and_encounters_are_real(bulk) -> None:  # type: ignore[no-untyped-def]
    df = pl.DataFrame(bulk.positions).with_columns(pl.col("ts").dt.epoch("us").alias("t"))
    truth = pl.DataFrame(bulk.truth).with_columns(
        pl.col("start_ts").dt.epoch("us").alias("s"), pl.col("end_ts").dt.epoch("us").alias("e")
    )
    gaps = truth.filter(pl.col("kind") == "ais_gap")
    encounters = truth.filter(pl.col("kind") == "encounter")
    assert gaps.height >= 10 and encounters.height >= 5
    for g in gaps.iter_rows(named=True):
        track = df.filter(pl.col("mmsi") == g["mmsi"])
        assert track.filter((pl.col("t") > g["s"]) & (pl.col("t") < g["e"])).height == 0
        assert g["e"] - g["s"] >= 12 * HOUR_US
        before, after = (
            track.filter(pl.col("t") <= g["s"]).tail(1),
            track.filter(pl.col("t") >= g["e"]).head(1),
        )
        moved = haversine_m(before["lat"][0], before["lon"][0], after["lat"][0], after["lon"][0])
        hours = (after["t"][0] - before["t"][0]) / HOUR_US
        assert 5 < moved / 1852 / hours < 20  # it sailed on while dark
    longest_gap = (
        df.with_columns(pl.col("t").diff().over("mmsi").alias("dt"))
        .filter(~pl.col("mmsi").is_in(gaps["mmsi"].to_list()))["dt"]
        .max()
    )
    assert longest_gap < 2 * HOUR_US
    for e in encounters.iter_rows(named=True):
        a = df.filter((pl.col("mmsi") == e["mmsi"]) & pl.col("t").is_between(e["s"], e["e"])).sort("t")
        b = df.filter((pl.col("mmsi") == e["other_mmsi"]) & pl.col("t").is_between(e["s"], e["e"])).sort("t")
        assert a.height >= 3 and b.height >= 3
        pairs = a.join_asof(b, on="t", strategy="nearest", suffix="_b")
        d = haversine_m(
            pairs["lat"].to_numpy(),
            pairs["lon"].to_numpy(),
            pairs["lat_b"].to_numpy(),
            pairs["lon_b"].to_numpy(),
        )
        assert np.max(d) < 300 and a["sog_kn"].max() < 1.0


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="n_positions >= n_vessels"):
        generate_positions(10, 20, seed=1)


def test_statics_carry_identity_and_encounter_draughts(bulk) -> None:  # type: ignore[no-untyped-def]
    from shadowfleet.model.schemas import STATIC_SCHEMA
    from shadowfleet.sim.identity import imo_is_valid

    sta = pl.DataFrame(bulk.statics)
    assert bulk.statics.schema == STATIC_SCHEMA
    assert sta.select("mmsi", "ts").equals(sta.sort("mmsi", "ts").select("mmsi", "ts"))
    assert set(sta["mmsi"].unique()) == set(pl.DataFrame(bulk.positions)["mmsi"].unique())
    assert all(imo_is_valid(i) for i in sta["imo"].drop_nulls().unique())
    assert sta["simulated"].all() and sta["name"].str.starts_with("SIM BULK ").all()
    truth = pl.DataFrame(bulk.truth)
    changes = truth.filter(pl.col("kind") == "draught_change")
    assert changes.height == 2 * truth.filter(pl.col("kind") == "encounter").height
    for c in changes.iter_rows(named=True):
        mine = sta.filter(pl.col("mmsi") == c["mmsi"])
        before = mine.filter(pl.col("ts") < c["start_ts"])["draught_m"].unique().to_list()
        after = mine.filter(pl.col("ts") > c["end_ts"])["draught_m"].unique().to_list()
        assert len(before) == 1 and len(after) == 1 and abs(before[0] - after[0]) >= 5


def test_short_tracks_that_cannot_hold_an_encounter_still_get_static_reports() -> None:
    # Many vessels with few positions each: some chosen pairs are too short for an encounter and are
    # skipped; their static reports must still be generated (no pair without a truth row).
    result = generate_bulk(200_000, 500, seed=11)
    truth_kinds = result.truth.column("kind").to_pylist()
    assert result.statics.num_rows > 0
    assert truth_kinds.count("draught_change") == 2 * truth_kinds.count("encounter")
