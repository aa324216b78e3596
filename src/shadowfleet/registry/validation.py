"""Checks every claim before anything is written; errors name the offending field."""

import re
from datetime import date

from shadowfleet.registry.countries import country_code
from shadowfleet.registry.identifiers import normalise_imo, normalise_mmsi
from shadowfleet.registry.models import ClaimIn, SourceIn
from shadowfleet.registry.schema import (
    FORBIDDEN_PERSON_PROPERTIES,
    FORBIDDEN_SCHEMATA,
    MIN_ADULT_AGE_Y,
    SCHEMATA,
    Prop,
    Schema,
)

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_QUOTE_CHARS = 300


class RegistryError(Exception):
    """Base of every error the registry raises on purpose."""


class RegistryValidationError(RegistryError, ValueError):
    """A value the registry refuses; `field` names where it is (e.g. `properties.imoNumber[0].value`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_date(field: str, text: str) -> str:
    """A full or partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) that exists."""
    text = text.strip()
    if not _DATE_RE.match(text):
        raise RegistryValidationError(field, f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise RegistryValidationError(field, f"{text!r} is not a real date") from None
    return text


def date_lower(text: str) -> str:
    """The first day a partial date can mean: '2019' -> '2019-01-01'."""
    return (text + "-01-01")[:10] if len(text) == 4 else (text + "-01")[:10]


def date_upper(text: str) -> str:
    """The last day a partial date can mean ('2019-02' -> '2019-02-31'), fine for ordering."""
    return (text + "-12-31")[:10] if len(text) == 4 else (text + "-31")[:10]


def check_range(field: str, start: str | None, end: str | None) -> None:
    if start and end and date_upper(end) < date_lower(start):
        raise RegistryValidationError(field, f"the period ends ({end}) before it starts ({start})")


MAX_ID_CHARS = 160
MAX_DATASET_CHARS = 64
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


def check_entity_id(field: str, entity_id: str) -> str:
    if not entity_id or len(entity_id) > MAX_ID_CHARS or not _ID_RE.match(entity_id):
        raise RegistryValidationError(
            field, f"{entity_id!r} is not an id (1-{MAX_ID_CHARS} letters, digits, . _ : / -)"
        )
    return entity_id


def check_dataset(field: str, name: str) -> str:
    if not name or len(name) > MAX_DATASET_CHARS or not _ID_RE.match(name):
        raise RegistryValidationError(
            field, f"{name!r} is not a dataset name (1-{MAX_DATASET_CHARS} letters, digits, . _ : / -)"
        )
    return name


def check_source(field: str, source: SourceIn) -> None:
    url = source.url.strip()
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        raise RegistryValidationError(f"{field}.url", f"{source.url!r} is not an http(s) URL")
    if source.archive_url and not re.match(r"^https?://\S+$", source.archive_url):
        raise RegistryValidationError(f"{field}.archive_url", f"{source.archive_url!r} is not an http(s) URL")
    for name in ("published_date", "accessed_date"):
        value = getattr(source, name)
        if value:
            check_date(f"{field}.{name}", value)


def schema_for(field: str, name: str) -> Schema:
    if name in FORBIDDEN_SCHEMATA:
        raise RegistryValidationError(field, f"schema {name}: {FORBIDDEN_SCHEMATA[name]}")
    if name not in SCHEMATA:
        raise RegistryValidationError(field, f"unknown schema {name!r}")
    return SCHEMATA[name]


def prop_for(schema: Schema, field: str, prop: str) -> Prop:
    if schema.name == "Person" and prop in FORBIDDEN_PERSON_PROPERTIES:
        raise RegistryValidationError(field, f"Person.{prop}: {FORBIDDEN_PERSON_PROPERTIES[prop]}")
    if prop not in schema.props:
        raise RegistryValidationError(field, f"{schema.name} has no property {prop!r}")
    return schema.props[prop]


def clean_value(schema: Schema, prop: str, spec: Prop, field: str, raw: str) -> str:
    """The stored form of a value, or a validation error naming the field."""
    value = raw.strip()
    if not value:
        raise RegistryValidationError(field, "empty value")
    kind = spec.type
    if kind == "imo":
        imo = normalise_imo(value)
        if imo is None:
            raise RegistryValidationError(field, f"{raw!r} is not a valid IMO number (7 digits, check digit)")
        return imo
    if kind == "mmsi":
        mmsi = normalise_mmsi(value)
        if mmsi is None:
            raise RegistryValidationError(field, f"{raw!r} is not a valid MMSI (9 digits)")
        return mmsi
    if kind == "country":
        if len(value) != 2 or country_code(value) is None:
            raise RegistryValidationError(field, f"{raw!r} is not an ISO 3166-1 alpha-2 country code")
        return value.lower()
    if kind == "date":
        value = check_date(field, value)
        if schema.name == "Person" and prop == "birthDate":
            adult_by = date.today().replace(year=date.today().year - MIN_ADULT_AGE_Y).isoformat()
            if date_lower(value) > adult_by:
                raise RegistryValidationError(field, "minors are not recorded (harm policy)")
        return value
    if kind == "enum" and value not in spec.choices:
        raise RegistryValidationError(field, f"{raw!r} is not one of {', '.join(spec.choices)}")
    if kind == "url" and not re.match(r"^https?://\S+$", value):
        raise RegistryValidationError(field, f"{raw!r} is not an http(s) URL")
    if kind == "number" and not re.match(r"^[\d.,]+$", value):
        raise RegistryValidationError(field, f"{raw!r} is not a number")
    return value


def clean_claim(schema: Schema, prop: str, index: int, claim: ClaimIn) -> ClaimIn:
    """Validate one claim; returns a copy with the value in stored form."""
    field = f"properties.{prop}[{index}]"
    spec = prop_for(schema, f"properties.{prop}", prop)
    value = clean_value(schema, prop, spec, f"{field}.value", claim.value)
    if claim.source is None and not claim.source_id:
        raise RegistryValidationError(f"{field}.source", "every claim needs a source")
    if claim.source is not None:
        check_source(f"{field}.source", claim.source)
    start = check_date(f"{field}.start_date", claim.start_date) if claim.start_date else None
    end = check_date(f"{field}.end_date", claim.end_date) if claim.end_date else None
    check_range(f"{field}.end_date", start, end)
    if claim.quote and len(claim.quote) > MAX_QUOTE_CHARS:
        raise RegistryValidationError(f"{field}.quote", f"longer than {MAX_QUOTE_CHARS} characters")
    return claim.model_copy(update={"value": value, "start_date": start, "end_date": end})


def clean_properties(schema: Schema, properties: dict[str, list[ClaimIn]]) -> dict[str, list[ClaimIn]]:
    cleaned = {
        prop: [clean_claim(schema, prop, i, claim) for i, claim in enumerate(claims)]
        for prop, claims in properties.items()
    }
    starts = [c.value for c in cleaned.get("startDate", [])]
    ends = [c.value for c in cleaned.get("endDate", [])]
    if starts and ends:
        check_range("properties.endDate", min(starts, key=date_lower), max(ends, key=date_upper))
    return cleaned
