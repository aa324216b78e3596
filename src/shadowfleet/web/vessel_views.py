"""Shaping lake rows into the public views of vessels and events (shared by API and pages)."""

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.lake.web_queries import EventFilter
from shadowfleet.web.data import SiteData, rows


def vessel_url(mmsi: int) -> str:
    return f"/vessels/{mmsi}"


def event_url(event_id: str) -> str:
    return f"/events/{event_id}"


def summarize(vessel: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: vessel.get(k)
        for k in (
            "mmsi",
            "imo",
            "name",
            "callsign",
            "ship_type",
            "length_m",
            "draught_m",
            "destination",
            "first_ts",
            "last_ts",
            "n_positions",
            "lat",
            "lon",
            "sog_kn",
        )
    }
    out["n_positions"] = int(out["n_positions"] or 0)
    out["simulated"] = bool(vessel.get("simulated"))
    out["url"] = vessel_url(int(vessel["mmsi"]))
    return out


def search_vessels(
    data: SiteData, q: str | None, imo: int | None, mmsi: int | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    table = data.vessels()
    if table.num_rows == 0:
        return [], 0
    mask = None

    def both(m: pa.ChunkedArray) -> pa.ChunkedArray:
        return m if mask is None else pc.and_(mask, m)

    if imo is not None:
        mask = both(pc.fill_null(pc.equal(table["imo"], imo), False))
    if mmsi is not None:
        mask = both(pc.fill_null(pc.equal(table["mmsi"], mmsi), False))
    if q:
        text = q.strip()
        by_name = pc.fill_null(pc.match_substring(table["name"], text, ignore_case=True), False)
        if text.isascii() and text.isdigit():
            number = int(text[:18])
            by_name = pc.or_(by_name, pc.fill_null(pc.equal(table["mmsi"], number), False))
            by_name = pc.or_(by_name, pc.fill_null(pc.equal(table["imo"], number), False))
        mask = both(by_name)
    found = table if mask is None else table.filter(mask)
    total = found.num_rows
    return [summarize(r) for r in rows(found.slice(offset, limit))], total


def public_event(event: dict[str, Any]) -> dict[str, Any]:
    out = dict(event)
    out["simulated"] = bool(event.get("simulated"))
    out["url"] = event_url(str(event["event_id"]))
    return out


def list_events(
    data: SiteData, flt: EventFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    items, total = data.events(flt, limit, offset)
    return [public_event(e) for e in items], total


def dossier(data: SiteData, mmsi: int, registry_view: Any = None) -> dict[str, Any] | None:
    vessel = data.vessel(mmsi)
    if vessel is None:
        return None
    events, n_events = list_events(data, EventFilter(mmsi=mmsi), 200, 0)
    voyages, _ = data.voyages(mmsi, None, None, 200, 0)
    summary = summarize(vessel)
    extras: dict[str, Any] = {"registry_ids": [], "registry_history": [], "sanctions": [], "links": []}
    if registry_view is not None:
        extras = registry_view.vessel_extras(summary["imo"], summary["mmsi"])
    return {
        **extras,
        "vessel": summary,
        "identity_history": data.static_history(mmsi),
        "events": events,
        "n_events": n_events,
        "voyages": voyages,
        "cargo_estimate": data.cargo_estimate(mmsi),
        "simulated": summary["simulated"],
    }


def isoformat(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


__all__ = ["dossier", "list_events", "public_event", "search_vessels", "summarize", "vessel_url"]
