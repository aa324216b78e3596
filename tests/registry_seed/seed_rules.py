"""Editorial rules for the curated seed dataset, as a function that lists every violation.

Kept beside the tests so the rules read as one list; the registry's loader enforces its own
validation when it imports these files.
"""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from followthemoney import model, registry

EXTENSION_SCHEMAS: dict[str, frozenset[str]] = {
    "Support": frozenset({"state", "supportType", "summary", "amount", "date", "startDate", "endDate"}),
    "Country": frozenset({"name", "country", "summary"}),
}
EXTENSION_DATE_PROPS = frozenset({"date", "startDate", "endDate"})
# Properties we add to FollowTheMoney schemas: how sure the sources make a personnel claim.
EXTRA_PROPS: dict[str, frozenset[str]] = {"Occupancy": frozenset({"confidence"})}
CONFIDENCE_LEVELS = frozenset({"high", "medium", "low"})
# Properties that hold exactly one value (the site shows one).
SINGLE_VALUED: dict[str, tuple[str, ...]] = {
    "Support": ("state", "supportType", "summary"),
    "Occupancy": ("holder", "post", "confidence"),
}
REQUIRED_PROPS: dict[str, tuple[str, ...]] = {
    "Support": ("state", "supportType", "summary"),
    "Country": ("name", "country"),
    "Occupancy": ("holder", "post"),
    "Position": ("name",),
    "Person": ("name",),
    "Ownership": ("owner", "asset"),
    "Sanction": ("entity",),
    "UnknownLink": ("subject", "object"),
}
SUPPORTING_STATES = frozenset({"RU", "CN", "CU", "IR", "TR"})
SUPPORT_TYPES = frozenset({"loans", "oil", "military", "gold", "food", "intelligence", "diplomatic", "other"})
# Harm policy: no addresses, private contact data, relatives or identity documents of anyone.
FORBIDDEN_PROPS = frozenset(
    {
        "address",
        "addressEntity",
        "birthDate",
        "birthPlace",
        "phone",
        "email",
        "familyPerson",
        "familyRelative",
        "relative",
        "relatives",
        "associates",
        "passportNumber",
        "idNumber",
        "socialSecurityNumber",
        "taxNumber",
        "motherName",
        "fatherName",
        "religion",
        "ethnicity",
        "userAccounts",
        "cryptoWallets",
    }
)
ENTITY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+\S*$")
MAX_QUOTE_CHARS = 300
# A quote may join verbatim fragments with " […] " (e.g. across a page break in the source layout);
# each fragment must be long enough to be checkable and follow the previous one closely, in order.
ELLIPSIS = "[…]"
MIN_FRAGMENT_CHARS = 20
MAX_FRAGMENT_GAP_CHARS = 3000


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quote_in_reference(quote: str, reference: str) -> bool:
    """True when `quote` occurs verbatim (whitespace collapsed) in the normalised `reference`."""
    fragments = [normalise_space(part) for part in quote.split(ELLIPSIS)]
    if len(fragments) == 1:
        return fragments[0] in reference
    if any(len(fragment) < MIN_FRAGMENT_CHARS for fragment in fragments):
        return False
    start = reference.find(fragments[0])
    while start != -1:
        end = start + len(fragments[0])
        for fragment in fragments[1:]:
            found = reference.find(fragment, end, end + MAX_FRAGMENT_GAP_CHARS + len(fragment))
            if found == -1:
                break
            end = found + len(fragment)
        else:
            return True
        start = reference.find(fragments[0], start + 1)
    return False


def valid_imo(value: str) -> bool:
    """IMO ship number: 7 digits (optionally prefixed "IMO"), the last a check digit."""
    digits = value.upper().removeprefix("IMO").strip()
    if not re.fullmatch(r"\d{7}", digits):
        return False
    weighted = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return weighted % 10 == int(digits[6])


def parse_partial_date(value: Any) -> tuple[int, int, int] | None:
    """(year, month, day) for YYYY, YYYY-MM or YYYY-MM-DD (missing parts as 0); None when invalid."""
    if not isinstance(value, str):
        return None
    match = DATE.match(value)
    if not match:
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


def _is_date_prop(schema_name: str, prop_name: str) -> bool:
    if schema_name in EXTENSION_SCHEMAS:
        return prop_name in EXTENSION_DATE_PROPS
    prop = model.get(schema_name).get(prop_name)  # type: ignore[union-attr]
    return prop is not None and prop.type == registry.date


def _reference_range(schema_name: str, prop_name: str) -> Any:
    """The schema an entity-reference property points to, or None when the property holds plain values."""
    if schema_name in EXTENSION_SCHEMAS:
        return None
    prop = model.get(schema_name).get(prop_name)  # type: ignore[union-attr]
    if prop is None or prop.type != registry.entity:
        return None
    return prop.range


def _is_country_prop(schema_name: str, prop_name: str) -> bool:
    if schema_name == "Support":
        return prop_name == "state"
    if schema_name == "Country":
        return prop_name == "country"
    prop = model.get(schema_name).get(prop_name)  # type: ignore[union-attr]
    return prop is not None and prop.type == registry.country


def _known_property(schema_name: str, prop_name: str) -> bool:
    if schema_name in EXTENSION_SCHEMAS:
        return prop_name in EXTENSION_SCHEMAS[schema_name]
    if prop_name in EXTRA_PROPS.get(schema_name, frozenset()):
        return True
    return model.get(schema_name).get(prop_name) is not None  # type: ignore[union-attr]


def validate_seed(documents: dict[str, dict[str, Any]], reference_text: str) -> list[str]:
    """Every violation of the seed rules in `documents` (file name -> parsed JSON); empty when clean.

    `reference_text` is the concatenated text of the reference documents; quotes must occur in it
    verbatim once runs of whitespace are collapsed.
    """
    errors: list[str] = []
    reference = normalise_space(reference_text)
    entities: dict[str, tuple[str, dict[str, Any]]] = {}
    source_urls: dict[str, str] = {}

    for fname, doc in documents.items():
        if not isinstance(doc.get("dataset"), str) or not doc["dataset"]:
            errors.append(f"{fname}: missing 'dataset' name")
        for source in doc.get("sources", []):
            sid = source.get("id")
            where = f"{fname}: source {sid!r}"
            url = source.get("url")
            if not isinstance(url, str) or not URL.match(url):
                errors.append(f"{where}: url {url!r} is not an http(s) URL")
            elif sid in source_urls and source_urls[sid] != url:
                errors.append(f"{where}: same id as another file's source but a different url")
            else:
                source_urls[sid] = url
            if not source.get("title"):
                errors.append(f"{where}: missing title")
            if not source.get("publisher"):
                errors.append(f"{where}: missing publisher")
            for key in ("published_date", "accessed_date"):
                value = source.get(key)
                if value is not None and parse_partial_date(value) is None:
                    errors.append(f"{where}: {key} {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
            archive = source.get("archive_url")
            if archive is not None and not URL.match(str(archive)):
                errors.append(f"{where}: archive_url {archive!r} is not an http(s) URL")
        ids = [s.get("id") for s in doc.get("sources", [])]
        for dup in {i for i in ids if ids.count(i) > 1}:
            errors.append(f"{fname}: source id {dup!r} used twice")
        for entity in doc.get("entities", []):
            eid = entity.get("id")
            if not isinstance(eid, str) or not ENTITY_ID.match(eid):
                errors.append(f"{fname}: entity id {eid!r} is not a lowercase slug")
                continue
            if eid in entities:
                errors.append(f"{fname}: entity id {eid!r} also defined in {entities[eid][0]}")
            entities[eid] = (fname, entity)

    for eid, (fname, entity) in entities.items():
        errors.extend(_entity_errors(fname, eid, entity, documents[fname], entities, reference))
    return errors


def _entity_errors(
    fname: str,
    eid: str,
    entity: dict[str, Any],
    doc: dict[str, Any],
    entities: dict[str, tuple[str, dict[str, Any]]],
    reference: str,
) -> Iterable[str]:
    where = f"{fname}: {eid}"
    schema_name = entity.get("schema")
    if schema_name not in EXTENSION_SCHEMAS and model.get(str(schema_name)) is None:
        yield f"{where}: unknown schema {schema_name!r}"
        return
    file_sources = {s.get("id") for s in doc.get("sources", [])}
    props: dict[str, list[dict[str, Any]]] = entity.get("properties", {})
    for required in REQUIRED_PROPS.get(schema_name, ()):
        if not props.get(required):
            yield f"{where}: {schema_name} needs '{required}'"
    for single in SINGLE_VALUED.get(schema_name, ()):
        if len(props.get(single) or []) > 1:
            yield f"{where}: {schema_name}.{single} takes one value"
    for prop_name, statements in props.items():
        pwhere = f"{where}.{prop_name}"
        if prop_name in FORBIDDEN_PROPS:
            yield f"{pwhere}: property is forbidden by the harm policy"
            continue
        if not _known_property(schema_name, prop_name):
            yield f"{pwhere}: not a property of {schema_name}"
            continue
        if not isinstance(statements, list) or not statements:
            yield f"{pwhere}: must be a non-empty list of statements"
            continue
        for statement in statements:
            yield from _statement_errors(
                pwhere, schema_name, prop_name, statement, file_sources, entities, reference
            )
    starts = [parse_partial_date(s.get("value")) for s in props.get("startDate", [])]
    ends = [parse_partial_date(s.get("value")) for s in props.get("endDate", [])]
    for start in filter(None, starts):
        for end in filter(None, ends):
            if end < start:
                yield f"{where}: endDate before startDate"


def _statement_errors(
    pwhere: str,
    schema_name: str,
    prop_name: str,
    statement: dict[str, Any],
    file_sources: set[Any],
    entities: dict[str, tuple[str, dict[str, Any]]],
    reference: str,
) -> Iterable[str]:
    value = statement.get("value")
    if not isinstance(value, str) or not value.strip():
        yield f"{pwhere}: empty value"
        return
    sources = statement.get("sources")
    if not sources:
        yield f"{pwhere}={value!r}: no source"
    for sid in sources or []:
        if sid not in file_sources:
            yield f"{pwhere}={value!r}: source {sid!r} is not in this file's sources"
    quote = statement.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        yield f"{pwhere}={value!r}: no quote"
    elif len(quote) > MAX_QUOTE_CHARS:
        yield f"{pwhere}={value!r}: quote longer than {MAX_QUOTE_CHARS} characters"
    elif not quote_in_reference(quote, reference):
        yield f"{pwhere}={value!r}: quote not found verbatim in the reference texts: {quote[:80]!r}"
    bounds = []
    for key in ("start_date", "end_date"):
        bound = statement.get(key)
        if bound is not None:
            parsed = parse_partial_date(bound)
            if parsed is None:
                yield f"{pwhere}={value!r}: {key} {bound!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
            bounds.append(parsed)
    if len(bounds) == 2 and None not in bounds and bounds[1] < bounds[0]:  # type: ignore[operator]
        yield f"{pwhere}={value!r}: end_date before start_date"
    if _is_date_prop(schema_name, prop_name) and parse_partial_date(value) is None:
        yield f"{pwhere}={value!r}: not YYYY, YYYY-MM or YYYY-MM-DD"
    if _is_country_prop(schema_name, prop_name):
        if value != value.upper() or not registry.country.validate(value.lower()):
            yield f"{pwhere}={value!r}: not an upper-case ISO 3166 alpha-2 code"
        if schema_name == "Support" and value not in SUPPORTING_STATES:
            yield f"{pwhere}={value!r}: not one of the five supporting states"
    if schema_name == "Support" and prop_name == "supportType" and value not in SUPPORT_TYPES:
        yield f"{pwhere}={value!r}: unknown support type"
    if prop_name == "confidence" and value not in CONFIDENCE_LEVELS:
        yield f"{pwhere}={value!r}: confidence must be one of {sorted(CONFIDENCE_LEVELS)}"
    if schema_name == "Vessel" and prop_name == "imoNumber" and not valid_imo(value):
        yield f"{pwhere}={value!r}: not a valid IMO number (7 digits with check digit)"
    if schema_name == "Vessel" and prop_name == "mmsi" and not re.fullmatch(r"\d{9}", value):
        yield f"{pwhere}={value!r}: an MMSI has 9 digits"
    target_range = _reference_range(schema_name, prop_name)
    if target_range is not None:
        if value not in entities:
            yield f"{pwhere}={value!r}: refers to no entity in the seed"
        else:
            target_schema = entities[value][1].get("schema")
            target = model.get(str(target_schema))
            extension_as_thing = target_schema in EXTENSION_SCHEMAS and target_range.name == "Thing"
            if not extension_as_thing and (target is None or not target.is_a(target_range)):
                yield f"{pwhere}={value!r}: refers to a {target_schema}, expected a {target_range.name}"
