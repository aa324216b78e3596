"""The editorial workflow through the site: login -> draft -> review -> publish -> public; and a public
correction request reaching the editors' queue and being answered on the record."""

from fastapi.testclient import TestClient

from tests.web.registrybuild import EDITOR, REVIEWER
from tests.web.test_security import HTML, csrf_from


def login(client: TestClient, account: tuple[str, str] = EDITOR) -> str:
    token = csrf_from(client.get("/editor/login", headers=HTML).text)
    r = client.post(
        "/editor/login", data={"username": account[0], "password": account[1], "csrf_token": token}
    )
    assert r.status_code == 200 and "Editor dashboard" in r.text
    return csrf_from(r.text)


def test_draft_review_publish_visible(client: TestClient) -> None:
    token = login(client)
    r = client.post(
        "/editor/drafts",
        data={
            "entity_schema": "Person",
            "name": "Olga Flowtest",
            "extra": "nationality: ru",
            "source_url": "https://example.org/flow",
            "source_title": "Flow source",
            "csrf_token": token,
        },
    )
    assert r.status_code == 200 and "Olga Flowtest" in r.text
    assert client.get("/api/v1/search", params={"q": "Flowtest"}).json()["total"] == 0  # drafts are private
    entity = next(
        e
        for e in client.app.state.registry.entities_in_status(  # type: ignore[attr-defined]
            client.app.state.registry.authenticate(*EDITOR), "draft"
        )
        if e.caption == "Olga Flowtest"
    )  # type: ignore[attr-defined]
    r = client.post(
        f"/editor/entities/{entity.id}/submit", data={"version": entity.version, "csrf_token": token}
    )
    assert "submitted for review" in r.text
    review = client.get("/editor/review", headers=HTML).text
    assert "Publish Olga Flowtest" in review
    version = int(
        review.split(f'/editor/entities/{entity.id}/publish"')[1]
        .split('name="version" value="')[1]
        .split('"')[0]
    )
    r = client.post(f"/editor/entities/{entity.id}/publish", data={"version": version, "csrf_token": token})
    assert r.status_code == 409 and "second editor" in r.json()["error"]["message"]  # not its author
    token = login(client, REVIEWER)
    r = client.post(f"/editor/entities/{entity.id}/publish", data={"version": version, "csrf_token": token})
    assert "published" in r.text
    hits = client.get("/api/v1/search", params={"q": "Flowtest"}).json()["items"]
    assert [h["url"] for h in hits] == [f"/people/{entity.id}"]
    # A stale version is refused with the error shape, nothing changes.
    r = client.post(
        f"/editor/entities/{entity.id}/retract", data={"version": 1, "note": "x", "csrf_token": token}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_correction_reaches_queue_and_is_answered(client: TestClient) -> None:
    public = TestClient(client.app)
    page = public.get("/people/test-person", headers=HTML).text
    r = public.post(
        "/corrections",
        data={
            "entity_id": "test-person",
            "message": "The post <i>started</i> in 2018.",
            "kind": "correction",
            "contact": "private@example.org",
            "csrf_token": csrf_from(page),
        },
    )
    assert r.status_code == 200 and "the answer will be published here" in r.text
    token = login(client)
    queue = client.get("/editor/corrections", headers=HTML).text
    assert "The post &lt;i&gt;started&lt;/i&gt; in 2018." in queue
    assert "private@example.org" not in queue
    item_id = int(queue.split("/editor/corrections/")[1].split("/answer")[0])
    r = client.post(
        f"/editor/corrections/{item_id}/answer", data={"answer": "Checked; corrected.", "csrf_token": token}
    )
    assert "answered on the record" in r.text
    assert "Checked; corrected." in public.get("/people/test-person", headers=HTML).text


def test_refused_draft_keeps_what_was_typed_and_names_the_field(client: TestClient) -> None:
    token = login(client)
    r = client.post(
        "/editor/drafts",
        data={
            "entity_schema": "Person",
            "name": "Ivan Keeptyped",
            "extra": "nationality: ru\naddress: 1 Home Street",
            "source_url": "https://example.org/keep",
            "source_title": "Keep source",
            "source_publisher": "Keep publisher",
            "csrf_token": token,
        },
    )
    assert r.status_code == 422
    assert "address" in r.text and "harm policy" in r.text
    assert 'value="Ivan Keeptyped"' in r.text
    assert "nationality: ru\naddress: 1 Home Street</textarea>" in r.text
    assert 'value="https://example.org/keep"' in r.text and 'value="Keep publisher"' in r.text
    assert '<option value="Person" selected>' in r.text
    bad_line = client.post(
        "/editor/drafts",
        data={
            "entity_schema": "Company",
            "name": "Keep Co",
            "extra": "no colon here",
            "source_url": "https://example.org/keep",
            "csrf_token": token,
        },
    )
    assert (
        bad_line.status_code == 422 and "extra line 1" in bad_line.text and 'value="Keep Co"' in bad_line.text
    )
