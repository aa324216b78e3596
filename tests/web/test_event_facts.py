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
