"""The office desk in a real browser (headless Debian Chromium driven by selenium): what a person
sees, screenshots kept as artefacts, and axe-core's WCAG 2.1 AA rules with zero violations.

The city of ``tests/assessment/world_builder.build_year`` is built in process; its assessment
app is served over HTTP on loopback for the browser. Without Chromium and ChromeDriver (Debian's
``chromium`` and ``chromium-driver``, which ``make install-browser`` and CI install) the module is
skipped, saying so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from shared.settings import Settings
from tests.assessment.world_builder import AS_OF, City, build_year, city
from tests.e2e.processes import free_port
from tests.support import BACKENDS, auth, drop_schemas, make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
ARTEFACTS = Path(os.environ.get("OPENNESS_TEST_ARTEFACTS", Path(__file__).parents[2] / "test-artefacts")) / "browser"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no Chromium/ChromeDriver here: `make install-browser` (Debian: apt-get install chromium chromium-driver)",
)


class Served:
    """The assessment app of a built city, on a loopback port for the browser."""

    def __init__(self, c: City) -> None:
        self.city = c
        self.port = free_port()
        config = uvicorn.Config(c.assessment.app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the desk did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/assessment/desk{path}"


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings: Settings = make_settings(str(request.param), tmp_path_factory.mktemp("desk"))
    try:
        with city(settings) as c:
            build_year(c)
            with Served(c) as running:
                yield running
    finally:
        drop_schemas(settings)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _screenshot(driver: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(800, int(height)), 6000))
    assert driver.save_screenshot(str(ARTEFACTS / f"{name}.png"))


def _axe(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A and AA on the page shown (each with the nodes at fault)."""
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "the vendored axe-core changed"
    driver.execute_script(source.decode("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})), passes: r.passes.length}))"
        ".catch(e => done({error: String(e)}));",
        WCAG_21_AA,
    )
    assert "error" not in result, result
    assert result["passes"] > 10  # axe really ran its rules on this page
    return list(result["violations"])


def _click_and_load(driver: Any, element: Any) -> None:
    """Click what navigates (a link, a form's button) and wait until the next page has loaded."""
    _navigate(driver, element.click)


def _navigate(driver: Any, go: Callable[[], object]) -> None:
    """Do what leaves the page shown (``go``) and wait until the next page has loaded.

    The old page is marked in its window object; the next page has no mark. (Waiting for the old
    ``<html>`` element to go stale asks Chrome about a node mid-navigation, which Chrome sometimes
    answers with an inspector error instead of "stale", so any driver error while the page changes
    only means "not yet".)
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    driver.execute_script("window.__opennessLeaving = true;")
    go()
    WebDriverWait(driver, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.__opennessLeaving === undefined && document.readyState === 'complete';"
        )
    )


def _cells(driver: Any, css: str, attribute: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [element.get_attribute(attribute) for element in driver.find_elements(By.CSS_SELECTOR, css)]


def test_the_league_shows_the_api_order_and_passes_axe(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    api = served.city.assessment.get("/assessment/v1/scores", params={"year": 2026}).json()["items"]
    browser.get(served.url("/?year=2026"))
    assert browser.title == "2026年考核排名 · 政务公开考核"
    assert _cells(browser, "table.league tbody tr", "data-department") == [e["department"] for e in api]
    first = browser.find_element(By.CSS_SELECTOR, "table.league tbody tr")
    assert first.find_element(By.CSS_SELECTOR, "td[data-field='score']").text == str(api[0]["score"])
    assert browser.find_element(By.CSS_SELECTOR, "svg[role='img']").is_displayed()
    _screenshot(browser, "league")
    assert _axe(browser) == []


def test_the_as_of_picker_judges_at_that_instant(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url("/?year=2026"))
    # Set the picker and submit its form in one step inside the page (typing into datetime-local
    # varies by locale, and a click could land on a node the page just replaced).
    _navigate(
        browser,
        lambda: browser.execute_script(
            "const picker = document.getElementById('as_of'); picker.value = '2026-04-01T00:00'; picker.form.submit();"
        ),
    )
    assert "as_of=2026-04-01T00%3A00" in browser.current_url
    api = served.city.assessment.get(
        "/assessment/v1/scores", params={"year": 2026, "as_of": "2026-04-01T00:00:00+08:00"}
    ).json()["items"]
    shown = {
        row.get_attribute("data-department"): row.find_element(By.CSS_SELECTOR, "td[data-field='score']").text
        for row in browser.find_elements(By.CSS_SELECTOR, "table.league tbody tr")
    }
    assert "2026-04-01 00:00:00" in browser.find_element(By.CSS_SELECTOR, "p.moment").text, browser.current_url
    assert shown == {e["department"]: str(e["score"]) for e in api}


def test_a_department_shows_each_violation_and_passes_axe(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url("/?year=2026"))
    _click_and_load(browser, browser.find_element(By.LINK_TEXT, "市财政局"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "市财政局 2026年考核明细"
    api = served.city.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026}).json()
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.violation")
    expected = [(v["kind"], v["ref_id"]) for i in api["indicators"].values() for v in i["violations"]]
    assert [(r.get_attribute("data-kind"), r.get_attribute("data-ref")) for r in rows] == expected
    texts = [r.text for r in rows]
    assert any("逾期未公开" in t for t in texts)
    assert any("未在24小时内召开新闻发布会" in t for t in texts)
    assert all(r.find_element(By.TAG_NAME, "a").get_attribute("href").startswith("http") for r in rows)
    assert browser.find_element(By.CSS_SELECTOR, "dd[data-field='score']").text == str(api["score"])
    _screenshot(browser, "department-FIN")
    assert _axe(browser) == []


def test_the_trend_of_the_built_year_and_axe(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url("/trend?year=2026"))
    months = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "table.trend thead time")]
    assert months == [f"{m}月" for m in range(1, 12)]  # the city's clock stands at AS_OF, 26 November
    fin = _cells(browser, "tr[data-department='FIN'] td", "data-value")
    march = served.city.assessment.get(
        "/assessment/v1/scores/FIN", params={"year": 2026, "as_of": "2026-03-31T23:59:59.999999+08:00"}
    ).json()["score"]
    november = served.city.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": AS_OF}).json()
    assert float(fin[2]) == march
    assert float(fin[10]) == november["score"]
    assert len(set(fin)) > 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg[role='img'] polyline")) >= 2
    _screenshot(browser, "trend")
    assert _axe(browser) == []


def test_todo_asks_for_a_token_then_lists_what_is_overdue(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(served.url("/todo?year=2026"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "登录待办"
    assert _axe(browser) == []
    token = auth(served.city.settings, "office")["Authorization"].split(" ", 1)[1]
    browser.find_element(By.ID, "token").send_keys(token)
    _click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.sign-in button"))
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("待办")
    overdue = _cells(browser, "table.overdue tbody tr", "data-kind")
    assert "unpublished_past_due" in overdue
    assert "reply_unpublished_past_due" in overdue
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.proposals tbody tr")) == len(
        served.city.assessment.get(
            "/assessment/v1/proposed-actions", params={"year": 2026}, headers=auth(served.city.settings, "office")
        ).json()["items"]
    )
    _screenshot(browser, "todo")
    assert _axe(browser) == []
    _click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.signout button"))
    browser.get(served.url("/todo"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "登录待办"
