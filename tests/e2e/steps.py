"""Steps the browser tests share: signing up and in, topping the wallet up at the sandbox bank,
reading amounts as the pages show them, waiting for background work to show."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from agora.demo.catalog_data import DemoProduct, demo_products
from agora.demo.seed import DEMO_PASSWORD


def yuan(fen: int) -> str:
    """How the pages show an amount: ¥1,234.50."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def fen(text: str) -> int:
    match = re.fullmatch(r"\s*¥([\d,]+)\.(\d\d)\s*", text)
    assert match, f"not an amount: {text!r}"
    return int(match[1].replace(",", "")) * 100 + int(match[2])


def reload_until(page: Page, check: Callable[[], None], within: float = 30) -> None:
    """Run ``check`` (short Playwright expectations), reloading the page until it passes: pages
    that show the result of background work (the bank's notification, applied by the outbox
    relay) do not refresh themselves. Usually the first look already passes."""
    deadline = time.monotonic() + within
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def flash(page: Page) -> Locator:
    return page.locator("[data-flash]")


def sign_in(page: Page, email: str) -> None:
    page.goto("/signin")
    page.fill("#identifier", email)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(flash(page)).to_contain_text("Welcome back")


def sign_up(page: Page, name: str = "Trader") -> str:
    """Create an account through the sign-up page; returns its email."""
    email = f"{name.split(maxsplit=1)[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#display_name", name)
    page.fill("#identifier", email)
    page.fill("#password", "a long enough secret")
    page.get_by_role("button", name="Create account").click()
    expect(flash(page)).to_contain_text("Welcome to Agora")
    add_address(page, name)
    return email


def add_address(page: Page, recipient: str) -> None:
    """Add a delivery address through the address book page (the first becomes the default)."""
    page.goto("/addresses")
    page.fill("#recipient", recipient)
    page.fill("#phone", "138 0013 8000")
    page.fill("#region", "Zhejiang")
    page.fill("#city", "Hangzhou")
    page.fill("#district", "Xihu")
    page.fill("#street", "18 Wensan Road, Room 702")
    page.fill("#postcode", "310012")
    page.get_by_role("button", name="Add address").click()
    expect(flash(page)).to_contain_text("The address was added.")


def top_up(page: Page, amount: int) -> None:
    page.get_by_role("link", name="Wallet", exact=True).click()
    balance = page.get_by_test_id("wallet-balance")
    expect(balance).to_have_text(yuan(0))
    page.fill("#top-up-amount", f"{amount // 100}")
    page.get_by_role("button", name="Top up").click()

    # The sandbox bank asks to confirm the amount.
    page.wait_for_url(re.compile(r"/sandbox/bank/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("bank-amount")).to_have_text(yuan(amount))
    page.get_by_role("button", name=f"Pay {yuan(amount)}").click()

    # Back at the wallet: the money arrives once the bank's notification is applied.
    page.wait_for_url(re.compile(r"/wallet\?charge=[0-9a-f-]{36}$"))
    # The page reads the charge and the balance separately, so both are checked on one render.
    status = page.get_by_test_id("charge-status")

    def arrived() -> None:
        expect(status).to_have_attribute("data-status", "succeeded", timeout=1_000)
        expect(balance).to_have_text(yuan(amount), timeout=1_000)

    reload_until(page, arrived)
    expect(status).to_contain_text(f"Your top-up of {yuan(amount)} has arrived.")


def pick_product(store_key: str) -> DemoProduct:
    """A demo product of the store that a search finds by its title alone (the title is unique),
    sold in colours and sizes, cheap enough that two fit in the top-up. The first one whose 5 %
    commission ends in half a fen is preferred, so the settlement shows the rounding."""
    products = demo_products()
    titles = Counter(p.title_en for p in products)
    fitting = [
        p
        for p in products
        if p.store_key == store_key
        and titles[p.title_en] == 1
        and all(s.colour and s.size for s in p.skus)
        and max(s.price for s in p.skus) <= 600_00
        and sum(s.stock > 0 for s in p.skus) >= 3
    ]
    assert fitting, f"no demo product of {store_key} fits the journey"
    half_fen = [p for p in fitting if {s.price * 5 % 100 for s in p.skus} == {50}]
    return (half_fen or fitting)[0]


def open_product(page: Page, title: str, store_name: str) -> None:
    """Find a product by its title with the search box and open its page."""
    page.fill("input[name=q]", title)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    card = (
        page.get_by_test_id("product-card")
        .filter(has=page.locator(".product-card-store", has_text=store_name))
        .filter(has=page.get_by_role("link", name=title, exact=True))
    )
    expect(card).to_have_count(1)
    card.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("product-title")).to_have_text(title)


def pick_sku(page: Page) -> int:
    """Pick a colour, then a size in stock in that colour; returns the SKU's price in fen."""
    picker = page.get_by_test_id("sku-picker")
    expect(picker).to_have_attribute("data-sku-ready", "")  # its script is listening
    picker.locator("button[data-colour]").first.click()
    picker.locator("button[data-size]:not(.is-unavailable)").first.click()
    expect(picker).to_have_attribute("data-selected-sku", re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("sku-stock")).to_have_text(re.compile(r"^\d+ in stock$"))
    return fen(page.locator("[data-sku-price]").text_content() or "")
