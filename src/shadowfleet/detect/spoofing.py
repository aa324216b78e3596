"""Apparent AIS spoofing: impossible jumps, positions on land, shared MMSIs, invalid IMO numbers, and
MMSI countries (MID) that contradict the declared flag.

Every function takes tables sorted by (mmsi, ts) holding many vessels and returns event rows of kind
`spoofing` (EVENT_SCHEMA columns, then the columns of `SPOOF_COLUMNS`). Methods: docs/methods/spoofing.md.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from shadowfleet.detect._arrays import (
    bools,
    check_sorted,
    floats,
    group_starts,
    haversine_m,
    ints,
    iso_us,
    nan_to_null,
    require_columns,
    strings,
    to_json,
    ts_us,
    with_subkind_ids,
)
from shadowfleet.detect.events import build_events
from shadowfleet.detect.geo import step_bound_m
from shadowfleet.detect.imo import imo_check_digit_fails_mask
from shadowfleet.detect.mid import MID_TO_ISO2, country_of_mmsi, mid_of_mmsi, sovereign
from shadowfleet.model.schemas import EVENT_SCHEMA
from shadowfleet.model.units import EARTH_RADIUS_M, KNOTS_TO_METERS_PER_SECOND

DETECTOR_VERSION = "spoofing-1.1"

SPOOF_TYPES = ("impossible_jump", "on_land", "shared_mmsi", "invalid_imo", "mid_flag_mismatch")

# Kind-specific columns every spoofing event carries (null where they do not apply).
SPOOF_COLUMNS = pa.schema(
    [
        pa.field("spoof_type", pa.string()),
        pa.field("implied_speed_kn", pa.float64()),
        pa.field("jump_distance_m", pa.float64()),
        pa.field("n_positions", pa.int64()),
        pa.field("imo", pa.int64()),
        pa.field("mid_country", pa.string()),
        pa.field("declared_flag", pa.string()),
    ]
)

_EVIDENCE_MAX_POSITIONS = 20


@dataclass(frozen=True)
class SpoofingParams:
    # DESIGN.md section 3 / GFW segmentation: faster than this between two reports is not a ship.
    max_speed_kn: float = 50.0
    # Jumps shorter than this are ignored: GNSS glitches and receiver clock skew move a fix by a few
    # km (30 kn x 2 min = 1.85 km); spoofing that hides a voyage moves it by tens of km or more.
    min_jump_distance_m: float = 5_000.0
    # A position is on land only when it and 8 points this far around it are land (the mask is ~1 km;
    # berths, rivers and channels read as land), and the vessel jumped there from water this far away.
    land_margin_m: float = 5_000.0
    # Shared MMSI: the stream alternates between two mutually impossible tracks at least this often,
    min_shared_switches: int = 4
    # each track has at least this many positions,
    min_shared_positions_per_track: int = 3
    # and at most this fraction of consecutive pairs inside either track is itself impossible.
    max_shared_inconsistent_fraction: float = 0.1


def _empty() -> pa.Table:
    return pa.schema(list(EVENT_SCHEMA) + list(SPOOF_COLUMNS)).empty_table()


def _events(
    spoof_type: str, params: SpoofingParams, n: int, columns: dict[str, Any], extra: dict[str, Any]
) -> pa.Table:
    if n == 0:
        return _empty()
    full_extra: dict[str, pa.Array] = {}
    for field in SPOOF_COLUMNS:
        if field.name == "spoof_type":
            full_extra[field.name] = pa.array([spoof_type] * n, pa.string())
        elif field.name in extra:
            values = extra[field.name]
            if isinstance(values, np.ndarray) and values.dtype.kind == "f":
                full_extra[field.name] = pa.array(values, field.type, mask=np.isnan(values))
            else:
                full_extra[field.name] = pa.array(values, field.type)
        else:
            full_extra[field.name] = pa.nulls(n, field.type)
    table = build_events(
        "spoofing", params=params, detector_version=DETECTOR_VERSION, extra=full_extra, **columns
    )
    table = nan_to_null(table)
    # The end time and the place tell apart jumps reported within one second of each other.
    discriminator = [
        f"{int(e)}|{la:.5f}|{lo:.5f}"
        for e, la, lo in zip(columns["end_us"], columns["lat"], columns["lon"], strict=True)
    ]
    return with_subkind_ids(
        table,
        f"spoofing:{spoof_type}",
        columns["mmsi"],
        columns["start_us"],
        DETECTOR_VERSION,
        discriminator=discriminator,
    )


def _r(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)


def _point(ts: np.ndarray, lat: np.ndarray, lon: np.ndarray, i: int) -> dict[str, Any]:
    return {"ts": iso_us(ts[i]), "lat": _r(lat[i]), "lon": _r(lon[i])}


class _Track:
    """Positions with usable coordinates, as NumPy columns, sorted by (mmsi, ts)."""

    def __init__(self, positions: pa.Table) -> None:
        require_columns(positions, ("mmsi", "ts", "lat", "lon"), "positions")
        mmsi = ints(positions.column("mmsi"))
        ts = ts_us(positions.column("ts"))
        check_sorted(mmsi, ts, "positions")
        lat = floats(positions.column("lat"))
        lon = floats(positions.column("lon"))
        # Null Island (0, 0) is what a receiver without a fix sends; it is a fault, not a claim.
        usable = (
            np.isfinite(lat)
            & np.isfinite(lon)
            & (np.abs(lat) <= 90)
            & (np.abs(lon) <= 180)
            & ~((lat == 0) & (lon == 0))
        )
        simulated = bools(positions, "simulated")
        if usable.all():  # the usual case: the columns as they are, no gathered copies
            self.mmsi, self.ts, self.lat, self.lon, self.simulated = mmsi, ts, lat, lon, simulated
        else:
            self.mmsi, self.ts, self.lat, self.lon = mmsi[usable], ts[usable], lat[usable], lon[usable]
            self.simulated = simulated[usable]

        self._step_bound_m: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.mmsi)

    def step_bound_m(self) -> np.ndarray:
        """Upper bound of the distance from each row to the next (computed once, shared by the checks)."""
        if self._step_bound_m is None:
            self._step_bound_m = step_bound_m(self.lat, self.lon)
        return self._step_bound_m


def _pair_speed(
    t: _Track,
    a: np.ndarray,
    b: np.ndarray,
    params: SpoofingParams,
    bound_m: np.ndarray | None = None,
    consecutive: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance (m), implied speed (kn) and 'impossible' for row pairs a -> b of one vessel.

    The exact great-circle distance is computed only for pairs that could be impossible: the path
    along a meridian then a parallel, R x (|dlat| + |dlon|) in radians, is never shorter than the
    great circle, so pairs it already clears are possible (and get that bound as their distance, which
    no event reports). `bound_m`: that bound for these pairs, when the caller has it.
    """
    # `consecutive` (a = 0..n-2, b = a + 1, every row to the next): slices instead of gathers
    sa, sb = (slice(None, -1), slice(1, None)) if consecutive else (a, b)
    dt_s = (t.ts[sb] - t.ts[sa]) / 1e6
    if bound_m is None:
        dlon = np.abs(t.lon[sb] - t.lon[sa])
        dlon = np.minimum(dlon, 360.0 - dlon)
        bound_m = np.radians(np.abs(t.lat[sb] - t.lat[sa]) + dlon) * EARTH_RADIUS_M
    reach_m = np.maximum(dt_s, 0.0) * params.max_speed_kn * KNOTS_TO_METERS_PER_SECOND
    maybe = (bound_m >= params.min_jump_distance_m) & (bound_m > reach_m)
    dist_m = bound_m.copy()
    idx = np.flatnonzero(maybe)
    ai, bi = a[idx], b[idx]
    dist_m[idx] = haversine_m(t.lat[ai], t.lon[ai], t.lat[bi], t.lon[bi])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kn = np.where(dt_s > 0, dist_m / np.maximum(dt_s, 1e-9) / KNOTS_TO_METERS_PER_SECOND, np.inf)
    impossible = np.zeros(len(a), dtype=bool)  # only a pair that may be impossible can be
    impossible[idx] = (
        (t.mmsi[ai] == t.mmsi[bi])
        & (dist_m[idx] >= params.min_jump_distance_m)
        & (speed_kn[idx] > params.max_speed_kn)
    )
    return dist_m, speed_kn, impossible


def _shared_mmsi_tracks(
    t: _Track, impossible: np.ndarray, params: SpoofingParams
) -> tuple[np.ndarray, np.ndarray]:
    """Which vessels look like two transmitters on one MMSI, and each position's track (0/1).

    Every impossible jump switches track; a vessel is shared when both tracks are long, it switches
    often, and each track on its own is consistent.
    """
    n = len(t)
    starts = group_starts(t.mmsi)
    group = np.cumsum(starts) - 1
    switch = np.zeros(n, dtype=np.int64)
    switch[1:] = impossible
    cum = np.cumsum(switch)
    cum_at_start = cum[np.flatnonzero(starts)]
    side = (cum - cum_at_start[group]) % 2
    n_groups = int(group[-1]) + 1 if n else 0
    switches = np.bincount(group, weights=switch, minlength=n_groups)
    on_side1 = np.bincount(group, weights=side, minlength=n_groups)
    on_side0 = np.bincount(group, minlength=n_groups) - on_side1
    # Consistency inside each track (consecutive positions of one vessel and track), checked only
    # for vessels that switch often enough to qualify.
    rows = np.flatnonzero((switches >= params.min_shared_switches)[group])
    order = rows[np.lexsort((rows, side[rows], group[rows]))]
    a, b = order[:-1], order[1:]
    same_track = (group[a] == group[b]) & (side[a] == side[b])
    a, b = a[same_track], b[same_track]
    _, _, inner_impossible = _pair_speed(t, a, b, params)
    pairs = np.bincount(group[a], minlength=n_groups)
    bad = np.bincount(group[a], weights=inner_impossible, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        bad_fraction = np.where(pairs > 0, bad / np.maximum(pairs, 1), 1.0)
    shared = (
        (switches >= params.min_shared_switches)
        & (np.minimum(on_side0, on_side1) >= params.min_shared_positions_per_track)
        & (bad_fraction <= params.max_shared_inconsistent_fraction)
    )
    return shared[group], side


def detect_impossible_jumps_and_shared_mmsi(
    positions: pa.Table, params: SpoofingParams, track: _Track | None = None
) -> pa.Table:
    """Impossible jumps (implied speed above `max_speed_kn`) and shared MMSIs (two interleaved tracks).

    Jumps inside a shared-MMSI stream are explained by it and not reported one by one. A single position
    that jumps out and straight back (an isolated spoofed or corrupt fix) is one event, not two.
    `track`: the usable rows of `positions`, when the caller already has them.
    """
    t = track if track is not None else _Track(positions)
    n = len(t)
    if n < 2:
        return _empty()
    a, b = np.arange(n - 1), np.arange(1, n)
    dist_m, speed_kn, impossible = _pair_speed(t, a, b, params, t.step_bound_m(), consecutive=True)
    shared_row, side = _shared_mmsi_tracks(t, impossible, params)
    tables = [_shared_events(t, impossible, dist_m, speed_kn, shared_row, side, params)]

    # Pair k joins rows k and k+1. An excursion at row j: pairs j-1 and j impossible, j-1 -> j+1 fine.
    jump = impossible & ~shared_row[b]
    excursion = np.zeros(n - 1, dtype=bool)  # indexed by the pair that jumps out
    if n >= 3:
        k = np.flatnonzero(jump[:-1] & jump[1:] & (t.mmsi[:-2] == t.mmsi[2:]))
        _, _, skip_impossible = _pair_speed(t, k, k + 2, params)
        excursion[k] = ~skip_impossible
    back = np.zeros(n - 1, dtype=bool)
    back[1:] = excursion[:-1]
    lone = jump & ~excursion & ~back
    k_ex = np.flatnonzero(excursion)
    k_lone = np.flatnonzero(lone)
    # Event rows: for an excursion the spoofed row is k+1, the event spans k .. k+2.
    start_row = np.concatenate([k_ex, k_lone])
    end_row = np.concatenate([k_ex + 2, k_lone + 1])
    point_row = np.concatenate([k_ex + 1, k_lone + 1])
    speed = np.concatenate([np.maximum(speed_kn[k_ex], speed_kn[k_ex + 1]), speed_kn[k_lone]])
    distance = np.concatenate([dist_m[k_ex], dist_m[k_lone]])
    kinds = ["excursion"] * len(k_ex) + ["jump"] * len(k_lone)
    order = np.lexsort((t.ts[start_row], t.mmsi[start_row]))
    start_row, end_row, point_row = start_row[order], end_row[order], point_row[order]
    speed, distance = speed[order], distance[order]
    kinds = [kinds[i] for i in order]
    evidence = [
        to_json(
            {
                "pattern": kinds[i],
                "positions": [
                    _point(t.ts, t.lat, t.lon, int(r)) for r in range(start_row[i], end_row[i] + 1)
                ],
                "implied_speed_kn": _r(min(speed[i], 1e9)),
                "jump_distance_m": _r(distance[i]),
            }
        )
        for i in range(len(start_row))
    ]
    finite_speed = np.where(np.isfinite(speed), speed, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        confidence = np.where(
            np.isfinite(speed), np.minimum(0.99, 1.0 - 0.5 * params.max_speed_kn / speed), 0.99
        )
    tables.append(
        _events(
            "impossible_jump",
            params,
            len(start_row),
            {
                "mmsi": t.mmsi[start_row],
                "start_us": t.ts[start_row],
                "end_us": t.ts[end_row],
                "lat": t.lat[point_row],
                "lon": t.lon[point_row],
                "confidence": confidence,
                "evidence": evidence,
                "simulated": t.simulated[start_row] | t.simulated[point_row],
            },
            {
                "implied_speed_kn": finite_speed,
                "jump_distance_m": distance,
                "n_positions": end_row - start_row + 1,
            },
        )
    )
    return pa.concat_tables(tables)


def _shared_events(
    t: _Track,
    impossible: np.ndarray,
    dist_m: np.ndarray,
    speed_kn: np.ndarray,
    shared_row: np.ndarray,
    side: np.ndarray,
    params: SpoofingParams,
) -> pa.Table:
    switch_pairs = np.flatnonzero(impossible & shared_row[1:])
    if len(switch_pairs) == 0:
        return _empty()
    vessel_of_pair = t.mmsi[switch_pairs]
    first = group_starts(vessel_of_pair)
    last = np.zeros(len(switch_pairs), dtype=bool)
    last[np.flatnonzero(first)[1:] - 1] = True
    last[-1] = True
    first_k, last_k = switch_pairs[first], switch_pairs[last]
    bounds = np.flatnonzero(first)
    counts = np.diff(np.append(bounds, len(switch_pairs)))
    evidence, median_dist, median_speed, n_positions = [], [], [], []
    for g, (lo, hi) in enumerate(zip(bounds, bounds + counts, strict=True)):
        pairs = switch_pairs[lo:hi]
        rows = np.arange(first_k[g], last_k[g] + 2)
        speeds = speed_kn[pairs]
        median_dist.append(float(np.median(dist_m[pairs])))
        median_speed.append(float(np.median(np.where(np.isfinite(speeds), speeds, np.nan))))
        n_positions.append(len(rows))
        tracks = {
            str(s): [
                _point(t.ts, t.lat, t.lon, int(r))
                for r in rows[side[rows] == s][: _EVIDENCE_MAX_POSITIONS // 2]
            ]
            for s in (0, 1)
        }
        evidence.append(
            to_json(
                {
                    "switches": int(counts[g]),
                    "median_separation_m": _r(median_dist[-1]),
                    "track_0_positions": tracks["0"],
                    "track_1_positions": tracks["1"],
                    "positions_per_track": [int((side[rows] == 0).sum()), int((side[rows] == 1).sum())],
                }
            )
        )
    return _events(
        "shared_mmsi",
        params,
        len(first_k),
        {
            "mmsi": t.mmsi[first_k],
            "start_us": t.ts[first_k],
            "end_us": t.ts[last_k + 1],
            "lat": t.lat[first_k],
            "lon": t.lon[first_k],
            "confidence": np.minimum(0.95, 0.5 + 0.05 * counts),
            "evidence": evidence,
            "simulated": t.simulated[first_k],
        },
        {
            "implied_speed_kn": np.array(median_speed, dtype=np.float64),
            "jump_distance_m": np.array(median_dist, dtype=np.float64),
            "n_positions": np.array(n_positions, dtype=np.int64),
        },
    )


def _is_land(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    # The global mask costs ~1 GB once loaded: it is imported on the first test of a point, not before.
    from global_land_mask import globe

    return np.asarray(globe.is_land(lat, lon), dtype=bool)


def on_land_mask(lat: np.ndarray, lon: np.ndarray, margin_m: float) -> np.ndarray:
    """True where a point and the 8 points `margin_m` around it (N, NE, E, ...) are all on land."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    land = _is_land(lat, lon) if len(lat) else np.zeros(0, dtype=bool)
    if margin_m <= 0 or not land.any():
        return np.asarray(land, dtype=bool)
    idx = np.flatnonzero(land)
    la, lo = lat[idx], lon[idx]
    dlat = np.degrees(margin_m / EARTH_RADIUS_M)
    dlon = dlat / np.maximum(np.cos(np.radians(la)), 1e-6)
    all_land = np.ones(len(idx), dtype=bool)
    for bearing in np.radians(np.arange(0, 360, 45)):
        ring_lat = np.clip(la + dlat * np.cos(bearing), -90, 90)
        ring_lon = (lo + dlon * np.sin(bearing) + 180.0) % 360.0 - 180.0
        all_land &= _is_land(ring_lat, ring_lon)
    out = np.zeros(len(lat), dtype=bool)
    out[idx] = all_land
    return out


def _land_run_ends(t: _Track, firsts: np.ndarray, margin_m: float, block: int = 32) -> np.ndarray:
    """Last row of the run of deep-land rows of one vessel starting at each of `firsts` (deep land)."""
    n = len(t)
    lasts = firsts.copy()
    open_ = np.arange(len(firsts))
    while len(open_):
        # the next `block` rows after each open run's current end, tested at once
        nxt = lasts[open_][:, None] + np.arange(1, block + 1)[None, :]
        inside = nxt < n
        safe = np.minimum(nxt, n - 1)
        ok = inside & (t.mmsi[safe] == t.mmsi[firsts[open_]][:, None])
        land = np.zeros(nxt.shape, dtype=bool)
        land[ok] = on_land_mask(t.lat[safe[ok]], t.lon[safe[ok]], margin_m)
        n_more = np.argmin(np.concatenate([land, np.zeros((len(open_), 1), dtype=bool)], axis=1), axis=1)
        lasts[open_] += n_more
        open_ = open_[n_more == block]
    return lasts


def detect_on_land(positions: pa.Table, params: SpoofingParams, track: _Track | None = None) -> pa.Table:
    """Runs of positions of one vessel that lie well inland, entered by a jump from the sea.

    A run counts when its first position is on land `land_margin_m` deep (the point and a ring of 8
    points around it), the vessel's previous position was on water, and the two are at least
    `land_margin_m` apart: a vessel cannot have sailed there. Vessels moving up rivers, canals and
    harbour channels (which a ~1 km land mask reads as land) reach such points gradually and do not
    count; nor do runs with no position before them in the input (their entry is unknown).

    Only positions reached by a step that could be `land_margin_m` long (by a cheap upper bound of the
    distance) are looked up in the land mask, and then the positions that follow them while on land.
    """
    t = track if track is not None else _Track(positions)
    n = len(t)
    if n < 2:
        return _empty()
    same_as_prev = np.zeros(n, dtype=bool)
    same_as_prev[1:] = t.mmsi[1:] == t.mmsi[:-1]
    # A run's first row f is deep land, row f-1 (same vessel) is on water, at least the margin away.
    # (A row on water is never deep land, so f also starts a run of deep land rows.)
    cand = np.flatnonzero(same_as_prev[1:] & (t.step_bound_m() >= params.land_margin_m)) + 1
    cand = cand[on_land_mask(t.lat[cand], t.lon[cand], params.land_margin_m)]
    prev = cand - 1
    prev_water = ~_is_land(t.lat[prev], t.lon[prev]) if len(cand) else np.zeros(0, dtype=bool)
    entry_m = haversine_m(t.lat[prev], t.lon[prev], t.lat[cand], t.lon[cand])
    entered = prev_water & (entry_m >= params.land_margin_m)
    firsts, prev, entry_m = cand[entered], prev[entered], entry_m[entered]
    if len(firsts) == 0:
        return _empty()
    lasts = _land_run_ends(t, firsts, params.land_margin_m)
    counts = lasts - firsts + 1
    evidence = [
        to_json(
            {
                "positions": [
                    _point(t.ts, t.lat, t.lon, int(r))
                    for r in range(f, min(last + 1, f + _EVIDENCE_MAX_POSITIONS))
                ],
                "n_positions": int(last - f + 1),
                "land_margin_m": params.land_margin_m,
                "last_position_on_water": _point(t.ts, t.lat, t.lon, int(p)),
                "entry_distance_m": _r(d),
            }
        )
        for f, last, p, d in zip(firsts, lasts, prev, entry_m, strict=True)
    ]
    return _events(
        "on_land",
        params,
        len(firsts),
        {
            "mmsi": t.mmsi[firsts],
            "start_us": t.ts[firsts],
            "end_us": t.ts[lasts],
            "lat": t.lat[firsts],
            "lon": t.lon[firsts],
            "confidence": np.full(len(firsts), 0.8),
            "evidence": evidence,
            "simulated": t.simulated[firsts],
        },
        {"n_positions": counts.astype(np.int64), "jump_distance_m": entry_m},
    )


def detect_invalid_imo(statics: pa.Table, params: SpoofingParams) -> pa.Table:
    """Static reports whose claimed IMO number (seven digits) fails the check digit (one event per vessel
    and bad number). Values that are not seven digits are junk, not an IMO claim: no event."""
    require_columns(statics, ("mmsi", "ts", "imo"), "statics")
    mmsi = ints(statics.column("mmsi"))
    ts = ts_us(statics.column("ts"))
    check_sorted(mmsi, ts, "statics")
    imo = ints(statics.column("imo"), null=0)
    bad = imo_check_digit_fails_mask(imo)
    rows = np.flatnonzero(bad)
    if len(rows) == 0:
        return _empty()
    order = rows[np.lexsort((ts[rows], imo[rows], mmsi[rows]))]
    key_change = np.ones(len(order), dtype=bool)
    key_change[1:] = (mmsi[order][1:] != mmsi[order][:-1]) | (imo[order][1:] != imo[order][:-1])
    firsts = np.flatnonzero(key_change)
    counts = np.diff(np.append(firsts, len(order)))
    first_row = order[firsts]
    last_row = order[firsts + counts - 1]
    bad_imo = imo[first_row]
    simulated = bools(statics, "simulated")
    evidence = [
        to_json(
            {
                "imo": int(v),
                "reason": "check digit does not match",
                "reports": int(c),
                "first_seen": iso_us(ts[f]),
                "last_seen": iso_us(ts[la]),
            }
        )
        for v, c, f, la in zip(bad_imo, counts, first_row, last_row, strict=True)
    ]
    n = len(firsts)
    return _events(
        "invalid_imo",
        params,
        n,
        {
            "mmsi": mmsi[first_row],
            "start_us": ts[first_row],
            "end_us": ts[last_row],
            "lat": np.full(n, np.nan),
            "lon": np.full(n, np.nan),
            "confidence": np.full(n, 0.9),
            "evidence": evidence,
            "simulated": simulated[first_row],
        },
        {"imo": bad_imo, "n_positions": np.zeros(n, dtype=np.int64)},
    )


def detect_mid_flag_mismatch(reports: pa.Table, declared_flags: pa.Table, params: SpoofingParams) -> pa.Table:
    """MMSIs whose MID country contradicts the flag declared for them elsewhere (e.g. the registry).

    `reports`: positions or static reports sorted by (mmsi, ts) (they date the event: first to last
    report). `declared_flags`: columns `mmsi` and `flag` (ISO 3166-1 alpha-2), optionally `source`.
    Territories count as their sovereign state (a Bermudan MID with a British flag is no mismatch).
    An MMSI whose MID is allocated to no country contradicts any declared flag.
    """
    require_columns(reports, ("mmsi", "ts"), "reports")
    require_columns(declared_flags, ("mmsi", "flag"), "declared_flags")
    flags = np.array(
        [None if f is None else str(f).strip().upper() for f in declared_flags.column("flag").to_pylist()],
        dtype=object,
    )
    bad_codes = sorted({f for f in flags if f is not None and (len(f) != 2 or not f.isalpha())})
    if bad_codes:
        raise ValueError(f"declared_flags.flag must be ISO 3166-1 alpha-2 codes; got {bad_codes[:5]}")
    flag_mmsi = ints(declared_flags.column("mmsi"))
    sources = (
        strings(declared_flags.column("source"))
        if "source" in declared_flags.column_names
        else np.full(len(flags), None, dtype=object)
    )
    mmsi = ints(reports.column("mmsi"))
    ts = ts_us(reports.column("ts"))
    check_sorted(mmsi, ts, "reports")
    if len(mmsi) == 0 or len(flag_mmsi) == 0:
        return _empty()
    starts = np.flatnonzero(group_starts(mmsi))
    ends = np.append(starts[1:], len(mmsi)) - 1
    vessels = mmsi[starts]
    pos = np.searchsorted(vessels, flag_mmsi)
    pos_c = np.minimum(pos, len(vessels) - 1)
    seen = (vessels[pos_c] == flag_mmsi) & np.array([f is not None for f in flags], dtype=bool)
    mid_country = country_of_mmsi(flag_mmsi)
    is_ship = mid_of_mmsi(flag_mmsi) >= 0
    mismatch = np.array(
        [
            bool(s) and ship and (mc is None or sovereign(mc) != sovereign(f))
            for s, ship, mc, f in zip(seen, is_ship, mid_country, flags, strict=True)
        ],
        dtype=bool,
    )
    idx = np.flatnonzero(mismatch)
    if len(idx) == 0:
        return _empty()
    # One event per (mmsi, flag); the registry may list a vessel twice from two sources.
    keep: dict[tuple[int, str], int] = {}
    for i in idx:
        keep.setdefault((int(flag_mmsi[i]), str(flags[i])), int(i))
    idx = np.array(sorted(keep.values(), key=lambda i: (int(flag_mmsi[i]), str(flags[i]))), dtype=np.int64)
    first = starts[pos_c[idx]]
    last = ends[pos_c[idx]]
    simulated = bools(reports, "simulated")
    mids = mid_of_mmsi(flag_mmsi[idx])
    evidence = [
        to_json(
            {
                "mid": int(m),
                "mid_country": mid_country[i],
                "mid_allocated": int(m) in MID_TO_ISO2,
                "declared_flag": flags[i],
                "declared_flag_source": sources[i],
                "first_report": iso_us(ts[f]),
                "last_report": iso_us(ts[la]),
            }
        )
        for i, m, f, la in zip(idx, mids, first, last, strict=True)
    ]
    n = len(idx)
    return _events(
        "mid_flag_mismatch",
        params,
        n,
        {
            "mmsi": flag_mmsi[idx],
            "start_us": ts[first],
            "end_us": ts[last],
            "lat": np.full(n, np.nan),
            "lon": np.full(n, np.nan),
            "confidence": np.full(n, 0.8),
            "evidence": evidence,
            "simulated": simulated[first],
        },
        {
            "mid_country": [mid_country[i] for i in idx],
            "declared_flag": [flags[i] for i in idx],
            "n_positions": np.zeros(n, dtype=np.int64),
        },
    )


def detect_spoofing(
    positions: pa.Table,
    statics: pa.Table | None,
    params: SpoofingParams,
    declared_flags: pa.Table | None = None,
) -> pa.Table:
    """All spoofing checks; the runner's entry point. Rows sorted by (mmsi, start_ts, spoof_type)."""
    track = _Track(positions)
    tables = [
        detect_impossible_jumps_and_shared_mmsi(positions, params, track),
        detect_on_land(positions, params, track),
    ]
    if statics is not None:
        tables.append(detect_invalid_imo(statics, params))
    if declared_flags is not None:
        reports = positions.select(["mmsi", "ts"])
        if statics is not None and statics.num_rows:
            both = pa.concat_tables([reports, statics.select(["mmsi", "ts"]).cast(reports.schema)])
            reports = both.sort_by([("mmsi", "ascending"), ("ts", "ascending")])
        tables.append(detect_mid_flag_mismatch(reports, declared_flags, params))
    out = pa.concat_tables(tables)
    return out.sort_by([("mmsi", "ascending"), ("start_ts", "ascending"), ("spoof_type", "ascending")])


__all__ = [
    "DETECTOR_VERSION",
    "SPOOF_COLUMNS",
    "SPOOF_TYPES",
    "SpoofingParams",
    "detect_impossible_jumps_and_shared_mmsi",
    "detect_invalid_imo",
    "detect_mid_flag_mismatch",
    "detect_on_land",
    "detect_spoofing",
    "on_land_mask",
]
