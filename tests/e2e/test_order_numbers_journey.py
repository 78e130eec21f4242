"""Order numbers and money-form errors in the browser: Chen Jing finds one of her orders by the
start of its number and sees a mistyped number refused beside the box; a refused top-up says why
beside its amount, which keeps what she typed and has the focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.steps import sign_in

pytestmark = pytest.mark.e2e

NUMBER = re.compile(r"\d{16}")


def test_finding_an_order_by_its_number(page: Page) -> None:
    sign_in(page, "chen.jing@agora.demo")
    page.goto("/orders")
    cards = page.get_by_test_id("order-card")
    expect(cards.first).to_be_visible()
    shown = page.get_by_test_id("order-number").first.inner_text()
    number = NUMBER.search(shown)
    assert number, shown

    box = page.get_by_label("Order number")
    box.fill(number[0][:14])
    page.get_by_role("button", name="Find").click()

    page.wait_for_url(re.compile(r"/orders\?q=\d{14}$"))
    expect(box).to_have_value(number[0][:14])
    for text in page.get_by_test_id("order-number").all_inner_texts():
        assert NUMBER.search(text)[0].startswith(number[0][:14])  # type: ignore[index]
    page.get_by_test_id("order-card").first.get_by_role("link", name="Details").click()
    expect(page.get_by_test_id("order-number").first).to_contain_text(number[0][:14])

    page.goto("/orders")
    page.get_by_label("Order number").fill("12ab")
    page.get_by_role("button", name="Find").click()
    box = page.get_by_label("Order number")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q-error")).to_contain_text("up to 16 digits")
    expect(page.get_by_test_id("order-card")).to_have_count(0)


def test_a_refused_top_up_says_why_beside_the_amount(page: Page) -> None:
    sign_in(page, "chen.jing@agora.demo")
    page.goto("/wallet")
    amount = page.locator("#top-up-amount")
    amount.fill("12.345")
    page.get_by_role("button", name="Top up").click()

    amount = page.locator("#top-up-amount")
    expect(amount).to_have_value("12.345")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_be_focused()
    error = page.locator("#top-up-amount-error")
    expect(error).to_be_visible()
    # Beside the field, not a screen away: the message starts within 120 px below the input.
    field_box, error_box = amount.bounding_box(), error.bounding_box()
    assert field_box and error_box
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 120
