"""Search across vessels (lake), people and companies (registry)."""

from typing import Any

from fastapi import FastAPI

from shadowfleet.web.vessel_views import search_vessels


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
        hits.extend(registry.search(q, limit))
    return hits[: limit * 3]
