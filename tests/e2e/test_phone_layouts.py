"""Phone layouts in Chromium at 390×844 (and the same pages at 1366×900): no page is wider than the
screen, tables turn into labelled cards with nothing hidden, the tab bar shows on phones only and
gives way to the product page's buy bar and a conversation's composer, and the search filters
fold behind a button."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from agora.demo.seed import DEMO_PASSWORD
from e2e.conftest import USER_AGENT

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOPPER = "shopper@agora.demo"
MERCHANT = "merchant.agora-self@agora.demo"
SHOPPER_PAGES = [
    "/",
    "/wallet",
    "/credit",
    "/treasure",
    "/friends",
    "/teams",
    "/moments",
    "/account",
    "/orders",
    "/cart",
    "/search?q=coat",
    "/c/womens",
    "/account?lang=zh",
    "/wallet?lang=zh",
]
MERCHANT_PAGES = ["/merchant", "/merchant/orders", "/merchant/settlements", "/merchant/payouts"]


@pytest.fixture
def open_as(browser: Browser, server: str) -> Iterator[object]:
    contexts: list[BrowserContext] = []

    def open_page(email: str, viewport: dict[str, int]) -> Page:
        context = browser.new_context(
            base_url=server, locale="en-US", user_agent=USER_AGENT, viewport=viewport
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/signin")
        page.fill("#identifier", email)
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main").get_by_role("button", name="Sign in").click()
        expect(page.locator("[data-flash]")).to_contain_text("Welcome back")
        return page

    yield open_page
    for context in contexts:
        context.close()


def overflow(page: Page) -> dict[str, object]:
    """How wide the page is, and the first elements reaching past the screen's right edge."""
    result: dict[str, object] = page.evaluate(
        """(SCROLLERS) => ({
            width: document.documentElement.scrollWidth,
            past: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                    && e.getBoundingClientRect().width > 0
                    && !e.closest(SCROLLERS))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className),
        })""",
        # Rows that scroll sideways by design, and what is hidden but for screen readers.
        ".pills, .category-strip, .console-nav, .sort-tabs, .tabs, thead, .visually-hidden",
    )
    return result


def hidden_cells(page: Page) -> int:
    """Labelled table cells that take no room (hidden columns) on this page."""
    count: int = page.evaluate(
        """() => [...document.querySelectorAll('table.table-cards td[data-label]')]
            .filter(td => td.getBoundingClientRect().width === 0).length"""
    )
    return count


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_no_page_is_wider_than_the_screen(open_as: object, viewport: dict[str, int]) -> None:
    assert callable(open_as)
    wide: dict[str, object] = {}
    for email, paths in ((SHOPPER, SHOPPER_PAGES), (MERCHANT, MERCHANT_PAGES)):
        page = open_as(email, viewport)
        for path in paths:
            page.goto(path)
            found = overflow(page)
            if found["width"] != viewport["width"] or found["past"]:
                wide[path] = found
            assert hidden_cells(page) == 0, path

    assert wide == {}


def test_tables_are_cards_with_labels_on_a_phone(open_as: object) -> None:
    assert callable(open_as)
    page = open_as(SHOPPER, PHONE)

    page.goto("/wallet")
    line = page.get_by_test_id("statement").locator("tbody tr").first
    amount = line.locator("td.card-amount").first

    expect(page.get_by_test_id("statement").locator("thead")).to_have_css("position", "absolute")
    expect(line).to_have_css("display", "flex")
    expect(amount).to_have_attribute("data-label", "Amount")
    assert amount.bounding_box()["x"] > 390 / 2  # type: ignore[index]  # on the right
    when = line.locator('td[data-label="When"]')
    assert when.evaluate("td => getComputedStyle(td, '::before').content") == '"When"'


def test_the_tab_bar_on_phones_only_and_not_over_the_buy_bar_or_a_composer(open_as: object) -> None:
    assert callable(open_as)
    phone = open_as(SHOPPER, PHONE)
    desktop = open_as(SHOPPER, DESKTOP)

    phone.goto("/cart")
    bar = phone.get_by_test_id("tab-bar")
    expect(bar).to_be_visible()
    expect(bar.locator('[aria-current="page"]')).to_have_attribute("data-tab", "cart")
    expect(phone.locator(".site-header .header-nav")).to_be_hidden()
    bar.locator('[data-tab="me"]').click()
    phone.wait_for_url(re.compile(r"/account$"))
    expect(phone.get_by_test_id("me-signout")).to_be_visible()
    expect(bar.locator('[aria-current="page"]')).to_have_attribute("data-tab", "me")

    phone.goto("/search?q=coat")
    phone.get_by_test_id("product-card").first.locator("a.product-card-link").click()
    expect(phone.locator(".action-bar")).to_be_visible()
    expect(phone.get_by_test_id("tab-bar")).to_be_hidden()

    phone.goto("/chat")  # inside a conversation the composer takes the bottom edge
    phone.locator('a[href^="/chat/"]').first.click()
    expect(phone.locator(".chat-composer")).to_be_visible()
    expect(phone.get_by_test_id("tab-bar")).to_be_hidden()
    phone.goto("/chat")
    expect(phone.get_by_test_id("tab-bar")).to_be_visible()

    desktop.goto("/cart")
    expect(desktop.get_by_test_id("tab-bar")).to_be_hidden()
    expect(desktop.locator(".site-header .header-nav")).to_be_visible()


def test_search_filters_fold_on_a_phone_and_stay_open_on_a_desktop(open_as: object) -> None:
    assert callable(open_as)
    phone = open_as(SHOPPER, PHONE)
    desktop = open_as(SHOPPER, DESKTOP)

    phone.goto("/search?q=coat")
    expect(phone.locator("#colour")).to_be_hidden()
    first_card = phone.get_by_test_id("product-card").first
    assert first_card.bounding_box()["y"] < PHONE["height"]  # type: ignore[index]
    expect(phone.get_by_test_id("result-count")).to_contain_text("results")
    phone.get_by_text("Filters", exact=True).click()
    expect(phone.locator("#colour")).to_be_visible()

    desktop.goto("/search?q=coat")
    expect(desktop.locator("#colour")).to_be_visible()
    expect(desktop.locator(".filters-summary")).to_be_hidden()
