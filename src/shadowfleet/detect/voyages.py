"""Voyages: from one port call to the next, with origin and destination ports and countries, and
"to or from Venezuela" as a first-class column; voyages under way after the last call, and voyages
whose origin lies before the data, are kept and marked.

Input: port-call events (the port-call detector's table: mmsi, start_ts, end_ts, lat, lon, port_id,
port_name, port_country, event_id, simulated), optionally positions (for distance along the track and
"still under way") and static reports (draught, declared destination). Methods: docs/methods/voyages.md.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect._arrays import (
    asof_index,
    bools,
    check_sorted,
    floats,
    group_starts,
    haversine_m,
    ints,
    require_columns,
    ts_us,
)
from shadowfleet.detect.cargo import (
    CargoParams,
    estimate_cargo,
    laden_status,
    load_fraction,
    vessel_cargo_inputs,
)
from shadowfleet.detect.draught import DraughtParams, draught_range, draught_reports
from shadowfleet.detect.events import params_json
from shadowfleet.detect.identity import normalise_text_array
from shadowfleet.model.schemas import TS_TYPE
from shadowfleet.model.units import KNOTS_TO_METERS_PER_SECOND, METERS_PER_NAUTICAL_MILE

DETECTOR_VERSION = "voyage-1.0"
_US_PER_H = 3_600_000_000

VOYAGE_SCHEMA = pa.schema(
    [
        pa.field("voyage_id", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("origin_port_id", pa.string()),
        pa.field("origin_port_name", pa.string()),
        pa.field("origin_country", pa.string()),
        pa.field("destination_port_id", pa.string()),
        pa.field("destination_port_name", pa.string()),
        pa.field("destination_country", pa.string()),
        pa.field("departure_ts", TS_TYPE, nullable=False),
        pa.field("arrival_ts", TS_TYPE),
        pa.field("duration_h", pa.float64(), nullable=False),
        pa.field("distance_nm", pa.float64()),
        pa.field("distance_method", pa.string()),
        pa.field("to_or_from_venezuela", pa.bool_(), nullable=False),
        pa.field("in_progress", pa.bool_(), nullable=False),
        pa.field("origin_known", pa.bool_(), nullable=False),
        pa.field("draught_departure_m", pa.float64()),
        pa.field("draught_arrival_m", pa.float64()),
        pa.field("laden_departure", pa.string()),
        pa.field("laden_arrival", pa.string()),
        pa.field("declared_destination", pa.string()),
        pa.field("origin_event_id", pa.string()),
        pa.field("destination_event_id", pa.string()),
        pa.field("simulated", pa.bool_(), nullable=False),
        pa.field("detector_version", pa.string(), nullable=False),
        pa.field("params", pa.string(), nullable=False),
    ]
)


# Appended by build_voyages after VOYAGE_SCHEMA: the estimated cargo on departure (docs/methods/cargo.md),
# an estimate, never a record; null without the vessel's reported type and size.
VOYAGE_CARGO_SCHEMA = pa.schema(
    [
        pa.field("ship_type_category", pa.string()),
        pa.field("cargo_estimate_t", pa.float64()),
        pa.field("cargo_estimate_low_t", pa.float64()),
        pa.field("cargo_estimate_high_t", pa.float64()),
        pa.field("cargo_estimate_bbl", pa.float64()),
        pa.field("cargo_estimate_low_bbl", pa.float64()),
        pa.field("cargo_estimate_high_bbl", pa.float64()),
    ]
)
VOYAGE_OUTPUT_SCHEMA = pa.schema(list(VOYAGE_SCHEMA) + list(VOYAGE_CARGO_SCHEMA))


@dataclass(frozen=True)
class VoyageParams:
    # Calls at the same port less than this apart are one stay (berth shifts, anchorage to berth).
    same_port_merge_h: float = 24.0
    # A vessel seen at least this long after its last call ended (or before its first began) is under
    # way on a voyage whose other end is not (yet) in the data.
    open_end_min_h: float = 1.0
    # Track distance skips steps faster than this (DESIGN.md: the segmentation speed; spoofed jumps).
    max_speed_kn: float = 50.0
    # Country codes that make a voyage "to or from Venezuela" (ISO 3166-1 alpha-2 and alpha-3).
    venezuela_country_codes: tuple[str, ...] = ("VE", "VEN")
    # Draught at departure: the last value reported up to this long after leaving (crews enter it on
    # departure), never past the arrival.
    departure_draught_lag_h: float = 24.0
    # Laden/ballast as in cargo.CargoParams.
    laden_min_load_fraction: float = 0.5
    min_observed_range_m: float = 2.0


def _strings(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, None, dtype=object)
    return np.array([None if v is None else str(v) for v in table.column(name).to_pylist()], dtype=object)


def _stays(port_calls: pa.Table, params: VoyageParams) -> dict[str, np.ndarray]:
    """Port calls sorted by (mmsi, start), consecutive calls at one port merged into stays."""
    if "kind" in port_calls.column_names:
        port_calls = port_calls.filter(pc.equal(port_calls.column("kind"), "port_call"))
    require_columns(port_calls, ("mmsi", "start_ts", "end_ts", "lat", "lon"), "port_calls")
    calls = {
        "mmsi": ints(port_calls.column("mmsi")),
        "start": ts_us(port_calls.column("start_ts")),
        "end": ts_us(port_calls.column("end_ts")),
        "lat": floats(port_calls.column("lat")),
        "lon": floats(port_calls.column("lon")),
        "port_id": _strings(port_calls, "port_id"),
        "port_name": _strings(port_calls, "port_name"),
        "port_country": _strings(port_calls, "port_country"),
        "event_id": _strings(port_calls, "event_id"),
        "simulated": bools(port_calls, "simulated"),
    }
    order = np.lexsort((calls["start"], calls["mmsi"]))
    calls = {k: v[order] for k, v in calls.items()}
    n = len(order)
    new_stay = np.ones(n, dtype=bool)
    if n > 1:
        same_port = (calls["port_id"][1:] == calls["port_id"][:-1]) & (calls["port_id"][1:] != None)  # noqa: E711
        close = calls["start"][1:] - calls["end"][:-1] < params.same_port_merge_h * _US_PER_H
        new_stay[1:] = ~((calls["mmsi"][1:] == calls["mmsi"][:-1]) & same_port & close)
    first = np.flatnonzero(new_stay)
    last = np.append(first[1:], n) - 1 if n else first
    stay = {k: v[first] for k, v in calls.items()}
    stay["end"] = np.maximum.reduceat(calls["end"], first) if n else calls["end"]
    stay["simulated"] = np.logical_or.reduceat(calls["simulated"], first) if n else calls["simulated"]
    stay["last_event_id"] = calls["event_id"][last]
    return stay


def _voyage_id(mmsi: int, anchor: str, ts: int) -> str:
    return hashlib.sha1(f"voyage|{mmsi}|{anchor}|{ts}|{DETECTOR_VERSION}".encode()).hexdigest()[:20]


def build_voyages(
    port_calls: pa.Table,
    params: VoyageParams,
    positions: pa.Table | None = None,
    statics: pa.Table | None = None,
) -> pa.Table:
    """Voyages between consecutive port calls of each vessel (rows sorted by mmsi, departure_ts).

    With `positions`: distance along the track, a voyage under way after the last call (in_progress),
    and one arriving at the first call from before the data (origin_known False). Without: great-circle
    distance between the ports and only complete voyages. With `statics`: draught at departure and
    arrival, laden/ballast, and the AIS-declared destination.
    """
    s = _stays(port_calls, params)
    n = len(s["mmsi"])
    same_next = np.zeros(n, dtype=bool)
    same_next[:-1] = s["mmsi"][1:] == s["mmsi"][:-1]
    # Voyage from stay i to stay i+1; stays that overlap in time (two transmitters on one MMSI, or
    # ports whose geofences overlap) make no voyage.
    voyage_from = same_next.copy()
    voyage_from[:-1] &= s["start"][1:] > s["end"][:-1]
    dep_i = np.flatnonzero(voyage_from)
    arr_i = dep_i + 1

    # Open-ended voyages, from the track: under way after the last stay, arriving at the first one.
    open_after = np.zeros(0, dtype=np.int64)
    open_before = np.zeros(0, dtype=np.int64)
    last_seen = first_seen = np.zeros(n, dtype=np.int64)
    track: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    if positions is not None:
        require_columns(positions, ("mmsi", "ts", "lat", "lon"), "positions")
        p_mmsi, p_ts = ints(positions.column("mmsi")), ts_us(positions.column("ts"))
        check_sorted(p_mmsi, p_ts, "positions")
        p_lat, p_lon = floats(positions.column("lat")), floats(positions.column("lon"))
        ok = np.isfinite(p_lat) & np.isfinite(p_lon)
        if not ok.all():
            p_mmsi, p_ts, p_lat, p_lon = p_mmsi[ok], p_ts[ok], p_lat[ok], p_lon[ok]
        track = (p_mmsi, p_ts, _cumulative_distance_m(p_mmsi, p_ts, p_lat, p_lon, params.max_speed_kn))
        if len(p_mmsi) and n:
            starts = np.flatnonzero(group_starts(p_mmsi))
            ends = np.append(starts[1:], len(p_mmsi)) - 1
            vessel_pos = np.searchsorted(p_mmsi[starts], s["mmsi"])
            known = (vessel_pos < len(starts)) & (
                p_mmsi[starts][np.minimum(vessel_pos, len(starts) - 1)] == s["mmsi"]
            )
            vp = np.minimum(vessel_pos, len(starts) - 1)
            last_seen = np.where(known, p_ts[ends[vp]], np.iinfo(np.int64).min)
            first_seen = np.where(known, p_ts[starts[vp]], np.iinfo(np.int64).max)
            min_us = int(params.open_end_min_h * _US_PER_H)
            is_last = ~same_next
            is_first = group_starts(s["mmsi"])
            open_after = np.flatnonzero(is_last & known & (last_seen - s["end"] >= min_us))
            open_before = np.flatnonzero(is_first & known & (s["start"] - first_seen >= min_us))

    m_full, m_after, m_before = len(dep_i), len(open_after), len(open_before)
    total = m_full + m_after + m_before
    mmsi = np.concatenate([s["mmsi"][dep_i], s["mmsi"][open_after], s["mmsi"][open_before]])
    departure = np.concatenate([s["end"][dep_i], s["end"][open_after], first_seen[open_before]])
    arrival = np.concatenate([s["start"][arr_i], np.full(m_after, -1), s["start"][open_before]])
    in_progress = np.concatenate([np.zeros(m_full, bool), np.ones(m_after, bool), np.zeros(m_before, bool)])
    origin_known = np.concatenate([np.ones(m_full + m_after, bool), np.zeros(m_before, bool)])
    end_of_track = np.concatenate([s["start"][arr_i], last_seen[open_after], s["start"][open_before]])
    origin = np.concatenate([dep_i, open_after, np.full(m_before, -1)])
    dest = np.concatenate([arr_i, np.full(m_after, -1), open_before])

    def pick(key: str, idx: np.ndarray) -> np.ndarray:
        out = np.full(len(idx), None, dtype=object)
        out[idx >= 0] = s[key][idx[idx >= 0]]
        return out

    def pick_float(key: str, idx: np.ndarray) -> np.ndarray:
        out = np.full(len(idx), np.nan)
        out[idx >= 0] = s[key][idx[idx >= 0]]
        return out

    origin_country, dest_country = pick("port_country", origin), pick("port_country", dest)
    ve = {c.upper() for c in params.venezuela_country_codes}
    to_or_from_ve = np.array(
        [
            (o is not None and o.upper() in ve) or (d is not None and d.upper() in ve)
            for o, d in zip(origin_country, dest_country, strict=True)
        ],
        dtype=bool,
    )

    # Distance: along the track when we have it, else the great circle between the two ports.
    gc_m = haversine_m(
        pick_float("lat", origin), pick_float("lon", origin), pick_float("lat", dest), pick_float("lon", dest)
    )
    distance_m = gc_m
    method = np.full(total, None, dtype=object)
    method[np.isfinite(gc_m)] = "great_circle"
    if track is not None:
        t_mmsi, t_ts, t_cum = track
        a = asof_index(t_mmsi, t_ts, mmsi, departure)
        a = np.where(a >= 0, a, asof_index(t_mmsi, t_ts, mmsi, departure, "forward"))
        b = asof_index(t_mmsi, t_ts, mmsi, end_of_track)
        along = np.where((a >= 0) & (b >= a), t_cum[np.maximum(b, 0)] - t_cum[np.maximum(a, 0)], np.nan)
        use_track = np.isfinite(along) & (along > 0)
        distance_m = np.where(use_track, along, gc_m)
        method[use_track] = "track"

    simulated = np.zeros(total, dtype=bool)
    simulated |= np.where(origin >= 0, s["simulated"][np.maximum(origin, 0)], False)
    simulated |= np.where(dest >= 0, s["simulated"][np.maximum(dest, 0)], False)

    draught_dep, draught_arr, laden_dep, laden_arr, declared = _from_statics(
        statics, params, mmsi, departure, arrival, end_of_track
    )

    anchors = [f"{p}" for p in pick("port_id", origin)]
    ids = [
        _voyage_id(int(m), anc, int(t)) if ok else _voyage_id(int(m), "arrival", int(arr))
        for m, anc, t, ok, arr in zip(mmsi, anchors, departure, origin_known, arrival, strict=True)
    ]
    duration_h = (end_of_track - departure) / _US_PER_H

    def f64(values: np.ndarray, digits: int) -> pa.Array:
        values = np.round(np.asarray(values, dtype=np.float64), digits)
        return pa.array(values, pa.float64(), mask=~np.isfinite(values))

    def text(values: np.ndarray) -> pa.Array:
        return pa.array(list(values), pa.string())

    ts_type = VOYAGE_SCHEMA.field("departure_ts").type
    table = pa.table(
        {
            "voyage_id": pa.array(ids, pa.string()),
            "mmsi": pa.array(mmsi, pa.int64()),
            "origin_port_id": text(pick("port_id", origin)),
            "origin_port_name": text(pick("port_name", origin)),
            "origin_country": text(origin_country),
            "destination_port_id": text(pick("port_id", dest)),
            "destination_port_name": text(pick("port_name", dest)),
            "destination_country": text(dest_country),
            "departure_ts": pa.array(departure, pa.int64()).cast(ts_type),
            "arrival_ts": pa.array(arrival, pa.int64(), mask=arrival < 0).cast(ts_type),
            "duration_h": pa.array(np.round(duration_h, 3), pa.float64()),
            "distance_nm": f64(distance_m / METERS_PER_NAUTICAL_MILE, 2),
            "distance_method": text(method),
            "to_or_from_venezuela": pa.array(to_or_from_ve),
            "in_progress": pa.array(in_progress),
            "origin_known": pa.array(origin_known),
            "draught_departure_m": f64(draught_dep, 2),
            "draught_arrival_m": f64(draught_arr, 2),
            "laden_departure": text(laden_dep),
            "laden_arrival": text(laden_arr),
            "declared_destination": text(np.asarray(declared, dtype=object)),
            "origin_event_id": text(pick("last_event_id", origin)),
            "destination_event_id": text(pick("event_id", dest)),
            "simulated": pa.array(simulated),
            "detector_version": pa.array([DETECTOR_VERSION] * total, pa.string()),
            "params": pa.array([params_json(params)] * total, pa.string()),
        },
        schema=VOYAGE_SCHEMA,
    )
    for name, values in _cargo_on_departure(statics, mmsi, draught_dep).items():
        table = table.append_column(VOYAGE_CARGO_SCHEMA.field(name), values)
    # A voyage faster than a ship can sail joins calls of two transmitters sharing one MMSI (the
    # spoofing detector reports those); it is no voyage.
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kn = distance_m / METERS_PER_NAUTICAL_MILE / np.maximum(duration_h, 1e-9)
    plausible = ~(np.isfinite(speed_kn) & (speed_kn > params.max_speed_kn))
    table = table.filter(pa.array(plausible))
    return table.sort_by([("mmsi", "ascending"), ("departure_ts", "ascending")])


def _cargo_on_departure(
    statics: pa.Table | None, mmsi: np.ndarray, draught_m: np.ndarray
) -> dict[str, pa.Array]:
    """Ship type category and estimated cargo at each voyage's departure draught (nulls without statics)."""
    names = {
        "ship_type_category": "ship_type_category",
        "cargo_estimate_t": "cargo_t",
        "cargo_estimate_low_t": "cargo_low_t",
        "cargo_estimate_high_t": "cargo_high_t",
        "cargo_estimate_bbl": "cargo_bbl",
        "cargo_estimate_low_bbl": "cargo_low_bbl",
        "cargo_estimate_high_bbl": "cargo_high_bbl",
    }
    n = len(mmsi)
    empty = {k: pa.nulls(n, VOYAGE_CARGO_SCHEMA.field(k).type) for k in names}
    if statics is None or n == 0 or not {"ship_type", "length_m", "beam_m"} <= set(statics.column_names):
        return empty
    vessels = vessel_cargo_inputs(statics)
    known = vessels.column("mmsi").to_numpy()
    at = np.searchsorted(known, mmsi)
    found = (
        (at < len(known)) & (known[np.minimum(at, len(known) - 1)] == mmsi)
        if len(known)
        else np.zeros(n, bool)
    )
    if not found.any():
        return empty
    rows = vessels.take(pa.array(np.where(found, at, 0)))
    draught = np.where(found, draught_m, np.nan)
    rows = rows.set_column(
        rows.schema.get_field_index("draught_m"),
        "draught_m",
        pa.array(draught, pa.float64(), mask=~np.isfinite(draught)),
    )
    estimate = estimate_cargo(rows, CargoParams())
    mask = pa.array(~found)
    return {
        k: pc.if_else(
            mask, pa.scalar(None, VOYAGE_CARGO_SCHEMA.field(k).type), estimate.column(v)
        ).combine_chunks()
        for k, v in names.items()
    }


def _from_statics(
    statics: pa.Table | None,
    params: VoyageParams,
    mmsi: np.ndarray,
    departure: np.ndarray,
    arrival: np.ndarray,
    end_of_track: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draught at departure and arrival, laden status at both, and the last declared destination."""
    total = len(mmsi)
    draught_at = [np.full(total, np.nan), np.full(total, np.nan)]
    laden = [np.full(total, "unknown", dtype=object), np.full(total, "unknown", dtype=object)]
    declared = np.full(total, None, dtype=object)
    if statics is None or total == 0:
        return draught_at[0], draught_at[1], laden[0], laden[1], declared
    _, d_mmsi, d_ts, draught = draught_reports(statics, DraughtParams())
    lo, hi, _ = draught_range(d_mmsi, draught)
    arrived_at = np.where(arrival >= 0, arrival, end_of_track)
    lag_us = int(params.departure_draught_lag_h * _US_PER_H)
    departed_at = np.maximum(np.minimum(departure + lag_us, arrived_at), departure)
    for k, when in enumerate((departed_at, arrived_at)):
        idx = asof_index(d_mmsi, d_ts, mmsi, when)
        hit = idx >= 0
        if not hit.any():
            continue
        draught_at[k][hit] = draught[idx[hit]]
        frac = np.full(total, np.nan)
        frac[hit] = load_fraction(draught[idx[hit]], lo[idx[hit]], hi[idx[hit]], params.min_observed_range_m)
        laden[k] = laden_status(frac, params.laden_min_load_fraction)
    if "destination" in statics.column_names:
        st_mmsi, st_ts = ints(statics.column("mmsi")), ts_us(statics.column("ts"))
        text = normalise_text_array(statics.column("destination"))
        has = np.flatnonzero(np.asarray(pc.is_valid(text), dtype=bool))
        idx = asof_index(st_mmsi[has], st_ts[has], mmsi, arrived_at)
        found = np.flatnonzero(idx >= 0)
        if len(found):
            declared[found] = text.take(pa.array(has[idx[found]])).to_pylist()
    return draught_at[0], draught_at[1], laden[0], laden[1], declared


def _cumulative_distance_m(
    mmsi: np.ndarray, ts: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_speed_kn: float
) -> np.ndarray:
    """Distance sailed since each vessel's first position, skipping steps faster than `max_speed_kn`."""
    step = np.zeros(len(mmsi))
    if len(mmsi) > 1:
        d = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        dt_s = (ts[1:] - ts[:-1]) / 1e6
        plausible = (mmsi[1:] == mmsi[:-1]) & (
            d <= np.maximum(dt_s, 0) * max_speed_kn * KNOTS_TO_METERS_PER_SECOND
        )
        step[1:] = np.where(plausible, d, 0.0)
    cum = np.cumsum(step)
    return cum
