"""The personnel directory lists holders of an official position; sanctioned individuals without one
are reachable by search and show their sanctions and links on their own page."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shadowfleet.registry import seed
from shadowfleet.registry.service import Registry
from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings
from tests.web.conftest import TEST_SECRET


def _claim(value: str) -> list[dict[str, object]]:
    return [{"value": value, "sources": ["s1"], "start_date": None, "end_date": None, "quote": None}]


ENTITIES = [
    {"id": "person-official", "schema": "Person", "properties": {"name": _claim("Official Person")}},
    {"id": "position-consul", "schema": "Position", "properties": {"name": _claim("Consul")}},
    {
        "id": "occ-official",
        "schema": "Occupancy",
        "properties": {"holder": _claim("person-official"), "post": _claim("position-consul")},
    },
    {"id": "ofac-test-1", "schema": "Person", "properties": {"name": _claim("Listed Person")}},
    {
        "id": "vessel-test",
        "schema": "Vessel",
        "properties": {"name": _claim("TEST TANKER"), "imoNumber": _claim("1006960")},
    },
    {
        "id": "sanction-test-1",
        "schema": "Sanction",
        "properties": {
            "entity": _claim("ofac-test-1"),
            "program": _claim("VENEZUELA-EO13850"),
            "authority": _claim("OFAC"),
            "listingDate": _claim("2020-06-02"),
        },
    },
    {
        "id": "link-test-1",
        "schema": "UnknownLink",
        "properties": {"subject": _claim("ofac-test-1"), "object": _claim("vessel-test")},
    },
]


@pytest.fixture(scope="module")
def directory_client(tmp_path_factory: pytest.TempPathFactory, lake_dir: Path) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("directory")
    path = tmp / "seed.json"
    sources = [
        {
            "id": "s1",
            "url": "https://www.example.org/a",
            "title": "A",
            "publisher": "P",
            "published_date": "2024-05-03",
        }
    ]
    path.write_text(json.dumps({"dataset": "test", "sources": sources, "entities": ENTITIES}))
    registry = Registry(f"sqlite:///{tmp / 'registry.db'}")
    registry.init()
    with registry.db.session(seed.ACTOR) as s:
        seed.load(s, [path])
    app = create_app(Settings(lake_path=lake_dir, secret_key=TEST_SECRET), registry=registry)
    yield TestClient(app, raise_server_exceptions=False)


def test_directory_lists_only_holders_of_a_position(directory_client: TestClient) -> None:
    listed = [p["person"]["id"] for p in directory_client.get("/api/v1/persons").json()["items"]]
    assert listed == ["person-official"]
    page = directory_client.get("/people").text
    assert "Official Person" in page and "Listed Person" not in page
    found = directory_client.get("/api/v1/search", params={"q": "Listed"}).json()
    assert "ofac-test-1" in json.dumps(found)


def test_sanctioned_person_page_shows_sanctions_and_links(directory_client: TestClient) -> None:
    page = directory_client.get("/people/ofac-test-1")
    assert page.status_code == 200
    assert "VENEZUELA-EO13850" in page.text and "OFAC" in page.text and "2020-06-02" in page.text
    assert 'href="/entities/vessel-test"' in page.text and "TEST TANKER" in page.text
    assert "on the list of 2024-05-03" in page.text


def test_vessel_search_includes_registry_vessels_without_a_track(directory_client: TestClient) -> None:
    for params in ({"imo": "1006960"}, {"q": "1006960"}, {"q": "IMO 1006960"}, {"q": "test tanker"}):
        items = directory_client.get("/api/v1/vessels", params=params).json()["items"]
        registry = [i for i in items if i["registry_only"]]
        assert [i["registry_id"] for i in registry] == ["vessel-test"], params
        assert registry[0]["imo"] == 1006960 and registry[0]["n_positions"] == 0
    page = directory_client.get("/vessels", params={"q": "IMO 1006960"}).text
    assert 'href="/entities/vessel-test"' in page and "no AIS track" in page
    found = directory_client.get("/api/v1/search", params={"q": "IMO 1006960"}).json()
    assert "vessel-test" in json.dumps(found)
    assert directory_client.get("/api/v1/vessels", params={"imo": "9100001"}).json()["items"][0]["mmsi"]
