"""The Spark plan: every detector of `detect/` over a whole lake, with the local engine's events.

    positions, statics ──groupBy(vessel bucket)──► vessel_step ──► per-vessel events, voyages ─────────┐
                                                        └──► encounter points in cells                  │
                           ──groupBy(cell bucket)──► cell_step ──► owned close pairs                    │
                           ──groupBy(pair bucket)──► pair_step ──► encounters ─────────────────────────┴─► driver

Each arrow is one shuffle; the steps are in `scale.steps`. The driver stacks the (small) event tables as
`run_all` does and stores them with the lake's writer.
"""

import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from shadowfleet.detect.run import DetectContext, DetectParams, stack_events
from shadowfleet.lake import layout
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA
from shadowfleet.scale import steps
from shadowfleet.scale.blobs import BLOB_DDL, from_ipc, unpack
from shadowfleet.scale.steps import CELL_POINT_SCHEMA, PAIR_STEP_SCHEMA, ScaleParams, StepConfig
from shadowfleet.scale.storage import LakeLocation, locate, store, visible_files


@dataclass(frozen=True)
class SparkRun:
    events: pa.Table
    voyages: pa.Table
    position_files: int
    seconds: dict[str, float] = field(default_factory=dict)


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _read(spark: Any, files: list[str], schema: pa.Schema) -> Any:
    if not files:
        return spark.createDataFrame([], _spark_schema(schema))
    return spark.read.schema(_spark_schema(schema)).parquet(*files)


def _bucket(columns: list[str], n_buckets: int) -> Any:
    from pyspark.sql import functions as F

    if n_buckets <= 0:
        return F.col(columns[0]) if len(columns) == 1 else F.struct(*columns)
    return F.pmod(F.xxhash64(*columns), F.lit(n_buckets))


def plan(spark: Any, positions: Any, statics: Any, config: StepConfig) -> Any:
    """The DataFrame of result blobs (what, ipc) for position and static DataFrames (lake schemas)."""
    from pyspark import StorageLevel

    sc = config.scale
    shipped = spark.sparkContext.broadcast(
        StepConfig(steps.fresh_context(config.context), config.params, config.scale)
    )

    def per_vessels(pos: pa.Table, sta: pa.Table) -> pa.Table:
        out, points = steps.vessel_step(pos, sta, shipped.value)
        from shadowfleet.scale.blobs import blobs

        return pa.concat_tables([out, blobs([("points", points)])])

    def explode_points(batches: Any) -> Any:
        for batch in batches:
            for blob in batch.column(1).to_pylist():
                yield from from_ipc(blob).to_batches()

    def per_cells(points: pa.Table) -> pa.Table:
        return steps.cell_step(points, shipped.value)

    def per_pairs(pair_steps: pa.Table) -> pa.Table:
        return steps.pair_step(pair_steps, shipped.value)

    vkey = _bucket(["mmsi"], sc.vessel_buckets)
    vessel_blobs = (
        positions.withColumn("_vessels", vkey)
        .groupBy("_vessels")
        .cogroup(statics.withColumn("_vessels", vkey).groupBy("_vessels"))
        .applyInArrow(per_vessels, BLOB_DDL)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    points = vessel_blobs.filter("what = 'points'").mapInArrow(
        explode_points, _spark_schema(CELL_POINT_SCHEMA)
    )
    pair_steps = points.groupBy("group").applyInArrow(per_cells, _spark_schema(PAIR_STEP_SCHEMA))
    if sc.pair_buckets > 0:
        pair_steps = pair_steps.withColumn("_pairs", _bucket(["a", "b"], sc.pair_buckets))
        grouped = pair_steps.groupBy("_pairs")
    else:
        grouped = pair_steps.groupBy("a", "b")
    encounters = grouped.applyInArrow(per_pairs, BLOB_DDL)
    return vessel_blobs.filter("what != 'points'").unionByName(encounters), vessel_blobs


def detect_spark(
    spark: Any,
    lake: str | LakeLocation,
    context: DetectContext = DetectContext(),
    params: DetectParams = DetectParams(),
    scale: ScaleParams = ScaleParams(),
    *,
    write: bool = True,
) -> SparkRun:
    """Detect over every visible day of the lake with Spark; store the events unless `write` is False."""
    loc = lake if isinstance(lake, LakeLocation) else locate(lake)
    t0 = time.perf_counter()
    pos_files = visible_files(spark, loc, layout.POSITIONS)
    sta_files = visible_files(spark, loc, layout.STATIC)
    result, cached = plan(
        spark,
        _read(spark, pos_files, POSITION_SCHEMA),
        _read(spark, sta_files, STATIC_SCHEMA),
        StepConfig(context, params, scale),
    )
    try:
        table = result.toArrow()
    finally:
        cached.unpersist()
    t1 = time.perf_counter()
    events = stack_events(unpack(table, "events")).sort_by(
        [("kind", "ascending"), ("mmsi", "ascending"), ("start_ts", "ascending")]
    )
    voyage_parts = unpack(table, "voyages")
    voyages = (
        pa.concat_tables(voyage_parts, promote_options="permissive")
        if voyage_parts
        else pa.table({"mmsi": pa.array([], pa.int64())})
    )
    if write:
        store(spark, loc, events, voyages)
    t2 = time.perf_counter()
    return SparkRun(events, voyages, len(pos_files), {"detect_s": t1 - t0, "store_s": t2 - t1})
