"""Search across vessels (lake), people and companies (registry)."""

from typing import Any

from fastapi import FastAPI

from shadowfleet.web.vessel_views import IMO_QUERY, search_vessels


def search_all(app: FastAPI, q: str, limit: int) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    vessels, _ = search_vessels(app.state.data, q, None, None, limit, 0)
    for v in vessels:
        ids = f"MMSI {v['mmsi']}" + (f" · IMO {v['imo']}" if v.get("imo") else "")
        hits.append(
            {
                "kind": "vessel",
                "id": str(v["mmsi"]),
                "label": v.get("name") or f"MMSI {v['mmsi']}",
                "detail": ids,
                "url": v["url"],
                "simulated": v["simulated"],
            }
        )
    registry = getattr(app.state, "registry_view", None)
    if registry is not None:
        imo_in_text = IMO_QUERY.match(q)  # "IMO 1234567" finds the registry's vessel by its number
        hits.extend(registry.search(imo_in_text.group(1) if imo_in_text else q, limit))
    return hits[: limit * 3]
