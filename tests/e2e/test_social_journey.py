"""Social commerce in the browser, two people at two computers: they become friends, chat live,
one shares a product into the chat, the other opens the card and buys it, and the operator's share
report credits that order to the share's sharer and channel.

Both people sign up here (demo shoppers have friends and chats of their own); names carry a random
suffix so the report's row for the sharer is theirs alone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from agora.demo.catalog_data import FASHION, demo_stores
from e2e.steps import (
    fen,
    flash,
    open_product,
    pick_product,
    pick_sku,
    reload_until,
    sign_in,
    sign_up,
    top_up,
    yuan,
)

pytestmark = pytest.mark.e2e

TOP_UP = 1_000_00  # fen


def befriend(asker: Page, asked: Page, asked_email: str, asker_name: str) -> None:
    asker.goto("/friends")
    asker.fill("#find", asked_email)
    asker.get_by_role("button", name="Find").click()
    asker.get_by_test_id("people-found").get_by_test_id("add-friend").click()
    expect(asker.get_by_test_id("outgoing")).to_be_visible()

    asked.goto("/friends")
    incoming = asked.get_by_test_id("incoming").locator("li", has_text=asker_name)
    expect(incoming).to_have_count(1)
    incoming.get_by_test_id("accept").click()
    expect(asked.get_by_test_id("friends")).to_contain_text(asker_name)


def open_chat_with(page: Page, friend_name: str) -> str:
    """Open the direct conversation with a friend from the friends page; returns its URL."""
    page.goto("/friends")
    friend = page.get_by_test_id("friends").locator("li", has_text=friend_name)
    friend.get_by_test_id("message").click()
    page.wait_for_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    expect(page.locator("[data-chat]")).to_have_attribute("data-live", "1")
    return page.url


def say(page: Page, text: str) -> None:
    page.get_by_test_id("send-box").fill(text)
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("chat-text").filter(has_text=text)).to_have_count(1)


def channel_orders(page: Page, channel: str) -> int:
    row = page.get_by_test_id("share-channels").locator(f"tr[data-channel='{channel}']")
    return int(row.locator("td").nth(4).text_content() or "0")


def test_a_product_shared_into_a_chat_is_bought_and_credited_to_the_share(
    page: Page, fresh_page: Callable[[], Page]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    alice_name, bob_name = f"Alice {suffix}", f"Bob {suffix}"
    alice, bob, ops = page, fresh_page(), fresh_page()
    sign_up(alice, alice_name)
    bob_email = sign_up(bob, bob_name)
    top_up(bob, TOP_UP)

    # Before: what the operator's report shows for orders that came through 1:1 chats
    sign_in(ops, "operator@agora.demo")
    ops.goto("/operator/shares")
    direct_orders_before = channel_orders(ops, "chat_direct")

    # Alice asks Bob to be friends; Bob accepts
    befriend(alice, bob, bob_email, alice_name)

    # Bob writes first while Alice is elsewhere: her chat list shows one unread message
    bob_chat = open_chat_with(bob, alice_name)
    say(bob, "Hi Alice, found anything nice?")
    alice.goto("/chat")
    badge = alice.get_by_test_id("chat-conversation").filter(has_text=bob_name)
    expect(badge.get_by_test_id("unread-badge")).to_have_text("1")

    # They chat in real time: each sees the other's message appear without reloading
    alice_chat = open_chat_with(alice, bob_name)
    assert alice_chat == bob_chat  # one conversation for the two of them
    expect(alice.get_by_test_id("chat-text")).to_have_text(["Hi Alice, found anything nice?"])
    say(alice, "Look at this <b>coat</b>!")
    expect(bob.get_by_test_id("chat-text").filter(has_text="coat")).to_have_text(
        "Look at this <b>coat</b>!"  # shown as typed, never as markup
    )

    # Alice shares a product into the chat from its page
    product = pick_product(FASHION)
    store_name = {s.key: s.name_en for s in demo_stores()}[FASHION]
    open_product(alice, product.title_en, store_name)
    alice.get_by_test_id("share-panel").locator("summary").click()
    share_to_friend = alice.get_by_test_id("share-friend")
    share_to_friend.locator("select").select_option(label=bob_name)
    share_to_friend.get_by_role("button", name="Send").click()
    alice.wait_for_url(bob_chat)
    expect(alice.get_by_test_id("chat-share-card")).to_have_count(1)

    # Bob sees the card arrive live, opens it, and buys the product with "Buy now"
    card = bob.get_by_test_id("chat-share-card")
    expect(card).to_contain_text(product.title_en)
    card.click()
    bob.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    expect(bob.get_by_test_id("product-title")).to_have_text(product.title_en)
    price = pick_sku(bob)
    bob.get_by_test_id("buy-now").click()
    bob.wait_for_url(re.compile(r"/pay\?orders="))
    total = fen(bob.get_by_test_id("pay-total").text_content() or "")
    assert total == price
    bob.get_by_test_id("pay").click()
    bob.wait_for_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    expect(flash(bob)).to_contain_text(re.compile(r"Paid ¥[\d,.]+ for 1 order"))

    # The operator's report credits the order to Alice's share, on the 1:1 chat channel
    ops.goto("/operator/shares")
    sharer = ops.get_by_test_id("share-sharers").locator("tr", has_text=alice_name)

    def credited() -> None:
        expect(sharer.locator("td").nth(3)).to_have_text("1", timeout=1_000)  # orders
        expect(sharer.locator("td").nth(4)).to_have_text(yuan(total), timeout=1_000)  # GMV
        assert channel_orders(ops, "chat_direct") == direct_orders_before + 1

    reload_until(ops, credited)
    expect(sharer.locator("td").nth(1)).to_have_text("1")  # one visit: Bob's click
