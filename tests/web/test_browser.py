"""The site in Debian's Chromium, driven by Playwright, against a uvicorn server on 127.0.0.1.

Screenshots go to test-artifacts/screenshots/. Console errors (CSP violations, failed loads, script
errors) fail the test that caused them.
"""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.conftest import REPO_ROOT
from tests.web.registrybuild import EDITOR, REVIEWER

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PORTS = range(18210, 18250)
SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18210-18249")


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (scripts/install-system-deps.sh)")
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A Playwright page that records console errors and failed requests."""

    def __init__(self, browser, base: str, width: int = 1280) -> None:  # type: ignore[no-untyped-def]
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def wait_loaded(self, selector: str = "#map") -> str:
        self.page.wait_for_selector(f"{selector}[data-loaded], {selector}[data-error]", timeout=20_000)
        error = self.page.get_attribute(selector, "data-error")
        assert error is None, error
        if selector == "#map":  # everything drawn, so screenshots show the map as a reader sees it
            self.page.wait_for_selector("#map[data-idle]", timeout=20_000)
        return str(self.page.get_attribute(selector, "data-loaded"))

    def check_accessibility(self) -> None:
        """Landmarks, a language, labelled form fields, alt text on images, one h1."""
        problems = self.page.evaluate(
            """() => {
              const out = [];
              if (!document.documentElement.lang) out.push('no lang on <html>');
              for (const sel of ['header[role=banner], header', 'main', 'nav', 'footer']) {
                if (!document.querySelector(sel)) out.push('missing landmark ' + sel);
              }
              if (document.querySelectorAll('h1').length !== 1) out.push('expected one h1');
              for (const el of document.querySelectorAll('input, select, textarea')) {
                if (el.type === 'hidden') continue;
                const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]'))
                  || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
                if (!labelled) out.push('unlabelled field ' + (el.name || el.id || el.type));
              }
              for (const img of document.querySelectorAll('img')) {
                if (!img.hasAttribute('alt')) out.push('image without alt ' + img.src);
              }
              return out;
            }"""
        )
        assert problems == [], problems

    def shot(self, name: str) -> None:
        self.check_accessibility()
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors


def test_home_map_and_events(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = Page(browser, server)
    page.goto("/")
    assert int(page.wait_loaded()) == 3  # three vessels' latest positions on the map
    assert page.page.locator("table.data tbody tr").first.inner_text().startswith("Apparent")
    assert page.page.locator(".sim").count() >= 2
    assert "Natural Earth" in page.page.locator(".maplibregl-ctrl-attrib").inner_text()
    page.shot("home")
    page.close()


def test_home_on_a_phone(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = Page(browser, server, width=390)
    page.goto("/")
    page.wait_loaded()
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone ({width} px)"
    page.shot("home-phone")
    page.close()


@pytest.mark.parametrize("path", ["/events", "/venezuela", "/people", "/entities", "/methods", "/states"])
def test_list_pages_fit_a_phone(server: str, browser, path: str) -> None:  # type: ignore[no-untyped-def]
    page = Page(browser, server, width=390)
    page.goto(path)
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"{path} scrolls sideways on a phone ({width} px)"
    page.shot("phone" + path.replace("/", "-"))
    page.close()


def test_search_by_imo_to_dossier_with_track_and_evidence(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = Page(browser, server)
    page.goto("/")
    page.page.fill("#site-search", "9100001")
    page.page.click("header form[role=search] button")
    page.page.wait_for_url("**/search?q=9100001")
    page.shot("search-imo")
    page.page.click("ul.results a:has-text('TEST TANKER ONE')")
    page.page.wait_for_url("**/vessels/775000001")
    assert int(page.wait_loaded()) == 600
    page.page.wait_for_selector("#speed-chart[data-points-drawn]")
    assert page.page.get_attribute("#draught-chart", "data-points-drawn") == "2"
    assert "SIMULATED" in page.page.locator("h1").inner_text()
    assert "VENEZUELA-EO13850" in page.page.locator("#sanctions-heading + ul").inner_text()
    slider = page.page.locator("#time-slider")
    slider.fill("500")
    assert page.page.locator("#time-label").inner_text().startswith("2024-03-0")
    page.shot("dossier")
    page.page.click("a:has-text('Apparent encounter')")
    page.page.wait_for_url("**/events/*")
    assert page.wait_loaded() == "2"  # both vessels' tracks
    assert int(str(page.page.get_attribute("#map", "data-evidence"))) >= 2
    assert "encounter-fixture" in page.page.locator("dl.facts").inner_text()
    page.shot("event-evidence")
    page.close()


def test_person_page_and_company_graph(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = Page(browser, server)
    page.goto("/people")
    page.page.click("a:has-text('Ivan')")
    page.page.wait_for_url("**/people/test-person")
    assert "Test Attaché" in page.page.locator("ol.timeline").inner_text()
    assert page.page.locator("h1").inner_text() == "Ivan <b>Testov</b>"  # shown as text, not markup
    page.shot("person")
    page.goto("/entities/test-shipping-co")
    assert int(page.wait_loaded("#graph")) == 3
    assert "owns" in page.page.locator("#graph-list").inner_text()
    page.shot("company-graph")
    page.close()


def test_editor_draft_review_publish_and_correction_queue(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    public = Page(browser, server)
    public.goto("/people/test-person")
    public.page.fill("#corr-message", "Browser test: the post began in 2018.")
    public.page.click("#correction button[type=submit]")
    assert "editors" in public.page.locator(".flash").inner_text()
    public.shot("correction-sent")

    editor = Page(browser, server)
    editor.goto("/editor")
    editor.page.wait_for_url("**/editor/login")
    editor.page.fill("#username", EDITOR[0])
    editor.page.fill("#password", EDITOR[1])
    editor.page.click("main form button[type=submit]")
    editor.page.wait_for_url("**/editor")
    editor.page.click("a:has-text('Drafts')")
    editor.page.select_option("#entity_schema", "Person")
    editor.page.fill("#name", "Pavel Browsertest")
    editor.page.fill("#extra", "nationality: ru")
    editor.page.fill("#source_url", "https://example.org/browser")
    editor.page.fill("#source_title", "Browser source")
    editor.page.click("main form[action='/editor/drafts'] button")
    row = editor.page.locator("tr:has-text('Pavel Browsertest')")
    row.locator("button:has-text('Submit for review')").click()
    reviewer = Page(browser, server)  # an entry naming a person is published by a second editor
    reviewer.goto("/editor/login")
    reviewer.page.fill("#username", REVIEWER[0])
    reviewer.page.fill("#password", REVIEWER[1])
    reviewer.page.click("main form button[type=submit]")
    reviewer.page.wait_for_url("**/editor")
    reviewer.page.goto(server + "/editor/review")
    reviewer.shot("editor-review")
    reviewer.page.click("button:has-text('Publish Pavel Browsertest')")
    assert "published" in reviewer.page.locator(".flash").inner_text()
    reviewer.close()
    editor.page.goto(server + "/editor/corrections")
    assert "Browser test: the post began in 2018." in editor.page.locator("td.message").all_inner_texts()
    editor.shot("editor-corrections")
    editor.close()

    public.goto("/search?q=Browsertest")
    public.page.click("a:has-text('Pavel Browsertest')")
    assert public.page.locator("h1").inner_text() == "Pavel Browsertest"
    public.close()


def test_event_map_reads_spoofing_evidence_objects(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    import httpx

    event_id = httpx.get(server + "/api/v1/events", params={"kind": "encounter"}).json()["items"][0][
        "event_id"
    ]
    page = Page(browser, server)
    page.goto(f"/events/{event_id}")
    page.wait_loaded()
    drawn = page.page.evaluate(
        """() => {
          const jump = {pattern: 'jump', implied_speed_kn: 900, positions: [
            {ts: '2024-03-01T10:00:00Z', lat: 10.5, lon: -64.2},
            {ts: '2024-03-01T10:10:00Z', lat: 12.5, lon: -60.2}]};
          const shared = {track_0_positions: [{ts: '2024-03-01T10:00:00Z', lat: 10.5, lon: -64.2}]};
          const kinds = (v) => window.shadowfleetEvidence.features(v, 'evidence', []).map(f => f.geometry.type);
          return [kinds(jump), kinds(shared), kinds({track: [['2024-03-01T02:00:00Z', 10.3, -64.7]]})];
        }"""
    )
    assert drawn == [["LineString", "Point"], ["Point"], ["Point"]]
    page.close()
