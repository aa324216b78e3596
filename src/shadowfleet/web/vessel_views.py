"""Shaping lake rows into the public views of vessels and events (shared by API and pages)."""

import datetime as dt
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.lake.web_queries import EventFilter
from shadowfleet.web.data import SiteData, rows

DOSSIER_EVENTS = 100


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
    out["registry_id"] = None
    out["registry_only"] = False
    return out


IMO_QUERY = re.compile(r"^\s*IMO[\s:#-]*(\d{7})\s*$", re.IGNORECASE)


def search_vessels(
    data: SiteData,
    q: str | None,
    imo: int | None,
    mmsi: int | None,
    limit: int,
    offset: int,
    registry_view: Any = None,
) -> tuple[list[dict[str, Any]], int]:
    """Vessels seen in AIS, then registry vessels the lake has no track for (marked `registry_only`).
    `q` is a name fragment, an MMSI or IMO number, or "IMO 1234567"."""
    text = (q or "").strip()
    imo_in_text = IMO_QUERY.match(text)
    if imo_in_text:
        imo, text = int(imo_in_text.group(1)), ""
    table = data.vessels()
    found: pa.Table | None = None
    if table.num_rows:
        mask = None

        def both(m: pa.ChunkedArray) -> pa.ChunkedArray:
            return m if mask is None else pc.and_(mask, m)

        if imo is not None:
            mask = both(pc.fill_null(pc.equal(table["imo"], imo), False))
        if mmsi is not None:
            mask = both(pc.fill_null(pc.equal(table["mmsi"], mmsi), False))
        if text:
            by_name = pc.fill_null(pc.match_substring(table["name"], text, ignore_case=True), False)
            if text.isascii() and text.isdigit():
                number = int(text[:18])
                by_name = pc.or_(by_name, pc.fill_null(pc.equal(table["mmsi"], number), False))
                by_name = pc.or_(by_name, pc.fill_null(pc.equal(table["imo"], number), False))
            mask = both(by_name)
        found = table if mask is None else table.filter(mask)
    lake_total = 0 if found is None else found.num_rows
    extra: list[dict[str, Any]] = []
    if registry_view is not None and (imo is not None or mmsi is not None or text):
        in_lake = set()
        if found is not None:
            in_lake = {("imo", v) for v in found["imo"].to_pylist() if v} | {
                ("mmsi", v) for v in found["mmsi"].to_pylist()
            }
        for vessel in registry_view.vessels_matching(text, imo, mmsi):
            if ("imo", vessel["imo"]) in in_lake or ("mmsi", vessel["mmsi"]) in in_lake:
                continue  # the lake's dossier already shows this registry entry
            extra.append(vessel)
    items: list[dict[str, Any]] = []
    if found is not None and offset < lake_total:
        items = [summarize(r) for r in rows(found.slice(offset, limit))]
    start = max(0, offset - lake_total)
    items += extra[start : start + limit - len(items)]
    return items, lake_total + len(extra)


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
    """The dossier, cached briefly (see SiteData.memo)."""
    return data.memo(
        ("dossier", mmsi, registry_view is not None), lambda: build_dossier(data, mmsi, registry_view)
    )


def build_dossier(data: SiteData, mmsi: int, registry_view: Any = None) -> dict[str, Any] | None:
    vessel = data.vessel(mmsi)
    if vessel is None:
        return None
    events, n_events = list_events(data, EventFilter(mmsi=mmsi), DOSSIER_EVENTS, 0)
    for event in events:  # evidence stays on the event's own page and API entry
        event.pop("evidence", None)
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
        "risk": risk_score(data, mmsi, extras["sanctions"], registry_view is not None),
        "simulated": summary["simulated"],
    }


def risk_score(
    data: SiteData, mmsi: int, sanctions: list[dict[str, Any]], registry_assessed: bool
) -> dict[str, Any] | None:
    """The detect room's explainable risk score from this vessel's events and the registry's sanctions."""
    import json

    from shadowfleet.detect.risk import (
        DEFAULT_RISK_SIGNALS,
        risk_signals_from_events,
        score_risk,
        with_registry_facts,
    )

    if data.queries is None:
        return None
    events = data.queries.vessel_events(mmsi)
    signals = risk_signals_from_events(events) if events.num_rows else None
    if signals is None or mmsi not in signals.column("mmsi").to_pylist():
        signals = pa.table({"mmsi": pa.array([mmsi], pa.int64())})
    else:
        signals = signals.filter(pc.equal(signals["mmsi"], mmsi))
    direct = any(s["reason"] == "sanctioned" for s in sanctions)
    via = any(s["reason"] != "sanctioned" for s in sanctions)
    signals = with_registry_facts(
        signals,
        sanctioned=[mmsi] if direct else [],
        owner_sanctioned=[mmsi] if via else [],
        assessed=[mmsi] if registry_assessed else [],
    )
    if events.num_rows == 0:
        # No event table for this vessel: its event signals were not assessed (not the same as zero).
        keep = ["mmsi", "sanctioned", "owner_sanctioned"]
        signals = signals.select(keep)
    scored = score_risk(signals).to_pylist()[0]
    rationale = {sig.name: sig.rationale for sig in DEFAULT_RISK_SIGNALS}
    breakdown = json.loads(scored["breakdown"])
    for item in breakdown:
        item["rationale"] = rationale.get(item["signal"], "")
    return {
        "score": round(scored["risk_score"], 1),
        "max": scored["risk_score_max"],
        "version": scored["risk_version"],
        "breakdown": breakdown,
        "params": json.loads(scored["params"]),
    }


def isoformat(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


__all__ = ["dossier", "list_events", "public_event", "search_vessels", "summarize", "vessel_url"]
