"""Browser tests: a real ``agora serve`` process on a fresh demo database, driven by Chromium.

They need Debian's ``chromium`` (``/usr/bin/chromium``); without it they skip with that reason,
except when ``AGORA_E2E_REQUIRED=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("AGORA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("AGORA_E2E_REQUIRED") == "1"


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if REQUIRED:
        pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
    pytest.skip("browser tests need Chromium: apt-get install chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate, load the demo and serve it; yields the base URL. Stopped at the end of the run."""
    _chromium_or_skip()
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "AGORA_DATABASE_URL": f"sqlite:///{folder / 'agora.db'}",
        "AGORA_REDIS_URL": "",
    }
    env.pop("AGORA_REDIS_URL")
    agora = [sys.executable, "-m", "agora.cli"]
    subprocess.run([*agora, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*agora, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [*agora, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("agora serve did not start: " + (folder / "server.log").read_text())
        time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
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
    context = browser.new_context(base_url=server, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
