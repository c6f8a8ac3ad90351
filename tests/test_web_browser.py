"""The web app in a real browser (Debian chromium, outside hosts unreachable).

An analyst logs in, opens an object, reviews tips with the keyboard and with a
batch action, and sees the ranking change; the lead map renders inside its
frame from our own static files; hostile tip text never runs; no request fails
or leaves 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import PageWatch
from webapp_support import PASSWORD, live_server, make_app, template_db

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::ResourceWarning")]

SHOTS = Path(os.environ.get("GEOLEADS_SCREENSHOTS", "var/screenshots"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("webbrowser")
    app = make_app(template_db(folder), folder, IMPORT_IN_THREAD=True)
    with live_server(app) as url:
        yield url


@pytest.fixture()
def page(browser: Any) -> Iterator[tuple[Any, PageWatch, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    watch = PageWatch()
    watch.attach(pg)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg, watch, dialogs
    context.close()


def shot(pg: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(pg: Any, base: str, user: str = "anna") -> None:
    pg.goto(base + "/objects")
    assert pg.url.startswith(base + "/login")
    pg.fill("#username", user)
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(base + "/objects")


def top_country(pg: Any) -> str:
    return str(pg.locator("#rank-countries tbody tr").first.locator("td").first.inner_text())


def test_review_in_the_browser_changes_the_ranking(
    server: str, page: tuple[Any, PageWatch, list[str]]
) -> None:
    pg, watch, dialogs = page
    pg.goto(server + "/login")
    shot(pg, "login")
    log_in(pg, server)
    shot(pg, "objects")
    pg.click("text=OBJ-WEB-A")
    pg.wait_for_url(server + "/objects/OBJ-WEB-A")
    assert top_country(pg).startswith("Poland")
    # the hostile tip is shown as text and its place is highlighted
    hostile = pg.locator("tr[data-tip='W-A08'] .tip-text")
    assert "<img src=x onerror=alert(1)>" in hostile.inner_text()
    assert hostile.locator("mark").inner_text() == "Kraków"
    # the lead map renders in its sandboxed frame from our own files
    frame = pg.frame_locator("iframe.map-frame")
    frame.locator(".leaflet-container").wait_for(timeout=15000)
    frame.locator(".leaflet-interactive").first.wait_for(state="attached", timeout=15000)
    shot(pg, "object")

    # keyboard: j moves to the first tip, c marks it credible (the form is submitted)
    first = pg.locator("tr.tip").first.get_attribute("data-tip")
    pg.locator("h1").click()
    pg.keyboard.press("j")
    with pg.expect_navigation():
        pg.keyboard.press("c")
    row = pg.locator(f"tr[data-tip='{first}']")
    assert row.locator(".badge").inner_text() == "credible"

    # batch: every Polish tip marked spam with checkboxes and one button
    for tip_id in ("W-A01", "W-A02", "W-A03", "W-A04", "W-A05", "W-A08", "W-A10"):
        pg.check(f"input[name=tip_id][value='{tip_id}']")
    with pg.expect_navigation():
        pg.click("button[name=status][value=spam]")
    assert "Marked 7 tip(s) spam" in pg.locator(".flash").inner_text()
    assert top_country(pg).startswith("Germany")
    shot(pg, "object-after-review")

    # the review queue and the audit log's view of it (analyst: no audit link)
    pg.click("text=Review queue")
    pg.wait_for_url(server + "/review")
    assert pg.locator("tr.tip").count() >= 1
    shot(pg, "queue")
    assert pg.locator("a:has-text('Audit log')").count() == 0

    assert dialogs == []  # nothing from any tip ever ran
    watch.assert_clean()


def test_import_page_and_admin_pages_are_clean(
    server: str, page: tuple[Any, PageWatch, list[str]], tmp_path: Path
) -> None:
    pg, watch, dialogs = page
    log_in(pg, server, "adam")
    pg.click("text=Import")
    bad = tmp_path / "bad.csv"
    bad.write_text("tip_id,object_id,text,received_at\nX1,OBJ-X,,2024-01-01\n", encoding="utf-8")
    pg.set_input_files("#file", str(bad))
    pg.click("button:has-text('Validate and import')")
    assert "text is empty" in pg.locator("#problems").inner_text()
    shot(pg, "import-report")
    good = tmp_path / "good.csv"
    good.write_text(
        "tip_id,object_id,text,received_at\nX1,OBJ-X,seen in Lyon,2024-01-01\n", encoding="utf-8"
    )
    pg.set_input_files("#file", str(good))
    pg.click("button:has-text('Validate and import')")
    pg.wait_for_selector("#job[data-status=done]", timeout=30000)
    shot(pg, "import-job")
    pg.click("text=Audit log")
    assert "import" in pg.locator("#audit").inner_text()
    shot(pg, "audit")
    pg.click("text=Users")
    assert "vera" in pg.locator("#users").inner_text()
    assert dialogs == []
    # the rejected upload is answered 400 on purpose (with its report); nothing else may fail
    rejected = f"{server}/import (HTTP 400)"
    assert watch.failed.count(rejected) == 1
    watch.failed.remove(rejected)
    watch.console_errors = [m for m in watch.console_errors if "status of 400" not in m]
    watch.assert_clean()
