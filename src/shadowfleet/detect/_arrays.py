"""Small vectorised helpers shared by the detectors in this package (no I/O, no state)."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.events import event_ids
from shadowfleet.detect.geo import haversine_m

__all__ = ["haversine_m"]  # re-exported: the one great-circle distance of the package (detect.geo)


def require_columns(table: pa.Table, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(f"{what} table lacks column(s) {missing}; it has {table.column_names}")


def ts_us(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A timestamp column as int64 microseconds since the epoch (UTC); nulls become INT64 min."""
    if pa.types.is_timestamp(column.type):
        tz = column.type.tz
        column = pc.cast(column, pa.timestamp("us", tz=tz) if tz else pa.timestamp("us"))
    elif not pa.types.is_integer(column.type):
        raise ValueError(f"expected a timestamp column, got {column.type}")
    return np.asarray(pc.fill_null(column.cast(pa.int64()), np.iinfo(np.int64).min), dtype=np.int64)


def floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A numeric column as float64 with NaN for nulls."""
    return pc.fill_null(column.cast(pa.float64()), np.nan).to_numpy().astype(np.float64, copy=True)


def ints(column: pa.ChunkedArray | pa.Array, null: int = -1) -> np.ndarray:
    return pc.fill_null(column.cast(pa.int64()), null).to_numpy().astype(np.int64, copy=True)


def bools(table: pa.Table, name: str, default: bool = False) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, default, dtype=bool)
    return np.asarray(pc.fill_null(table.column(name).cast(pa.bool_()), default), dtype=bool)


def strings(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A column as an object array of str or None."""
    return np.array(column.cast(pa.string()).to_pylist(), dtype=object)


def check_sorted(mmsi: np.ndarray, ts: np.ndarray, what: str) -> None:
    """Raise unless rows are sorted by (mmsi, ts)."""
    if len(mmsi) < 2:
        return
    dm = np.diff(mmsi)
    bad = (dm < 0) | ((dm == 0) & (np.diff(ts) < 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise ValueError(f"{what} must be sorted by (mmsi, ts); row {row} is out of order")


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Boolean mask, True at the first row of each run of equal consecutive keys."""
    starts = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        starts[1:] = keys[1:] != keys[:-1]
    return starts


def iso_us(ts_us_value: int) -> str:
    """Microseconds since the epoch as ISO 8601 UTC text for evidence JSON."""
    return str(np.datetime64(int(ts_us_value), "us")) + "Z"


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"not JSON serialisable: {type(value)}")


def with_subkind_ids(
    table: pa.Table,
    id_kind: str,
    mmsi: np.ndarray,
    start_us: np.ndarray,
    version: str,
    other_mmsi: np.ndarray | None = None,
    discriminator: Sequence[str] | None = None,
) -> pa.Table:
    """Replace `event_id` with ids over a finer kind (e.g. "spoofing:on_land", "identity_change:name")
    and, where given, a per-row discriminator, so two events of one kind, vessel and start time (a name
    and a call sign changed together; two jumps reported in the same second) differ."""
    if discriminator is None:
        ids = event_ids(
            id_kind,
            np.asarray(mmsi, dtype=np.int64),
            other_mmsi,
            np.asarray(start_us, dtype=np.int64),
            version,
        )
    else:
        others = other_mmsi if other_mmsi is not None else np.full(len(mmsi), -1, dtype=np.int64)
        ids = [
            hashlib.sha1(f"{id_kind}|{d}|{int(a)}|{int(b)}|{int(t)}|{version}".encode()).hexdigest()[:20]
            for a, b, t, d in zip(mmsi, others, start_us, discriminator, strict=True)
        ]
    index = table.schema.get_field_index("event_id")
    return table.set_column(index, table.schema.field(index), pa.array(ids, pa.string()))


def nan_to_null(table: pa.Table, columns: Iterable[str] = ("lat", "lon")) -> pa.Table:
    """Store "no value" as null rather than NaN (NaN never equals itself and reads as a number)."""
    for name in columns:
        index = table.schema.get_field_index(name)
        values = floats(table.column(name))
        table = table.set_column(
            index, table.schema.field(index), pa.array(values, pa.float64(), mask=np.isnan(values))
        )
    return table


def asof_index(
    data_mmsi: np.ndarray,
    data_ts: np.ndarray,
    query_mmsi: np.ndarray,
    query_ts: np.ndarray,
    direction: str = "backward",
) -> np.ndarray:
    """For each query, the row of the same vessel with the latest ts <= query ts ("backward") or the
    earliest ts >= query ts ("forward"); -1 where there is none. Data must be sorted by (mmsi, ts)."""
    if direction not in ("backward", "forward"):
        raise ValueError(f"direction must be 'backward' or 'forward', not {direction!r}")
    n, m = len(data_mmsi), len(query_mmsi)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 0:
        return np.full(m, -1, dtype=np.int64)
    data_mmsi = np.asarray(data_mmsi, dtype=np.int64)
    query_mmsi = np.asarray(query_mmsi, dtype=np.int64)
    data_ts = np.asarray(data_ts, dtype=np.int64)
    query_ts = np.asarray(query_ts, dtype=np.int64)
    starts = group_starts(data_mmsi)
    vessels = data_mmsi[starts]
    data_vessel = np.cumsum(starts) - 1  # data is sorted: the rank of each row's vessel, no search
    query_vessel = np.minimum(np.searchsorted(vessels, query_mmsi), len(vessels) - 1)
    known = vessels[query_vessel] == query_mmsi
    t0 = min(int(data_ts.min()), int(query_ts.min()))
    span = max(int(data_ts.max()), int(query_ts.max())) - t0 + 2
    if len(vessels) * span < 2**62:
        # One sortable key, vessel-major: a binary search instead of a merge.
        data_key = data_vessel * span + (data_ts - t0)
        query_key = query_vessel * span + (query_ts - t0)
        if direction == "backward":
            idx = np.searchsorted(data_key, query_key, side="right") - 1
        else:
            idx = np.searchsorted(data_key, query_key, side="left")
        inside = (idx >= 0) & (idx < n)
        safe = np.clip(idx, 0, n - 1)
        hit = known & inside & (data_vessel[safe] == query_vessel)
        return np.where(hit, safe, -1)
    return _asof_merge(data_mmsi, data_ts, query_mmsi, query_ts, direction)


def _asof_merge(
    data_mmsi: np.ndarray, data_ts: np.ndarray, query_mmsi: np.ndarray, query_ts: np.ndarray, direction: str
) -> np.ndarray:
    """asof_index by merging data and queries in one sort (for key ranges too wide for one int64)."""
    n, m = len(data_mmsi), len(query_mmsi)
    all_mmsi = np.concatenate([data_mmsi, query_mmsi])
    all_ts = np.concatenate([data_ts, query_ts])
    is_query = np.concatenate([np.zeros(n, np.int8), np.ones(m, np.int8)])
    if direction == "backward":
        order = np.lexsort((is_query, all_ts, all_mmsi))  # data before queries at equal ts
        candidate = np.where(order < n, order, -1)
        found = np.maximum.accumulate(candidate)
    else:
        order = np.lexsort((-is_query, all_ts, all_mmsi))  # queries before data at equal ts
        candidate = np.where(order < n, order, np.iinfo(np.int64).max)
        found = np.minimum.accumulate(candidate[::-1])[::-1]
        found = np.where(found == np.iinfo(np.int64).max, -1, found)
    queries = order >= n
    result = np.full(m, -1, dtype=np.int64)
    result[order[queries] - n] = found[queries]
    hit = result >= 0
    hit[hit] = data_mmsi[result[hit]] == query_mmsi[hit]
    return np.where(hit, result, -1)
