"""A real browser (Debian chromium, air-gapped) sends tips in two languages without JavaScript;
an analyst then finds them in the review queue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser import PageWatch, open_page
from public_support import PASSWORD, build_store, public_config, real_geoparser
from webapp_support import live_server

from geoleads.intake import Intake
from geoleads.web import create_app

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::ResourceWarning")]


def luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def no_js_page(browser: Any, url: str) -> tuple[Any, Any]:
    viewport = {"width": 1100, "height": 900}
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    watch = PageWatch()
    watch.attach(page)
    page.goto(url)
    return page, watch


def test_tips_in_two_languages_reach_the_review_queue(browser: Any, tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    app = create_app(
        public_config(
            tmp_path, url, images, PUBLIC_GEOPARSER=real_geoparser(), PUBLIC_INTAKE_AUTOSTART=True
        )
    )
    with live_server(app) as base:
        # French, keyboard only, no JavaScript
        page, watch = no_js_page(browser, base + "/public/?lang=fr")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert "Aidez-nous" in page.locator("h1").inner_text()
        page.get_by_role("link", name="Green herbal shampoo bottle").click()
        page.get_by_label(re.compile("^Votre indice")).fill("Je l’ai acheté à Gand, en Belgique.")
        page.get_by_label("Pays", exact=True).select_option("BE")
        page.get_by_label("Ville ou village").fill("Gent")
        page.get_by_role("button", name="Envoyer l’indice").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Merci"
        assert page.context.cookies() == []
        watch.assert_clean()
        page.context.close()

        # Polish, chosen with the language switcher
        page, watch = no_js_page(browser, base + "/public/objects/OBJ-PUB-B")
        with page.expect_navigation():
            page.get_by_role("navigation").get_by_role("link", name="Polski").click()
        assert page.locator("html").get_attribute("lang") == "pl"
        tip = "Mieliśmy taką tapetę w mieszkaniu w Krakowie."
        page.get_by_label(re.compile("^Twoja wskazówka")).fill(tip)
        page.get_by_label("Język wskazówki (opcjonalnie)").select_option("pl")
        with page.expect_navigation():
            page.get_by_role("button", name="Wyślij wskazówkę").click()
        assert page.locator("h1").inner_text() == "Dziękujemy"
        watch.assert_clean()
        page.context.close()

        intake: Intake = app.extensions["geoleads_public"].intake
        assert intake.wait_idle(60)

        # the analyst's review queue
        page, watch = open_page(browser, base + "/login")
        page.get_by_label("User name").fill("anna")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("log in", re.I)).click()
        page.goto(base + "/review")
        body = page.locator("main").inner_text()
        assert "Je l’ai acheté à Gand" in body and "Where: Gent, Belgium" in body
        assert "Mieliśmy taką tapetę" in body
        marked = page.locator("main mark").all_inner_texts()
        assert any("Krakowie" in m for m in marked), marked
        watch.assert_clean()
        page.context.close()
        intake.stop()


def test_keyboard_order_and_contrast(browser: Any, tmp_path: Path) -> None:
    url, images = build_store(tmp_path)
    app = create_app(public_config(tmp_path, url, images))
    with live_server(app) as base:
        page, watch = open_page(browser, base + "/public/objects/OBJ-PUB-A?lang=de")
        order = []
        for _ in range(20):
            page.keyboard.press("Tab")
            active = "document.activeElement.id || document.activeElement.tagName"
            order.append(page.evaluate(active))
        assert order[0] == "A"  # the skip link first
        fields = [f for f in order if f in ("text", "country", "town", "language", "website")]
        assert fields[:4] == ["text", "country", "town", "language"]
        assert "website" not in order  # the honeypot is never reached
        assert "BUTTON" in order
        pairs = page.evaluate(
            """() => {
              const bg = getComputedStyle(document.body).backgroundColor;
              const pick = (sel) => getComputedStyle(document.querySelector(sel));
              const b = pick('button[type=submit]');
              return [[getComputedStyle(document.body).color, bg],
                      [pick('a').color, bg], [pick('.hint').color, bg],
                      [pick('.privacy').color, bg], [b.color, b.backgroundColor],
                      [pick('footer.site').color, pick('footer.site').backgroundColor]];
            }"""
        )
        ratios = [contrast(fg, bg) for fg, bg in pairs]
        assert min(ratios) >= 4.5, list(zip(pairs, ratios, strict=True))
        watch.assert_clean()
        page.context.close()
