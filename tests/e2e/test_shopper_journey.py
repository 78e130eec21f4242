"""A new shopper's first visit, as a person would do it in a browser."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_new_user_signs_up_searches_in_two_languages_filters_and_picks_a_sku(page) -> None:  # type: ignore[no-untyped-def]
    # Given a visitor on the home page
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()

    # When they sign up
    email = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#display_name", "Newcomer")
    page.fill("#identifier", email)
    page.fill("#password", "a long enough secret")
    page.get_by_role("button", name="Create account").click()

    # Then they are signed in
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".flash-success").inner_text().startswith("Welcome to Agora")
    assert page.locator(".site-header .nav-user").inner_text() == "Newcomer"

    # When they search in English
    page.fill("input[name=q]", "red coat")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=red\+coat"))
    english = page.locator("[data-testid=results] [data-testid=product-card]")
    assert english.count() > 0
    for title in english.locator(".product-card-title").all_inner_texts()[:10]:
        assert "coat" in title.lower()

    # And in Chinese
    page.fill("input[name=q]", "红色 外套")
    page.keyboard.press("Enter")
    # The page changes under the same path, so wait for the encoded Chinese words in the URL.
    page.wait_for_url(re.compile(r"/search\?q=%E7%BA%A2%E8%89%B2"))
    chinese = page.locator("[data-testid=results] [data-testid=product-card]")
    assert chinese.count() > 0

    # When they filter by a price range (in yuan)
    page.fill("#min", "500")
    page.fill("#max", "900")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"min=500&max=900"))
    filtered = page.locator("[data-testid=results] [data-testid=product-card]")
    assert filtered.count() > 0
    for text in filtered.locator(".product-card-price .price").all_inner_texts():
        yuan = float(re.sub(r"[^0-9.]", "", text))
        assert 500 <= yuan <= 900

    # When they open a product
    filtered.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    picker = page.locator("[data-testid=sku-picker]")
    assert picker.is_visible()

    # And pick a colour and a size that are in stock
    picker.locator("button[data-colour]").first.click()
    available_size = picker.locator("button[data-size]:not(.is-unavailable)").first
    available_size.click()

    # Then a SKU is selected, with its price and stock shown
    sku_id = picker.get_attribute("data-selected-sku")
    assert sku_id is not None and re.fullmatch(r"[0-9a-f-]{36}", sku_id)
    assert page.locator("[data-sku-input]").input_value() == sku_id
    assert re.search(r"\d+ in stock", page.locator("[data-testid=sku-stock]").inner_text())
    assert picker.locator("button[data-colour][aria-pressed=true]").count() == 1
