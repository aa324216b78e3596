"""The registry as the pages and API see it: thin shaping of the Registry service's Public models."""

from typing import Any

from shadowfleet.registry import web_queries
from shadowfleet.registry.models import EntityPublic, OccupancyPublic, StatementPublic
from shadowfleet.registry.queries import NotFound
from shadowfleet.registry.service import Registry

PERSON_SCHEMAS = ("Person",)
ORG_SCHEMAS = ("Company", "Organization", "LegalEntity")
# The five states whose support to the regime the registry documents (ISO 3166-1 alpha-2).
SUPPORTING_STATES = {"ru": "Russia", "cn": "China", "cu": "Cuba", "ir": "Iran", "tr": "Turkey"}


def entity_url(ref_schema: str, entity_id: str) -> str:
    if ref_schema == "Person":
        return f"/people/{entity_id}"
    return f"/entities/{entity_id}"


def statement_dict(s: StatementPublic) -> dict[str, Any]:
    return {
        "prop": s.prop,
        "value": s.value,
        "start": s.start_date,
        "end": s.end_date,
        "quote": s.quote,
        "source_url": s.source.url,
        "source_title": s.source.title or s.source.publisher,
        "source_publisher": s.source.publisher,
        "source_date": s.source.published_date,
        "archive_url": s.source.archive_url,
        "entered_by": s.entered_by,
        "first_seen": s.first_seen.isoformat(),
    }


class RegistryView:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def search(self, q: str, limit: int) -> list[dict[str, Any]]:
        hits = []
        for schemas, kind in ((PERSON_SCHEMAS, "person"), (ORG_SCHEMAS, "company"), (("Vessel",), "vessel")):
            refs, _ = web_queries.list_entities(self.registry, schemas, q, limit, 0)
            for ref in refs:
                hits.append(
                    {
                        "kind": kind if kind != "vessel" else "vessel (registry)",
                        "id": ref.id,
                        "label": ref.caption,
                        "detail": ref.schema_name,
                        "url": entity_url(ref.schema_name, ref.id),
                        "simulated": False,
                    }
                )
        if q.strip().isascii() and q.strip().isdigit():
            number = int(q.strip()[:18])
            for vid in web_queries.registry_vessels_for(self.registry, number, number):
                if not any(h["id"] == vid for h in hits):
                    entity = self.registry.entity(vid)
                    hits.append(
                        {
                            "kind": "vessel (registry)",
                            "id": vid,
                            "label": entity.caption,
                            "detail": "Vessel",
                            "url": f"/entities/{vid}",
                            "simulated": False,
                        }
                    )
        return hits

    def vessels_matching(self, text: str, imo: int | None, mmsi: int | None) -> list[dict[str, Any]]:
        """Published registry vessels by name fragment, IMO or MMSI, shaped like a vessel search row."""
        ids: list[str] = []
        if imo is not None or mmsi is not None:
            ids += web_queries.registry_vessels_for(self.registry, imo, mmsi)
        if text:
            if text.isascii() and text.isdigit():
                ids += web_queries.registry_vessels_for(self.registry, int(text[:18]), int(text[:18]))
            refs, _ = web_queries.list_entities(self.registry, ("Vessel",), text, 200, 0)
            ids += [r.id for r in refs]
        out = []
        for vid in dict.fromkeys(ids):
            entity = self.registry.entity(vid)
            values = {s.prop: s.value for s in entity.statements}
            imo_text = values.get("imoNumber", "").upper().removeprefix("IMO").strip()
            mmsi_text = values.get("mmsi", "")
            vessel_imo = int(imo_text) if imo_text.isdigit() else None
            vessel_mmsi = int(mmsi_text) if mmsi_text.isdigit() else None
            if (imo is not None and vessel_imo != imo) or (mmsi is not None and vessel_mmsi != mmsi):
                continue
            out.append(
                {
                    "mmsi": vessel_mmsi,
                    "imo": vessel_imo,
                    "name": entity.caption,
                    "callsign": values.get("callSign"),
                    "n_positions": 0,
                    "simulated": False,
                    "url": f"/entities/{vid}",
                    "registry_id": vid,
                    "registry_only": True,
                }
            )
        return out

    def vessel_extras(self, imo: int | None, mmsi: int | None) -> dict[str, Any]:
        """Dated history, links and sanctions of the registry vessels matching these identifiers."""
        ids = web_queries.registry_vessels_for(self.registry, imo, mmsi)
        history: list[dict[str, Any]] = []
        sanctions: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for vid in ids:
            try:
                dossier = self.registry.vessel_dossier(vid)
            except NotFound:
                continue
            linked = {link.entity.id: link.entity for link in dossier.links}
            for statements in dossier.history.values():
                for st in statements:
                    item = statement_dict(st)
                    target = linked.get(st.value)
                    if target is not None:  # an owner/manager/operator id: show its name and link it
                        item["value"] = target.caption
                        item["value_url"] = entity_url(target.schema_name, target.id)
                    history.append(item)
            for flag in dossier.sanctions:
                listed_entity = flag.via_entity.id if flag.via_entity else vid
                sanctions.append(
                    {
                        "reason": flag.reason,
                        "programs": flag.program,
                        "via": flag.via_entity.caption if flag.via_entity else None,
                        "via_url": entity_url(flag.via_entity.schema_name, flag.via_entity.id)
                        if flag.via_entity
                        else None,
                        "listings": web_queries.sanction_listings(self.registry, listed_entity),
                    }
                )
            for link in dossier.links:
                links.append(
                    {
                        "role": link.role,
                        "label": link.entity.caption,
                        "url": entity_url(link.entity.schema_name, link.entity.id),
                        "start": link.start_date,
                        "end": link.end_date,
                    }
                )
        history.sort(key=lambda h: (h["prop"], h["start"] or ""))
        return {"registry_ids": ids, "registry_history": history, "sanctions": sanctions, "links": links}


def occupancy_period(o: OccupancyPublic, person: EntityPublic | None = None) -> str:
    """How long a post was held, claiming no more than the sources: a date-only occupancy is
    "in post as of" its date; "present" only for an open-ended start the person's death does not end."""
    death = next((s.value for s in person.statements if s.prop == "deathDate"), None) if person else None
    if o.start_date or o.end_date:
        if o.end_date:
            end = o.end_date
        elif death:
            end = f"? (died {death})"
        elif o.start_date:
            end = "present"
        return f"{o.start_date or '?'} – {end}"
    if o.date:
        return f"in post as of {o.date} (per source)"
    return "dates not stated in the source"
