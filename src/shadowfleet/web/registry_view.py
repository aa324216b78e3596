"""The registry as the pages and API see it: thin shaping of the Registry service's Public models."""

from typing import Any

from shadowfleet.registry import web_queries
from shadowfleet.registry.models import EntityPublic, StatementPublic
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


def ftm_entity(entity: EntityPublic) -> dict[str, Any]:
    """FollowTheMoney JSON: FtM properties only; our extension properties under `shadowfleet`."""
    from shadowfleet.registry.schema import SCHEMATA

    schema = SCHEMATA.get(entity.schema_name)
    props: dict[str, list[str]] = {}
    extra: dict[str, list[str]] = {}
    for s in entity.statements:
        prop = schema.props.get(s.prop) if schema else None
        target = props if prop is not None and prop.ftm else extra
        target.setdefault(s.prop, []).append(s.value)
    return {
        "id": entity.id,
        "schema": schema.export_schema if schema else entity.schema_name,
        "properties": props,
        "shadowfleet": {"status": entity.status, "version": entity.version, "extra_properties": extra},
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
            for statements in dossier.history.values():
                history.extend(statement_dict(s) for s in statements)
            for flag in dossier.sanctions:
                sanctions.append(
                    {
                        "reason": flag.reason,
                        "programs": flag.program,
                        "via": flag.via_entity.caption if flag.via_entity else None,
                        "via_url": entity_url(flag.via_entity.schema_name, flag.via_entity.id)
                        if flag.via_entity
                        else None,
                        "dates": [
                            link.start_date
                            for link in dossier.links
                            if link.role == "sanction" and link.start_date
                        ],
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
