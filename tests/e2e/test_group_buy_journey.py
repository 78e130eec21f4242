"""Buying together in the browser: Lin Mei opens a team of 3 on the demo's group-priced tee,
shares it into the "Deal hunters" group chat, Wang Lei and Chen Jing join from the chat card, and
all three orders go to the store (the merchant can ship them). A second team that nobody joins is
refunded once its deadline has passed, and the wallet page shows the money back.

The server runs on the real clock, so the day-later part happens here: this process opens the
server's database and sweeps the deadlines due a day from now under ``clock`` travel, as the
server's scheduler would then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from agora.core.clock import clock
from agora.core.db import Database
from agora.core.jobs import Scheduler
from agora.demo.catalog_data import demo_stores
from agora.demo.chat import GROUP_TITLE
from agora.demo.groupbuy import DEALS
from e2e.steps import flash, reload_until, sign_in, sign_up, top_up, yuan

pytestmark = pytest.mark.e2e

TEE = next(d for d in DEALS if d.key == "tee")
STORE_NAME = {s.key: s.name_en for s in demo_stores()}[TEE.store_key]
TEAM_URL = re.compile(r"/teams/([0-9a-f-]{36})$")
TOP_UP = 100_00  # fen


def open_tee(page: Page) -> None:
    """Find the tee with the search box and open its page (its title carries the self-operated
    badge, so the title is matched as contained)."""
    page.fill("input[name=q]", TEE.title_en)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    card = (
        page.get_by_test_id("product-card")
        .filter(has=page.locator(".product-card-store", has_text=STORE_NAME))
        .filter(has_text=TEE.title_en)
    )
    expect(card).to_have_count(1)
    card.locator("a.product-card-link").click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("product-title")).to_contain_text(TEE.title_en)


def start_team(page: Page) -> str:
    """On the tee's page, start a team with the first colour and size; returns the team's URL."""
    open_tee(page)
    panel = page.get_by_test_id("group-deal")
    expect(panel).to_contain_text("Team of 3")
    expect(panel.get_by_test_id("group-price")).to_have_text(yuan(TEE.group_price))
    panel.get_by_test_id("start-team-button").click()
    page.wait_for_url(TEAM_URL)
    expect(flash(page)).to_contain_text("Your team is open")
    return page.url


def join_from_the_group_chat(page: Page, label: str) -> None:
    """Open the group chat, click the team's card (its label says where the team stands), and
    join at the group price."""
    page.goto("/chat")
    page.get_by_test_id("chat-conversation").filter(has_text=GROUP_TITLE).locator("a").first.click()
    page.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    card = page.get_by_test_id("chat-share-card").filter(has_text=TEE.title_en).last
    expect(card.get_by_test_id("chat-card-label")).to_have_text(label)
    card.click()
    page.wait_for_url(TEAM_URL)
    page.get_by_test_id("join-button").click()
    page.wait_for_url(TEAM_URL)


def test_a_team_shared_in_a_group_chat_fills_and_an_unfilled_one_is_refunded(
    page: Page, fresh_page: Callable[[], Page], server_database_url: str
) -> None:
    lin, wang, chen = page, fresh_page(), fresh_page()
    sign_in(lin, "shopper@agora.demo")
    sign_in(wang, "wang.lei@agora.demo")
    sign_in(chen, "chen.jing@agora.demo")

    # Lin Mei opens a team of 3 on the tee; the page counts its time down live
    team_url = start_team(lin)
    expect(lin.get_by_test_id("places-left")).to_have_text("2 places left")
    time_left = lin.get_by_test_id("time-left")
    expect(time_left).to_have_text(re.compile(r"^23:59:\d\d$"))
    first_frame = time_left.text_content()
    expect(time_left).not_to_have_text(first_frame or "")  # it ticks
    lin.get_by_test_id("my-order").click()
    lin.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    lin_order = lin.url
    expect(lin.locator("h1 .chip")).to_have_attribute("data-status", "paid")
    expect(lin.get_by_test_id("order-held")).to_contain_text("team")  # it waits for the team

    # The store cannot ship it while the team waits
    merchant = fresh_page()
    sign_in(merchant, f"merchant.{TEE.store_key}@agora.demo")
    merchant.goto(lin_order.replace("/orders/", "/merchant/orders/"))
    expect(merchant.get_by_test_id("order-held")).to_have_count(1)
    expect(merchant.get_by_test_id("ship-form")).to_have_count(0)

    # She shares it into the "Deal hunters" group, with Wang Lei and Chen Jing in it
    lin.goto(team_url)
    share = lin.get_by_test_id("team-share").get_by_test_id("share-panel")
    share.locator("summary").click()
    group = lin.get_by_test_id("share-group")
    group.locator("select").select_option(label=GROUP_TITLE)
    group.get_by_role("button", name="Send").click()
    lin.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    card = lin.get_by_test_id("chat-share-card").filter(has_text=TEE.title_en).last
    expect(card.get_by_test_id("chat-card-label")).to_have_text("Team of 3 · 2 places left")

    # Wang Lei joins from the card; Chen Jing takes the last place and the team is complete
    join_from_the_group_chat(wang, "Team of 3 · 2 places left")
    expect(flash(wang)).to_contain_text("You joined the team")
    expect(wang.get_by_test_id("places-left")).to_have_text("1 place left")
    join_from_the_group_chat(chen, "Team of 3 · 2 places left")  # the card as it was sent
    expect(flash(chen)).to_contain_text("the team is full")
    expect(chen.get_by_test_id("team")).to_have_attribute("data-team-status", "complete")
    expect(chen.get_by_test_id("member")).to_have_count(3)

    # Every order went to the store: Lin Mei's is an ordinary paid order the merchant can ship
    lin.goto(team_url)
    expect(lin.get_by_test_id("team-note")).to_contain_text("has gone to the store")
    lin.goto(lin_order)
    expect(lin.locator("h1 .chip")).to_have_attribute("data-status", "paid")
    expect(lin.get_by_test_id("order-held")).to_have_count(0)
    merchant.reload()
    expect(merchant.get_by_test_id("order-held")).to_have_count(0)
    expect(merchant.get_by_test_id("ship-form")).to_have_count(1)

    # A newcomer opens a team of their own that nobody joins
    solo = fresh_page()
    sign_up(solo, "Solo Shopper")
    top_up(solo, TOP_UP)
    solo_team = start_team(solo)
    solo.get_by_role("link", name="Wallet", exact=True).click()
    expect(solo.get_by_test_id("wallet-balance")).to_have_text(yuan(TOP_UP - TEE.group_price))

    # A day later its deadline has passed: the sweep fails the team and refunds it
    database = Database(server_database_url)
    try:
        clock.travel(timedelta(hours=24, minutes=1))
        assert Scheduler(database, owner="e2e-clock").sweep_deadlines() >= 1
    finally:
        clock.reset()
        database.dispose()

    solo.goto(solo_team)
    expect(solo.get_by_test_id("team")).to_have_attribute("data-team-status", "failed")
    expect(solo.get_by_test_id("team-note")).to_contain_text("Every member got their money back")
    solo.get_by_role("link", name="Wallet", exact=True).click()

    def refunded() -> None:
        expect(solo.get_by_test_id("wallet-balance")).to_have_text(yuan(TOP_UP), timeout=1_000)

    reload_until(solo, refunded)
    statement = solo.get_by_test_id("statement")
    expect(statement.locator("tr", has_text="Order refund")).to_contain_text(
        f"+{yuan(TEE.group_price)}"
    )
    # the completed team was not touched by the sweep
    lin.goto(team_url)
    expect(lin.get_by_test_id("team")).to_have_attribute("data-team-status", "complete")
