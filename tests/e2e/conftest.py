"""Browser fixtures: the app served from a thread on a random port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    """Mark every test here as a browser test; skip them only outside CI when Chromium is missing."""
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists() and not os.environ.get("CI"):
                item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium fehlt (apt-get install chromium); "
                                                        "in CI laufen diese Tests immer"))


@pytest.fixture
def live_app(db, database_url):
    """Serve the app (with CSRF on, as in production) on 127.0.0.1 and a free port; yield (app, base URL)."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "e2e-secret", "TESTING": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions["kimflow"].db.engine.dispose()


@pytest.fixture
def scene(live_app, restore_template):
    """The district, the clerks and a benefit transfer waiting at the Sozialamt Neuss (a copy of the template
    the web tests share)."""
    from tests.web.conftest import seed_scene

    app, _base = live_app
    return restore_template("scene", seed_scene, app.extensions["kimflow"].db)


@pytest.fixture(scope="module")
def browser():
    """Yield Chromium for one test module (closed after it: other modules may start Playwright themselves)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1366,
                                                                                         "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
