"""A chat message shows the same time live and after a reload, in the reader's own zone.

Both people's browsers run in Europe/Berlin, the server's machine in UTC, and the reader chose
America/New_York on the account page: the time must be New York's in both views, which it could
not be if the browser's or the machine's zone were used. The writer chose none, so reads the
platform's zone (Asia/Shanghai).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import USER_AGENT
from e2e.steps import flash, sign_up

pytestmark = pytest.mark.e2e

BROWSER_ZONE = "Europe/Berlin"


@pytest.fixture
def berlin_page(browser: object, server: str) -> Iterator[Callable[[], Page]]:
    """Pages in fresh browser contexts whose own clock is in Berlin."""
    assert isinstance(browser, Browser)
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=server, locale="en-US", user_agent=USER_AGENT, timezone_id=BROWSER_ZONE
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def clock_in(zone: str, instant: datetime) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%H:%M}"


def message_time(page: Page, text: str) -> tuple[str, datetime]:
    """The shown time of the message with ``text``, and the instant of its <time datetime>,
    which must be UTC."""
    message = page.get_by_test_id("chat-message").filter(has_text=text)
    expect(message).to_have_count(1)
    time = message.locator("time")
    expect(time).to_have_text(re.compile(r"^\d\d:\d\d$"))
    instant = datetime.fromisoformat(time.get_attribute("datetime") or "")
    assert instant.utcoffset() == timedelta(0)
    return time.inner_text(), instant


def test_a_chat_message_reads_the_same_live_and_after_a_reload_in_the_readers_zone(
    berlin_page: Callable[[], Page],
) -> None:
    suffix = uuid.uuid4().hex[:6]
    writer_name, reader_name = f"Wen {suffix}", f"Rory {suffix}"
    writer, reader = berlin_page(), berlin_page()
    sign_up(writer, writer_name)
    reader_email = sign_up(reader, reader_name)
    assert reader.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == BROWSER_ZONE

    # The reader chooses New York on the account page.
    reader.goto("/account")
    reader.get_by_label("Show times in").select_option("America/New_York")
    reader.get_by_role("button", name="Save time zone").click()
    expect(flash(reader)).to_contain_text("Times are now shown in New York")
    expect(reader.locator("body")).to_have_attribute("data-time-zone", "America/New_York")

    # They become friends and open their chat.
    writer.goto("/friends")
    writer.fill("#find", reader_email)
    writer.get_by_role("button", name="Find").click()
    writer.get_by_test_id("people-found").get_by_test_id("add-friend").click()
    reader.goto("/friends")
    reader.get_by_test_id("incoming").locator("li", has_text=writer_name).get_by_test_id(
        "accept"
    ).click()
    reader.get_by_test_id("friends").locator("li", has_text=writer_name).get_by_test_id(
        "message"
    ).click()
    reader.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    expect(reader.locator("[data-chat]")).to_have_attribute("data-live", "1")
    writer.goto(reader.url)
    expect(writer.locator("[data-chat]")).to_have_attribute("data-live", "1")

    # A message arrives live on the reader's open page.
    text = f"Lunch at noon? {suffix}"
    writer.get_by_test_id("send-box").fill(text)
    writer.get_by_test_id("send-button").click()
    live, sent_at = message_time(reader, text)
    written_live, _ = message_time(writer, text)

    assert live == clock_in("America/New_York", sent_at)
    assert live != clock_in(BROWSER_ZONE, sent_at)
    assert written_live == clock_in("Asia/Shanghai", sent_at)

    # After a reload the server renders the same times.
    reader.reload()
    writer.reload()
    assert message_time(reader, text) == (live, sent_at)
    assert message_time(writer, text) == (written_live, sent_at)
