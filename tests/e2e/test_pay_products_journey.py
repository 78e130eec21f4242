"""Agora Pay's products in the browser: Lin Mei puts a lucky red envelope into the "Deal
hunters" group chat; Wang Lei and Chen Jing open it from the chat card and each sees their share,
and the envelope's page lists both. Wang Lei then buys a product with his credit line and later
repays everything he owes from his balance treasure.

Wang Lei's line and treasure come from the demo: a year-old account earns the first band of the
score, and he has moved money into the treasure a month ago.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from agora.demo.catalog_data import DemoProduct, demo_products, demo_stores
from agora.demo.chat import GROUP_TITLE
from e2e.steps import fen, flash, open_product, pick_sku, sign_in, yuan

pytestmark = pytest.mark.e2e

ENVELOPE = 6_00  # fen, in 3 lucky shares
GREETING = "Happy shopping!"
ENVELOPE_URL = re.compile(r"/red-envelopes/([0-9a-f-]{36})$")


def cheap_product() -> DemoProduct:
    """A product a search finds by its title alone, in colours and sizes, for at most ¥150 in
    every SKU: well within the demo's first credit band after Wang Lei's earlier purchase."""
    products = demo_products()
    titles = Counter(p.title_en for p in products)
    self_operated = {s.key for s in demo_stores() if s.self_operated}  # its title has a badge
    fitting = [
        p
        for p in products
        if titles[p.title_en] == 1
        and p.store_key not in self_operated
        and all(s.colour and s.size for s in p.skus)
        and max(s.price for s in p.skus) <= 150_00
        and all(s.stock > 0 for s in p.skus)
    ]
    assert fitting, "no demo product is cheap enough for the journey"
    return min(fitting, key=lambda p: max(s.price for s in p.skus))


def open_group_chat(page: Page) -> None:
    page.goto("/chat")
    page.get_by_test_id("chat-conversation").filter(has_text=GROUP_TITLE).locator("a").first.click()
    page.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))


def open_the_envelope(page: Page) -> int:
    """From the group chat, open the envelope with our greeting; returns the share's fen."""
    open_group_chat(page)
    card = page.get_by_test_id("chat-envelope-card").filter(has_text=GREETING).last
    expect(card).to_contain_text("Open it")
    card.click()
    page.wait_for_url(ENVELOPE_URL)
    expect(page.get_by_test_id("envelope-greeting")).to_contain_text(GREETING)
    page.get_by_test_id("envelope-open").click()
    page.wait_for_url(ENVELOPE_URL)
    expect(flash(page)).to_contain_text("It is in your wallet")
    share = fen(page.get_by_test_id("my-share").text_content() or "")
    assert 1 <= share <= ENVELOPE
    return share


def test_a_lucky_envelope_in_a_group_and_credit_repaid_from_the_treasure(
    page: Page, fresh_page: Callable[[], Page]
) -> None:
    lin, wang, chen = page, fresh_page(), fresh_page()
    sign_in(lin, "shopper@agora.demo")
    sign_in(wang, "wang.lei@agora.demo")
    sign_in(chen, "chen.jing@agora.demo")

    # Lin Mei sends a lucky envelope of ¥6.00 in 3 shares into the group
    open_group_chat(lin)
    lin.get_by_test_id("red-envelope-link").click()
    lin.wait_for_url(re.compile(r"/red-envelopes/new$"))
    lin.get_by_test_id("kind-lucky").check()
    lin.get_by_test_id("envelope-shares").fill("3")
    lin.get_by_test_id("envelope-amount").fill("6.00")
    lin.get_by_test_id("envelope-greeting").fill(GREETING)
    lin.get_by_test_id("source-wallet").check()
    lin.get_by_test_id("envelope-send").click()
    lin.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    expect(flash(lin)).to_contain_text("Your red envelope is in the chat")
    expect(lin.get_by_test_id("chat-envelope-card").filter(has_text=GREETING)).to_have_count(1)

    # Wang Lei and Chen Jing open it from the card and see their shares
    wang_share = open_the_envelope(wang)
    chen_share = open_the_envelope(chen)
    assert wang_share + chen_share < ENVELOPE  # a third share is still waiting
    grabs = chen.get_by_test_id("envelope-grab")
    expect(grabs).to_have_count(2)
    expect(grabs.filter(has_text="Wang Lei")).to_contain_text(yuan(wang_share))
    expect(grabs.filter(has_text="Chen Jing")).to_contain_text(yuan(chen_share))
    expect(chen.get_by_test_id("envelope-summary")).to_contain_text("2 of 3 shares taken")
    # Back in the chat, the card says the envelope was opened, and for how much
    open_group_chat(wang)
    expect(
        wang.get_by_test_id("chat-envelope-card").filter(has_text=GREETING).last
    ).to_contain_text(f"Opened · {yuan(wang_share)}")

    # Wang Lei buys a product with credit
    wang.goto("/credit")
    owed_before = fen(wang.get_by_test_id("credit-used").text_content() or "")
    product = cheap_product()
    store_name = {s.key: s.name_en for s in demo_stores()}[product.store_key]
    open_product(wang, product.title_en, store_name)
    price = pick_sku(wang)
    wang.get_by_test_id("buy-now").click()
    wang.wait_for_url(re.compile(r"/pay\?orders="))
    credit = wang.get_by_test_id("pay-method-credit")
    expect(credit).to_contain_text("Available")
    credit.locator("input[type=radio]").check()
    wang.get_by_test_id("pay").click()
    wang.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    expect(flash(wang)).to_contain_text(re.compile(r"Paid ¥[\d,.]+ for 1 order"))
    expect(wang.locator("h1 .chip")).to_have_attribute("data-status", "paid")
    expect(wang.get_by_test_id("order-amounts")).to_contain_text(
        re.compile(rf"Paid with Agora credit\s*{re.escape(yuan(price))}")
    )

    wang.goto("/credit")
    owed = fen(wang.get_by_test_id("credit-used").text_content() or "")
    assert owed == owed_before + price
    expect(wang.get_by_test_id("credit-unbilled-list")).to_contain_text(yuan(price))

    # Later he repays everything he owes from the treasure
    wang.goto("/treasure")
    saved_before = fen(wang.get_by_test_id("treasure-balance").text_content() or "")
    wang.goto("/credit")
    form = wang.get_by_test_id("credit-repay-form")
    form.locator("input[name=kind][value=all]").check()
    wang.get_by_test_id("credit-repay-source").select_option("treasure")
    wang.get_by_test_id("credit-repay").click()
    wang.wait_for_url(re.compile(r"/credit"))
    expect(flash(wang)).to_contain_text(f"Repaid {yuan(owed)}")
    expect(wang.get_by_test_id("credit-used")).to_have_text(yuan(0))
    expect(wang.get_by_test_id("credit-available")).to_contain_text(
        wang.get_by_test_id("credit-limit").text_content() or "?"
    )
    expect(wang.get_by_test_id("credit-repayments")).to_contain_text("Balance treasure")
    wang.goto("/treasure")
    expect(wang.get_by_test_id("treasure-balance")).to_have_text(yuan(saved_before - owed))
