"""The public API against a real lake and registry: search, dossier, track, events, exports, errors."""

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from fastapi.testclient import TestClient
from followthemoney import model

from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings
from tests.web.conftest import TEST_SECRET, assert_error_shape
from tests.web.lakebuild import XSS_NAME


def test_search_vessels_by_imo_mmsi_and_name(client: TestClient) -> None:
    by_imo = client.get("/api/v1/vessels", params={"imo": 9100002}).json()
    assert [v["mmsi"] for v in by_imo["items"]] == [775000002]
    by_mmsi = client.get("/api/v1/vessels", params={"mmsi": 366000003}).json()
    assert by_mmsi["items"][0]["name"] == XSS_NAME
    by_name = client.get("/api/v1/vessels", params={"q": "tanker"}).json()
    assert by_name["total"] == 2
    assert all(v["simulated"] is True for v in by_name["items"])
    assert client.get("/api/v1/vessels", params={"q": "9100001"}).json()["items"][0]["mmsi"] == 775000001


def test_pagination_has_totals_and_links(client: TestClient) -> None:
    first = client.get("/api/v1/vessels", params={"limit": 2}).json()
    assert first["total"] == 3 and len(first["items"]) == 2
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"]).json()
    assert len(second["items"]) == 1 and second["links"]["next"] is None
    assert {v["mmsi"] for v in first["items"]} | {v["mmsi"] for v in second["items"]} == {
        775000001,
        775000002,
        366000003,
    }


def test_dossier_joins_lake_and_registry(client: TestClient) -> None:
    d = client.get("/api/v1/vessels/775000001").json()
    assert d["simulated"] is True and d["vessel"]["simulated"] is True
    assert d["vessel"]["draught_m"] == 15.2
    assert [e["kind"] for e in d["events"]] == ["encounter", "port_call"]
    assert d["events"][0]["title"].startswith("Apparent")
    assert d["registry_ids"] == ["test-vessel-registry"]
    assert d["sanctions"][0]["programs"] == ["VENEZUELA-EO13850"]
    assert d["sanctions"][0]["via"] == "Test Shipping Co"
    assert d["sanctions"][0]["listings"][0]["listing_date"] == "2019-04-12"
    owners = [h for h in d["registry_history"] if h["prop"] == "owner"]
    assert owners[0]["value"] == "Test Shipping Co" and owners[0]["value_url"] == "/entities/test-shipping-co"
    assert [h["draught_m"] for h in d["identity_history"]] == [9.5, 15.2]
    risk = {b["signal"]: b for b in d["risk"]["breakdown"]}  # the detect room's explainable score
    assert risk["owner_sanctioned"]["contribution"] == 15.0 and risk["sanctioned"]["contribution"] == 0.0
    assert risk["sts_encounters"]["value"] == 1.0 and risk["venezuelan_port_calls"]["value"] == 1.0
    assert d["risk"]["score"] == sum(b["contribution"] for b in d["risk"]["breakdown"])
    cargo = d["cargo_estimate"]  # the detect room's estimate from the draught range 9.5..15.2 m
    assert cargo["laden_status"] == "laden" and cargo["is_estimate"] is True
    assert cargo["cargo_low_t"] < cargo["cargo_t"] < cargo["cargo_high_t"]


def test_track_thinned_for_display_and_full_on_request(client: TestClient, settings: Settings) -> None:
    thin = client.get("/api/v1/vessels/775000001/track").json()
    props = thin["features"][0]["properties"]
    assert props["n_points_full"] == 600
    assert props["n_points"] == 600  # under the display maximum: nothing dropped
    narrow = client.get(
        "/api/v1/vessels/775000001/track",
        params={"start": "2024-03-01T10:00:00Z", "end": "2024-03-01T20:00:00Z"},
    ).json()
    times = narrow["features"][0]["properties"]["times"]
    assert times[0] >= "2024-03-01T10:00:00Z" and times[-1] < "2024-03-01T20:00:00Z"
    assert len(times) == 60  # one position every 10 minutes for 10 hours


def test_large_answers_are_gzipped_only_when_asked(client: TestClient) -> None:
    zipped = client.get("/api/v1/vessels/775000001/track", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    plain = client.get("/api/v1/vessels/775000001/track", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json()


def test_track_thinning_keeps_ends(lake_dir: Path) -> None:
    app = create_app(Settings(lake_path=lake_dir, secret_key=TEST_SECRET, track_display_max_points=50))
    client = TestClient(app)
    thin = client.get("/api/v1/vessels/775000002/track").json()["features"][0]
    full = client.get("/api/v1/vessels/775000002/track", params={"full": "true"}).json()["features"][0]
    assert thin["properties"]["simplified"] is True and 2 < thin["properties"]["n_points"] <= 50
    assert len(full["geometry"]["coordinates"]) == 600 and full["properties"]["simplified"] is False
    assert thin["geometry"]["coordinates"][0] == full["geometry"]["coordinates"][0]
    assert thin["geometry"]["coordinates"][-1] == full["geometry"]["coordinates"][-1]


def test_latest_positions_bbox_and_simulated(client: TestClient) -> None:
    everything = client.get("/api/v1/positions/latest").json()
    assert len(everything["features"]) == 3
    caribbean = client.get("/api/v1/positions/latest", params={"bbox": "-70,5,-55,15"}).json()
    assert {f["properties"]["mmsi"] for f in caribbean["features"]} == {775000001, 775000002}
    assert all(f["properties"]["simulated"] is True for f in caribbean["features"])
    watched = [f["properties"]["mmsi"] for f in everything["features"] if f["properties"].get("watched")]
    assert watched == [775000001]  # the server's watch list (settings)
    later = client.get("/api/v1/positions/latest", params={"since": "2030-01-01T00:00:00Z"}).json()
    assert later["features"] == []


def test_events_filters(client: TestClient) -> None:
    assert client.get("/api/v1/events").json()["total"] == 3
    enc = client.get("/api/v1/events", params={"kind": "encounter"}).json()
    assert [e["other_mmsi"] for e in enc["items"]] == [775000002]
    assert enc["items"][0]["params"] == {"max_distance_m": 500.0, "min_duration_h": 2.0}
    assert enc["items"][0]["evidence"]["median_distance_m"] == 120.0
    assert (
        client.get("/api/v1/events", params={"bbox": "-81,26,-79,28"}).json()["items"][0]["kind"] == "ais_gap"
    )
    venezuela = client.get("/api/v1/events", params={"venezuela": "true"}).json()["items"]
    assert sorted(e["kind"] for e in venezuela) == ["encounter", "port_call"]
    assert client.get("/api/v1/events", params={"start": "2024-03-03T00:00:00Z"}).json()["total"] == 0
    one = enc["items"][0]
    assert client.get(f"/api/v1/events/{one['event_id']}").json()["detector_version"] == "encounter-fixture"


def test_voyages_by_status(client: TestClient) -> None:
    running = client.get("/api/v1/voyages", params={"venezuela": "true", "status": "in_progress"}).json()
    assert [v["mmsi"] for v in running["items"]] == [775000002]
    done = client.get("/api/v1/voyages", params={"status": "completed"}).json()
    assert [v["destination_port_name"] for v in done["items"]] == ["Freeport"]
    assert all(v["simulated"] is True for v in done["items"])


def test_exports_csv_geojson_ftm(client: TestClient) -> None:
    text = client.get("/api/v1/events", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["kind"] for r in rows} == {"encounter", "ais_gap", "port_call"}
    assert {r["simulated"] for r in rows} == {"True", "False"}
    geo = client.get("/api/v1/events", params={"format": "geojson"}).json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"
    lines = client.get("/api/v1/events", params={"format": "ftm"}).text.splitlines()
    vessels = client.get("/api/v1/vessels", params={"format": "ftm"}).text.splitlines()
    for line in lines + vessels:
        entity = json.loads(line)
        proxy = model.get_proxy(entity, cleaned=False)
        assert proxy.schema.name in ("Event", "Vessel")
    simulated_vessel = next(json.loads(v) for v in vessels if "775000001" in v)
    assert "SIMULATED" in simulated_vessel["properties"]["notes"][0]
    person = json.loads(client.get("/api/v1/entities/test-person", params={"format": "ftm"}).text)
    assert model.get_proxy(person, cleaned=False).schema.name == "Person"


def test_atom_feeds(client: TestClient) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    vessel = ET.fromstring(client.get("/feeds/vessels/775000001.atom").content)
    titles = [t.text for t in vessel.findall("a:entry/a:title", ns)]
    assert titles and titles[0].startswith("[SIMULATED] Apparent encounter")
    area = ET.fromstring(client.get("/feeds/area.atom", params={"bbox": "-81,26,-79,28"}).content)
    assert len(area.findall("a:entry", ns)) == 1
    summary = area.find("a:entry/a:summary", ns)
    assert summary is not None and "MMSI 366000003" in (summary.text or "")
    watch = ET.fromstring(client.get("/feeds/watchlist.atom").content)
    assert len(watch.findall("a:entry", ns)) == 2  # the encounter and the port call of the watched vessel


def test_registry_api(client: TestClient) -> None:
    people = client.get("/api/v1/persons").json()
    assert people["total"] == 1 and people["items"][0]["occupancies"][0]["post"]["caption"] == "Test Attaché"
    companies = client.get("/api/v1/entities", params={"q": "shipping"}).json()
    assert [c["id"] for c in companies["items"]] == ["test-shipping-co"]
    graph = client.get("/api/v1/entities/test-shipping-co/graph").json()
    labels = {(e["source"], e["label"], e["target"]) for e in graph["edges"]}
    assert ("test-shipping-co", "owns", "test-vessel-registry") in labels
    assert ("test-sanction", "sanctioned: VENEZUELA-EO13850", "test-shipping-co") in labels
    hits = client.get("/api/v1/search", params={"q": "test"}).json()["items"]
    assert {"vessel", "person", "company"} <= {h["kind"] for h in hits}


def test_error_shape_404_422(client: TestClient) -> None:
    r = client.get("/api/v1/vessels/123")
    assert r.status_code == 404
    assert_error_shape(r.json(), 404)
    r = client.get("/api/v1/vessels", params={"limit": "many"})
    assert r.status_code == 422
    assert_error_shape(r.json(), 422)
    assert r.json()["error"]["details"][0]["loc"] == ["query", "limit"]
    r = client.get("/api/v1/events", params={"kind": "teleport"})
    assert r.status_code == 422 and "teleport" in r.json()["error"]["message"]
    r = client.get("/api/v1/nothing-here")
    assert_error_shape(r.json(), 404)
    r = client.get("/api/v1/persons/nobody")
    assert r.status_code == 404
    assert_error_shape(r.json(), 404)


def test_broken_lake_file_gives_500_in_error_shape(lake_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "lake"
    shutil.copytree(lake_dir, broken)
    (broken / "events" / "zz-broken.parquet").write_bytes(b"this is not parquet")
    client = TestClient(
        create_app(Settings(lake_path=broken, secret_key=TEST_SECRET)), raise_server_exceptions=False
    )
    r = client.get("/api/v1/events")
    assert r.status_code == 500
    assert_error_shape(r.json(), 500)
    assert client.get("/api/v1/vessels").status_code == 200  # the server keeps serving


def test_pages_render_and_mark_simulated(client: TestClient) -> None:
    html = {"accept": "text/html"}
    home = client.get("/", headers=html).text
    assert "SIMULATED" in home and 'id="map"' in home
    assert 'id="watch-heading"' in home and "TEST TANKER ONE" in home
    dossier = client.get("/vessels/775000001", headers=html).text
    assert "SIMULATED" in dossier and "Apparent encounter" in dossier and "VENEZUELA-EO13850" in dossier
    for path in (
        "/events",
        "/venezuela",
        "/people",
        "/people/test-person",
        "/entities/test-shipping-co",
        "/states",
        "/states/ru",
        "/about",
        "/licences",
        "/policy",
        "/methods",
        "/search?q=9100001",
    ):
        r = client.get(path, headers=html)
        assert r.status_code == 200, path
    board = client.get("/venezuela", headers=html).text
    assert "Jose Terminal" in board and "Amuay" in board
    assert "100,000 t" in board and "700,000 bbl" in board  # labelled estimate
    missing = client.get("/vessels/1", headers=html)
    assert missing.status_code == 404 and "no vessel with MMSI 1" in missing.text


def test_methods_pages_from_docs(client: TestClient) -> None:
    index = client.get("/methods", headers={"accept": "text/html"}).text
    assert 'href="/methods/encounter"' in index
    page = client.get("/methods/identity_change", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<h1>" in page.text
    assert client.get("/methods/..%2Fweb", headers={"accept": "text/html"}).status_code == 404


def test_crawl_every_linked_page_without_server_error(client: TestClient) -> None:
    """Follow every internal link from the home page (pages and API links): nothing answers 5xx."""
    import re
    from collections import deque

    seen: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen) < 400:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code < 500, path
        if "text/html" in response.headers.get("content-type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', response.text):
                link = link.replace("&amp;", "&")
                if not link.startswith("/static") and link not in seen:
                    queue.append(link)
    assert len(seen) > 40


def test_caches_follow_the_lake(lake_dir: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A new ingest chunk and a replaced event set show without a restart (no stale cache)."""
    import pyarrow as pa

    from shadowfleet.lake.events import read_events, write_events
    from shadowfleet.lake.manifest import ChunkEntry
    from shadowfleet.lake.writer import LakeWriter
    from shadowfleet.web import data as data_module
    from tests.web.lakebuild import _positions, _static

    monkeypatch.setattr(data_module, "FINGERPRINT_TTL_S", 0.0)
    lake = tmp_path / "lake"
    shutil.copytree(lake_dir, lake, symlinks=True)
    client = TestClient(create_app(Settings(lake_path=lake, secret_key=TEST_SECRET)))
    assert client.get("/api/v1/vessels").json()["total"] == 3
    assert client.get("/api/v1/vessels/775000001").status_code == 200  # cached dossier
    positions = _positions(775000009, -60.0, 11.0, True, 10, 600)
    statics = _static(775000009, None, "TEST TANKER NINE", True)
    chunk = ChunkEntry("web-fixture-new", "web-fixture", "test", 0, 1, 12, 0, 10, 2, 0)
    with LakeWriter(lake) as writer:
        writer.write_chunk(chunk, positions, statics)
    assert client.get("/api/v1/vessels").json()["total"] == 4
    assert client.get("/api/v1/vessels/775000009").json()["vessel"]["name"] == "TEST TANKER NINE"
    events = read_events(lake)
    assert events is not None
    write_events(lake, events.filter(pa.compute.not_equal(events["kind"], "encounter")))
    assert [e["kind"] for e in client.get("/api/v1/vessels/775000001").json()["events"]] == ["port_call"]
