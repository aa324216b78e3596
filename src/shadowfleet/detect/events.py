"""Building event rows: deterministic ids, parameters as JSON, the common columns of EVENT_SCHEMA.

Every detector returns a table whose first columns follow EVENT_SCHEMA; kind-specific columns (units in
their names) follow. `event_id` is a hash of kind, vessel ids, start time and detector version, so a
re-run replaces rather than duplicates, and public URLs stay stable.
"""

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from shadowfleet.model.schemas import EVENT_KINDS, EVENT_SCHEMA


def params_json(params: Any) -> str:
    """A frozen parameter dataclass as canonical JSON (sorted keys), stored with every event."""
    return json.dumps(dataclasses.asdict(params), sort_keys=True, separators=(",", ":"))


def event_ids(
    kind: str,
    mmsi: np.ndarray,
    other_mmsi: np.ndarray | None,
    start_us: np.ndarray,
    detector_version: str,
) -> list[str]:
    """Deterministic ids: the first 20 hex digits of SHA-1 over kind|mmsi|other|start_us|version."""
    others = other_mmsi if other_mmsi is not None else np.full(len(mmsi), -1, dtype=np.int64)
    return [
        hashlib.sha1(f"{kind}|{int(a)}|{int(b)}|{int(t)}|{detector_version}".encode()).hexdigest()[:20]
        for a, b, t in zip(mmsi, others, start_us, strict=True)
    ]


def build_events(
    kind: str,
    *,
    mmsi: np.ndarray,
    start_us: np.ndarray,
    end_us: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    confidence: np.ndarray,
    evidence: Sequence[str] | pa.Array,
    params: Any,
    detector_version: str,
    simulated: np.ndarray,
    other_mmsi: np.ndarray | None = None,
    extra: Mapping[str, pa.Array | np.ndarray | Sequence[Any]] | None = None,
) -> pa.Table:
    """Assemble an event table: EVENT_SCHEMA columns first, then `extra` kind-specific columns.

    Times are microseconds since the Unix epoch (UTC). `other_mmsi` may hold -1 for "none".
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
    n = len(mmsi)
    mmsi = np.asarray(mmsi, dtype=np.int64)
    start_us = np.asarray(start_us, dtype=np.int64)
    other = None if other_mmsi is None else np.asarray(other_mmsi, dtype=np.int64)
    ids = event_ids(kind, mmsi, other, start_us, detector_version)
    ts_type = EVENT_SCHEMA.field("start_ts").type
    columns: dict[str, pa.Array] = {
        "event_id": pa.array(ids, pa.string()),
        "kind": pa.array([kind] * n, pa.string()),
        "mmsi": pa.array(mmsi, pa.int64()),
        "other_mmsi": pa.array(other, pa.int64(), mask=other < 0)
        if other is not None
        else pa.nulls(n, pa.int64()),
        "start_ts": pa.array(start_us, pa.int64()).cast(ts_type),
        "end_ts": pa.array(np.asarray(end_us, dtype=np.int64), pa.int64()).cast(ts_type),
        "lat": pa.array(np.asarray(lat, dtype=np.float64), pa.float64()),
        "lon": pa.array(np.asarray(lon, dtype=np.float64), pa.float64()),
        "confidence": pa.array(np.asarray(confidence, dtype=np.float64), pa.float64()),
        "detector_version": pa.array([detector_version] * n, pa.string()),
        "params": pa.array([params_json(params)] * n, pa.string()),
        "evidence": evidence if isinstance(evidence, pa.Array) else pa.array(list(evidence), pa.string()),
        "simulated": pa.array(np.asarray(simulated, dtype=bool), pa.bool_()),
    }
    table = pa.table(columns, schema=EVENT_SCHEMA)
    for name, values in (extra or {}).items():
        if name in table.column_names:
            raise ValueError(f"extra column {name!r} collides with a common event column")
        table = table.append_column(name, values if isinstance(values, pa.Array) else pa.array(values))
    return table


def empty_events() -> pa.Table:
    return EVENT_SCHEMA.empty_table()
