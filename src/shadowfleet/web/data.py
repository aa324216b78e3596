"""The site's read model: lake queries with in-memory caches that refresh when the lake changes.

The lake is append-only, so a cheap fingerprint (file count + newest mtime) decides when cached vessel
summaries, latest positions and per-vessel tracks must be rebuilt. Nothing here computes detections.
"""

import contextlib
import datetime as dt
import gc
import gzip
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from shadowfleet.lake.web_queries import EventFilter, LakeQueries, lake_fingerprint

log = logging.getLogger("shadowfleet.web")

T = TypeVar("T")
FINGERPRINT_TTL_S = 2.0
TRACK_CACHE_VESSELS = 64
MEMO_ENTRIES = 512
# Cached views expire after this long; lake changes and edits made through this server clear them at once
# (registry edits made elsewhere, e.g. the CLI, show within this delay).
MEMO_TTL_S = 300.0
LATEST_PROPERTIES = ("mmsi", "name", "sog_kn", "last_ts", "simulated")
GZIP_MIN_BYTES = 64 * 1024


def iso(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value


def finite(value: object) -> object:
    """JSON-safe: NaN and infinities become None, at any depth."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


EVENT_CONTEXT = dt.timedelta(hours=6)  # how far either side of an event its map and sources look


def _parse_iso(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def public_source(value: str) -> str:
    """A lake row's `source` as published: the file's base name, never the server's directories."""
    return value.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def rows(table: pa.Table) -> list[dict[str, object]]:
    """Arrow rows as plain dicts with ISO-8601 UTC strings for timestamps; NaN and infinities as None;
    a `source` (the file a row was read from) reduced to its base name."""
    out = []
    for row in table.to_pylist():
        clean: dict[str, object] = {}
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            elif key == "source" and isinstance(value, str):
                value = public_source(value)
            clean[key] = iso(value)
        out.append(clean)
    return out


@dataclass(frozen=True)
class Track:
    mmsi: int
    ts_us: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    sog_kn: np.ndarray
    cog_deg: np.ndarray
    simulated: bool

    def window(self, start: dt.datetime | None, end: dt.datetime | None) -> "Track":
        lo = 0 if start is None else int(np.searchsorted(self.ts_us, _us(start), "left"))
        hi = len(self.ts_us) if end is None else int(np.searchsorted(self.ts_us, _us(end), "left"))
        return Track(
            self.mmsi,
            self.ts_us[lo:hi],
            self.lat[lo:hi],
            self.lon[lo:hi],
            self.sog_kn[lo:hi],
            self.cog_deg[lo:hi],
            self.simulated,
        )

    def thinned(self, max_points: int) -> "Track":
        """Time-bucket thinning for display: the first point of each equal time bucket, plus the last."""
        n = len(self.ts_us)
        if n <= max_points or max_points < 2:
            return self
        span = int(self.ts_us[-1] - self.ts_us[0]) or 1
        bucket = (self.ts_us - self.ts_us[0]) * (max_points - 1) // span
        keep = np.flatnonzero(np.diff(bucket, prepend=-1) != 0)
        if keep[-1] != n - 1:
            keep = np.append(keep, n - 1)
        return Track(
            self.mmsi,
            self.ts_us[keep],
            self.lat[keep],
            self.lon[keep],
            self.sog_kn[keep],
            self.cog_deg[keep],
            self.simulated,
        )


def _us(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1_000_000)


def _float_list(values: np.ndarray, digits: int) -> list[float | None]:
    return [None if v != v else round(float(v), digits) for v in values]


def track_geojson(track: Track, full_count: int, simplified: bool) -> dict[str, object]:
    """A FeatureCollection with one LineString; per-vertex times and speeds ride in properties."""
    coords = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(track.lon, track.lat, strict=True)]
    times = [
        dt.datetime.fromtimestamp(int(t) / 1e6, dt.UTC).isoformat().replace("+00:00", "Z")
        for t in track.ts_us
    ]
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {
            "mmsi": track.mmsi,
            "simulated": track.simulated,
            "times": times,
            "sog_kn": _float_list(track.sog_kn, 2),
            "n_points": len(coords),
            "n_points_full": full_count,
            "simplified": simplified,
        },
    }
    return {"type": "FeatureCollection", "features": [feature]}


class SiteData:
    """Everything the pages and the API read from the lake, cached per lake fingerprint."""

    def __init__(self, lake_path: Path | None, watchlist_mmsi: tuple[int, ...] = ()) -> None:
        self.lake_path = lake_path
        self.watchlist = frozenset(watchlist_mmsi)
        self.queries = LakeQueries(lake_path) if lake_path is not None else None
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = 0.0
        self._vessels: pa.Table | None = None
        self._latest_features: list[bytes] = []
        self._latest_arrays: dict[str, np.ndarray] = {}
        self._tracks: OrderedDict[int, Track] = OrderedDict()
        self._memo: OrderedDict[tuple[object, ...], tuple[float, object]] = OrderedDict()
        self._row_of: dict[int, int] = {}
        self._latest_all: tuple[bytes, bytes] | None = None

    # -- cache control --------------------------------------------------------------------------
    def _refresh_if_changed(self) -> None:
        if self.lake_path is None:
            return
        now = time.monotonic()
        if now - self._checked_at < FINGERPRINT_TTL_S and self._vessels is not None:
            return
        with self._lock:
            if now - self._checked_at < FINGERPRINT_TTL_S and self._vessels is not None:
                return
            if self.queries is not None:
                self.queries.lake()  # open the manifest first: opening it may touch its files
            fingerprint = lake_fingerprint(self.lake_path)
            self._checked_at = time.monotonic()
            if fingerprint == self._fingerprint and self._vessels is not None:
                return
            assert self.queries is not None
            vessels = self.queries.vessel_summaries()
            self._build_latest(vessels)
            self._row_of = {int(m): i for i, m in enumerate(vessels["mmsi"].to_numpy())}
            self._tracks.clear()
            self._memo.clear()
            self._vessels = vessels
            self._fingerprint = fingerprint

    def _build_latest(self, vessels: pa.Table) -> None:
        has_pos = vessels.filter(pa.compute.is_valid(vessels["lat"]))
        mmsi = has_pos["mmsi"].to_numpy()
        lat = has_pos["lat"].to_numpy(zero_copy_only=False)
        lon = has_pos["lon"].to_numpy(zero_copy_only=False)
        last_us = has_pos["last_ts"].cast(pa.int64()).to_numpy(zero_copy_only=False)
        features = []
        for row in has_pos.select(list(LATEST_PROPERTIES)).to_pylist():
            last = row["last_ts"]
            row["last_ts"] = iso(last.replace(microsecond=0)) if isinstance(last, dt.datetime) else last
            if row["mmsi"] in self.watchlist:
                row["watched"] = True
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": row,
            }
            features.append(feature)
        encoded = []
        for feature, x, y in zip(features, lon, lat, strict=True):
            feature["geometry"]["coordinates"] = [round(float(x), 5), round(float(y), 5)]  # type: ignore[index]
            encoded.append(json.dumps(feature, separators=(",", ":")).encode())
        self._latest_features = encoded
        self._latest_arrays = {"mmsi": mmsi, "lat": lat, "lon": lon, "last_us": last_us}
        self._latest_all = None

    def warm(self) -> None:
        try:
            self._refresh_if_changed()
        except Exception:  # a broken lake shows on the first request, in the error shape
            log.exception("could not warm the caches")
        # The long-lived objects built so far (app, caches) leave the collector's view: full
        # collections then stay short, and so do latency tails.
        gc.collect()
        gc.freeze()

    def invalidate(self) -> None:
        """Forget cached views now (after an editorial write through this server)."""
        with self._lock:
            self._memo.clear()

    def _fresh(self, now: float) -> bool:
        return self._vessels is not None and now - self._checked_at < FINGERPRINT_TTL_S

    def memo_peek(self, key: tuple[object, ...]) -> object | None:
        """A cached value when the caches are known fresh, without any I/O (safe on the event loop)."""
        now = time.monotonic()
        if not self._fresh(now):
            return None
        with self._lock:
            hit = self._memo.get(key)
        return hit[1] if hit is not None and now - hit[0] < MEMO_TTL_S else None

    def latest_all_peek(self) -> tuple[bytes, bytes] | None:
        return self._latest_all if self._fresh(time.monotonic()) else None

    def memo(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """`build()` cached under `key` until the lake changes or MEMO_TTL_S passes."""
        self._refresh_if_changed()
        now = time.monotonic()
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None and now - hit[0] < MEMO_TTL_S:
                self._memo.move_to_end(key)
                return hit[1]  # type: ignore[return-value]
        value = build()
        with self._lock:
            self._memo[key] = (now, value)
            while len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        return value

    # -- vessels --------------------------------------------------------------------------------
    def vessels(self) -> pa.Table:
        self._refresh_if_changed()
        if self._vessels is None:
            return pa.table({"mmsi": pa.array([], pa.int64())})
        return self._vessels

    def vessel(self, mmsi: int) -> dict[str, object] | None:
        table = self.vessels()
        row = self._row_of.get(mmsi)
        if row is None:
            return None
        return rows(table.slice(row, 1))[0]

    def latest_positions_geojson(
        self, bbox: tuple[float, float, float, float] | None, since: dt.datetime | None, limit: int
    ) -> tuple[bytes, int]:
        """Pre-encoded features joined into a FeatureCollection: (body, number of features)."""
        self._refresh_if_changed()
        arrays = self._latest_arrays
        if not arrays:
            return b'{"type":"FeatureCollection","features":[]}', 0
        mask = np.ones(len(arrays["mmsi"]), dtype=bool)
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            mask &= (arrays["lon"] >= min_lon) & (arrays["lon"] <= max_lon)
            mask &= (arrays["lat"] >= min_lat) & (arrays["lat"] <= max_lat)
        if since is not None:
            mask &= arrays["last_us"] >= _us(since)
        picked = np.flatnonzero(mask)[:limit]
        body = (
            b'{"type":"FeatureCollection","features":['
            + b",".join(self._latest_features[i] for i in picked)
            + b"]}"
        )
        return body, len(picked)

    def latest_positions_all(self) -> tuple[bytes, bytes]:
        """Every vessel's latest position, as (GeoJSON, the same gzip-compressed), built once per lake change."""
        self._refresh_if_changed()
        cached = self._latest_all
        if cached is None:
            body, _ = self.latest_positions_geojson(None, None, len(self._latest_features) + 1)
            cached = (body, gzip.compress(body, compresslevel=5))
            self._latest_all = cached
        return cached

    def track(self, mmsi: int) -> Track:
        self._refresh_if_changed()
        with self._lock:
            cached = self._tracks.get(mmsi)
            if cached is not None:
                self._tracks.move_to_end(mmsi)
                return cached
        if self.queries is None:
            table = None
        else:
            table = self.queries.track(mmsi, None, None)
        if table is None or table.num_rows == 0:
            empty = np.array([], dtype=np.float64)
            track = Track(mmsi, np.array([], dtype=np.int64), empty, empty, empty, empty, False)
        else:
            track = Track(
                mmsi,
                table["ts"].cast(pa.int64()).to_numpy(),
                table["lat"].to_numpy(zero_copy_only=False).astype(np.float64),
                table["lon"].to_numpy(zero_copy_only=False).astype(np.float64),
                table["sog_kn"].to_numpy(zero_copy_only=False).astype(np.float64),
                table["cog_deg"].to_numpy(zero_copy_only=False).astype(np.float64),
                bool(pa.compute.any(table["simulated"]).as_py()),
            )
        with self._lock:
            self._tracks[mmsi] = track
            while len(self._tracks) > TRACK_CACHE_VESSELS:
                self._tracks.popitem(last=False)
        return track

    def static_reports(self, mmsi: int) -> pa.Table:
        """The vessel's static reports, read once for both the identity history and the cargo estimate."""
        queries = self.queries
        if queries is None:
            return pa.table({})
        return self.memo(("static-reports", mmsi), lambda: queries.static_reports(mmsi))

    def static_history(self, mmsi: int) -> list[dict[str, object]]:
        if self.queries is None:
            return []
        return rows(self.queries.static_history(mmsi, self.static_reports(mmsi)))

    def cargo_estimate(self, mmsi: int) -> dict[str, object] | None:
        """The detect room's cargo estimate from this vessel's static reports (None without them)."""
        from shadowfleet.detect.cargo import CargoParams, estimate_cargo, vessel_cargo_inputs

        if self.queries is None:
            return None
        reports = self.static_reports(mmsi)
        if reports.num_rows == 0:
            return None
        estimate = rows(estimate_cargo(vessel_cargo_inputs(reports), CargoParams()))
        return estimate[0] if estimate else None

    def events(self, flt: EventFilter, limit: int, offset: int) -> tuple[list[dict[str, object]], int]:
        if self.queries is None:
            return [], 0
        table, total = self.queries.events(flt, limit, offset)
        return [decode_event(r) for r in rows(table)], total

    def event(self, event_id: str) -> dict[str, object] | None:
        if self.queries is None:
            return None
        found = rows(self.queries.event(event_id))
        return decode_event(found[0]) if found else None

    def event_sources(self, event: dict[str, object]) -> list[dict[str, object]]:
        """The files the vessels' positions around an event were read from (base names), with how many
        positions each gave: a reader should know whether an apparent gap sits at the edge of a cut."""
        if self.queries is None:
            return []
        start = _parse_iso(event.get("start_ts"))
        end = _parse_iso(event.get("end_ts"))
        if start is None or end is None:
            return []
        counts: dict[str, int] = {}
        for mmsi in (event.get("mmsi"), event.get("other_mmsi")):
            if not isinstance(mmsi, int):
                continue
            table = self.queries.track(mmsi, start - EVENT_CONTEXT, end + EVENT_CONTEXT)
            for item in pa.compute.value_counts(table["source"]).to_pylist():
                name = public_source(str(item["values"]))
                counts[name] = counts.get(name, 0) + int(item["counts"])
        return [{"source": name, "positions": n} for name, n in sorted(counts.items())]

    def event_counts(self) -> dict[str, int]:
        return self.queries.event_counts() if self.queries is not None else {}

    def voyages(
        self, mmsi: int | None, venezuela: bool | None, in_progress: bool | None, limit: int, offset: int
    ) -> tuple[list[dict[str, object]], int]:
        if self.queries is None:
            return [], 0
        table, total = self.queries.voyages(mmsi, venezuela, in_progress, limit, offset)
        found = rows(table)
        for voyage in found:
            vessel = self.vessel(int(str(voyage["mmsi"])))
            voyage["vessel_name"] = vessel.get("name") if vessel else None
        return found, total


def decode_event(row: dict[str, object]) -> dict[str, object]:
    """Event row with `params` and `evidence` parsed from their JSON text (kept as text if not JSON)."""
    out = dict(row)
    for key in ("params", "evidence"):
        value = out.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                out[key] = finite(json.loads(value))
    out["title"] = event_title(out)
    return out


EVENT_WORDING = {
    "ais_gap": "Apparent AIS gap",
    "dark_port_call": "Apparent dark port call",
    "encounter": "Apparent encounter (possible ship-to-ship transfer)",
    "loitering": "Apparent loitering",
    "port_call": "Apparent port call",
    "spoofing": "Apparent position spoofing",
    "identity_change": "Apparent identity change",
    "draught_change": "Apparent draught change",
}


SPOOFING_WORDING = {
    "impossible_jump": "Apparent position spoofing: an impossible jump",
    "on_land": "Apparent position spoofing: positions on land",
    "shared_mmsi": "Apparent shared MMSI: two transmitters at once",
    "invalid_imo": "Apparent false IMO number (check digit fails)",
    "mid_flag_mismatch": "Apparent false identity: MMSI country differs from the flag",
}


def event_title(event: dict[str, object]) -> str:
    kind = str(event.get("kind", ""))
    if kind == "spoofing" and event.get("spoof_type") in SPOOFING_WORDING:
        return SPOOFING_WORDING[str(event["spoof_type"])]
    return EVENT_WORDING.get(kind, "Apparent " + kind.replace("_", " "))


def format_lat(value: float | None) -> str:
    """12.3456° N / 12.3456° S (four decimals: about 10 m)."""
    return "" if value is None else f"{abs(value):.4f}° {'S' if value < 0 else 'N'}"


def format_lon(value: float | None) -> str:
    """56.0000° W / 56.0000° E."""
    return "" if value is None else f"{abs(value):.4f}° {'W' if value < 0 else 'E'}"
