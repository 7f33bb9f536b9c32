"""Browser tests: Playwright driving Debian's Chromium against a real server (run once, SQLite)."""

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.helpers import PHONE, Inspector, ServerView, new_phone
from tests.e2e.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def seeded_database(seeded_sqlite):
    """The demo, migrated and seeded once per run (tests/conftest.py); each `server` starts on
    a copy of it."""
    return seeded_sqlite


@pytest.fixture
def server(tmp_path, seeded_database):
    live = LiveServer(tmp_path).prepare(template=seeded_database).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh browser profile sized like the inspectors' 360×740 Android phones."""
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def inspector(browser, server):
    """The inspector's phone (tests/e2e/helpers.py), standing at Chợ Hôm with GPS on."""
    context = new_phone(browser)
    page = context.new_page()
    yield Inspector(page, server)
    context.close()


@pytest.fixture
def view(server):
    """What the server holds, through the API and its SQLite file."""
    return ServerView(server)
