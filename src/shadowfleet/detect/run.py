"""Run every detector over one table of positions: pure, no I/O (the lake driver feeds and stores it).

`run_all(positions, statics, context, params) -> (events, voyages)`. Events of every kind are stacked into
one table: EVENT_SCHEMA columns first, then the union of kind-specific columns (null where they do not
apply). Detectors that need the gazetteer (port calls, dark port calls) or the shore (the "likely
intentional" flag, loitering's distance rule) run without them when the context lacks them: port calls
are skipped, and shore distances are left null (loitering then keeps every slow run).
"""

import contextlib
import dataclasses
import hashlib
import importlib
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.behaviours import BehaviourParams, detect_behaviours
from shadowfleet.detect.dark_port_calls import DarkPortCallParams, detect_dark_port_calls
from shadowfleet.detect.draught import DraughtParams
from shadowfleet.detect.encounters import (
    EncounterParams,
    concat_points,
    encounter_points,
    encounters_from_points,
)
from shadowfleet.detect.events import empty_events
from shadowfleet.detect.gaps import GapParams, detect_gaps_track
from shadowfleet.detect.gazetteer import Gazetteer
from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.loitering import LoiteringParams, detect_loitering_track
from shadowfleet.detect.port_calls import PortCallParams, detect_port_calls_track
from shadowfleet.detect.segments import SegmentParams, segment_track
from shadowfleet.detect.shore import Shore
from shadowfleet.detect.spoofing import SpoofingParams
from shadowfleet.detect.tracks import track_from_table
from shadowfleet.detect.voyages import VoyageParams
from shadowfleet.model.schemas import EVENT_SCHEMA


@dataclass(frozen=True)
class DetectContext:
    """Reference geography the detectors consult (loaded by `shadowfleet.geodata`)."""

    gazetteer: Gazetteer | None = None
    shore: Shore | None = None


@dataclass(frozen=True)
class DetectParams:
    segments: SegmentParams = field(default_factory=SegmentParams)
    gaps: GapParams = field(default_factory=GapParams)
    encounters: EncounterParams = field(default_factory=EncounterParams)
    loitering: LoiteringParams = field(default_factory=LoiteringParams)
    port_calls: PortCallParams = field(default_factory=PortCallParams)
    dark_port_calls: DarkPortCallParams = field(default_factory=DarkPortCallParams)
    behaviours: BehaviourParams = field(default_factory=BehaviourParams)

    # the behaviour detectors' parameters, reachable as before they were grouped
    @property
    def spoofing(self) -> SpoofingParams:
        return self.behaviours.spoofing

    @property
    def identity(self) -> IdentityParams:
        return self.behaviours.identity

    @property
    def draught(self) -> DraughtParams:
        return self.behaviours.draught

    @property
    def voyages(self) -> VoyageParams:
        return self.behaviours.voyages


def stack_events(tables: list[pa.Table]) -> pa.Table:
    """Concatenate event tables of different kinds: union of columns, common columns first."""
    tables = [t for t in tables if t.num_rows or t.num_columns > len(EVENT_SCHEMA)]
    if not tables:
        return empty_events()
    out = pa.concat_tables(tables, promote_options="permissive")
    common = [f.name for f in EVENT_SCHEMA]
    rest = [c for c in out.column_names if c not in common]
    return out.select(common + rest)


def unique_event_ids(events: pa.Table) -> pa.Table:
    """Make ids unique without losing determinism: the k-th duplicate (ordered by end, position)
    of an id gets the suffix `-k`. Two events of one kind, vessel and start time can both be real
    (e.g. several spoofed positions in one second)."""
    if events.num_rows < 2:
        return events
    ordered = events.sort_by(
        [("event_id", "ascending"), ("end_ts", "ascending"), ("lat", "ascending"), ("lon", "ascending")]
    )
    ids = ordered.column("event_id").to_numpy(zero_copy_only=False)
    start = np.ones(len(ids), dtype=bool)
    start[1:] = ids[1:] != ids[:-1]
    if start.all():
        return events
    rank = np.arange(len(ids)) - np.maximum.accumulate(np.where(start, np.arange(len(ids)), 0))
    new_ids = [i if r == 0 else f"{i}-{r}" for i, r in zip(ids, rank, strict=True)]
    col = ordered.schema.get_field_index("event_id")
    return ordered.set_column(col, ordered.schema.field(col), pa.array(new_ids, pa.string()))


DETECTOR_MODULES = (
    "dark_port_calls",
    "draught",
    "encounters",
    "gaps",
    "identity",
    "loitering",
    "port_calls",
    "segments",
    "spoofing",
    "voyages",
)


def detector_versions() -> dict[str, str]:
    """Every detector's version: events carry theirs; a stored event set made by other versions is stale."""
    return {
        name: str(importlib.import_module(f"shadowfleet.detect.{name}").DETECTOR_VERSION)
        for name in DETECTOR_MODULES
    }


def detection_fingerprint(params: DetectParams | None = None) -> str:
    """A digest of the detector versions and parameters: when it changes, stored events are re-derived."""
    described = {"versions": detector_versions(), "params": dataclasses.asdict(params or DetectParams())}
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


CLOCK_EXCLUDED = "excluded_clock_positions"  # a count, not seconds, in `run_all`'s timings


def without_clock_times(positions: pa.Table) -> tuple[pa.Table, int]:
    """Positions minus those whose receive time is the ingest machine's clock (ts_origin "clock": the
    input had no time of its own), and how many were dropped. Their times say when a file was read, not
    when the ship was there, so every time-based detector would see fake gaps, stays and jumps."""
    if "ts_origin" not in positions.column_names or positions.num_rows == 0:
        return positions, 0
    is_clock = pc.fill_null(pc.equal(positions.column("ts_origin"), "clock"), False)
    n_clock = int(pc.sum(is_clock).as_py() or 0)
    if n_clock == 0:
        return positions, 0
    return positions.filter(pc.invert(is_clock)), n_clock


def vessel_batches(mmsi: pa.ChunkedArray | pa.Array, batch_rows: int) -> list[tuple[int, int]]:
    """(offset, length) slices of about `batch_rows` rows that never split one vessel's rows."""
    n = len(mmsi)
    if n <= batch_rows:
        return [(0, n)]
    values = mmsi.to_numpy()
    cuts = [0]
    while cuts[-1] + batch_rows < n:
        at = cuts[-1] + batch_rows
        # move the cut forward to the first row of the next vessel
        cut = int(np.searchsorted(values, values[at], side="left"))
        if cut <= cuts[-1]:
            cut = int(np.searchsorted(values, values[at], side="right"))
        if cut >= n:
            break
        cuts.append(cut)
    cuts.append(n)
    return [(a, b - a) for a, b in itertools.pairwise(cuts)]


def run_all(
    positions: pa.Table,
    statics: pa.Table | None = None,
    context: DetectContext = DetectContext(),
    params: DetectParams = DetectParams(),
    *,
    batch_rows: int = 4_000_000,
    timings: dict[str, float] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Every detector over `positions` (sorted by mmsi, ts; many vessels). Returns (events, voyages).

    Detectors run over batches of about `batch_rows` rows (whole vessels), so memory stays bounded;
    encounters collect each batch's resampled points and pair them all at once, then the behaviour
    detectors (spoofing, draught, voyages) run per batch with the batch's static reports and the port
    calls and encounters of its vessels; identity changes, which follow IMO numbers across MMSIs, run
    once over all static reports. `timings`, when given, receives the seconds spent per detector, and
    under `CLOCK_EXCLUDED` the number of positions left out because their time is the ingest clock's
    (`without_clock_times`; present only when some were).
    """
    positions, n_clock = without_clock_times(positions)
    if timings is not None and n_clock:
        timings[CLOCK_EXCLUDED] = timings.get(CLOCK_EXCLUDED, 0.0) + n_clock
    clock = _Clock(timings)
    tables: list[pa.Table] = []
    points = []
    gazetteer = context.gazetteer
    batches = vessel_batches(positions.column("mmsi"), batch_rows)
    for offset, length in batches:
        batch = positions.slice(offset, length)
        with clock("prepare"):
            track = track_from_table(batch)
        with clock("segments"):
            segs = segment_track(track, params.segments)
        with clock("ais_gap"):
            gaps = detect_gaps_track(track, params.gaps, context.shore)
        tables.append(gaps)
        with clock("encounter"):
            points.append(encounter_points(track, params.encounters, gazetteer, segs))
        with clock("loitering"):
            tables.append(detect_loitering_track(track, params.loitering, context.shore, segs))
        if gazetteer is not None:
            with clock("port_call"):
                tables.append(detect_port_calls_track(track, params.port_calls, gazetteer, segs))
            with clock("dark_port_call"):
                tables.append(detect_dark_port_calls(gaps, track, gazetteer, params.dark_port_calls, statics))
        del track, segs
    with clock("encounter"):
        if points:
            tables.append(encounters_from_points(concat_points(points), params.encounters))
    del points
    track_events = stack_events(tables)
    del tables
    behaviour_tables, voyage_tables = [], []
    mmsi = positions.column("mmsi")
    # batch k owns the MMSIs from its first vessel up to the next batch's first (statics without
    # positions included)
    bounds = [int(mmsi[offset].as_py()) for offset, _ in batches[1:]] if len(batches) > 1 else []
    for k, (offset, length) in enumerate(batches):
        lo = bounds[k - 1] if k > 0 else None
        hi = bounds[k] if k < len(bounds) else None
        with clock("behaviours"):
            sta = _mmsi_range(statics, lo, hi) if statics is not None else None
            evs = _mmsi_range(track_events, lo, hi, also_other=True)
            b_events, b_voyages = detect_behaviours(
                positions.slice(offset, length),
                sta if sta is not None and sta.num_rows > 0 else None,
                evs,
                params.behaviours,
            )
        if len(batches) > 1:  # identity changes follow IMO numbers across MMSIs: found once below
            b_events = b_events.filter(pc.not_equal(b_events.column("kind"), "identity_change"))
        behaviour_tables.append(b_events)
        voyage_tables.append(b_voyages)
    voyages = pa.concat_tables(voyage_tables, promote_options="permissive")
    if len(batches) > 1 and statics is not None and statics.num_rows > 0:
        with clock("behaviours"):
            behaviour_tables.append(detect_identity_changes(statics, params.behaviours.identity, positions))
    with clock("assemble"):
        events = unique_event_ids(stack_events([track_events, *behaviour_tables])).sort_by(
            [("kind", "ascending"), ("mmsi", "ascending"), ("start_ts", "ascending")]
        )
    return events, voyages


def _mmsi_range(table: pa.Table, lo: int | None, hi: int | None, also_other: bool = False) -> pa.Table:
    """Rows with lo <= mmsi < hi (None: unbounded); with `also_other`, or lo <= other_mmsi < hi."""
    if lo is None and hi is None:
        return table

    def inside(col: str) -> pa.ChunkedArray:
        c = table.column(col)
        ok = pc.greater_equal(c, lo) if lo is not None else pc.is_valid(c)
        return pc.and_(ok, pc.less(c, hi)) if hi is not None else ok

    mask = inside("mmsi")
    if also_other and "other_mmsi" in table.column_names:
        mask = pc.or_(mask, pc.fill_null(inside("other_mmsi"), False))
    return table.filter(mask)


class _Clock:
    """`with clock("name"):` adds the block's seconds to timings["name"] (when timings is given)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t
