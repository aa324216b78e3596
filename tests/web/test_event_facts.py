"""Event facts for an identity-only event (no coordinates) say so plainly."""

from shadowfleet.web.app import _templates
from shadowfleet.web.settings import Settings
from tests.web.conftest import TEST_SECRET


def test_event_without_position_is_identity_only() -> None:
    templates = _templates(Settings(secret_key=TEST_SECRET))
    event = {
        "event_id": "e1",
        "kind": "invalid_imo",
        "lat": None,
        "lon": None,
        "confidence": 0.9,
        "detector_version": "spoofing-1",
        "params": {},
        "evidence": {"imo": 1234568},
    }
    html = templates.env.get_template("event_facts.html").render(e=event)
    assert "no position: identity-only event" in html
    assert "not located" not in html


def test_location_says_which_hemisphere() -> None:
    templates = _templates(Settings(secret_key=TEST_SECRET))
    event = {
        "event_id": "e2",
        "kind": "loitering",
        "lat": -10.5,
        "lon": -66.25,
        "confidence": 0.8,
        "detector_version": "loitering-1",
        "params": {},
        "evidence": {},
    }
    html = templates.env.get_template("event_facts.html").render(e=event)
    assert "10.5000° S, 66.2500° W" in html
    event.update(lat=10.5, lon=66.25)
    assert "10.5000° N, 66.2500° E" in templates.env.get_template("event_facts.html").render(e=event)


def test_spoofing_events_are_titled_by_what_was_seen() -> None:
    from shadowfleet.detect.spoofing import SPOOF_TYPES
    from shadowfleet.web.data import event_title

    titles = {event_title({"kind": "spoofing", "spoof_type": t}) for t in SPOOF_TYPES}
    assert len(titles) == len(SPOOF_TYPES)  # one title per type, none generic
    assert all(t.startswith("Apparent") for t in titles)
    assert (
        event_title({"kind": "spoofing", "spoof_type": "on_land"})
        == "Apparent position spoofing: positions on land"
    )
    assert event_title({"kind": "spoofing"}) == "Apparent position spoofing"


def test_event_page_names_the_files_its_positions_came_from(client) -> None:  # type: ignore[no-untyped-def]
    events = client.get("/api/v1/events").json()["items"]
    located = [e for e in events if e.get("lat") is not None]
    assert located
    page = client.get(f"/events/{located[0]['event_id']}").text
    assert "Data sources" in page
    assert "fixture (" in page and "positions within 6 h" in page


def test_a_source_note_is_shown_beside_its_file(settings, registry) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from fastapi.testclient import TestClient

    from shadowfleet.web.app import create_app

    noted = dataclasses.replace(settings, source_notes=(("fixture", "a sample cut, for the test"),))
    client = TestClient(create_app(noted, registry=registry))
    events = [e for e in client.get("/api/v1/events").json()["items"] if e.get("lat") is not None]
    page = client.get(f"/events/{events[0]['event_id']}").text
    assert "positions within 6 h): <strong>a sample cut, for the test</strong>" in page


def test_demo_notes_its_marinecadastre_cut(shared_data) -> None:  # type: ignore[no-untyped-def]
    from shadowfleet.web.demo import sample_notes

    notes = dict(sample_notes(shared_data))
    assert "sample cut" in notes["AIS_2022_01_03_first99999.csv"]


def test_source_notes_from_the_environment() -> None:
    import pytest

    from shadowfleet.web.settings import SettingsError, settings_from_env

    env = {"SHADOWFLEET_SOURCE_NOTES": '{"b.csv": "second", "a.nmea": "first"}'}
    assert settings_from_env(env).source_notes == (("a.nmea", "first"), ("b.csv", "second"))
    for bad in ('["a.csv"]', '{"a.csv": 3}', "not json"):
        with pytest.raises(SettingsError, match="SHADOWFLEET_SOURCE_NOTES"):
            settings_from_env({"SHADOWFLEET_SOURCE_NOTES": bad})
