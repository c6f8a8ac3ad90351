"""Real-browser test support: Debian chromium driven by Playwright, cut off from the internet.

The ``browser`` fixture (tests/conftest.py) launches ``/usr/bin/chromium`` with
:data:`CHROMIUM_ARGS`: every host name but 127.0.0.1 resolves to nothing, as on an
air-gapped workstation. :func:`open_page` loads a URL in a fresh context and returns a
:class:`PageWatch` that recorded every request outside our own server/file, every
failed request, console error and uncaught page error::

    def test_page(browser, live_server):
        page, watch = open_page(browser, live_server + "/objects")
        watch.assert_clean()

A missing chromium fails the tests rather than skipping them (they must run in CI);
``GEOLEADS_SKIP_BROWSER=1`` skips them on purpose.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = os.environ.get("GEOLEADS_CHROMIUM", "/usr/bin/chromium")
#: Flags verified on this machine (shared/RECIPES.md) plus the air-gap resolver rule.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
#: Schemes and hosts a page may load from: the page itself, inline data, our test server.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome-error"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is not installed (make system-deps / .ci/install-system-deps)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def is_local(url: str) -> bool:
    """True for file:, data:, about: URLs and http(s) to 127.0.0.1/localhost."""
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.scheme in ("http", "https", "ws") and parsed.hostname in LOCAL_HOSTS


@dataclass
class PageWatch:
    """What a page did that a clean offline page must not do."""

    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def on_request(request: Any) -> None:
            self.requests.append(request.url)
            if not is_local(request.url):
                self.outside.append(request.url)

        def on_failed(request: Any) -> None:
            # A local request the page itself cancelled by navigating on (a frame still
            # loading when the next review reloads the page) is not a failure; a blocked
            # outside request is caught by ``outside`` and an error answer by ``on_response``.
            if request.failure == "net::ERR_ABORTED" and is_local(request.url):
                self.aborted.append(request.url)
                return
            self.failed.append(f"{request.url} ({request.failure})")

        def on_response(response: Any) -> None:
            if response.status >= 400:
                self.failed.append(f"{response.url} (HTTP {response.status})")

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                self.console_errors.append(msg.text)

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))

    def problems(self) -> list[str]:
        return (
            [f"outside request: {u}" for u in self.outside]
            + [f"failed request: {u}" for u in self.failed]
            + [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
        )

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


def open_page(
    browser: Any,
    url: str,
    *,
    viewport: tuple[int, int] = (1200, 800),
    wait_until: str = "load",
) -> tuple[Any, PageWatch]:
    """Open ``url`` in a fresh context; returns the page and its :class:`PageWatch`.

    The context is closed with the page (``page.context.close()``) by the caller or
    at the end of the session.
    """
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    watch = PageWatch()
    watch.attach(page)
    page.goto(url, wait_until=wait_until)
    return page, watch


def file_url(path: str | Path) -> str:
    """``file://`` URL of a local file."""
    return Path(path).resolve().as_uri()
