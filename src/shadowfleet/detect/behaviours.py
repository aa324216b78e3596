"""The behaviour detectors in one call, for the runner: spoofing, identity changes, draught changes
(at the port calls and encounters the track detectors found) and voyages. Pure; no I/O."""

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from shadowfleet.detect.events import empty_events
from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.spoofing import SpoofingParams, detect_spoofing
from shadowfleet.detect.voyages import VoyageParams, build_voyages
from shadowfleet.model.schemas import EVENT_SCHEMA


@dataclass(frozen=True)
class BehaviourParams:
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    identity: IdentityParams = field(default_factory=IdentityParams)
    draught: DraughtParams = field(default_factory=DraughtParams)
    voyages: VoyageParams = field(default_factory=VoyageParams)


def _of_kind(events: pa.Table | None, kind: str) -> pa.Table | None:
    if events is None or events.num_rows == 0:
        return None
    if "kind" not in events.column_names:
        return events
    picked = events.filter(pc.equal(events.column("kind"), kind))
    return picked if picked.num_rows else None


def detect_behaviours(
    positions: pa.Table,
    statics: pa.Table | None,
    track_events: pa.Table | None = None,
    params: BehaviourParams = BehaviourParams(),
    declared_flags: pa.Table | None = None,
) -> tuple[pa.Table, pa.Table]:
    """(events, voyages). `positions` and `statics` sorted by (mmsi, ts); `track_events` the port-call
    and encounter events already detected (any other kinds in it are ignored); `declared_flags`
    (mmsi, flag ISO alpha-2[, source]) from the registry, when known. Events of kinds `spoofing`,
    `identity_change` and `draught_change` are stacked: EVENT_SCHEMA columns, then the union of their
    kind-specific columns."""
    port_calls = _of_kind(track_events, "port_call")
    encounters = _of_kind(track_events, "encounter")
    tables = [detect_spoofing(positions, statics, params.spoofing, declared_flags)]
    if statics is not None:
        tables.append(detect_identity_changes(statics, params.identity, positions=positions))
        if port_calls is not None or encounters is not None:
            tables.append(detect_draught_changes(statics, params.draught, port_calls, encounters))
    voyages = (
        build_voyages(port_calls, params.voyages, positions=positions, statics=statics)
        if port_calls is not None
        else build_voyages(empty_events().append_column("port_id", pa.nulls(0, pa.string())), params.voyages)
    )
    events = pa.concat_tables(tables, promote_options="permissive")
    common = [f.name for f in EVENT_SCHEMA]
    events = events.select(common + [c for c in events.column_names if c not in common])
    return events, voyages
