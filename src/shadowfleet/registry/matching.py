"""Matching AIS identities (mmsi, imo, name, callsign, first/last seen) to registry vessels.

Rules, strongest first; each result says which rule matched and with what score:
  imo   the AIS IMO passes its check digit and equals a registry IMO                -> 100, certain
  mmsi  the MMSI is recorded for a vessel in a period overlapping the AIS period     -> 95, certain when
        the names agree (or AIS sent no name), else uncertain (MMSIs get reused)
        an MMSI known only outside the AIS period                                    -> 50, uncertain
  name  normalised, transliterated name close to a current or former name (rapidfuzz) -> score, uncertain;
        certain (rule `name+callsign`) when the AIS call sign equals one the registry records
Uncertain results go to the review queue (`queue_uncertain`). Each result carries the vessel's
sanction flags, including those that propagate from its owner, operator, manager or linked entities.
The caller passes identity rows (list of dicts or an Arrow table); this module never reads the lake.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session
from unidecode import unidecode

from shadowfleet.registry.identifiers import normalise_imo, normalise_mmsi
from shadowfleet.registry.tables import Entity, ReviewItem, Statement, utcnow
from shadowfleet.registry.validation import date_lower, date_upper

NAME_MIN_SCORE = 85.0
NAME_AGREES_SCORE = 80.0
_PREFIX_RE = re.compile(r"^(?:M\s*/?\s*[TVY]|MT|MV|SS|T/?T)\s+")
_VIA = {
    "owner": "owned by a sanctioned company",
    "operator": "operated by a sanctioned company",
    "manager": "managed by a sanctioned company",
    "linked": "linked to a sanctioned entity",
}


def normalise_name(name: str | None) -> str:
    """'M/T Фортуна-1' -> 'FORTUNA 1': transliterate, upper-case, drop vessel prefixes and punctuation."""
    if not name:
        return ""
    text = unidecode(str(name)).upper().replace("@", " ")
    text = re.sub(r"[^A-Z0-9/ ]+", " ", text)
    text = " ".join(text.split())
    text = _PREFIX_RE.sub("", text)
    return " ".join(re.sub(r"[^A-Z0-9 ]+", " ", text).split())


@dataclass
class MatchResult:
    row: int  # index of the input row
    mmsi: str | None
    vessel_id: str | None
    vessel_name: str | None
    rule: str | None  # imo | mmsi | name | None (no match)
    score: float
    certain: bool
    explanation: str
    sanctions: list[str] = field(
        default_factory=list
    )  # "sanctioned (IRAN)", "owned by a sanctioned company: X"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _callsign(value: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", unidecode(str(value or "")).upper())


def _day(value: Any, upper: bool) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value)[:10]
    return date_upper(text) if upper else date_lower(text)


def _overlaps(a_start: str | None, a_end: str | None, b_start: str | None, b_end: str | None) -> bool:
    return (a_end is None or b_start is None or a_end >= b_start) and (
        b_end is None or a_start is None or b_end >= a_start
    )


@dataclass
class VesselIndex:
    names: dict[str, str]  # vessel id -> caption
    by_imo: dict[str, list[str]]
    by_mmsi: dict[str, list[tuple[str, str | None, str | None]]]  # mmsi -> (vessel id, start, end)
    name_choices: list[str]  # normalised names
    name_owner: list[str]  # vessel id of each choice
    vessel_names: dict[str, set[str]]
    sanctions: dict[str, list[str]]
    callsigns: dict[str, set[str]] = field(default_factory=dict)  # vessel id -> call signs
    name_position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for pos, name in enumerate(self.name_choices):
            self.name_position.setdefault(name, pos)

    @classmethod
    def from_session(cls, session: Session) -> "VesselIndex":
        vessels = dict(
            session.execute(
                select(Entity.id, Entity.caption).where(
                    Entity.schema_name == "Vessel", Entity.status == "published"
                )
            ).all()
        )
        by_imo: dict[str, list[str]] = defaultdict(list)
        by_mmsi: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
        vessel_names: dict[str, set[str]] = defaultdict(set)
        callsigns: dict[str, set[str]] = defaultdict(set)
        links: dict[str, list[tuple[str, str]]] = defaultdict(list)
        q = select(
            Statement.entity_id, Statement.prop, Statement.value, Statement.start_date, Statement.end_date
        ).join(Entity, Entity.id == Statement.entity_id)
        q = q.where(Entity.schema_name == "Vessel", Entity.status == "published")
        for vid, prop, value, start, end in session.execute(q).all():
            if prop == "imoNumber":
                by_imo[value].append(vid)
            elif prop == "mmsi":
                by_mmsi[value].append((vid, start, end))
            elif prop in ("name", "previousName", "alias"):
                if norm := normalise_name(value):
                    vessel_names[vid].add(norm)
            elif prop == "callSign":
                callsigns[vid].add(_callsign(value))
            elif prop in ("owner", "operator", "manager"):
                links[vid].append((prop, value))
        sanctioned, edges, captions = _sanction_graph(session)
        for vid, targets in edges.items():
            links[vid].extend(targets)
        sanctions: dict[str, list[str]] = {}
        for vid in vessels:
            reasons = []
            if vid in sanctioned:
                reasons.append(f"sanctioned ({', '.join(sorted(set(sanctioned[vid])))})")
            for role, target in links.get(vid, []):
                if target in sanctioned:
                    reasons.append(f"{_VIA[role]}: {captions.get(target, target)}")
            sanctions[vid] = sorted(set(reasons))
        choices, owners = [], []
        for vid, names in vessel_names.items():
            for name in sorted(names):
                choices.append(name)
                owners.append(vid)
        return cls(
            vessels,
            dict(by_imo),
            dict(by_mmsi),
            choices,
            owners,
            dict(vessel_names),
            sanctions,
            dict(callsigns),
        )

    def _result(
        self,
        row: int,
        mmsi: str | None,
        vid: str | None,
        rule: str | None,
        score: float,
        certain: bool,
        why: str,
    ) -> MatchResult:
        return MatchResult(
            row=row,
            mmsi=mmsi,
            vessel_id=vid,
            vessel_name=self.names.get(vid) if vid else None,
            rule=rule,
            score=round(score, 1),
            certain=certain,
            explanation=why,
            sanctions=self.sanctions.get(vid, []) if vid else [],
        )

    def _name_score(self, vid: str, name: str) -> float:
        return max((fuzz.ratio(name, n) for n in self.vessel_names.get(vid, ())), default=0.0)

    def match_one(self, index: int, row: Mapping[str, Any]) -> MatchResult:
        mmsi = normalise_mmsi(row.get("mmsi"))
        raw_imo = row.get("imo")
        imo = normalise_imo(raw_imo) if raw_imo not in (None, "", 0) else None
        name = normalise_name(row.get("name"))
        notes = []
        if raw_imo not in (None, "", 0, "0") and imo is None:
            notes.append(f"AIS IMO {raw_imo} fails its check digit and was ignored")
        if imo and imo in self.by_imo:
            vid = self.by_imo[imo][0]
            why = f"IMO {imo} (check digit valid) equals the registry's IMO"
            if len(self.by_imo[imo]) > 1:
                return self._result(
                    index, mmsi, vid, "imo", 90, False, why + f"; {len(self.by_imo[imo])} vessels share it"
                )
            return self._result(index, mmsi, vid, "imo", 100, True, why)
        if mmsi and mmsi in self.by_mmsi:
            start, end = _day(row.get("first_seen"), False), _day(row.get("last_seen"), True)
            in_period = [(v, s, e) for v, s, e in self.by_mmsi[mmsi] if _overlaps(start, end, s, e)]
            if in_period:
                vid, s, e = in_period[0]
                period = f"{s or 'open'}..{e or 'open'}"
                agree = self._name_score(vid, name) if name else 100.0
                if agree >= NAME_AGREES_SCORE and len(in_period) == 1:
                    why = f"MMSI {mmsi} recorded for this vessel {period}, overlapping the AIS period"
                    return self._result(
                        index,
                        mmsi,
                        vid,
                        "mmsi",
                        95,
                        True,
                        why + (f"; name agrees ({agree:.0f})" if name else ""),
                    )
                why = f"MMSI {mmsi} recorded {period}, but the AIS name {name!r} differs (score {agree:.0f}); MMSIs get reused"
                return self._result(index, mmsi, vid, "mmsi", 70, False, why)
            vid, s, e = self.by_mmsi[mmsi][0]
            why = f"MMSI {mmsi} is recorded for this vessel only {s or 'open'}..{e or 'open'}, outside the AIS period"
            return self._result(index, mmsi, vid, "mmsi", 50, False, why)
        if name and self.name_choices:
            exact = self.name_position.get(name)
            # plain edit-distance ratio: partial-match scorers rate "STAR" close to "SEA STAR"
            best = (
                (name, 100.0, exact)
                if exact is not None
                else process.extractOne(
                    name, self.name_choices, scorer=fuzz.ratio, score_cutoff=NAME_MIN_SCORE
                )
            )
            if best is not None:
                choice, score, pos = best
                vid = self.name_owner[pos]
                why = f"name {row.get('name')!r} normalised to {name!r} resembles {choice!r} (score {score:.0f})"
                callsign = _callsign(row.get("callsign"))
                if callsign and callsign in self.callsigns.get(vid, ()):
                    why += f"; call sign {callsign} agrees"
                    return self._result(
                        index, mmsi, vid, "name+callsign", float(score), True, "; ".join([why, *notes])
                    )
                why += "; names are not unique"
                return self._result(index, mmsi, vid, "name", float(score), False, "; ".join([why, *notes]))
        return self._result(index, mmsi, None, None, 0.0, False, "; ".join(["no rule matched", *notes]))

    def match(self, rows: Iterable[Mapping[str, Any]] | Any) -> list[MatchResult]:
        """Best match per identity row; rows without any match are returned with rule None."""
        if hasattr(rows, "to_pylist"):
            rows = rows.to_pylist()
        return [self.match_one(i, row) for i, row in enumerate(rows)]


def _sanction_graph(
    session: Session,
) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]], dict[str, str]]:
    """(entity -> sanction programs, vessel -> [(role, entity)] from edge entities, captions)."""
    published = select(Entity.id).where(Entity.status == "published")
    edge_rows = session.execute(
        select(Statement.entity_id, Entity.schema_name, Statement.prop, Statement.value)
        .join(Entity, Entity.id == Statement.entity_id)
        .where(Entity.schema_name.in_(("Sanction", "Ownership", "UnknownLink")), Entity.id.in_(published))
        .where(Statement.prop.in_(("entity", "program", "asset", "owner", "subject", "object")))
    ).all()
    props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, str] = {}
    for eid, schema, prop, value in edge_rows:
        props[eid][prop].append(value)
        kinds[eid] = schema
    sanctioned: dict[str, list[str]] = defaultdict(list)
    edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for eid, p in props.items():
        if kinds[eid] == "Sanction":
            for target in p.get("entity", []):
                sanctioned[target].extend(p.get("program", []) or ["listed"])
        elif kinds[eid] == "Ownership":
            for asset in p.get("asset", []):
                edges[asset].extend(("owner", owner) for owner in p.get("owner", []))
        else:
            for subject in p.get("subject", []):
                edges[subject].extend(("linked", obj) for obj in p.get("object", []))
    captions = (
        dict(session.execute(select(Entity.id, Entity.caption).where(Entity.id.in_(list(sanctioned)))).all())
        if sanctioned
        else {}
    )
    return dict(sanctioned), dict(edges), captions


def queue_uncertain(
    session: Session, results: list[MatchResult], rows: list[Mapping[str, Any]] | None = None
) -> int:
    """Put uncertain matches in the review queue (kind `match`); returns how many were queued.

    A match already waiting (same vessel, rule and identity mmsi/imo/name) is not queued twice, so
    matching the same identities every day does not flood the queue."""
    waiting = {
        str(json.loads(item.payload).get("key"))
        for item in session.scalars(
            select(ReviewItem).where(ReviewItem.kind == "match", ReviewItem.status == "open")
        )
    }
    queued = 0
    for result in results:
        if result.vessel_id is None or result.certain:
            continue
        payload: dict[str, Any] = result.as_dict()
        if rows is not None:
            identity = rows[result.row]
            payload["identity"] = {
                k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in identity.items()
            }
            basis = [identity.get("mmsi"), identity.get("imo"), identity.get("name")]
        else:
            basis = [result.mmsi, None, None]
        key = hashlib.sha1(
            json.dumps([result.vessel_id, result.rule, *basis], default=str).encode()
        ).hexdigest()
        if key in waiting:
            continue
        waiting.add(key)
        payload["key"] = key
        session.add(
            ReviewItem(
                kind="match",
                entity_id=result.vessel_id,
                status="open",
                message=result.explanation,
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
                created_at=utcnow(),
            )
        )
        queued += 1
    session.flush()
    return queued
