"""Size and render time of a lead map for an object with many tips (target: < 3 MB, < 3 s).

Builds one object with ``--tips`` tips (default 100,000) naming real GeoNames places
(60 % localities of Lesser Poland, 20 % of Germany, 10 % anywhere in Europe, 10 %
country-level clues), runs the real narrowing on precomputed mentions (the
geoparser is benchmarked elsewhere), draws the map both ways (the web app's page, which
is the compact map embedded in the object page, and the standalone file) and opens each
in air-gapped headless chromium, timing from navigation until the layers are drawn.
Also times a cold build of the admin1 shapes with ``--regions``.

Run: ``.venv/bin/python benchmarks/map_size.py [--tips 100000] [--runs 3] [--regions]``
Prints JSON; numbers are written down in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser helpers shared with the tests

TEMPLATES = (
    "We had this exact bottle in {p}",
    "Das gab es bei uns in {p}, ganz sicher",
    "Kupiłam to w miejscowości {p}",
    "J'ai vu ça à {p} chez ma grand-mère",
    "{p}! I grew up there and we had the same one in the bathroom for years",
)
EUROPE = ("AT", "BE", "CZ", "DK", "ES", "FR", "HU", "IT", "NL", "PT", "SE", "SK", "UA")


def make_object(n: int, seed: int = 1) -> tuple[list, dict]:
    """``n`` tips of one object with one mention each (real places, deterministic)."""
    from geoleads.gazetteer import get_gazetteer
    from geoleads.leads import Candidate, Mention
    from geoleads.tips import Tip

    gaz = get_gazetteer()
    rng = random.Random(seed)
    loc = gaz.localities()
    pools = {  # entity rows (the frame's index)
        "lesser": loc.index[loc["admin1"] == "PL.77"].to_numpy(),
        "de": loc.index[loc["country"] == "DE"].to_numpy(),
        "eu": loc.index[loc["country"].isin(EUROPE)].to_numpy(),
    }
    now = datetime(2024, 1, 1, tzinfo=UTC)
    tips, mentions = [], {}
    for i in range(n):
        r = rng.random()
        if r < 0.9:
            pool = pools["lesser" if r < 0.6 else "de" if r < 0.8 else "eu"]
            place = gaz.place(int(pool[rng.randrange(len(pool))]))
            level, name = "locality", place.name
        else:
            place = gaz.country(rng.choice(("PL", "DE", "CZ", "SK")))
            level, name = "country", place.name
        text = rng.choice(TEMPLATES).format(p=name)
        start = text.index(name)
        cand = Candidate(
            place.geonameid, place.name, level, place.country, place.admin1,
            place.lat, place.lon, 1.0,
        )  # fmt: skip
        tip = Tip(f"T{i}", "OBJ-BIG", text, now)
        tips.append(tip)
        kind = "place" if level == "locality" else "demonym"
        mentions[tip.tip_id] = [Mention(start, start + len(name), name, kind, (cand,))]
    return tips, mentions


def render_seconds(browser: Any, path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from navigation to drawn layers (markers and cell canvas present, one frame
    painted), measured outside the page; and the page's own ``domInteractive`` (parsing
    and running the map script). A fresh browser context per run, created before timing.
    """
    from browser import PageWatch, file_url

    walls, parsed = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        page = context.new_page()
        watch = PageWatch()
        watch.attach(page)
        start = time.perf_counter()
        page.goto(file_url(path), wait_until="commit")
        page.wait_for_selector(".leaflet-gl-points-pane path", state="attached", timeout=30_000)
        page.wait_for_selector(".leaflet-gl-cells-pane canvas", state="attached")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(1)))")
        walls.append(time.perf_counter() - start)
        nav = page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive")
        parsed.append(float(nav) / 1000)
        watch.assert_clean()
        context.close()
    return walls, parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regions", action="store_true", help="also time a cold admin1 build")
    args = parser.parse_args()

    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    from geoleads.maps import lead_map, save_map
    from geoleads.narrow import summarize_tips

    out: dict[str, object] = {"tips": args.tips}
    t = time.perf_counter()
    tips, mentions = make_object(args.tips)
    out["generate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    [result] = summarize_tips(tips, mentions=mentions)
    out["summarize_s"] = round(time.perf_counter() - t, 1)
    out["surface_cells"] = len(result.surface)
    out["leads_rows"] = len(result.leads)
    folder = Path(tempfile.mkdtemp(prefix="geoleads-bench-"))
    (folder / "static").mkdir()
    from geoleads.maps import VENDOR_DIR

    (folder / "vendor").symlink_to(VENDOR_DIR, target_is_directory=True)
    t = time.perf_counter()
    # the web app serves the map inside a frame of the object page: the embedded variant
    web = save_map(lead_map(result, static_url="vendor", embedded=True), folder / "web.html")
    out["web_build_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    alone = save_map(lead_map(result, standalone=True), folder / "standalone.html")
    out["standalone_build_s"] = round(time.perf_counter() - t, 2)
    out["web_html_mb"] = round(web.stat().st_size / 1e6, 3)
    out["standalone_mb"] = round(alone.stat().st_size / 1e6, 3)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name, path in (("web", web), ("standalone", alone)):
            walls, parsed = render_seconds(browser, path, args.runs)
            out[f"{name}_render_s_median"] = round(statistics.median(walls), 2)
            out[f"{name}_render_s_all"] = [round(x, 2) for x in walls]
            out[f"{name}_dom_interactive_s_median"] = round(statistics.median(parsed), 2)
        out["load_average_1min"] = round(os.getloadavg()[0], 1)
        browser.close()
    if args.regions:
        from geoleads.gazetteer import get_gazetteer
        from geoleads.regions import derive_admin1_shapes

        t = time.perf_counter()
        shapes = derive_admin1_shapes(get_gazetteer())
        out["admin1_cold_build_s"] = round(time.perf_counter() - t, 1)
        out["admin1_regions"] = len(shapes)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
