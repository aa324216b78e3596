"""Importer for OFAC's SDN list in its legacy CSV form (sdn.csv, plus alt.csv / add.csv when given).

sdn.csv: 12 columns, no header, `-0-` for null, CRLF, a trailing 0x1A. Vessel identifiers (IMO,
MMSI), former names and flags and "Linked To" entities sit inside the Remarks column. The derived
history CSV (first/last date an entry was seen on the list) adds designation dates when given.

Default scope `vessels`: every vessel, plus the entities the vessels are linked to or owned by and
their sanctions. Scope `all`: every entry.
"""

import csv
import io
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from shadowfleet.registry.countries import country_code
from shadowfleet.registry.identifiers import normalise_imo, normalise_mmsi
from shadowfleet.registry.models import ClaimIn, SourceIn
from shadowfleet.registry.store import bulk_insert, bulk_update, ensure_source, entity_row, statement_values
from shadowfleet.registry.tables import Entity, Source, Statement, utcnow
from shadowfleet.registry.validation import RegistryError, check_date

SDN_URL = "https://www.treasury.gov/ofac/downloads/sdn.csv"
ALT_URL = "https://www.treasury.gov/ofac/downloads/alt.csv"
ADD_URL = "https://www.treasury.gov/ofac/downloads/add.csv"
PUBLISHER = "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)"
AUTHORITY = "Office of Foreign Assets Control"
DATASET = "us_ofac_sdn"
ACTOR = "importer:ofac-sdn"
SDN_COLUMNS = (
    "ent_num",
    "name",
    "sdn_type",
    "program",
    "title",
    "call_sign",
    "vess_type",
    "tonnage",
    "grt",
    "vess_flag",
    "vess_owner",
    "remarks",
)
# The scrape behind the history file began on this date: "first seen" then only means "already listed".
HISTORY_SCRAPE_START = "2021-08-18"


class SanctionsFileError(RegistryError, ValueError):
    """A malformed sanctions file; names the file, line and problem. Nothing is written."""


@dataclass
class SdnEntry:
    ent_num: int
    name: str
    sdn_type: str | None
    programs: list[str]
    title: str | None
    call_sign: str | None
    vess_type: str | None
    tonnage: str | None
    grt: str | None
    vess_flag: str | None
    vess_owner: str | None
    remarks: str | None
    aliases: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    entries_read: int = 0
    entities_added: int = 0
    statements_added: int = 0
    statements_seen_again: int = 0
    vessels: int = 0
    warnings: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def entities_per_s(self) -> float:
        return self.entities_added / self.elapsed_s if self.elapsed_s else 0.0


def _null(value: str) -> str | None:
    value = value.strip()
    return None if value in ("-0-", "") else value


def _read_rows(data: bytes, label: str, columns: int) -> list[list[str]]:
    if not data.strip(b"\x1a \r\n"):
        raise SanctionsFileError(f"{label}: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.rstrip("\x1a\r\n ")
    rows = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not row:
                continue
            if len(row) != columns:
                raise SanctionsFileError(f"{label} line {i}: {len(row)} columns, expected {columns}")
            if not row[0].strip().isdigit():
                raise SanctionsFileError(f"{label} line {i}: ent_num {row[0]!r} is not a number")
            rows.append(row)
    except csv.Error as exc:
        raise SanctionsFileError(f"{label}: not CSV ({exc})") from None
    return rows


def parse_sdn(data: bytes, label: str = "sdn.csv") -> list[SdnEntry]:
    entries = []
    for row in _read_rows(data, label, len(SDN_COLUMNS)):
        values = dict(zip(SDN_COLUMNS, (_null(v) for v in row), strict=True))
        name = values["name"]
        if not name:
            raise SanctionsFileError(f"{label} entry {row[0]}: no name")
        entries.append(
            SdnEntry(
                ent_num=int(row[0]),
                name=name,
                sdn_type=values["sdn_type"],
                programs=[p.strip() for p in (values["program"] or "").strip("[]").split("] [") if p.strip()],
                title=values["title"],
                call_sign=values["call_sign"],
                vess_type=values["vess_type"],
                tonnage=values["tonnage"],
                grt=values["grt"],
                vess_flag=values["vess_flag"],
                vess_owner=values["vess_owner"],
                remarks=values["remarks"],
            )
        )
    return entries


def apply_alt(entries: dict[int, SdnEntry], data: bytes, label: str = "alt.csv") -> None:
    """alt.csv: ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks."""
    for row in _read_rows(data, label, 5):
        entry = entries.get(int(row[0]))
        alt = _null(row[3])
        if entry is not None and alt:
            entry.aliases.append(alt)


def apply_add(entries: dict[int, SdnEntry], data: bytes, label: str = "add.csv") -> None:
    """add.csv: ent_num, add_num, address, city/state/postal, country, add_remarks. Kept for
    organisations only: addresses of individuals are never recorded (harm policy)."""
    for row in _read_rows(data, label, 6):
        entry = entries.get(int(row[0]))
        if entry is None or entry.sdn_type == "individual":
            continue
        parts = [p for p in (_null(row[2]), _null(row[3]), _null(row[4])) if p]
        if parts:
            entry.addresses.append(", ".join(parts))


@dataclass
class Listing:
    first_seen: str
    last_seen: str
    present: bool


def parse_history(data: bytes, label: str = "history.csv") -> dict[int, Listing]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    needed = {"ent_num", "first_seen_in_scrape", "last_seen_in_scrape"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise SanctionsFileError(f"{label}: needs columns {', '.join(sorted(needed))}")
    out = {}
    for i, row in enumerate(reader, start=2):
        try:
            out[int(row["ent_num"])] = Listing(
                row["first_seen_in_scrape"],
                row["last_seen_in_scrape"],
                row.get("present_in_2024_05_03") == "True",
            )
        except ValueError:
            raise SanctionsFileError(
                f"{label} line {i}: ent_num {row['ent_num']!r} is not a number"
            ) from None
    return out


def _name_key(name: str) -> str:
    return re.sub(r"[\s.,]+", " ", name.upper()).strip()


def _slug(name: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())[:80]


@dataclass
class _Remarks:
    imo: list[str] = field(default_factory=list)
    bad_imo: list[str] = field(default_factory=list)
    mmsi: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    former_flags: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    build_year: str | None = None
    registration: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)


def parse_remarks(remarks: str | None) -> _Remarks:
    out = _Remarks()
    if not remarks:
        return out
    text = remarks.strip()
    text = text[:-1] if text.endswith(".") else text
    for raw in text.split(";"):
        part = raw.strip()
        if part.startswith("alt. "):
            part = part[5:]
        if m := re.match(r"^(?:Vessel Registration Identification|Identification Number) IMO\s+(\d+)", part):
            (out.imo if normalise_imo(m.group(1)) else out.bad_imo).append(m.group(1))
        elif m := re.match(r"^Vessel Registration Identification (.+)$", part):
            out.registration.append(m.group(1).strip())
        elif m := re.match(r"^MMSI\s+(\d+)", part):
            out.mmsi.append(m.group(1))
        elif m := re.match(r"^f\.k\.a\. '(.+)'$", part):
            out.former_names.append(m.group(1))
        elif m := re.match(r"^a\.k\.a\. '(.+)'$", part):
            out.aliases.append(m.group(1))
        elif m := re.match(r"^Former Vessel Flag (.+)$", part):
            out.former_flags.append(m.group(1))
        elif part.startswith("Linked To:"):
            out.linked_to.append(part[len("Linked To:") :].strip())
        elif m := re.match(r"^Vessel Year of Build (\d{4})", part):
            out.build_year = m.group(1)
        elif part.startswith("Additional Sanctions Information - "):
            out.provisions.append(part.split(" - ", 1)[1])
    return out


class _Writer:
    """Collects claims per entity and writes them in bulk, keeping existing rows (last_seen refreshed)."""

    def __init__(self, session: Session, source_id: str, report: ImportReport, seen_at: datetime) -> None:
        self.session = session
        self.source_id = source_id
        self.report = report
        self.seen_at = seen_at
        self.entities: dict[str, tuple[str, str]] = {}  # id -> (schema, caption)
        self.claims: dict[str, list[tuple[str, ClaimIn]]] = {}

    def entity(self, entity_id: str, schema: str, caption: str) -> str:
        self.entities.setdefault(entity_id, (schema, caption))
        self.claims.setdefault(entity_id, [])
        return entity_id

    def claim(
        self, entity_id: str, prop: str, value: str | None, start: str | None = None, end: str | None = None
    ) -> None:
        if value:
            self.claims[entity_id].append(
                (prop, ClaimIn(value=value, source_id=self.source_id, start_date=start, end_date=end))
            )

    def flush(self) -> None:
        session = self.session
        ids = list(self.entities)
        existing_entities: set[str] = set()
        existing_statements: dict[str, dict[str, object]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            existing_entities.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk))))
            for row in session.execute(
                select(Statement.__table__).where(Statement.entity_id.in_(chunk))
            ).mappings():
                existing_statements[row["id"]] = dict(row)
        new_rows = [
            entity_row(entity_id, schema, caption, DATASET, "published", ACTOR)
            for entity_id, (schema, caption) in self.entities.items()
            if entity_id not in existing_entities
        ]
        bulk_insert(session, "entities", new_rows, ACTOR)
        self.report.entities_added += len(new_rows)
        added: set[str] = set()
        new_statements: list[dict[str, object]] = []
        seen_again: list[dict[str, object]] = []
        for entity_id, claims in self.claims.items():
            for prop, claim in claims:
                values = statement_values(entity_id, prop, claim, self.source_id, ACTOR, self.seen_at)
                sid = values["id"]
                if sid in added:
                    continue
                added.add(sid)
                if sid in existing_statements:
                    seen_again.append({**existing_statements[sid], "last_seen": self.seen_at})
                else:
                    new_statements.append(values)
        bulk_insert(session, "statements", new_statements, ACTOR)
        bulk_update(session, "statements", seen_again, ("last_seen",), ACTOR)
        self.report.statements_seen_again += len(seen_again)
        self.report.statements_added += len(new_statements)
        session.flush()


def _listing_dates(listing: Listing | None) -> tuple[str | None, str | None]:
    if listing is None:
        return None, None
    start = listing.first_seen if listing.first_seen > HISTORY_SCRAPE_START else None
    end = None if listing.present else listing.last_seen
    return start, end


def import_entries(
    session: Session,
    entries: list[SdnEntry],
    list_date: str | None = None,
    history: dict[int, Listing] | None = None,
    scope: str = "vessels",
) -> ImportReport:
    """Write SDN entries (already parsed) as published, sourced entities in the caller's transaction."""
    if list_date is not None:
        check_date("list_date", list_date)
    started = time.perf_counter()
    report = ImportReport(entries_read=len(entries))
    seen_at = utcnow()
    source = SourceIn(
        url=SDN_URL,
        title="Specially Designated Nationals and Blocked Persons List (sdn.csv)",
        publisher=PUBLISHER,
        published_date=list_date,
        accessed_date=date.today().isoformat(),
    )
    cache: dict[str, Source] = {}
    source_id = ensure_source(session, source, cache)
    w = _Writer(session, source_id, report, seen_at)
    by_name = {_name_key(e.name): e for e in entries}
    by_num = {e.ent_num: e for e in entries}
    history = history or {}

    wanted: set[int] = {e.ent_num for e in entries if scope == "all" or e.sdn_type == "vessel"}
    vessel_remarks = {e.ent_num: parse_remarks(e.remarks) for e in entries if e.sdn_type == "vessel"}
    for rem in vessel_remarks.values():
        for name in rem.linked_to:
            target = by_name.get(_name_key(name))
            if target is not None:
                wanted.add(target.ent_num)
    for e in entries:
        if e.sdn_type == "vessel" and e.vess_owner and (target := by_name.get(_name_key(e.vess_owner))):
            wanted.add(target.ent_num)

    def target_id(name: str) -> str:
        target = by_name.get(_name_key(name))
        if target is not None:
            return f"ofac-{target.ent_num}"
        stub = w.entity(f"ofac-named-{_slug(name)}", "LegalEntity", name)
        w.claim(stub, "name", name)  # named in the list (owner column) without an entry of its own
        return stub

    for num in sorted(wanted):
        e = by_num[num]
        schema = {"vessel": "Vessel", "individual": "Person", "aircraft": "Airplane"}.get(
            e.sdn_type or "", "LegalEntity"
        )
        eid = w.entity(f"ofac-{num}", schema, e.name)
        w.claim(eid, "name", e.name)
        for alias in e.aliases:
            w.claim(eid, "alias", alias)
        if schema == "LegalEntity":
            for address in e.addresses:
                w.claim(eid, "address", address)
        if schema == "Person" and e.title:
            w.claim(eid, "title", e.title)
        rem = vessel_remarks.get(num) or parse_remarks(e.remarks)
        if schema != "Vessel":
            for alias in rem.aliases + rem.former_names:
                w.claim(eid, "alias" if alias in rem.aliases else "previousName", alias)
        else:
            report.vessels += 1
            for alias in rem.aliases:
                w.claim(eid, "alias", alias)
            for former in rem.former_names:
                w.claim(eid, "previousName", former)
            for imo in rem.imo:
                w.claim(eid, "imoNumber", normalise_imo(imo))
            for bad in rem.bad_imo:
                report.warnings.append(f"entry {num}: IMO {bad} fails its check digit; not recorded")
            for mmsi in rem.mmsi:
                if normalise_mmsi(mmsi):
                    w.claim(eid, "mmsi", mmsi)
                else:
                    report.warnings.append(f"entry {num}: MMSI {mmsi} is not 9 digits; not recorded")
            for reg in rem.registration:
                w.claim(eid, "registrationNumber", reg)
            w.claim(eid, "callSign", e.call_sign)
            w.claim(eid, "type", e.vess_type)
            w.claim(eid, "deadweightTonnage", (e.tonnage or "").replace(",", "") or None)
            w.claim(eid, "grossRegisteredTonnage", (e.grt or "").replace(",", "") or None)
            w.claim(eid, "buildDate", rem.build_year)
            if e.vess_flag:
                code = country_code(e.vess_flag)
                if code:
                    w.claim(eid, "flag", code)
                elif e.vess_flag != "None Identified":
                    report.warnings.append(f"entry {num}: unknown flag {e.vess_flag!r}; not recorded")
            for former in rem.former_flags:
                if code := country_code(former):
                    w.claim(eid, "pastFlags", code)
            if e.vess_owner:
                w.claim(eid, "owner", target_id(e.vess_owner))
            for name in rem.linked_to:
                other = target_id(name)
                link = w.entity(
                    f"ofac-{num}-link-{other.removeprefix('ofac-')}",
                    "UnknownLink",
                    f"{e.name} linked to {name}",
                )
                w.claim(link, "subject", eid)
                w.claim(link, "object", other)
                w.claim(link, "role", "Linked To")
        start, end = _listing_dates(history.get(num))
        sanction = w.entity(f"ofac-{num}-sanction", "Sanction", " / ".join(e.programs) or "OFAC SDN")
        w.claim(sanction, "entity", eid)
        w.claim(sanction, "authority", AUTHORITY)
        w.claim(sanction, "country", "us")
        w.claim(sanction, "authorityId", str(num))
        w.claim(sanction, "sourceUrl", SDN_URL)
        for program in e.programs:
            w.claim(sanction, "program", program)
        for provision in rem.provisions:
            w.claim(sanction, "provisions", provision)
        w.claim(sanction, "startDate", start)
        w.claim(sanction, "endDate", end)
    w.flush()
    report.elapsed_s = time.perf_counter() - started
    return report


def list_date_from_name(path: Path) -> str | None:
    m = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    return m.group(1) if m else None


def read_files(
    sdn: Path | bytes,
    alt: Path | None = None,
    add: Path | None = None,
    history: Path | None = None,
) -> tuple[list[SdnEntry], dict[int, Listing]]:
    """Parse every given file before anything is written, so a malformed one changes nothing."""
    sdn_label = sdn.name if isinstance(sdn, Path) else "sdn.csv"
    data = sdn.read_bytes() if isinstance(sdn, Path) else sdn
    entries = parse_sdn(data, sdn_label)
    by_num = {e.ent_num: e for e in entries}
    if alt is not None:
        apply_alt(by_num, alt.read_bytes(), alt.name)
    if add is not None:
        apply_add(by_num, add.read_bytes(), add.name)
    listings = parse_history(history.read_bytes(), history.name) if history is not None else {}
    return entries, listings


def fetch_current(timeout_s: float = 60.0) -> bytes:
    """Download the current sdn.csv from OFAC. Raises SanctionsFileError with the reason when offline."""
    import httpx

    try:
        response = httpx.get(SDN_URL, timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SanctionsFileError(
            f"could not download {SDN_URL} ({type(exc).__name__}: {exc}); offline? import a local copy with --file"
        ) from None
    return response.content


def iter_vessel_ids(entries: Iterable[SdnEntry]) -> list[str]:
    return [f"ofac-{e.ent_num}" for e in entries if e.sdn_type == "vessel"]
