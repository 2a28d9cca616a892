"""Browser fixtures: the app served on a free local port and Debian's Chromium driven by Playwright.

The browser is the system's Chromium package, never one downloaded by `playwright install`.
Every test gets a fresh browser context (no cookies carried over) whose Accept-Language asks
for Indonesian, the app's default. A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from kotaku_collab.database import sqlite_begin_mode
from tests.conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: Playwright waits this long (ms) for an element before failing; generous for slow CI machines.
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_app(app, make_app):
    """The app as a browser meets it: same test database as `app`, but with CSRF protection on,
    so the real forms (login, language, logout) prove they carry their tokens."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app from a background thread on 127.0.0.1 and a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(autouse=True)
def _reads_do_not_lock_sqlite(db):
    """The test thread reads with deferred transactions: an IMMEDIATE one left open by a read
    (e.g. touching an attribute expired by commit) would hold SQLite's write lock and make the
    server's next write wait for the busy timeout. Commit before driving the browser all the same."""
    token = sqlite_begin_mode.set("DEFERRED")
    yield
    sqlite_begin_mode.reset(token)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_context_args():
    """Override in a test module (or with indirect parametrisation) for e.g. a phone viewport."""
    return {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(request, browser, live_server, db, browser_context_args):
    """A new page in a fresh context; its requests are recorded in `page.requested_urls`."""
    context = browser.new_context(base_url=live_server, locale="id-ID", **browser_context_args)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    requested_urls: list[str] = []
    page.on("request", lambda req: requested_urls.append(req.url))
    page.requested_urls = requested_urls
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def foreign_hosts(urls: list[str]) -> set[str]:
    """Hosts other than the local test server among `urls` (data: and blob: URLs are local)."""
    hosts = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.hostname != "127.0.0.1":
            hosts.add(parts.hostname or url)
    return hosts


def log_in(page, email: str, password: str) -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/home")


def log_out(page) -> None:
    page.locator("form[action$='/logout'] button[type=submit]").click()
    page.wait_for_url("**/login")
