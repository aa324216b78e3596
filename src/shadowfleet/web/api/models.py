"""Public response models: what the API promises (internal columns never leak by accident)."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class VesselSummary(BaseModel):
    mmsi: int | None  # None only for a registry entry that records no MMSI
    imo: int | None = None
    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None
    length_m: float | None = None
    draught_m: float | None = None
    destination: str | None = None
    first_ts: str | None = None
    last_ts: str | None = None
    n_positions: int = 0
    lat: float | None = None
    lon: float | None = None
    sog_kn: float | None = None
    simulated: bool
    url: str
    registry_id: str | None = None
    registry_only: bool = False  # a registry entry the lake has no AIS track for


class Event(BaseModel):
    """A detected event. Kind-specific columns (units in their names) are included as extra fields."""

    model_config = ConfigDict(extra="allow")

    event_id: str
    kind: str
    title: str
    mmsi: int
    other_mmsi: int | None = None
    start_ts: str
    end_ts: str
    lat: float | None = None
    lon: float | None = None
    confidence: float
    detector_version: str
    params: Any
    evidence: Any = None  # left out of dossiers; on the event's own entry
    simulated: bool
    url: str


class Voyage(BaseModel):
    model_config = ConfigDict(extra="allow")

    mmsi: int
    simulated: bool


class Dossier(BaseModel):
    model_config = ConfigDict(extra="allow")

    vessel: VesselSummary
    identity_history: list[dict[str, Any]]
    events: list[Event]
    voyages: list[dict[str, Any]]
    simulated: bool


class SearchHit(BaseModel):
    kind: str
    id: str
    label: str
    detail: str | None = None
    url: str
    simulated: bool = False


class SearchResults(BaseModel):
    query: str
    items: list[SearchHit]
    total: int
