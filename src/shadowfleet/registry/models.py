"""The registry's public data shapes: Create / Update models in, Public models out.

Internal columns (password hashes, private contact details of people who ask for a correction,
row versions other than the one needed for optimistic locking) never appear in a Public model.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["contributor", "editor", "admin"]
Status = Literal["draft", "in_review", "published", "retracted"]


class SourceIn(BaseModel):
    url: str
    title: str | None = None
    publisher: str | None = None
    published_date: str | None = None
    archive_url: str | None = None
    accessed_date: str | None = None


class ClaimIn(BaseModel):
    """One value of one property, with the source that supports it and the period it held."""

    value: str
    source: SourceIn | None = None
    source_id: str | None = None  # an existing source instead of `source`
    quote: str | None = None
    start_date: str | None = None
    end_date: str | None = None


class EntityCreate(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_name: str = Field(alias="schema")
    id: str | None = None
    dataset: str = "editorial"
    properties: dict[str, list[ClaimIn]]


class EntityUpdate(BaseModel):
    """Replaces the claims of every property named in `properties` (others are kept)."""

    expected_version: int
    properties: dict[str, list[ClaimIn]]


class SourcePublic(BaseModel):
    id: str
    url: str
    title: str | None
    publisher: str | None
    published_date: str | None
    archive_url: str | None
    accessed_date: str | None


class StatementPublic(BaseModel):
    prop: str
    value: str
    source: SourcePublic
    quote: str | None
    start_date: str | None
    end_date: str | None
    first_seen: datetime
    last_seen: datetime
    entered_by: str


class EntityRef(BaseModel):
    id: str
    schema_name: str
    caption: str


class EntityPublic(BaseModel):
    id: str
    schema_name: str
    caption: str
    status: Status
    retraction_reason: str | None
    version: int
    dataset: str
    created_at: datetime
    updated_at: datetime
    statements: list[StatementPublic]

    def values(self, prop: str) -> list[str]:
        return [s.value for s in self.statements if s.prop == prop]


class SanctionFlag(BaseModel):
    """Why a vessel counts as sanctioned: directly, or through its owner, operator or manager."""

    reason: str  # "sanctioned" | "owned by a sanctioned company" | ...
    via_entity: EntityRef | None
    program: list[str]


class VesselSummary(BaseModel):
    id: str
    name: str
    imo: str | None
    mmsi: list[str]
    flag: str | None
    sanctioned: bool


class LinkedEntity(BaseModel):
    role: str  # "owner", "operator", "manager", "linked to", "sanction", "holder", "post", ...
    entity: EntityRef
    start_date: str | None = None
    end_date: str | None = None


class VesselDossier(BaseModel):
    vessel: EntityPublic
    history: dict[str, list[StatementPublic]]  # dated timelines: name, flag, owner, mmsi, ...
    links: list[LinkedEntity]
    sanctions: list[SanctionFlag]


class OccupancyPublic(BaseModel):
    id: str
    post: EntityRef | None
    organization: EntityRef | None
    rank: str | None
    location: str | None
    confidence: str | None
    start_date: str | None
    end_date: str | None
    statements: list[StatementPublic]
    date: str | None = None  # date-only occupancy: the source shows the holder in post on this date
    public_office: bool = False  # the post is a head-of-state/government or national office (Position topics)


class CorrectionPublic(BaseModel):
    id: int
    kind: Literal["correction", "reply"]
    entity_id: str | None
    message: str
    status: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


class PersonPublic(BaseModel):
    person: EntityPublic
    occupancies: list[OccupancyPublic]
    corrections: list[CorrectionPublic]  # answered requests, on the record


class CorrectionCreate(BaseModel):
    kind: Literal["correction", "reply"] = "correction"
    entity_id: str | None = None
    message: str
    submitter_name: str | None = None
    submitter_contact: str | None = None  # kept private, never in a Public model


class ReviewItemPublic(BaseModel):
    id: int
    kind: str
    entity_id: str | None
    status: str
    message: str | None
    payload: dict[str, object]
    answer: str | None
    created_at: datetime


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role


class VersionPublic(BaseModel):
    version: int
    status: str
    actor: str
    created_at: datetime
    note: str | None
    snapshot: dict[str, object]
