"""The registry's Python API (the web layer and the CLI use only this).

    reg = Registry("sqlite:///var/registry.db")        # or postgresql+psycopg://...
    reg.init()                                         # alembic upgrade head
    editor = reg.authenticate("ana", "...")
    draft = reg.create_draft(editor, EntityCreate(schema="Person", properties={...}))
    reg.submit_for_review(editor, draft.id, draft.version)

Every method runs in its own transaction: it either completes or leaves the database unchanged.
"""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shadowfleet.registry import matching, queries, users
from shadowfleet.registry.db import Database, is_initialised, upgrade
from shadowfleet.registry.defaults import DEFAULT_DB_URL
from shadowfleet.registry.matching import MatchResult
from shadowfleet.registry.models import (
    ClaimIn,
    CorrectionCreate,
    CorrectionPublic,
    EntityCreate,
    EntityPublic,
    EntityUpdate,
    PersonPublic,
    ReviewItemPublic,
    UserPublic,
    VersionPublic,
    VesselDossier,
    VesselSummary,
)
from shadowfleet.registry.queries import NotFound
from shadowfleet.registry.store import (
    caption_for,
    check_references,
    make_statement,
    new_entity,
    record_version,
    resolve_source_ids,
    statement_id,
)
from shadowfleet.registry.tables import Entity, EntityVersion, ReviewItem, Source, Statement, utcnow
from shadowfleet.registry.users import require_role
from shadowfleet.registry.validation import (
    RegistryError,
    RegistryValidationError,
    check_dataset,
    check_entity_id,
    clean_properties,
    schema_for,
)

# Entries about people leave public view this many years after their last occupancy ended.
RETENTION_YEARS = 5
MAX_MESSAGE_CHARS = 5000


class ConflictError(RegistryError):
    """Someone saved the entity since you loaded it. Your changes are in `attempted`; nothing was written."""

    def __init__(self, entity_id: str, expected: int, current: int, attempted: object = None) -> None:
        super().__init__(
            f"entity {entity_id!r} changed since version {expected} (now version {current}); reload and reapply"
        )
        self.entity_id = entity_id
        self.expected = expected
        self.current = current
        self.attempted = attempted


class WorkflowError(RegistryError):
    """A status change the editorial workflow does not allow."""


_TRANSITIONS = {
    "submit": ({"draft"}, "in_review", "contributor"),
    "publish": ({"in_review"}, "published", "editor"),
    "return_to_draft": ({"in_review"}, "draft", "editor"),
    "retract": ({"published", "in_review", "draft"}, "retracted", "editor"),
}


# Entries naming people are published by a second pair of eyes: not by anyone who wrote the text
# under review (harm policy, docs/registry.md).
SECOND_REVIEWER_SCHEMAS = frozenset({"Person"})


class Registry:
    def __init__(
        self,
        url: str = DEFAULT_DB_URL,
        retention_years: int = RETENTION_YEARS,
        second_reviewer_schemas: frozenset[str] = SECOND_REVIEWER_SCHEMAS,
    ) -> None:
        self.db = Database(url)
        self.retention_years = retention_years
        self.second_reviewer_schemas = second_reviewer_schemas

    def init(self) -> None:
        """Create or migrate the schema (`alembic upgrade head`)."""
        upgrade(self.db.engine)

    @property
    def initialised(self) -> bool:
        return is_initialised(self.db.engine)

    def close(self) -> None:
        self.db.dispose()

    # users ----------------------------------------------------------------------------------
    def create_user(self, username: str, password: str, role: str, actor: str = "admin-cli") -> UserPublic:
        with self.db.session(actor) as session:
            return users.create_user(session, username, password, role)

    def list_users(self) -> list[dict[str, object]]:
        with self.db.session() as session:
            return users.list_users(session)

    def set_user_active(self, username: str, active: bool, actor: str = "admin-cli") -> UserPublic:
        with self.db.session(actor) as session:
            return users.set_active(session, username, active)

    def authenticate(self, username: str, password: str) -> UserPublic:
        """The user, or `AuthenticationError`."""
        with self.db.session(f"login:{username}"[:64]) as session:
            return users.authenticate(session, username, password)

    # editorial writes -----------------------------------------------------------------------
    def create_draft(self, user: UserPublic, data: EntityCreate) -> EntityPublic:
        schema = schema_for("schema", data.schema_name)
        properties = clean_properties(schema, data.properties)
        if not any(properties.values()):
            raise RegistryValidationError("properties", "an entity needs at least one sourced claim")
        entity_id = check_entity_id("id", data.id) if data.id else _slug_id(schema.name, properties)
        check_dataset("dataset", data.dataset)
        with self.db.session(user.username) as session:
            if session.get(Entity, entity_id) is not None:
                raise RegistryValidationError("id", f"{entity_id!r} already exists")
            check_references(session, schema.name, properties)
            entity = new_entity(
                session,
                entity_id,
                schema.name,
                caption_for(schema.name, entity_id, properties),
                data.dataset,
                "draft",
                user.username,
            )
            self._add_claims(session, entity_id, properties, user.username)
            record_version(session, entity, user.username, "created")
            return self._public(session, entity)

    def update_draft(self, user: UserPublic, entity_id: str, data: EntityUpdate) -> EntityPublic:
        """Replace the claims of the named properties. Stale `expected_version` -> ConflictError."""
        try:
            with self.db.session(user.username) as session:
                entity = self._locked(session, entity_id, data.expected_version, attempted=data)
                if entity.status == "retracted":
                    raise WorkflowError("a retracted entry cannot be edited")
                if entity.status == "published":
                    require_role(user, "editor")
                schema = schema_for("schema", entity.schema_name)
                properties = clean_properties(schema, data.properties)
                check_references(session, schema.name, properties, pending=[entity_id])
                existing = list(
                    session.scalars(
                        select(Statement).where(
                            Statement.entity_id == entity_id, Statement.prop.in_(list(properties))
                        )
                    )
                )
                wanted = resolve_source_ids(session, properties, {})
                wanted_ids = {
                    statement_id(entity_id, p, c.value, sid, c.start_date, c.end_date) for p, c, sid in wanted
                }
                for st in existing:
                    if st.id not in wanted_ids:
                        session.delete(st)
                kept = {st.id for st in existing}
                for prop, claim, sid in wanted:
                    st = make_statement(entity_id, prop, claim, sid, user.username)
                    if st.id not in kept:
                        kept.add(st.id)
                        session.add(st)
                session.flush()
                entity.caption = _caption_from_statements(session, entity)
                entity.updated_at = utcnow()
                record_version(session, entity, user.username, "updated")
                return self._public(session, entity)
        except StaleDataError:
            with self.db.session() as session:
                current = session.get(Entity, entity_id)
                raise ConflictError(
                    entity_id, data.expected_version, current.row_version if current else -1, data
                ) from None

    def submit_for_review(self, user: UserPublic, entity_id: str, expected_version: int) -> EntityPublic:
        return self._transition(user, entity_id, expected_version, "submit")

    def publish(self, user: UserPublic, entity_id: str, expected_version: int) -> EntityPublic:
        return self._transition(user, entity_id, expected_version, "publish")

    def return_to_draft(
        self, user: UserPublic, entity_id: str, expected_version: int, note: str
    ) -> EntityPublic:
        return self._transition(user, entity_id, expected_version, "return_to_draft", note)

    def retract(self, user: UserPublic, entity_id: str, reason: str, expected_version: int) -> EntityPublic:
        if not reason or not reason.strip():
            raise RegistryValidationError("reason", "a retraction needs a reason, shown publicly")
        return self._transition(user, entity_id, expected_version, "retract", reason.strip())

    def versions(self, entity_id: str) -> list[VersionPublic]:
        with self.db.session() as session:
            rows = session.scalars(
                select(EntityVersion)
                .where(EntityVersion.entity_id == entity_id)
                .order_by(EntityVersion.version)
            )
            return [
                VersionPublic(
                    version=v.version,
                    status=v.status,
                    actor=v.actor,
                    created_at=v.created_at,
                    note=v.note,
                    snapshot=json.loads(v.snapshot),
                )
                for v in rows
            ]

    # public reads ---------------------------------------------------------------------------
    def entity(self, entity_id: str, include_unpublished: bool = False) -> EntityPublic:
        """A published (or retracted, claims hidden) entity; NotFound otherwise."""
        with self.db.session() as session:
            statuses = (
                ("draft", "in_review", "published", "retracted")
                if include_unpublished
                else ("published", "retracted")
            )
            entity = queries.load_public(session, entity_id, statuses)
            if not include_unpublished and entity.schema_name in ("Person", "Occupancy"):
                hidden = queries.hidden_person_ids(session, self.retention_years)
                if entity_id in hidden or any(
                    s.prop == "holder" and s.value in hidden for s in entity.statements
                ):
                    raise NotFound(f"no entity {entity_id!r}")
            return entity

    def search_vessels(
        self,
        q: str | None = None,
        imo: str | None = None,
        mmsi: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[VesselSummary]:
        """Published vessels by name fragment (current or former), IMO or MMSI."""
        from shadowfleet.registry.identifiers import normalise_imo

        imo_norm = normalise_imo(imo) if imo else None
        if imo and imo_norm is None:
            raise RegistryValidationError("imo", f"{imo!r} is not a valid IMO number")
        with self.db.session() as session:
            ids = queries.search_vessel_ids(
                session, q, imo_norm, mmsi.strip() if mmsi else None, limit, offset
            )
            return queries.vessel_summaries(session, ids)

    def vessel_dossier(self, vessel_id: str) -> VesselDossier:
        with self.db.session() as session:
            return queries.vessel_dossier(session, vessel_id)

    def person(self, person_id: str) -> PersonPublic:
        """A published person within the retention period, with occupancies and answered requests."""
        with self.db.session() as session:
            person = queries.load_public(session, person_id)
            if person.schema_name != "Person":
                raise NotFound(f"{person_id!r} is not a person")
            occupancies = [] if person.status == "retracted" else queries.occupancies_of(session, person_id)
            if not queries.retained(occupancies, self.retention_years):
                raise NotFound(f"no entity {person_id!r}")
            return PersonPublic(
                person=person, occupancies=occupancies, corrections=self._answered(session, person_id)
            )

    def list_persons(
        self, q: str | None = None, limit: int = 50, offset: int = 0, in_post_only: bool = True
    ) -> list[PersonPublic]:
        """Published people within the retention period, by name fragment; the personnel directory
        (`in_post_only`) lists only holders of a published Occupancy (an official capacity)."""
        with self.db.session() as session:
            hidden = queries.hidden_person_ids(session, self.retention_years)
            query = select(Entity.id).where(Entity.schema_name == "Person", Entity.status == "published")
            if in_post_only:
                query = query.where(Entity.id.in_(queries.occupancy_holders()))
            if hidden:
                query = query.where(Entity.id.not_in(sorted(hidden)))
            if q:
                query = query.where(Entity.caption.icontains(q.strip(), autoescape=True))
            out = []
            for pid in session.scalars(query.order_by(Entity.caption, Entity.id).limit(limit).offset(offset)):
                out.append(
                    PersonPublic(
                        person=queries.load_public(session, pid),
                        occupancies=queries.occupancies_of(session, pid),
                        corrections=self._answered(session, pid),
                    )
                )
            return out

    def match_identities(self, rows: Any, queue: bool = True) -> list[MatchResult]:
        """Match AIS identity rows (dicts or an Arrow table) to published vessels; uncertain
        matches go to the review queue when `queue`."""
        row_list = rows.to_pylist() if hasattr(rows, "to_pylist") else list(rows)
        with self.db.session("matcher") as session:
            results = matching.VesselIndex.from_session(session).match(row_list)
            if queue:
                matching.queue_uncertain(session, results, row_list)
            return results

    # corrections, right of reply, review queues ---------------------------------------------------
    def submit_correction(self, data: CorrectionCreate) -> CorrectionPublic:
        """A public request; stored in the queue. The submitter's contact stays private."""
        if not data.message.strip():
            raise RegistryValidationError("message", "empty")
        if len(data.message) > MAX_MESSAGE_CHARS:
            raise RegistryValidationError("message", f"longer than {MAX_MESSAGE_CHARS} characters")
        with self.db.session("public") as session:
            if data.entity_id and session.get(Entity, data.entity_id) is None:
                raise RegistryValidationError("entity_id", f"no entity {data.entity_id!r}")
            item = ReviewItem(
                kind=data.kind,
                entity_id=data.entity_id,
                status="open",
                message=data.message.strip(),
                payload="{}",
                submitter_name=data.submitter_name,
                submitter_contact=data.submitter_contact,
                created_at=utcnow(),
            )
            session.add(item)
            session.flush()
            return _correction_public(item)

    def answer_correction(
        self, user: UserPublic, item_id: int, answer: str, expected_version: int | None = None
    ) -> CorrectionPublic:
        """Answer on the record: the answer is stored and shown publicly beside the entry."""
        require_role(user, "editor")
        if not answer.strip():
            raise RegistryValidationError("answer", "empty")
        with self.db.session(user.username) as session:
            item = session.get(ReviewItem, item_id)
            if item is None or item.kind not in ("correction", "reply"):
                raise NotFound(f"no correction request {item_id}")
            if expected_version is not None and item.row_version != expected_version:
                raise ConflictError(f"review_item {item_id}", expected_version, item.row_version, answer)
            item.answer, item.answered_by, item.answered_at, item.status = (
                answer.strip(),
                user.username,
                utcnow(),
                "answered",
            )
            session.flush()
            return _correction_public(item)

    def public_corrections(self, entity_id: str | None = None) -> list[CorrectionPublic]:
        with self.db.session() as session:
            return self._answered(session, entity_id)

    def review_queue(
        self, user: UserPublic, kind: str | None = None, status: str = "open"
    ) -> list[ReviewItemPublic]:
        """Open items: `match` (uncertain vessel matches), `correction`, `reply`."""
        require_role(user, "contributor")
        with self.db.session() as session:
            query = select(ReviewItem).where(ReviewItem.status == status)
            if kind:
                query = query.where(ReviewItem.kind == kind)
            return [
                ReviewItemPublic(
                    id=i.id,
                    kind=i.kind,
                    entity_id=i.entity_id,
                    status=i.status,
                    message=i.message,
                    payload=json.loads(i.payload),
                    answer=i.answer,
                    created_at=i.created_at,
                )
                for i in session.scalars(query.order_by(ReviewItem.id))
            ]

    def resolve_review(self, user: UserPublic, item_id: int, accept: bool, note: str | None = None) -> None:
        require_role(user, "editor")
        with self.db.session(user.username) as session:
            item = session.get(ReviewItem, item_id)
            if item is None:
                raise NotFound(f"no review item {item_id}")
            item.status = "accepted" if accept else "rejected"
            item.answer, item.answered_by, item.answered_at = note, user.username, utcnow()

    def entities_in_status(self, user: UserPublic, status: str) -> list[EntityPublic]:
        """The editorial queues: `draft` and `in_review` entries."""
        require_role(user, "contributor")
        with self.db.session() as session:
            return [
                self._public(session, e)
                for e in session.scalars(select(Entity).where(Entity.status == status).order_by(Entity.id))
            ]

    # internals ---------------------------------------------------------------------------
    def _add_claims(
        self, session: Session, entity_id: str, properties: dict[str, list[ClaimIn]], actor: str
    ) -> None:
        cache: dict[str, Source] = {}
        seen: set[str] = set()
        for prop, claim, sid in resolve_source_ids(session, properties, cache):
            st = make_statement(entity_id, prop, claim, sid, actor)
            if st.id not in seen:
                seen.add(st.id)
                session.add(st)

    def _locked(
        self, session: Session, entity_id: str, expected_version: int, attempted: object = None
    ) -> Entity:
        entity = session.get(Entity, entity_id)
        if entity is None:
            raise NotFound(f"no entity {entity_id!r}")
        if entity.row_version != expected_version:
            raise ConflictError(entity_id, expected_version, entity.row_version, attempted)
        return entity

    def _transition(
        self, user: UserPublic, entity_id: str, expected_version: int, action: str, note: str | None = None
    ) -> EntityPublic:
        sources, target, role = _TRANSITIONS[action]
        require_role(user, role)
        try:
            with self.db.session(user.username) as session:
                entity = self._locked(session, entity_id, expected_version, attempted=action)
                if entity.status not in sources:
                    raise WorkflowError(f"cannot {action.replace('_', ' ')} an entry that is {entity.status}")
                if action == "publish" and entity.schema_name in self.second_reviewer_schemas:
                    writers = _writers_since_published(session, entity_id)
                    if user.username in writers:
                        raise WorkflowError(
                            f"{user.username} wrote this version; an entry naming a person is published by"
                            " a second editor"
                        )
                entity.status = target
                entity.updated_at = utcnow()
                if action == "retract":
                    entity.retraction_reason = note
                record_version(session, entity, user.username, note or action)
                return self._public(session, entity)
        except StaleDataError:
            raise ConflictError(entity_id, expected_version, -1, action) from None

    def _public(self, session: Session, entity: Entity) -> EntityPublic:
        stmts = queries.statements_of(session, [entity.id])[entity.id]
        return queries.entity_public(entity, stmts, queries.sources_of(session, stmts))

    def _answered(self, session: Session, entity_id: str | None) -> list[CorrectionPublic]:
        query = select(ReviewItem).where(
            ReviewItem.kind.in_(("correction", "reply")), ReviewItem.status == "answered"
        )
        if entity_id:
            query = query.where(ReviewItem.entity_id == entity_id)
        return [_correction_public(i) for i in session.scalars(query.order_by(ReviewItem.id))]


def _writers_since_published(session: Session, entity_id: str) -> set[str]:
    """Who created or edited the entry since it was last published (everyone, if it never was)."""
    versions = list(
        session.scalars(
            select(EntityVersion).where(EntityVersion.entity_id == entity_id).order_by(EntityVersion.version)
        )
    )
    last_published = max((v.version for v in versions if v.status == "published"), default=0)
    return {v.actor for v in versions if v.version > last_published and v.note in ("created", "updated")}


def _correction_public(item: ReviewItem) -> CorrectionPublic:
    return CorrectionPublic(
        id=item.id,
        kind=item.kind,  # type: ignore[arg-type]
        entity_id=item.entity_id,
        message=item.message or "",
        status=item.status,
        answer=item.answer,
        created_at=item.created_at,
        answered_at=item.answered_at,
    )


def _slug_id(schema_name: str, properties: dict[str, list[ClaimIn]]) -> str:
    import hashlib

    from unidecode import unidecode

    basis = caption_for(schema_name, "", properties)
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in unidecode(basis).lower()).split())[:60]
    suffix = hashlib.sha1(f"{schema_name}{basis}{utcnow().isoformat()}".encode()).hexdigest()[:8]
    return f"{schema_name.lower()}-{slug}-{suffix}" if slug else f"{schema_name.lower()}-{suffix}"


def _caption_from_statements(session: Session, entity: Entity) -> str:
    stmts = session.scalars(select(Statement).where(Statement.entity_id == entity.id)).all()
    values: dict[str, list[str]] = {}
    for st in sorted(stmts, key=lambda s: (s.start_date or "", s.value)):
        values.setdefault(st.prop, []).append(st.value)
    return caption_for(entity.schema_name, entity.id, values)
