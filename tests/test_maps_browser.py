"""Lead maps in a real, air-gapped chromium: layers drawn, no outside request, text escaped.

Screenshots go to /tmp/geoleads-screenshots/ for a human to look at.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import file_url, open_page
from mapdata import narrowed_krakow

from geoleads.gazetteer import Gazetteer
from geoleads.maps import VENDOR_DIR, lead_map, overview_map, save_map

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/geoleads-screenshots")


@pytest.fixture(scope="module")
def result(gazetteer: Gazetteer) -> Any:
    return narrowed_krakow(gazetteer, n_tips=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, result: Any) -> Iterator[str]:
    """A local web server (127.0.0.1) with the vendored assets under /static/vendor."""
    root = tmp_path_factory.mktemp("site")
    (root / "static").mkdir()
    (root / "static" / "vendor").symlink_to(VENDOR_DIR, target_is_directory=True)
    save_map(lead_map(result), root / "maps" / "obj.html", static_url="/static/vendor")
    (root / "maps" / "embedded.html").write_text(_embedded_page(result), encoding="utf-8")
    for name, style in (("frame", ""), ("hidden-frame", "display:none;")):
        (root / f"{name}.html").write_text(FRAME_PAGE.format(style=style), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


#: The object page's frame at a 1200x800 window (geoleads/web/templates/object.html).
FRAME_PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
</head><body style="margin:20px"><iframe id="map" sandbox="allow-scripts"
src="/maps/embedded.html" style="{style}width:653px;height:560px;border:0"></iframe>
</body></html>"""


def _embedded_page(result: Any) -> str:
    """The page the web app's map route serves (geoleads.web.leadmap), outside an app."""
    from flask import Flask

    from geoleads.web.leadmap import render_lead_map

    with Flask("maps-test").test_request_context():
        return render_lead_map(str(result.object_id), result, tiles=None)


def _boxes(frame: Any, selector: str) -> list[dict[str, float]]:
    return [b for b in (loc.bounding_box() for loc in frame.locator(selector).all()) if b]


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _markers_clear_of_controls(frame: Any) -> None:
    """Every top-locality circle lies inside the map and under no control box."""
    container = _boxes(frame, ".leaflet-container")[0]
    controls = _boxes(frame, ".leaflet-control")
    markers = _boxes(frame, ".leaflet-gl-points-pane path")
    assert markers
    for m in markers:
        assert (
            container["x"] <= m["x"] and m["x"] + m["width"] <= container["x"] + container["width"]
        ), (m, container)
        assert (
            container["y"] <= m["y"]
            and m["y"] + m["height"] <= container["y"] + container["height"]
        ), (m, container)
        covered = [c for c in controls if _overlap(m, c)]
        assert not covered, (m, covered)


def _wait_drawn(page: Any) -> None:
    page.wait_for_selector(".leaflet-gl-points-pane path", state="attached", timeout=10_000)


def _count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def _toggle(page: Any, layer: str) -> None:
    page.locator(".leaflet-control-layers label", has_text=layer).locator("input").click()


def _screenshot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_web_page_draws_every_layer_from_our_server(browser: Any, site: str, result: Any) -> None:
    page, watch = open_page(browser, site + "/maps/obj.html")
    try:
        _wait_drawn(page)
        assert _count(page, ".leaflet-gl-base-pane path") > 150  # country borders
        assert _count(page, ".leaflet-gl-cells-pane canvas") == 1  # H3 cells
        assert _count(page, ".leaflet-gl-outline-pane path") >= 2  # 50 % and 80 %
        localities = len([r for r in result.summary["localities"] if r["share"]][:12])
        assert _count(page, ".leaflet-gl-points-pane path") == localities
        assert _count(page, ".leaflet-gl-choro-pane path") >= 1  # admin1 shares, on by default
        assert _count(page, ".leaflet-control-scale") == 1
        assert page.locator(".gl-legend").is_visible()
        before = _count(page, ".leaflet-gl-choro-pane path")
        _toggle(page, "Share by country")
        assert _count(page, ".leaflet-gl-choro-pane path") > before
        _toggle(page, "Heat map")
        page.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached")
        _screenshot(page, "lead-web-all-layers.png")
        served = [u for u in watch.requests if "/static/vendor/" in u]
        assert len(served) == 3  # leaflet.js, leaflet.css, leaflet-heat.js
        watch.assert_clean()
    finally:
        page.context.close()


def test_embedded_map_is_compact_and_the_standalone_one_is_not(
    browser: Any, site: str, result: Any, tmp_path: Path
) -> None:
    """In the object page's frame the layer list is folded into its button and the legend
    shows one ramp; the standalone file lists the layers and the whole legend. Neither
    hides a top locality under a box."""
    page, watch = open_page(browser, site + "/frame.html")
    try:
        frame = page.frame_locator("#map")
        frame.locator(".leaflet-gl-points-pane path").first.wait_for(state="attached")
        control = frame.locator(".leaflet-control-layers")
        assert control.count() == 1
        assert "leaflet-control-layers-expanded" not in (control.get_attribute("class") or "")
        assert frame.locator(".leaflet-control-layers-toggle").is_visible()
        assert not frame.locator(".leaflet-control-layers-list").is_visible()
        legend = frame.locator(".gl-legend")
        assert "gl-compact" in (legend.get_attribute("class") or "")
        assert frame.locator(".gl-legend > h2").all_inner_texts() == [
            "Probability per cell, % of the strongest"
        ]
        assert not frame.locator(".gl-legend details").get_attribute("open")
        assert not frame.get_by_text("Credible regions", exact=True).is_visible()
        size = legend.bounding_box()
        assert size and size["height"] < 90 and size["width"] < 300, size
        _markers_clear_of_controls(frame)
        _screenshot(page, "lead-embedded.png")
        # the folded parts open on demand: hover the layer button, click "More"
        frame.locator(".leaflet-control-layers-toggle").hover(force=True)  # it then hides
        assert frame.locator(".leaflet-control-layers-list").is_visible()
        frame.locator(".gl-legend summary").click()
        assert frame.get_by_text("Credible regions", exact=True).is_visible()
        _screenshot(page, "lead-embedded-open.png")
        watch.assert_clean()
    finally:
        page.context.close()

    path = save_map(lead_map(result, standalone=True), tmp_path / "standalone.html")
    page, watch = open_page(browser, file_url(path))
    try:
        _wait_drawn(page)
        control = page.locator(".leaflet-control-layers")
        assert "leaflet-control-layers-expanded" in (control.get_attribute("class") or "")
        assert page.locator(".leaflet-control-layers-list").is_visible()
        assert page.locator(".gl-legend details").get_attribute("open") is not None
        assert page.get_by_text("Credible regions", exact=True).is_visible()
        _markers_clear_of_controls(page)
        watch.assert_clean()
    finally:
        page.context.close()


def test_a_frame_shown_late_still_opens_on_the_leads(browser: Any, site: str) -> None:
    """A map drawn while its frame is hidden has no size; it is fitted once shown, to the
    same view as a frame visible from the start."""
    layouts = []
    for name in ("frame", "hidden-frame"):
        page, watch = open_page(browser, f"{site}/{name}.html")
        try:
            frame = page.frame_locator("#map")
            frame.locator(".leaflet-gl-points-pane path").first.wait_for(state="attached")
            page.evaluate("document.getElementById('map').style.display = 'block'")
            page.wait_for_timeout(300)
            _markers_clear_of_controls(frame)
            origin = _boxes(frame, ".leaflet-container")[0]
            layouts.append(
                [
                    (round(m["x"] - origin["x"]), round(m["y"] - origin["y"]))
                    for m in _boxes(frame, ".leaflet-gl-points-pane path")
                ]
            )
            watch.assert_clean()
        finally:
            page.context.close()
    assert layouts[0] == layouts[1]


def test_hostile_tip_shows_as_text_in_the_popup(browser: Any, site: str) -> None:
    page, watch = open_page(browser, site + "/maps/obj.html")
    try:
        _wait_drawn(page)
        title = page.locator(".gl-title h1")
        assert title.inner_text() == "Object OBJ-<b>1</b>"
        assert _count(page, ".gl-title b") == 0
        # Kraków is the biggest circle, drawn last (on top)
        page.locator(".leaflet-gl-points-pane path").last.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "Kraków" in text
        assert "<script>window.__pwned = 1</script>" in text
        assert '<img src=x onerror="window.__pwned = 2">' in text
        assert _count(page, ".leaflet-popup-content img") == 0
        assert _count(page, ".leaflet-popup-content script") == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.wait_for_timeout(400)  # popup fade-in
        _screenshot(page, "lead-popup-hostile.png")
        watch.assert_clean()
    finally:
        page.context.close()


def test_standalone_file_opens_from_disk_without_any_request(
    browser: Any, result: Any, tmp_path: Path
) -> None:
    path = save_map(lead_map(result, standalone=True), tmp_path / "standalone.html")
    page, watch = open_page(browser, file_url(path))
    try:
        _wait_drawn(page)
        assert _count(page, ".leaflet-gl-base-pane path") > 150
        assert _count(page, ".leaflet-gl-cells-pane canvas") == 1
        assert _count(page, ".leaflet-gl-outline-pane path") >= 2
        _toggle(page, "Heat map")
        page.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached")
        _screenshot(page, "lead-standalone.png")
        others = [u for u in watch.requests if not u.startswith(("file://", "data:"))]
        assert others == []
        assert [u for u in watch.requests if u.startswith("file://")] == [file_url(path)]
        watch.assert_clean()
    finally:
        page.context.close()


def test_overview_standalone(browser: Any, result: Any, tmp_path: Path) -> None:
    path = save_map(overview_map([result], standalone=True), tmp_path / "overview.html")
    page, watch = open_page(browser, file_url(path))
    try:
        _wait_drawn(page)
        assert _count(page, ".leaflet-gl-choro-pane path") == 1  # one verdict region
        assert "OBJ-<b>1</b>" in page.locator(".gl-legend").inner_text()
        _screenshot(page, "overview-standalone.png")
        watch.assert_clean()
    finally:
        page.context.close()


def test_the_air_gap_is_real(browser: Any, tmp_path: Path) -> None:
    """The harness itself catches a page that reaches outside (the test can fail)."""
    page_file = tmp_path / "cdn.html"
    page_file.write_text(
        '<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js">'
        "</script></head><body>x</body></html>",
        encoding="utf-8",
    )
    page, watch = open_page(browser, file_url(page_file))
    try:
        assert watch.outside and watch.failed
        with pytest.raises(AssertionError):
            watch.assert_clean()
    finally:
        page.context.close()


DEMO_TIPS = Path(__file__).resolve().parent.parent / "data" / "demo" / "tips.csv"


@pytest.fixture(scope="module")
def demo_results(gazetteer: Gazetteer) -> list[Any]:
    """The real pipeline (tips -> geoparse -> narrowing) on the demo campaign."""
    from geoleads.narrow import summarize_tips
    from geoleads.tips import read_tips

    return summarize_tips(read_tips(DEMO_TIPS), gazetteer=gazetteer)


def test_demo_campaign_maps_render_cleanly(
    browser: Any, demo_results: list[Any], tmp_path: Path
) -> None:
    assert len(demo_results) >= 5
    pages = [(f"lead-{r.object_id}.png", lead_map(r, standalone=True)) for r in demo_results]
    pages.append(("overview-demo.png", overview_map(demo_results, standalone=True)))
    converged = [r for r in demo_results if r.summary["verdict"]["level"] != "none"]
    for shot, m in pages:
        path = save_map(m, tmp_path / shot.replace(".png", ".html"))
        page, watch = open_page(browser, file_url(path))
        try:
            page.wait_for_selector(".gl-title h1", state="attached", timeout=10_000)
            assert _count(page, ".leaflet-gl-base-pane path") > 150
            if shot.startswith("overview"):
                assert _count(page, ".leaflet-gl-choro-pane path") == len(converged)
            else:
                assert _count(page, ".leaflet-gl-cells-pane canvas") == 1
            page.wait_for_timeout(500)  # let the fitBounds zoom animation finish
            _screenshot(page, shot)
            watch.assert_clean()
        finally:
            page.context.close()
