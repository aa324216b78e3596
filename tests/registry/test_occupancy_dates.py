"""Date-only occupancies: shown as "in post as of", counted for retention by their date."""

import json
from datetime import date
from pathlib import Path

from shadowfleet.registry import seed
from shadowfleet.registry.queries import NotFound
from shadowfleet.registry.service import Registry
from shadowfleet.web.registry_view import occupancy_period


def _person_file(tmp_path: Path, when_in_post: dict[str, str]) -> Path:
    src = {"value": None, "sources": ["s1"], "start_date": None, "end_date": None, "quote": None}

    def claim(value: str) -> list[dict[str, object]]:
        return [{**src, "value": value}]

    entities: list[dict[str, object]] = [
        {"id": "position-attache", "schema": "Position", "properties": {"name": claim("Naval attaché")}}
    ]
    for pid, day in when_in_post.items():
        entities.append({"id": pid, "schema": "Person", "properties": {"name": claim(pid.title())}})
        entities.append(
            {
                "id": f"occ-{pid}",
                "schema": "Occupancy",
                "properties": {
                    "holder": claim(pid),
                    "post": claim("position-attache"),
                    "date": claim(day),
                },
            }
        )
    path = tmp_path / "people.json"
    sources = [{"id": "s1", "url": "https://www.example.org/a", "title": "A", "publisher": "P"}]
    path.write_text(json.dumps({"dataset": "test", "sources": sources, "entities": entities}))
    return path


def test_seed_heads_of_state_are_in_post_as_of_their_date_never_present(registry: Registry) -> None:
    with registry.db.session(seed.ACTOR) as s:
        seed.load(s)
    chavez = registry.person("person-hugo-chavez")
    labels = [occupancy_period(o, chavez.person) for o in chavez.occupancies]
    assert labels == ["in post as of 2006 (per source)"]
    for pid in ("person-rouhani", "person-ahmadinejad", "person-mevlut-cavusoglu"):
        found = registry.person(pid)
        assert len(found.occupancies) == 1, pid
        assert "present" not in occupancy_period(found.occupancies[0], found.person)
    # public offices (Position topics gov.head / gov.national) stay in view despite old dates
    assert registry.person("person-hugo-chavez").occupancies[0].public_office


def test_date_only_occupancy_counts_as_last_known_in_post_for_retention(
    registry: Registry, tmp_path: Path
) -> None:
    recent = date.today().replace(day=1).isoformat()
    with registry.db.session(seed.ACTOR) as s:
        seed.load(s, [_person_file(tmp_path, {"old-attache": "2006", "recent-attache": recent})])
    listed = {p.person.id for p in registry.list_persons()}
    assert "recent-attache" in listed
    assert "old-attache" not in listed
    try:
        registry.person("old-attache")
    except NotFound:
        pass
    else:
        raise AssertionError("a person last known in post in 2006 is past retention")
    assert occupancy_period(registry.person("recent-attache").occupancies[0]) == (
        f"in post as of {recent} (per source)"
    )
