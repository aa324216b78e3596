"""Spark (local[2]) against the local engine: the same event ids and fields, on built and real data."""

import json
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest

from shadowfleet.detect.run import DetectContext
from shadowfleet.lake.events import read_events, read_voyages
from shadowfleet.model.schemas import POSITION_SCHEMA, TS_TYPE
from shadowfleet.scale.runner import detect_spark
from shadowfleet.scale.steps import ScaleParams
from tests.detect import marinecadastre

from .lakes import assert_same_events, assert_same_rows, local_events, write_lake
from .scenario import scenario, statics

pytestmark = pytest.mark.spark
TEST_SCALE = ScaleParams(vessel_buckets=8, cell_buckets=8, pair_buckets=4)


@pytest.fixture(scope="module")
def scenario_lake(tmp_path_factory, geo_context):
    root = write_lake(tmp_path_factory.mktemp("scenario"), scenario(), statics())
    context = geo_context
    return root, context, local_events(root, context)


def test_scenario_same_events_as_local(spark, scenario_lake, tmp_path):
    root, context, local = scenario_lake
    kinds = set(local.column("kind").to_pylist())
    assert {"encounter", "ais_gap", "port_call", "loitering", "draught_change", "spoofing"} <= kinds
    # through a URL (Hadoop file system) on a copy without events; the CLI test covers plain paths
    copy = tmp_path / "lake"
    shutil.copytree(root, copy, symlinks=True)
    shutil.rmtree(copy / "events.generations")
    (copy / "events").unlink()
    run = detect_spark(spark, copy.as_uri(), context, scale=TEST_SCALE)
    stored = read_events(copy)
    assert stored is not None
    assert_same_events(local, stored)
    assert_same_events(local, run.events.filter(pc.is_in(run.events.column("kind"), pa.array(sorted(kinds)))))
    assert sorted(p.parent.name for p in (copy / "events").glob("kind=*/events.parquet")) == sorted(
        f"kind={k}" for k in kinds
    )
    local_voyages, spark_voyages = read_voyages(root), read_voyages(copy)
    assert local_voyages is not None and spark_voyages is not None and local_voyages.num_rows >= 2
    assert_same_rows(local_voyages, spark_voyages, "voyage_id")


def test_scenario_encounters_across_midnight_and_shared_mmsi(scenario_lake):
    _, _, local = scenario_lake
    enc = local.filter(pc.equal(local.column("kind"), "encounter")).sort_by("mmsi").to_pylist()
    pairs = [(e["mmsi"], e["other_mmsi"]) for e in enc]
    assert (311000001, 311000002) in pairs and (311000003, 311000004) in pairs
    assert (311000008, 311000009) in pairs
    by_pair = {(e["mmsi"], e["other_mmsi"]): e for e in enc}
    midnight = by_pair[(311000001, 311000002)]
    assert midnight["start_ts"].day == 1 and midnight["end_ts"].day == 2
    merged = by_pair[(311000003, 311000004)]
    assert merged["start_ts"].day == 2 and merged["end_ts"].day == 3 and merged["duration_h"] > 8


def test_one_group_per_key_changes_nothing(spark, scenario_lake):
    root, context, local = scenario_lake
    scale = ScaleParams(vessel_buckets=0, cell_buckets=0, pair_buckets=0)  # one group per vessel/cell/pair
    run = detect_spark(spark, str(root), context, scale=scale, write=False)
    kinds = pa.array(sorted(set(local.column("kind").to_pylist())))
    assert_same_events(local, run.events.filter(pc.is_in(run.events.column("kind"), kinds)))


def test_simulated_scenario(spark, tmp_path, geo_context):
    from shadowfleet.sim.output import scenario_to_tables

    sim = scenario_to_tables(seed=3, n_vessels=20, days=5)
    root = write_lake(tmp_path, sim.positions, sim.statics)
    context = geo_context
    local = local_events(root, context)
    assert {"port_call", "spoofing"} <= set(local.column("kind").to_pylist())
    assert np.all(local.column("simulated").to_numpy(zero_copy_only=False))
    local_voyages = read_voyages(root)
    run = detect_spark(spark, str(root), context, scale=TEST_SCALE)
    stored = read_events(root)
    assert stored is not None
    assert_same_events(local, stored)
    assert local_voyages is not None and local_voyages.num_rows > 0
    assert_same_rows(local_voyages, run.voyages, "voyage_id")


def test_gfw_real_encounter(spark, shared_data, tmp_path):
    folder = shared_data / "gfw-encounter-real-2015-03-19"
    raw = pcsv.read_csv(folder / "tracks.csv")
    n = raw.num_rows
    cols = {
        "mmsi": raw.column("mmsi").cast(pa.int64()),
        "ts": pa.array(raw.column("timestamp_unix").to_numpy() * 1_000_000).cast(TS_TYPE),
        "lat": raw.column("lat").cast(pa.float64()),
        "lon": raw.column("lon").cast(pa.float64()),
        "msg_type": pa.array([1] * n, pa.int8()),
        "ts_origin": pa.array(["csv"] * n),
        "source": pa.array(["gfw-encounter-real-2015-03-19"] * n),
        "simulated": pa.array([False] * n),
    }
    positions = pa.table(
        [cols[f.name] if f.name in cols else pa.nulls(n, f.type) for f in POSITION_SCHEMA],
        schema=POSITION_SCHEMA,
    ).sort_by([("mmsi", "ascending"), ("ts", "ascending")])
    root = write_lake(tmp_path, positions)
    context = DetectContext()
    local = local_events(root, context)
    enc = local.filter(pc.equal(local.column("kind"), "encounter"))
    assert enc.num_rows == 1
    detect_spark(spark, str(root), context, scale=TEST_SCALE)
    stored = read_events(root)
    assert stored is not None
    assert_same_events(local, stored)
    assert json.loads(stored.filter(pc.equal(stored.column("kind"), "encounter"))["evidence"][0].as_py())[
        "vessel"
    ]


def test_marinecadastre_sample(spark, shared_data, tmp_path, geo_context):
    positions, statics = marinecadastre.load(shared_data)
    root = write_lake(tmp_path, positions, statics)
    context = geo_context
    local = local_events(root, context)
    assert local.num_rows > 100
    detect_spark(spark, str(root), context, scale=TEST_SCALE)
    stored = read_events(root)
    assert stored is not None
    assert_same_events(local, stored)
    assert np.all(~stored.column("simulated").to_numpy(zero_copy_only=False))
