"""What each Spark group runs: thin wrappers that call the `detect/` functions unchanged.

Three kinds of group, each a pure function of Arrow tables (testable without Spark):

1. `vessel_step`: a group of whole vessels (positions and static reports). Runs `run_all` exactly as the
   local engine does and keeps every event that depends on these vessels alone (all but encounters and
   the draught changes seen at encounters); it also returns the vessels' resampled encounter points
   (`encounter_points`), each copied into its space-time cell and the neighbours it lies near
   (`cells.replicate`).
2. `cell_step`: a group of cells. Finds the close point pairs with the detector's `close_pairs` and keeps
   a pair only in the group that owns it (the home cell of its lower-MMSI point).
3. `pair_step`: a group of vessel pairs with all their close steps, over all days. Merges them into
   encounters with the detector's `encounters_from_pairs`, so meetings across midnight or a cell border
   come out exactly as the local engine finds them.
4. `draught_step`: a group of whole vessels' static reports with every port call and encounter of theirs
   (both sides): `detect_draught_changes` as `run_all` calls it.

Evidence names positions and static reports by receive time (the vessel is the event's), never by row
number, so a group's events are the local engine's as they are: nothing is renumbered.
"""

from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.draught import detect_draught_changes
from shadowfleet.detect.encounters import close_pairs, encounter_points, encounters_from_pairs
from shadowfleet.detect.imo import imo_valid_mask
from shadowfleet.detect.resample import Resampled
from shadowfleet.detect.run import DetectContext, DetectParams, run_all
from shadowfleet.detect.segments import segment_track
from shadowfleet.detect.tracks import starts_of, track_from_table
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA
from shadowfleet.scale.blobs import BLOB_SCHEMA, blobs
from shadowfleet.scale.cells import bucket_of, replicate

POINT_COLUMNS = ("mmsi", "segment", "t_step", "lat", "lon", "speed_kn", "simulated")
CELL_POINT_SCHEMA = pa.schema(
    [
        ("group", pa.int64()),
        ("home_group", pa.int64()),
        ("mmsi", pa.int64()),
        ("segment", pa.int64()),
        ("t_step", pa.int64()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("speed_kn", pa.float64()),
        ("simulated", pa.bool_()),
    ]
)
PAIR_STEP_SCHEMA = pa.schema(
    [("a", pa.int64()), ("b", pa.int64())]
    + [(f"{c}_a", CELL_POINT_SCHEMA.field(c).type) for c in POINT_COLUMNS if c not in ("mmsi",)]
    + [(f"{c}_b", CELL_POINT_SCHEMA.field(c).type) for c in POINT_COLUMNS if c not in ("mmsi",)]
)


@dataclass(frozen=True)
class ScaleParams:
    """How the work is cut; none of these changes a result, only its cost (docs/scale.md)."""

    vessel_buckets: int = 64  # groups of whole vessels; 0 = one group per family (see `families`)
    cell_m: float = 20_000.0  # encounter cell edge (Earth-centred cube), x one UTC day
    cell_buckets: int = 64  # groups of cells; 0 = one group per cell
    pair_buckets: int = 16  # groups of vessel pairs; 0 = one group per pair


# kinds whose events depend on other vessels: computed by the cell/pair and draught steps instead
CROSS_VESSEL_KINDS = ("encounter", "draught_change")
# the columns of port calls and encounters that draught changes read
STOP_COLUMNS = (
    "event_id", "kind", "mmsi", "other_mmsi", "start_ts", "end_ts", "lat", "lon", "simulated",
    "port_id", "port_name", "port_country",
)  # fmt: skip


def families(mmsi: np.ndarray, imo: np.ndarray) -> pa.Table:
    """(mmsi, family): MMSIs linked by a shared valid IMO number, transitively, get the smallest MMSI of
    their set as family, so identity changes keyed by IMO see all of them in one group. Only MMSIs in a
    family of two or more are listed."""
    ok = imo_valid_mask(imo)
    m, i = mmsi[ok], imo[ok]
    vessels, m_idx = np.unique(m, return_inverse=True)
    _, i_idx = np.unique(i, return_inverse=True)
    parent = np.arange(len(vessels))
    first_of_imo = np.full(int(i_idx.max()) + 1 if len(i_idx) else 0, -1)

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = int(parent[k])
        return k

    for v, g in zip(m_idx.tolist(), i_idx.tolist(), strict=True):  # one step per distinct (mmsi, imo)
        if first_of_imo[g] < 0:
            first_of_imo[g] = v
        else:
            a, b = root(v), root(int(first_of_imo[g]))
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = np.array([root(k) for k in range(len(vessels))], dtype=np.int64)
    size = np.bincount(roots, minlength=len(vessels))
    keep = size[roots] > 1
    return pa.table(
        {"mmsi": pa.array(vessels[keep], pa.int64()), "family": pa.array(vessels[roots[keep]], pa.int64())}
    )


@dataclass(frozen=True)
class StepConfig:
    context: DetectContext = field(default_factory=DetectContext)
    params: DetectParams = field(default_factory=DetectParams)
    scale: ScaleParams = field(default_factory=ScaleParams)


def fresh_context(context: DetectContext) -> DetectContext:
    """The context without its lazily built indexes (they are rebuilt where used; some do not pickle)."""
    gaz = None if context.gazetteer is None else replace(context.gazetteer, _indexes={})
    shore = None if context.shore is None else replace(context.shore, _cache={})
    return DetectContext(gazetteer=gaz, shore=shore)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly `schema`'s columns and types (Spark may hand back wider string types)."""
    return pa.table([table.column(f.name).cast(f.type) for f in schema], schema=schema)


# where a row sits in the lake, added when reading (`_metadata`): ties in (mmsi, ts, msg_type) keep the
# order of the files, as the local engine's reader does
FILE_ORDER_COLUMNS = ("_file", "_row")


def lake_order(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows in the local engine's order (mmsi, ts, msg_type, then file order), with `schema`'s columns."""
    keys = ["mmsi", "ts", "msg_type"] + [c for c in FILE_ORDER_COLUMNS if c in table.column_names]
    return conform(table.sort_by([(k, "ascending") for k in keys]), schema)


def vessel_step(positions: pa.Table, statics: pa.Table, config: StepConfig) -> tuple[pa.Table, pa.Table]:
    """Per-vessel events and voyages (as blobs), and the encounter points copied into their cells."""
    pos = lake_order(positions, POSITION_SCHEMA)
    sta = lake_order(statics, STATIC_SCHEMA)
    events, voyages = run_all(pos, sta, config.context, config.params)
    events = events.filter(pc.invert(pc.is_in(events.column("kind"), pa.array(CROSS_VESSEL_KINDS))))
    out = blobs([("events", events), ("voyages", voyages)])
    return out, cell_points(pos, config)


def stops_of(events: pa.Table) -> pa.Table:
    """Port calls and encounters, reduced to what draught changes read (small enough to broadcast)."""
    stops = events.filter(pc.is_in(events.column("kind"), pa.array(["port_call", "encounter"])))
    return stops.select([c for c in STOP_COLUMNS if c in stops.column_names])


def draught_step(statics: pa.Table, stops: pa.Table, config: StepConfig) -> pa.Table:
    """Draught changes (as blobs) of a group of whole vessels, given every stop of the lake."""
    sta = lake_order(statics, STATIC_SCHEMA)
    if sta.num_rows == 0 or stops.num_rows == 0:
        return BLOB_SCHEMA.empty_table()
    vessels = pa.array(np.unique(sta.column("mmsi").to_numpy()))
    kind = stops.column("kind")
    calls = stops.filter(pc.and_(pc.equal(kind, "port_call"), pc.is_in(stops.column("mmsi"), vessels)))
    enc = stops.filter(
        pc.and_(
            pc.equal(kind, "encounter"),
            pc.or_(pc.is_in(stops.column("mmsi"), vessels), pc.is_in(stops.column("other_mmsi"), vessels)),
        )
    )
    events = detect_draught_changes(sta, config.params.draught, calls, enc)
    events = events.filter(pc.is_in(events.column("mmsi"), vessels))
    return blobs([("events", events)])


def cell_points(positions: pa.Table, config: StepConfig) -> pa.Table:
    """Resampled encounter points of sorted positions, one row per (point, cell) copy."""
    p = config.params
    track = track_from_table(positions)
    segs = segment_track(track, p.segments)
    rs = encounter_points(track, p.encounters, config.context.gazetteer, segs)
    ts_us = rs.t_step * (rs.step_s * 1_000_000)
    idx, key, home = replicate(rs.lat, rs.lon, ts_us, config.scale.cell_m, p.encounters.max_distance_m)
    n_b = config.scale.cell_buckets
    cols = [bucket_of(key, n_b), bucket_of(home, n_b)]
    cols += [rs.mmsi[idx], rs.segment_id[idx], rs.t_step[idx], rs.lat[idx], rs.lon[idx]]
    cols += [rs.speed_kn[idx], rs.simulated[idx]]
    return pa.table([pa.array(c) for c in cols], schema=CELL_POINT_SCHEMA)


def _unique_points(mmsi: np.ndarray, seg: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first row of every distinct point in (mmsi, segment, step) order, point number of every row)."""
    o = np.lexsort((t, seg, mmsi))
    start = starts_of(mmsi[o]) | starts_of(seg[o]) | starts_of(t[o])
    inverse = np.empty(len(o), dtype=np.int64)
    inverse[o] = np.cumsum(start) - 1
    return o[start], inverse


def _resampled(table: pa.Table, rows: np.ndarray, suffix: str, step_s: int) -> Resampled:
    def col(name: str) -> np.ndarray:
        return table.column(name + suffix).to_numpy(zero_copy_only=False)[rows]

    return Resampled(
        col("mmsi"), col("segment"), col("t_step"), col("lat"), col("lon"), col("speed_kn"), col("simulated"),
        step_s,
    )  # fmt: skip


def cell_step(points: pa.Table, config: StepConfig) -> pa.Table:
    """Close pairs owned by this group of cells, one row per (pair, step), both points' values."""
    if points.num_rows == 0:
        return PAIR_STEP_SCHEMA.empty_table()
    group = points.column("group")[0].as_py()
    mmsi = points.column("mmsi").to_numpy()
    seg = points.column("segment").to_numpy()
    t = points.column("t_step").to_numpy()
    first, _ = _unique_points(mmsi, seg, t)
    step_s = config.params.encounters.resample_step_s
    rs = _resampled(points, first, "", step_s)
    i, j = close_pairs(rs, config.params.encounters)
    home = points.column("home_group").to_numpy()[first]
    owned = home[i] == group
    i, j = i[owned], j[owned]
    # one row per distinct point pair (the detector's hash may report a pair from two of its cells)
    if len(i):
        o = np.lexsort((j, i))
        i, j = i[o], j[o]
        keep = starts_of(i) | starts_of(j)
        i, j = i[keep], j[keep]
    cols: list[np.ndarray] = [rs.mmsi[i], rs.mmsi[j]]
    for side in (i, j):
        cols += [rs.segment_id[side], rs.t_step[side], rs.lat[side], rs.lon[side], rs.speed_kn[side]]
        cols += [rs.simulated[side]]
    return pa.table([pa.array(c) for c in cols], schema=PAIR_STEP_SCHEMA)


def pair_step(pair_steps: pa.Table, config: StepConfig) -> pa.Table:
    """Encounter events (as blobs) of the vessel pairs in this group, over all their close steps."""
    n = pair_steps.num_rows
    if n == 0:
        return BLOB_SCHEMA.empty_table()

    def both(name: str) -> np.ndarray:
        a = pair_steps.column(f"{name}_a" if name != "mmsi" else "a").to_numpy(zero_copy_only=False)
        b = pair_steps.column(f"{name}_b" if name != "mmsi" else "b").to_numpy(zero_copy_only=False)
        return np.concatenate([a, b])

    stacked = pa.table({c: both(c) for c in POINT_COLUMNS})
    first, inverse = _unique_points(
        stacked.column("mmsi").to_numpy(),
        stacked.column("segment").to_numpy(),
        stacked.column("t_step").to_numpy(),
    )
    rs = _resampled(stacked, first, "", config.params.encounters.resample_step_s)
    events = encounters_from_pairs(rs, inverse[:n], inverse[n:], config.params.encounters)
    return blobs([("encounters", events)])
