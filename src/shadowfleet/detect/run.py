"""Run every detector over one table of positions: pure, no I/O (the lake driver feeds and stores it).

`run_all(positions, statics, context, params) -> (events, voyages)`. Events of every kind are stacked into
one table: EVENT_SCHEMA columns first, then the union of kind-specific columns (null where they do not
apply). Detectors that need the gazetteer (port calls, dark port calls) or the shore (the "likely
intentional" flag, loitering's distance rule) run without them when the context lacks them: port calls
are skipped, and shore distances are left null (loitering then keeps every slow run).
"""

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from shadowfleet.detect.dark_port_calls import DarkPortCallParams, detect_dark_port_calls
from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from shadowfleet.detect.encounters import EncounterParams, detect_encounters_track
from shadowfleet.detect.events import empty_events
from shadowfleet.detect.gaps import GapParams, detect_gaps_track
from shadowfleet.detect.gazetteer import Gazetteer
from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.loitering import LoiteringParams, detect_loitering_track
from shadowfleet.detect.port_calls import PortCallParams, detect_port_calls_track
from shadowfleet.detect.segments import SegmentParams, segment_track
from shadowfleet.detect.shore import Shore
from shadowfleet.detect.spoofing import SpoofingParams, detect_spoofing
from shadowfleet.detect.tracks import track_from_table
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
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    identity: IdentityParams = field(default_factory=IdentityParams)
    draught: DraughtParams = field(default_factory=DraughtParams)


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


def run_all(
    positions: pa.Table,
    statics: pa.Table | None = None,
    context: DetectContext = DetectContext(),
    params: DetectParams = DetectParams(),
) -> tuple[pa.Table, pa.Table]:
    """Every detector over `positions` (sorted by mmsi, ts; many vessels). Returns (events, voyages)."""
    track = track_from_table(positions)
    segs = segment_track(track, params.segments)
    gaps = detect_gaps_track(track, params.gaps, context.shore)
    encounters = detect_encounters_track(track, params.encounters, context.gazetteer, segs)
    tables = [gaps, encounters]
    tables.append(detect_loitering_track(track, params.loitering, context.shore, segs))
    port_calls = None
    if context.gazetteer is not None:
        port_calls = detect_port_calls_track(track, params.port_calls, context.gazetteer, segs)
        tables.append(port_calls)
        tables.append(detect_dark_port_calls(gaps, track, context.gazetteer, params.dark_port_calls, statics))
    has_statics = statics is not None and statics.num_rows > 0
    tables.append(detect_spoofing(positions, statics if has_statics else None, params.spoofing))
    if statics is not None and has_statics:
        tables.append(detect_identity_changes(statics, params.identity, positions))
        tables.append(detect_draught_changes(statics, params.draught, port_calls, encounters))
    events = unique_event_ids(stack_events(tables)).sort_by(
        [("kind", "ascending"), ("mmsi", "ascending"), ("start_ts", "ascending")]
    )
    voyages = pa.table({"mmsi": pa.array([], pa.int64())})
    return events, voyages
