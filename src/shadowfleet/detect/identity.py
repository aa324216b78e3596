"""Apparent identity changes: name, call sign, ship type, IMO or flag of one MMSI changing over time,
and, keyed by IMO number, the MMSI (and with it the flag its MID implies) changing.

Input: static reports (STATIC_SCHEMA) sorted by (mmsi, ts), many vessels. A value counts only when it
was reported at least `min_reports_per_value` times in a row (ignoring nulls and padding), so single
garbled decodes and values that flicker through nulls make no event. Methods: docs/methods/identity.md.
"""

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect._arrays import (
    asof_index,
    bools,
    check_sorted,
    floats,
    ints,
    iso_us,
    nan_to_null,
    require_columns,
    to_json,
    ts_us,
    with_subkind_ids,
)
from shadowfleet.detect.events import build_events
from shadowfleet.detect.imo import imo_valid_mask
from shadowfleet.detect.mid import country_of_mmsi
from shadowfleet.model.schemas import EVENT_SCHEMA

DETECTOR_VERSION = "identity-1.1"

IDENTITY_FIELDS = ("name", "callsign", "ship_type", "imo", "flag", "mmsi")

IDENTITY_COLUMNS = pa.schema(
    [
        pa.field("field", pa.string()),
        pa.field("old_value", pa.string()),
        pa.field("new_value", pa.string()),
        pa.field("imo", pa.int64()),
    ]
)


@dataclass(frozen=True)
class IdentityParams:
    # A value must appear in this many consecutive non-null reports to count (one garbled type-5
    # decode is common; a real rename repeats every 6 minutes, ITU-R M.1371 static reporting interval).
    min_reports_per_value: int = 2
    # A value that reverts to the previous one within this time is flicker, not a change: two
    # transmitters on one MMSI (see spoofing's shared_mmsi), or a typo corrected.
    revert_window_h: float = 168.0
    # Fields compared per MMSI; "flag" is used only when the static table has a `flag` column.
    fields: tuple[str, ...] = ("name", "callsign", "ship_type", "imo", "flag")
    # Also follow each valid IMO number across MMSIs (re-registration changes MMSI and, via its MID, flag).
    follow_imo: bool = True


_SPACES = re.compile(r"\s+")


def normalise_text(value: str | None) -> str | None:
    """AIS six-bit text: '@' is padding; case and runs of spaces carry no meaning. Empty -> None."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value.replace("@", " ")).strip().upper()
    return text or None


def normalise_text_array(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """`normalise_text` over a whole column, with Arrow string kernels."""
    text = pc.replace_substring(column.cast(pa.string()), "@", " ")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_upper(text), r"\s+", " "))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _encode(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Integer codes for values (-1 for null) and the code -> value list."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    codes = pc.fill_null(encoded.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def _field_values(statics: pa.Table, field: str) -> tuple[np.ndarray, list[Any]]:
    column = statics.column(field)
    if field in ("name", "callsign", "flag"):
        # Normalise the distinct values only (a vessel repeats its name thousands of times), then
        # merge values that normalise alike.
        raw_codes, raw_values = _encode(column.cast(pa.string()))
        norm_codes, norm_values = _encode(normalise_text_array(pa.array(raw_values, pa.string())))
        codes = np.where(raw_codes >= 0, norm_codes[np.maximum(raw_codes, 0)] if len(norm_codes) else -1, -1)
        return codes.astype(np.int64), norm_values
    numbers = ints(column, null=0)
    return _encode(pa.array(numbers, pa.int64(), mask=numbers <= 0))


def _changes(
    key: np.ndarray, ts: np.ndarray, codes: np.ndarray, min_reports: int, revert_window_us: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Runs of equal non-null codes per key; returns (first_row, last_row, count) of kept runs and a
    mask over kept runs that are a change from the previous kept run of the same key. A run that
    sits between two runs of one value and lasted less than `revert_window_us` is flicker: neither
    the change into it nor the change back counts."""
    rows = np.flatnonzero(codes >= 0)
    if len(rows) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0, dtype=bool)
    k, c = key[rows], codes[rows]
    new_run = np.ones(len(rows), dtype=bool)
    new_run[1:] = (k[1:] != k[:-1]) | (c[1:] != c[:-1])
    starts = np.flatnonzero(new_run)
    counts = np.diff(np.append(starts, len(rows)))
    keep = counts >= min_reports
    first, last, counts = rows[starts[keep]], rows[starts[keep] + counts[keep] - 1], counts[keep]
    # Runs of one value that were split by a dropped short run are one run again.
    if len(first) > 1:
        joined = np.ones(len(first), dtype=bool)
        joined[1:] = (key[first[1:]] != key[first[:-1]]) | (codes[first[1:]] != codes[first[:-1]])
        heads = np.flatnonzero(joined)
        tails = np.append(heads[1:], len(first)) - 1
        first, last, counts = first[heads], last[tails], np.add.reduceat(counts, heads)
    change = np.zeros(len(first), dtype=bool)
    change[1:] = (key[first[1:]] == key[first[:-1]]) & (codes[first[1:]] != codes[first[:-1]])
    if len(first) >= 3:
        rk, rc = key[first], codes[first]
        flicker = np.zeros(len(first), dtype=bool)
        flicker[1:-1] = (
            (rk[2:] == rk[:-2])
            & (rk[1:-1] == rk[:-2])
            & (rc[2:] == rc[:-2])
            & (ts[first[2:]] - ts[first[1:-1]] <= revert_window_us)
        )
        change &= ~flicker
        change[1:] &= ~flicker[:-1]
    return first, last, counts, change


def _empty() -> pa.Table:
    return pa.schema(list(EVENT_SCHEMA) + list(IDENTITY_COLUMNS)).empty_table()


def _run(value: Any, ts: np.ndarray, mmsi: np.ndarray, first: int, last: int, reports: int) -> dict[str, Any]:
    """One value's run: its first and last static report, each as (receive time, MMSI that sent it)."""
    return {
        "value": value,
        "first_seen": iso_us(ts[first]),
        "first_seen_by": int(mmsi[first]),
        "last_seen": iso_us(ts[last]),
        "last_seen_by": int(mmsi[last]),
        "reports": reports,
    }


def _field_events(
    field: str,
    key: np.ndarray,
    ts: np.ndarray,
    encoded: tuple[np.ndarray, list[Any]],
    event_mmsi: np.ndarray,
    imo: np.ndarray,
    simulated: np.ndarray,
    params: IdentityParams,
    where: tuple[np.ndarray, np.ndarray] | None,
    across_mmsi_only: bool = False,
) -> pa.Table:
    codes, lookup = encoded
    first, last, counts, change = _changes(
        key, ts, codes, params.min_reports_per_value, int(params.revert_window_h * 3_600_000_000)
    )
    if across_mmsi_only and len(change) > 1:
        # Keyed by IMO: only changes that came with a new MMSI (the rest the per-MMSI pass reports).
        change[1:] &= event_mmsi[first[1:]] != event_mmsi[last[:-1]]
    new = np.flatnonzero(change)
    if len(new) == 0:
        return _empty()
    old = new - 1
    old_last, new_first = last[old], first[new]
    old_values = [lookup[codes[r]] for r in old_last]
    new_values = [lookup[codes[r]] for r in new_first]
    evidence = [
        to_json(
            {
                "field": field,
                "old": _run(ov, ts, event_mmsi, first[o], last[o], int(counts[o])),
                "new": _run(nv, ts, event_mmsi, first[n], last[n], int(counts[n])),
            }
        )
        for ov, nv, o, n in zip(old_values, new_values, old, new, strict=True)
    ]
    count = len(new)
    lat = np.full(count, np.nan) if where is None else where[0][new_first]
    lon = np.full(count, np.nan) if where is None else where[1][new_first]
    confidence = np.minimum(0.95, 0.6 + 0.05 * np.minimum(counts[old], counts[new]))
    table = build_events(
        "identity_change",
        mmsi=event_mmsi[new_first],
        start_us=ts[old_last],
        end_us=ts[new_first],
        lat=lat,
        lon=lon,
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=simulated[old_last] | simulated[new_first],
        extra={
            "field": pa.array([field] * count, pa.string()),
            "old_value": pa.array([str(v) for v in old_values], pa.string()),
            "new_value": pa.array([str(v) for v in new_values], pa.string()),
            "imo": pa.array(imo[new_first], pa.int64(), mask=imo[new_first] <= 0),
        },
    )
    table = nan_to_null(table)
    return with_subkind_ids(
        table, f"identity_change:{field}", event_mmsi[new_first], ts[old_last], DETECTOR_VERSION
    )


def _positions_at(
    mmsi: np.ndarray, ts: np.ndarray, positions: pa.Table | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Lat/lon of each vessel's last position at or before each row's ts (NaN where none)."""
    if positions is None:
        return None
    require_columns(positions, ("mmsi", "ts", "lat", "lon"), "positions")
    pm, pt = ints(positions.column("mmsi")), ts_us(positions.column("ts"))
    check_sorted(pm, pt, "positions")
    idx = asof_index(pm, pt, mmsi, ts)
    lat, lon = floats(positions.column("lat")), floats(positions.column("lon"))
    if len(lat) == 0:  # no positions at all: idx is all -1, which cannot index an empty array
        return np.full(len(mmsi), np.nan), np.full(len(mmsi), np.nan)
    return np.where(idx >= 0, lat[idx], np.nan), np.where(idx >= 0, lon[idx], np.nan)


def detect_identity_changes(
    statics: pa.Table, params: IdentityParams, positions: pa.Table | None = None
) -> pa.Table:
    """Identity-change events from static reports; with `positions`, each event is placed where the
    vessel last was when the new value first appeared. Rows sorted by (mmsi, start_ts, field)."""
    require_columns(statics, ("mmsi", "ts"), "statics")
    unknown = [f for f in params.fields if f not in IDENTITY_FIELDS]
    if unknown:
        raise ValueError(f"unknown identity field(s) {unknown}; expected some of {IDENTITY_FIELDS}")
    mmsi = ints(statics.column("mmsi"))
    ts = ts_us(statics.column("ts"))
    check_sorted(mmsi, ts, "statics")
    simulated = bools(statics, "simulated")
    imo = (
        ints(statics.column("imo"), null=0)
        if "imo" in statics.column_names
        else np.zeros(len(mmsi), np.int64)
    )
    where = _positions_at(mmsi, ts, positions)
    tables = [_empty()]
    for field in params.fields:
        if field in statics.column_names:
            encoded = _field_values(statics, field)
            tables.append(_field_events(field, mmsi, ts, encoded, mmsi, imo, simulated, params, where))
    if params.follow_imo and "imo" in statics.column_names:
        valid = np.flatnonzero(imo_valid_mask(imo))
        order = valid[np.lexsort((ts[valid], imo[valid]))]
        if len(order):
            by_imo = statics.take(pa.array(order))
            i_mmsi, i_ts, i_imo = mmsi[order], ts[order], imo[order]
            i_where = None if where is None else (where[0][order], where[1][order])
            by_field = {
                "mmsi": _encode(pa.array(i_mmsi, pa.int64())),
                "flag": _encode(pa.array(country_of_mmsi(i_mmsi).tolist(), pa.string())),
            }
            i_sim = bools(by_imo, "simulated")
            for field, encoded in by_field.items():
                tables.append(
                    _field_events(field, i_imo, i_ts, encoded, i_mmsi, i_imo, i_sim, params, i_where)
                )
            for field in params.fields:
                if field in by_imo.column_names and field not in ("imo", "flag"):
                    encoded = _field_values(by_imo, field)
                    tables.append(
                        _field_events(
                            field,
                            i_imo,
                            i_ts,
                            encoded,
                            i_mmsi,
                            i_imo,
                            i_sim,
                            params,
                            i_where,
                            across_mmsi_only=True,
                        )
                    )
    out = pa.concat_tables(tables)
    return out.sort_by([("mmsi", "ascending"), ("start_ts", "ascending"), ("field", "ascending")])
