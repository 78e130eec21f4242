"""A whole trade in the browser: a new shopper adds an address, tops up, buys from two stores
and pays from the wallet; one store ships by buying a carrier's label and the carrier's signed
webhook pushes move the parcel — live on the shopper's tracking page — to delivered; the other
ships with its own carrier and marks it delivered; the shopper confirms receipt of both, reviews
the parcel's line with stars and text, the merchant replies, and the product page shows the
review and the new rating; the stores are settled.

Only the shopper signed up here is used (other demo shoppers may hold orders and money), and
every order is found by the id the checkout gave it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import Page, expect

from agora.demo.catalog_data import FASHION, SNEAKERS, demo_stores
from agora.demo.seed import merchant_email
from agora.logistics import carriers
from e2e.steps import fen, flash, pick_product, sign_in, sign_up, top_up, yuan

pytestmark = pytest.mark.e2e

TOP_UP = 2_000_00  # fen
COMMISSION_RATE = Decimal("0.05")


@dataclass
class Purchase:
    store_key: str
    store_name: str
    title: str
    price: int = 0  # fen, the chosen SKU's price as the product page showed it
    order_id: str = ""
    total: int = 0  # fen, as the pay page showed it
    tracking: str = ""
    product_path: str = ""


def net_of(total: int) -> int:
    commission = (Decimal(total) * COMMISSION_RATE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return total - int(commission)


def add_to_cart(page: Page, purchase: Purchase) -> None:
    page.fill("input[name=q]", purchase.title)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    card = (
        page.get_by_test_id("product-card")
        .filter(has=page.locator(".product-card-store", has_text=purchase.store_name))
        .filter(has=page.get_by_role("link", name=purchase.title, exact=True))
    )
    expect(card).to_have_count(1)
    card.get_by_role("link", name=purchase.title, exact=True).click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("product-title")).to_have_text(purchase.title)
    purchase.product_path = page.url.removeprefix(page.url.split("/p/")[0])

    # Pick a colour, then a size in stock in that colour.
    picker = page.get_by_test_id("sku-picker")
    expect(picker).to_have_attribute("data-sku-ready", "")  # its script is listening
    picker.locator("button[data-colour]").first.click()
    picker.locator("button[data-size]:not(.is-unavailable)").first.click()
    expect(picker).to_have_attribute("data-selected-sku", re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("sku-stock")).to_have_text(re.compile(r"^\d+ in stock$"))
    purchase.price = fen(page.locator("[data-sku-price]").text_content() or "")

    page.get_by_test_id("add-to-cart").click()
    page.wait_for_url(re.compile(r"/cart$"))
    expect(flash(page)).to_contain_text("Added to your cart.")


def checkout_and_pay(page: Page, purchases: list[Purchase]) -> None:
    page.get_by_test_id("nav-cart").click()
    expect(page.get_by_test_id("cart-store")).to_have_count(len(purchases))
    expect(page.get_by_test_id("cart-total")).to_have_text(yuan(sum(p.price for p in purchases)))
    page.get_by_test_id("checkout").click()

    # One order per store, paid together.
    page.wait_for_url(re.compile(r"/pay\?orders="))
    orders = page.get_by_test_id("pay-order")
    expect(orders).to_have_count(len(purchases))
    for purchase in purchases:
        order = orders.filter(has=page.get_by_role("heading", name=purchase.store_name))
        expect(order).to_have_count(1)
        expect(order.locator(".chip")).to_have_attribute("data-status", "pending_payment")
        href = order.get_by_role("link", name=purchase.store_name).get_attribute("href") or ""
        match = re.fullmatch(r"/orders/([0-9a-f-]{36})", href)
        assert match, href
        purchase.order_id = match[1]
        purchase.total = fen(order.get_by_test_id("order-total").text_content() or "")
        assert purchase.total == purchase.price  # one unit, free shipping
    assert len({p.order_id for p in purchases}) == len(purchases)
    total = sum(p.total for p in purchases)
    expect(page.get_by_test_id("pay-total")).to_have_text(yuan(total))
    expect(page.locator("input[name=method][value=wallet]")).to_be_checked()
    page.get_by_test_id("pay").click()

    page.wait_for_url(re.compile(r"/orders$"))
    expect(flash(page)).to_contain_text(re.compile(r"Paid ¥[\d,.]+ for 2 orders"))
    for purchase in purchases:
        card = page.locator(f"[data-testid=order-card][data-order='{purchase.order_id}']")
        expect(card.locator(".chip")).to_have_attribute("data-status", "paid")


def ship_and_deliver(merchant: Page, purchase: Purchase) -> None:
    merchant.goto("/merchant")
    merchant.get_by_role("link", name="Orders", exact=True).click()
    merchant.wait_for_url(re.compile(r"/merchant/orders$"))
    row = merchant.locator(f"tr[data-order='{purchase.order_id}']")
    expect(row.locator(".chip")).to_have_attribute("data-status", "paid")
    expect(row.get_by_test_id("order-total")).to_have_text(yuan(purchase.total))
    row.get_by_role("link", name="Ship").click()
    merchant.wait_for_url(re.compile(rf"/merchant/orders/{purchase.order_id}$"))

    purchase.tracking = f"SF{uuid.uuid4().int % 10**12:012d}"
    merchant.get_by_text("Ship with your own carrier").click()
    merchant.fill("#tracking_number", purchase.tracking)
    merchant.get_by_role("button", name="Mark shipped").click()
    expect(flash(merchant)).to_contain_text("Marked as shipped.")
    expect(merchant.locator("h1 .chip")).to_have_attribute("data-status", "shipped")
    expect(merchant.get_by_test_id("tracking")).to_have_text(purchase.tracking)

    merchant.once("dialog", lambda dialog: dialog.accept())
    merchant.get_by_role("button", name="Mark delivered").click()
    expect(flash(merchant)).to_contain_text("Marked as delivered.")
    expect(merchant.locator("h1 .chip")).to_have_attribute("data-status", "delivered")


def ship_by_label(merchant: Page, purchase: Purchase) -> str:
    """Buy the label rate shopping picks; returns the carrier's code."""
    merchant.goto(f"/merchant/orders/{purchase.order_id}")
    form = merchant.get_by_test_id("label-form")
    chosen = form.locator("input[name=carrier]:checked")
    carrier = chosen.get_attribute("value") or ""
    assert carrier in ("pine", "swift"), carrier  # the fleet is for self-operated stores
    form.get_by_role("button", name="Buy label and ship").click()
    expect(flash(merchant)).to_contain_text("Label bought")
    expect(merchant.locator("h1 .chip")).to_have_attribute("data-status", "shipped")
    purchase.tracking = merchant.get_by_test_id("waybill").first.text_content() or ""
    assert purchase.tracking.startswith(("PN", "SW")), purchase.tracking
    expect(merchant.get_by_role("button", name="Mark delivered")).to_have_count(0)
    merchant.get_by_role("link", name="Print the label").click()
    expect(merchant.get_by_test_id("label-waybill")).to_have_text(purchase.tracking)
    return carrier


def push(page: Page, carrier: str, scans: list[carriers.Scan]) -> dict[str, int]:
    """The carrier's servers push scans to Agora's webhook, signed with the carrier's key."""
    sandbox = carriers.get_carrier(carrier)
    body = sandbox.push_body(scans)
    response = page.request.post(
        f"/api/v1/carriers/{carrier}/webhook",
        data=body,
        headers={"Content-Type": "application/json", carriers.SIGNATURE_HEADER: sandbox.sign(body)},
    )
    assert response.status == 200, response.text()
    answer: dict[str, int] = response.json()
    return answer


def carrier_delivers(page: Page, carrier: str, purchase: Purchase) -> None:
    """The carrier's scans arrive late, twice and out of order; the shopper watches the parcel
    move on the tracking page without reloading it."""
    now = datetime.now(UTC)
    waybill = purchase.tracking
    steps = [
        (carriers.PICKED_UP, "Shanghai", now - timedelta(hours=30)),
        (carriers.IN_TRANSIT, "Shanghai sorting centre", now - timedelta(hours=26)),
        (carriers.ARRIVED, "Zhejiang sorting centre", now - timedelta(hours=8)),
        (carriers.OUT_FOR_DELIVERY, "Hangzhou", now - timedelta(hours=2)),
        (carriers.DELIVERED, "Hangzhou", now - timedelta(minutes=5)),
    ]
    scans = [
        carriers.Scan(f"{waybill}-{n}", waybill, status, at, where, f"{status} at {where}")
        for n, (status, where, at) in enumerate(steps, start=1)
    ]
    page.get_by_role("link", name="Orders", exact=True).click()
    card = page.locator(f"[data-testid=order-card][data-order='{purchase.order_id}']")
    card.get_by_role("link", name="Details").click()
    page.get_by_test_id("track").click()
    page.wait_for_url(re.compile(rf"/orders/{purchase.order_id}/tracking$"))
    parcel = page.get_by_test_id("parcel")
    expect(parcel).to_have_attribute("data-status", "label_created")

    assert push(page, carrier, [scans[2], scans[0]]) == {"new": 2, "duplicates": 0, "unknown": 0}
    expect(parcel).to_have_attribute("data-status", "arrived")  # live, through the socket
    late = push(page, carrier, [scans[1], scans[1], scans[0]])  # late, twice, and again
    assert late == {"new": 1, "duplicates": 2, "unknown": 0}
    expect(parcel).to_have_attribute("data-status", "arrived")  # never backwards
    push(page, carrier, scans[3:])
    expect(parcel).to_have_attribute("data-status", "delivered")
    expect(page.locator("h1 .chip")).to_have_attribute("data-status", "delivered")
    events = page.get_by_test_id("tracking-events").locator("li")
    expect(events).to_have_count(5)
    expect(events.first).to_have_attribute("data-status", "delivered")
    expect(events.last).to_have_attribute("data-status", "picked_up")


def review_and_reply(page: Page, merchant: Page, purchase: Purchase) -> None:
    """The shopper reviews the delivered line; the merchant replies; the product page shows
    the review, the reply and the new rating."""
    page.goto(purchase.product_path)
    rating = page.get_by_test_id("rating")
    counted = re.search(r"(\d+) reviews?", (rating.text_content() if rating.count() else "") or "")
    before = int(counted[1]) if counted else 0

    page.goto(f"/orders/{purchase.order_id}")
    form = page.get_by_test_id("review-form").first
    form.locator("input[name=stars][value='4']").check()
    text = f"Fits well, arrived in a day ({uuid.uuid4().hex[:6]})"
    form.locator("textarea[name=text]").fill(text)
    form.get_by_role("button", name="Post review").click()
    review = page.get_by_test_id("line-review").filter(has_text=text)
    expect(review).to_contain_text("★★★★☆")

    merchant.goto("/merchant/reviews")
    mine = merchant.get_by_test_id("store-review").filter(has_text=text)
    reply = "Thank you! Enjoy it."
    mine.locator("textarea[name=text]").fill(reply)
    mine.get_by_role("button", name="Reply").click()
    expect(merchant.get_by_test_id("store-review").filter(has_text=text)).to_contain_text(reply)

    page.goto(purchase.product_path)
    shown = page.get_by_test_id("review").filter(has_text=text)
    expect(shown).to_have_count(1)
    expect(shown.get_by_test_id("review-reply")).to_contain_text(reply)
    expect(page.get_by_test_id("rating")).to_contain_text(f"{before + 1} review")


def confirm_receipt(page: Page, purchase: Purchase) -> None:
    page.get_by_role("link", name="Orders", exact=True).click()
    page.wait_for_url(re.compile(r"/orders$"))
    card = page.locator(f"[data-testid=order-card][data-order='{purchase.order_id}']")
    expect(card.locator(".chip")).to_have_attribute("data-status", "delivered")
    card.get_by_role("link", name="Confirm receipt").click()
    page.wait_for_url(re.compile(rf"/orders/{purchase.order_id}$"))
    expect(page.get_by_test_id("tracking")).to_have_text(purchase.tracking)
    expect(page.get_by_test_id("order-total")).to_have_text(yuan(purchase.total))
    expect(page.get_by_test_id("order-amounts")).to_contain_text(
        re.compile(rf"Paid with Wallet\s*{re.escape(yuan(purchase.total))}")
    )

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm").click()
    expect(flash(page)).to_contain_text("Thanks! You confirmed receipt.")
    expect(page.locator("h1 .chip")).to_have_attribute("data-status", "completed")
    settled = page.locator("[data-testid=order-timeline] [data-kind=settled]")
    expect(settled).to_contain_text(f"net {yuan(net_of(purchase.total))}")


def check_settlement(merchant: Page, purchase: Purchase) -> None:
    merchant.get_by_role("link", name="Settlements", exact=True).click()
    merchant.wait_for_url(re.compile(r"/merchant/settlements$"))
    row = merchant.get_by_test_id("settlements").locator(
        "tr", has=merchant.locator(f"a[href='/merchant/orders/{purchase.order_id}']")
    )
    expect(row).to_have_count(1)
    net = net_of(purchase.total)
    expect(row.get_by_test_id("gross")).to_have_text(yuan(purchase.total))
    expect(row.get_by_test_id("commission")).to_contain_text(f"−{yuan(purchase.total - net)}")
    expect(row.get_by_test_id("net")).to_have_text(yuan(net))


def test_shopper_buys_from_two_stores_a_carrier_delivers_one_and_the_stores_are_settled(
    page: Page, fresh_page: Callable[[], Page]
) -> None:
    names = {s.key: s.name_en for s in demo_stores()}
    purchases = [
        Purchase(key, names[key], pick_product(key).title_en) for key in (FASHION, SNEAKERS)
    ]

    # Given a new shopper with ¥2,000 topped up through the sandbox bank
    sign_up(page)
    top_up(page, TOP_UP)

    # When they put one product of each store in the cart, check out and pay from the wallet
    for purchase in purchases:
        add_to_cart(page, purchase)
    checkout_and_pay(page, purchases)

    # Then both orders are paid and the wallet holds the rest, to the fen
    page.get_by_role("link", name="Wallet", exact=True).click()
    spent = sum(p.total for p in purchases)
    expect(page.get_by_test_id("wallet-balance")).to_have_text(yuan(TOP_UP - spent))
    payments = page.get_by_test_id("statement").locator("tbody tr", has_text="Order payment")
    expect(payments).to_have_count(len(purchases))
    debits = payments.locator("td.num:nth-child(3)").all_text_contents()
    assert sorted(debits) == sorted(f"-{yuan(p.total)}" for p in purchases)

    # When one store ships by a carrier's label and the carrier's pushes deliver it, and the
    # other ships with its own carrier and marks it delivered
    merchants = [fresh_page() for _ in purchases]
    for merchant, purchase in zip(merchants, purchases, strict=True):
        sign_in(merchant, merchant_email(purchase.store_key))
    by_label, by_hand = purchases
    carrier = ship_by_label(merchants[0], by_label)
    carrier_delivers(page, carrier, by_label)
    ship_and_deliver(merchants[1], by_hand)

    # And the shopper confirms receipt of each, and reviews what the carrier brought
    for purchase in purchases:
        confirm_receipt(page, purchase)
    review_and_reply(page, merchants[0], by_label)

    # Then each store sees its order settled: the total less 5 % commission (half a fen rounds up)
    for merchant, purchase in zip(merchants, purchases, strict=True):
        check_settlement(merchant, purchase)

    # And confirming moved no money of the shopper's
    page.get_by_role("link", name="Wallet", exact=True).click()
    expect(page.get_by_test_id("wallet-balance")).to_have_text(yuan(TOP_UP - spent))
