"""Browser tests: a real ``agora serve`` process on a fresh demo database, driven by Chromium.

They need Debian's ``chromium`` (``/usr/bin/chromium``); without it they skip with that reason,
except when ``AGORA_E2E_REQUIRED=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

from agora.bench.server import start_server

CHROMIUM = os.environ.get("AGORA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("AGORA_E2E_REQUIRED") == "1"
# A person's browser: headless Chromium names itself "HeadlessChrome", which share links rightly
# do not count as a visit (scrapers and link previews run headless).
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if REQUIRED:
        pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
    pytest.skip("browser tests need Chromium: apt-get install chromium")


@pytest.fixture(scope="session")
def server_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite database the server runs on. A test may open it to do what the server would
    do later on its real clock — run the deadlines due a day from now under ``clock`` travel."""
    _chromium_or_skip()
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'agora.db'}"


def _serve_demo(database_url: str) -> Iterator[str]:
    """Migrate, load the demo and serve it; yields the base URL, then stops the server."""
    folder = Path(database_url.removeprefix("sqlite:///")).parent
    env = {**os.environ, "AGORA_DATABASE_URL": database_url}
    env.pop("AGORA_REDIS_URL", None)
    agora = [sys.executable, "-m", "agora.cli"]
    subprocess.run([*agora, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*agora, "demo"], env=env, check=True, capture_output=True)
    try:
        process = start_server(database_url, folder / "server.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield process.base_url
    process.stop()


@pytest.fixture(scope="session")
def server(server_database_url: str) -> Iterator[str]:
    """The demo served for the whole run; the journeys share it and leave their records in it."""
    yield from _serve_demo(server_database_url)


@pytest.fixture(scope="module")
def first_run_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo of its own, as `make run` first shows it: what a test sees does not depend on
    which journeys ran before it in the same run (their disputes, shipments, orders)."""
    _chromium_or_skip()
    yield from _serve_demo(f"sqlite:///{tmp_path_factory.mktemp('first-run') / 'agora.db'}")


# Per module, not per session: Playwright's sync API keeps an event loop running on the main
# thread while it is open, and a test elsewhere that calls asyncio.run() after a browser module
# (any order under parallel workers) would find that loop still running.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = _chromium_or_skip()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=server, locale="en-US", user_agent=USER_AGENT)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def fresh_page(browser: object, server: str) -> Iterator[Callable[[], Page]]:
    """Pages in fresh browser contexts (another person at another computer), closed afterwards."""
    from playwright.sync_api import Browser, BrowserContext

    assert isinstance(browser, Browser)
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(base_url=server, locale="en-US", user_agent=USER_AGENT)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
