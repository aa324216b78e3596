"""Plain typed records and Arrow schemas shared by every room. No I/O here."""

from shadowfleet.model.schemas import (
    EVENT_KINDS,
    EVENT_SCHEMA,
    POSITION_SCHEMA,
    REJECT_SCHEMA,
    STATIC_SCHEMA,
    TS_ORIGINS,
)

__all__ = [
    "EVENT_KINDS",
    "EVENT_SCHEMA",
    "POSITION_SCHEMA",
    "REJECT_SCHEMA",
    "STATIC_SCHEMA",
    "TS_ORIGINS",
]
