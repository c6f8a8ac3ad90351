"""Lead maps, rendered to HTML without a browser: offline assets, escaping, size, CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import pytest
from click.testing import CliRunner
from folium.plugins import MiniMap
from mapdata import HOSTILE, krakow_result, narrowed_krakow

from geoleads.cli import cli
from geoleads.errors import MapError
from geoleads.gazetteer import Gazetteer
from geoleads.maps import VENDOR_DIR, VENDOR_FILES, lead_map, overview_map, render_html, save_map
from geoleads.maps.features import coarsen_cells, excerpt

SRC = re.compile(r"<(?:script\b[^>]*\bsrc|link rel=\"stylesheet\"[^>]*\bhref)=\"([^\"]+)\"")


@pytest.fixture(scope="module")
def result(gazetteer: Gazetteer) -> Any:
    return narrowed_krakow(gazetteer, n_tips=10)


def test_vendored_files_exist_with_licences() -> None:
    for rel in VENDOR_FILES:
        assert (VENDOR_DIR / rel).is_file(), rel
        assert (VENDOR_DIR / rel).parent.joinpath("LICENSE").is_file(), rel
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for rel in VENDOR_FILES:
        assert rel.split("/")[0] in readme


def test_web_page_links_only_our_static_files(result: Any) -> None:
    html = render_html(lead_map(result), static_url="/static/vendor")
    links = SRC.findall(html)
    assert links, "the page links its assets"
    for link in links:
        assert link.startswith("/static/vendor/"), link
        assert (VENDOR_DIR / link.removeprefix("/static/vendor/")).is_file(), link
    assert "cdn" not in html.lower()
    assert "jquery" not in html.lower()


def test_standalone_page_inlines_everything(result: Any, tmp_path: Path) -> None:
    path = save_map(lead_map(result, standalone=True), tmp_path / "m.html")
    html = path.read_text(encoding="utf-8")
    assert SRC.findall(html) == []
    assert "Leaflet 1.9.4" in html  # leaflet.js inlined
    assert "url(data:image/png;base64," in html  # leaflet.css images inlined
    assert not re.search(r"url\((['\"]?)images/", html)
    # the same map object can be saved again for the web app
    web = render_html(lead_map(result), standalone=False)
    assert SRC.findall(web)


def test_a_cdn_asset_is_refused(result: Any) -> None:
    m = lead_map(result)
    MiniMap().add_to(m)  # folium plugin that pulls its JS from a CDN
    with pytest.raises(MapError, match="outside"):
        render_html(m)


def test_plain_folium_map_cannot_be_saved_offline(tmp_path: Path) -> None:
    with pytest.raises(MapError):
        save_map(folium.Map(tiles=None), tmp_path / "x.html", standalone=True)


def test_hostile_tip_text_never_reaches_the_page_as_html(result: Any) -> None:
    html = render_html(lead_map(result, standalone=True))
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert "OBJ-<b>1</b>" not in html  # the object id is data too
    # ...but the text is there, as escaped JSON, for the popup to show
    assert "\\u003cscript\\u003ewindow.__pwned = 1" in html


def test_title_verdict_and_layers(result: Any) -> None:
    html = render_html(lead_map(result, standalone=True))
    for layer in (
        "Probability surface (H3 cells)",
        "Heat map",
        "Share by country",
        "Share by region (admin1)",
        "Credible regions (50 %, 80 %)",
        "Top localities",
    ):
        assert layer in html, layer
    verdict = result.summary["verdict"]
    assert verdict["level"] != "none"
    assert f"Verdict: {verdict['name']} (" in html
    assert "L.control.scale()" in html


def test_overview_has_one_region_per_converging_object(gazetteer: Gazetteer) -> None:
    a = krakow_result(gazetteer)
    b = krakow_result(gazetteer)
    b.object_id = "OBJ-2"
    b.summary = {**b.summary, "verdict": {"level": "country", "code": "BE", "name": "Belgium"}}
    c = krakow_result(gazetteer)
    c.object_id = "OBJ-none"
    c.summary = {**c.summary, "verdict": {"level": "none", "code": None, "name": None}}
    html = render_html(overview_map([a, b, c], standalone=True))
    assert html.count('"Object OBJ-2"') == 2  # its region and its peak
    assert "No convergence: OBJ-none" in html
    assert "OBJ-\\u003cb\\u003e1\\u003c/b\\u003e: Małopolskie" in html


def test_cells_are_merged_to_stay_bounded() -> None:
    import h3

    cells = h3.grid_disk(h3.latlng_to_cell(50.06, 19.94, 6), 30)  # 2791 cells
    surface = pd.DataFrame({"h3": list(cells), "share": 1.0 / len(cells)})
    merged = coarsen_cells(surface, 500)
    assert len(merged) <= 500
    assert merged["share"].sum() == pytest.approx(1.0)
    assert h3.get_resolution(merged["h3"].iloc[0]) < 6
    assert len(coarsen_cells(surface, 5000)) == len(cells)


def test_excerpt_is_a_window_around_the_mention() -> None:
    text = "a" * 300 + " bought in Kraków last year " + "b" * 300
    out = excerpt(text, "Kraków")
    assert "Kraków" in out and out.startswith("…") and out.endswith("…")
    assert len(out) < 200
    assert excerpt("short Kraków", "Kraków") == "short Kraków"


def test_map_size_does_not_grow_with_tips(gazetteer: Gazetteer) -> None:
    small = render_html(lead_map(narrowed_krakow(gazetteer, n_tips=5)), static_url="/s")
    big = render_html(lead_map(narrowed_krakow(gazetteer, n_tips=2000)), static_url="/s")
    assert len(big) < len(small) * 1.2


def test_tiles_are_optional(result: Any) -> None:
    html = render_html(lead_map(result, tiles="http://tiles.internal/{z}/{x}/{y}.png"))
    assert "tiles.internal" in html
    assert "tiles.internal" not in render_html(lead_map(result, tiles=""))


# --- CLI ---------------------------------------------------------------------------
TIPS_CSV = f"""tip_id,object_id,text,received_at
T1,OBJ-1,Widziałem ten szampon w Krakowie,2024-01-01T10:00:00
T2,OBJ-1,"Krakau! {HOSTILE.replace('"', '""')}",2024-01-02T10:00:00
T3,OBJ-1,Sold in Wieliczka near the salt mine,2024-01-03T10:00:00
T4,OBJ-2,Vendu uniquement en Belgique,2024-01-05T10:00:00
T5,OBJ-2,"Liège, 2019",2024-01-05T10:00:00
"""


@pytest.fixture(scope="module")
def tips_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tips") / "tips.csv"
    path.write_text(TIPS_CSV, encoding="utf-8")
    return path


def test_cli_writes_a_standalone_map(tips_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps" / "OBJ-1.html"
    res = CliRunner().invoke(
        cli, ["map", "OBJ-1", "--tips", str(tips_file), "-o", str(out), "--standalone", "-q"]
    )
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert SRC.findall(html) == []
    assert "Object OBJ-1" in html


def test_cli_page_with_vendor_folder_and_overview(tips_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "overview.html"
    res = CliRunner().invoke(cli, ["map", "--all", "--tips", str(tips_file), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    links = SRC.findall(out.read_text(encoding="utf-8"))
    assert links and all((tmp_path / link).is_file() for link in links)


def test_cli_unknown_object_and_bad_usage(tips_file: Path, tmp_path: Path) -> None:
    from geoleads.cli import main

    assert main(["map", "NOPE", "--tips", str(tips_file), "-o", str(tmp_path / "x.html")]) == 1
    assert not (tmp_path / "x.html").exists()
    res = CliRunner().invoke(cli, ["map", "--tips", str(tips_file), "-o", str(tmp_path / "y")])
    assert res.exit_code == 2


def test_object_without_places_still_gets_a_map() -> None:
    from datetime import UTC, datetime

    from geoleads.narrow import summarize_tips
    from geoleads.tips import Tip

    tips = [Tip("T1", "OBJ-X", "no idea, sorry", datetime(2024, 1, 1, tzinfo=UTC))]
    [empty] = summarize_tips(tips, mentions={"T1": []})
    html = render_html(lead_map(empty, standalone=True))
    assert "No convergence" in html
    assert "Probability surface (H3 cells)" not in html
    assert "No convergence: OBJ-X" in render_html(overview_map([empty], standalone=True))


# --- embedded map and first view ---------------------------------------------------
def test_embedded_map_folds_its_layer_list_and_legend(result: Any) -> None:
    embedded = render_html(lead_map(result, embedded=True), static_url="/static/vendor")
    full = render_html(lead_map(result), static_url="/static/vendor")
    assert '"collapsed": true' in embedded and '"collapsed": false' not in embedded
    assert '"collapsed": false' in full and '"collapsed": true' not in full
    assert "var compact = true" in embedded and "var compact = false" in full
    # the frame's page around it shows the counts: the embedded title is two lines
    assert "name a place" in full and "name a place" not in embedded
    assert f"Verdict: {result.summary['verdict']['name']} (" in embedded
    for html in (embedded, full):
        assert "fitBounds" in html and "paddingTopLeft" in html


def test_web_route_serves_the_embedded_map(result: Any) -> None:
    from flask import Flask

    from geoleads.web.leadmap import render_lead_map

    with Flask("maps-test").test_request_context():
        html = render_lead_map("OBJ-1", result, tiles=None)
    assert '"collapsed": true' in html and "var compact = true" in html
    assert all(link.startswith("/static/vendor/") for link in SRC.findall(html))


def _box(bounds: list[list[float]] | None) -> list[list[float]]:
    assert bounds is not None
    return bounds


def _cells(points: list[tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(points, columns=["lat", "lon", "share"])


def test_first_view_of_a_country_verdict_is_that_country(gazetteer: Gazetteer) -> None:
    """A dense far-off speck (one tip naming a Chinese town) is in the 50 % credible region
    of a Czech object; the first view still shows Czechia, not half the world."""
    import shapely

    from geoleads.maps.view import verdict_area, view_bounds

    summary = {
        "verdict": {"level": "country", "code": "CZ", "name": "Czechia"},
        "peak": {"lat": 50.08, "lon": 14.44},
        "localities": [{"name": "Luoyang", "lat": 34.68, "lon": 112.45, "share": 0.05}],
    }
    cz = [(49.2 + 0.2 * i, 13.0 + 0.5 * j, 0.7 / 25) for i in range(5) for j in range(5)]
    cells = _cells([*cz, (34.68, 112.45, 0.3)])
    region = shapely.union_all(
        [shapely.Point(lon, lat).buffer(0.05) for lat, lon, _ in cells.itertuples(index=False)]
    )
    area = verdict_area(summary, gazetteer)
    assert area is not None
    (south, west), (north, east) = _box(view_bounds(summary, cells, {50: region}, [], area))
    minx, miny, maxx, maxy = area.bounds
    assert miny <= south < north <= maxy and minx <= west < east <= maxx
    assert north - south > 1 and east - west > 4  # the whole country, not the peak alone
    # the credible region alone would not do: the speck holds more mass than any Czech part
    (_, _), (_, east) = _box(view_bounds(summary, cells, {50: region}, []))
    assert east > 100


def test_first_view_of_a_town_verdict_is_around_the_town(gazetteer: Gazetteer) -> None:
    import shapely

    from geoleads.maps.view import verdict_area, view_bounds

    krakow = gazetteer.by_geonameid(3094802)
    summary = {
        "verdict": {"level": "locality", "code": "3094802", "name": "Kraków"},
        "peak": {"lat": krakow.lat, "lon": krakow.lon},
        "localities": [],
    }
    cells = _cells([(krakow.lat, krakow.lon, 0.5), (50.3, 19.5, 0.1), (34.68, 112.45, 0.4)])
    region = shapely.union_all(
        [shapely.Point(lon, lat).buffer(0.1) for lat, lon, _ in cells.itertuples(index=False)]
    )
    area = verdict_area(summary, gazetteer, {50: region})
    (south, west), (north, east) = _box(view_bounds(summary, cells, {50: region}, [], area))
    assert 49.5 < south < north < 50.5 and 19 < west < east < 20.5


def test_first_view_without_convergence_covers_the_central_mass() -> None:
    from geoleads.maps.view import view_bounds

    summary = {"verdict": {"level": "none"}, "localities": []}
    cells = _cells([(50.0 + 0.1 * i, 20.0, 0.095) for i in range(10)] + [(-33.9, 151.2, 0.05)])
    (south, west), (north, east) = _box(view_bounds(summary, cells, {}, []))
    assert south >= 50.0 and north <= 51.0 and west == east == 20.0  # Sydney left out
    strong = {**summary, "localities": [{"lat": -33.9, "lon": 151.2, "share": 0.12}]}
    (south, _), (_, east) = _box(view_bounds(strong, cells, {}, []))
    assert (south, east) == (-33.9, 151.2)  # a locality with >= 10 % stays in view
    assert view_bounds(summary, _cells([]), {}, []) is None
