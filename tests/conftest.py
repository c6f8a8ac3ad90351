"""Shared fixtures: the real gazetteer (built once by ``make gazetteer``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 (fixtures)

from geoleads.gazetteer import Gazetteer, get_gazetteer

TESTS = Path(__file__).parent
DATA = TESTS / "data"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The full offline gazetteer, loaded once per test session."""
    return get_gazetteer()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian chromium via Playwright, air-gapped (see tests/browser.py). Mark tests ``browser``.

    A missing chromium FAILS the tests (they must run in CI); skip them on purpose
    with ``GEOLEADS_SKIP_BROWSER=1``.
    """
    import os

    from browser import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason

    if os.environ.get("GEOLEADS_SKIP_BROWSER") == "1":
        pytest.skip("GEOLEADS_SKIP_BROWSER=1")
    reason = chromium_missing_reason()
    if reason:
        pytest.fail(f"browser tests cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web tests' store: real geoparsed tips and three users (built once per session)."""
    from webapp_support import template_db

    return template_db(tmp_path_factory.mktemp("webdb"))


@pytest.fixture()
def app(template: Path, tmp_path: Path) -> Flask:
    """A fresh investigators' app over a copy of ``template`` (tests may write freely)."""
    from webapp_support import make_app

    return make_app(template, tmp_path)
