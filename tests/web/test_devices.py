"""The account page names signed-in devices as people do, not by their user-agent strings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import factories
from agora.core.uow import UnitOfWork
from agora.web.devices import device_name
from factories import HTML, PASSWORD, csrf_of

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1",
            "Chrome on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; V2154A) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.47",
            "WeChat on Android",
        ),
        ("python-httpx/0.28.1", "python-httpx"),
        ("curl/8.5.0", "curl"),
        ("testclient", "Unknown device"),
        ("", "Unknown device"),
        (None, "Unknown device"),
    ],
)
def test_device_names(user_agent: str | None, name: str) -> None:
    assert device_name(user_agent) == name


def test_the_account_page_names_the_sessions_device(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow)
    signed = client.post(
        "/signin",
        data={
            "identifier": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_of(client),
            "next": "/",
        },
        headers={**HTML, "User-Agent": SAFARI_IPHONE},
        follow_redirects=False,
    )
    assert signed.status_code == 303

    page = client.get("/account", headers={**HTML, "User-Agent": SAFARI_IPHONE})

    assert page.status_code == 200
    assert ">Safari on iPhone" in page.text
    assert SAFARI_IPHONE not in page.text  # a device's own words are not a shopper's to read


def test_device_names_in_chinese() -> None:
    from agora.core.i18n import reset_locale, set_locale

    token = set_locale("zh")
    try:
        assert device_name(CHROME_LINUX) == "Linux 上的 Chrome"
        assert device_name(None) == "未知设备"
    finally:
        reset_locale(token)
