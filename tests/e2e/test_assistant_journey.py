"""The shopping assistant in the browser, two friends at two computers (in English, then again in
Chinese): the one who switched the assistant on says she wants a coat, that she likes red, that it
is too expensive — and after each turn the cards beside her chat are coats, then red coats, then
red coats in a lower price band. Her friend's page shows none of it. She removes "red" and the
cards come in other colours; she switches the assistant off and the panel empties.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.steps import sign_up
from e2e.test_social_journey import befriend, open_chat_with, say

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Language:
    code: str
    coat: str
    red: str
    too_expensive: str
    coat_word: str
    """Every coat's title holds it in this language (the demo names them "… Coat", "…外套")."""
    coats_chip: str
    red_chip: str


ENGLISH = Language(
    "en", "I want to buy a coat", "I like red", "too expensive", "Coat", "Coats", "red"
)
CHINESE = Language("zh", "我想买件外套", "我喜欢红色", "太贵了", "外套", "外套", "红色")


@dataclass(frozen=True)
class Shown:
    titles: list[str]
    colours: list[str]
    prices: list[int]


def cards(page: Page) -> Shown:
    rows = page.get_by_test_id("assistant-card").evaluate_all(
        "els => els.map(e => [e.querySelector('.assistant-card-title').textContent,"
        " e.dataset.colour, Number(e.dataset.price)])"
    )
    return Shown(
        titles=[row[0] for row in rows],
        colours=[row[1] for row in rows],
        prices=[row[2] for row in rows],
    )


def chips(page: Page) -> list[str]:
    return page.get_by_test_id("assistant-part").evaluate_all("els => els.map(e => e.dataset.key)")


def labels(page: Page) -> Locator:
    return page.locator("[data-testid=assistant-part] .assistant-part-label")


def turn(page: Page, words: str, keys: list[str]) -> Shown:
    """Send ``words`` and wait for the panel to show what it understood; answers the cards."""
    say(page, words)
    expect(page.get_by_test_id("assistant-part")).to_have_count(len(keys))
    assert chips(page) == keys
    expect(page.get_by_test_id("assistant-card").first).to_be_visible()
    return cards(page)


def nothing_for_the_friend(friend: Page) -> None:
    expect(friend.get_by_test_id("assistant-panel")).to_be_hidden()
    expect(friend.get_by_test_id("assistant-card")).to_have_count(0)
    expect(friend.get_by_test_id("assistant-part")).to_have_count(0)


@pytest.mark.parametrize("language", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_the_cards_follow_what_the_shopper_writes_and_only_she_sees_them(
    page: Page, fresh_page: Callable[[], Page], language: Language
) -> None:
    suffix = uuid.uuid4().hex[:6]
    shopper_name, friend_name = f"Mei {suffix}", f"Lei {suffix}"
    shopper, friend = page, fresh_page()
    sign_up(shopper, shopper_name)
    friend_email = sign_up(friend, friend_name)
    befriend(shopper, friend, friend_email, shopper_name)
    chat_url = open_chat_with(shopper, friend_name)
    friend.goto(chat_url)
    if language.code == "zh":
        shopper.goto(chat_url + "?lang=zh")
        friend.goto(chat_url + "?lang=zh")
        expect(shopper.locator("body")).to_have_attribute("data-locale", "zh")

    # Off until she switches it on: the panel offers only that.
    expect(shopper.get_by_test_id("assistant-offer")).to_be_visible()
    shopper.get_by_test_id("assistant-switch-on").click()
    expect(shopper.get_by_test_id("assistant-panel")).to_be_visible()
    expect(shopper.get_by_test_id("assistant-offer")).to_be_hidden()

    coats = turn(shopper, language.coat, ["category"])
    assert all(language.coat_word in title for title in coats.titles), coats.titles
    expect(labels(shopper)).to_have_text([language.coats_chip])

    red = turn(shopper, language.red, ["category", "colour:red"])
    assert set(red.colours) == {"red"}
    assert all(language.coat_word in title for title in red.titles), red.titles
    expect(labels(shopper)).to_have_text([language.coats_chip, language.red_chip])

    shopper.get_by_test_id("send-box").fill(language.too_expensive)
    shopper.get_by_test_id("send-button").click()
    expect(shopper.get_by_test_id("assistant-part")).to_have_count(3)
    assert chips(shopper) == ["category", "colour:red", "max_price"]
    cheaper = cards(shopper)
    assert cheaper.prices and set(cheaper.colours) == {"red"}
    assert all(language.coat_word in title for title in cheaper.titles), cheaper.titles
    # A lower band: below the middle of what was shown, so below the dearest of it too.
    assert max(cheaper.prices) < sorted(red.prices)[(len(red.prices) - 1) // 2] + 1
    assert max(cheaper.prices) < max(red.prices)

    # The friend read every message, and sees no panel and no cards.
    expect(
        friend.get_by_test_id("chat-text").filter(has_text=language.too_expensive)
    ).to_have_count(1)
    nothing_for_the_friend(friend)
    friend.reload()
    nothing_for_the_friend(friend)

    # "Not red after all": the next cards come in other colours.
    shopper.locator("[data-testid=assistant-part][data-key='colour:red']").get_by_test_id(
        "assistant-remove"
    ).click()
    expect(shopper.get_by_test_id("assistant-part")).to_have_count(2)
    assert chips(shopper) == ["category", "max_price"]
    expect(shopper.get_by_test_id("assistant-card").first).to_be_visible()
    assert len(set(cards(shopper).colours)) > 1

    # Switched off: the panel empties and offers to switch on again, after a reload too.
    shopper.get_by_test_id("assistant-switch-off").click()
    expect(shopper.get_by_test_id("assistant-offer")).to_be_visible()
    expect(shopper.get_by_test_id("assistant-panel")).to_be_hidden()
    expect(shopper.get_by_test_id("assistant-card")).to_have_count(0)
    expect(shopper.get_by_test_id("assistant-part")).to_have_count(0)
    shopper.reload()
    expect(shopper.get_by_test_id("assistant-offer")).to_be_visible()
    expect(shopper.get_by_test_id("assistant-card")).to_have_count(0)
