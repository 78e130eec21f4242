"""A return the store rejects goes to Agora, in the browser: a new shopper buys and asks for a
return; the store rejects it; the shopper escalates it with a photo link; the store answers; the
operator refunds a part from the queue. Then ``agora ledger check`` passes on the server's
database and the shopper's wallet shows the part, to the fen.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from agora.demo.catalog_data import FASHION, demo_stores
from agora.demo.seed import merchant_email
from e2e.steps import fen, flash, pick_product, sign_in, sign_up, top_up, yuan
from e2e.test_trading_journey import Purchase, add_to_cart

pytestmark = pytest.mark.e2e

TOP_UP = 2_000_00  # fen
PART = 88_00  # fen: what the operator refunds
OPERATOR = "operator@agora.demo"


def checkout_and_pay(page: Page, purchase: Purchase) -> None:
    """Check the cart's one product out and pay from the wallet (one order: its page follows)."""
    page.get_by_test_id("nav-cart").click()
    page.get_by_test_id("checkout").click()
    page.wait_for_url(re.compile(r"/pay\?orders="))
    order = page.get_by_test_id("pay-order")
    expect(order).to_have_count(1)
    href = order.get_by_role("link", name=purchase.store_name).get_attribute("href") or ""
    match = re.fullmatch(r"/orders/([0-9a-f-]{36})", href)
    assert match, href
    purchase.order_id = match[1]
    purchase.total = fen(order.get_by_test_id("order-total").text_content() or "")
    page.get_by_test_id("pay").click()
    page.wait_for_url(re.compile(rf"/orders/{purchase.order_id}$"))
    expect(flash(page)).to_contain_text(re.compile(r"Paid ¥[\d,.]+ for 1 order"))


def ship_and_deliver(merchant: Page, purchase: Purchase) -> None:
    """The store ships with its own carrier's tracking number, then marks the order delivered."""
    merchant.goto(f"/merchant/orders/{purchase.order_id}")
    form = merchant.get_by_test_id("ship-form")
    if not form.is_visible():  # folded away beneath the carriers' offers
        merchant.locator("details", has=form).locator("summary").click()
    form.locator("input[name=tracking_number]").fill("SF104729384756")
    form.get_by_role("button", name="Mark shipped").click()
    expect(flash(merchant)).to_contain_text("Marked as shipped.")
    merchant.once("dialog", lambda dialog: dialog.accept())
    merchant.get_by_role("button", name="Mark delivered").click()
    expect(flash(merchant)).to_contain_text("Marked as delivered.")
    expect(merchant.locator("h1 .chip")).to_have_attribute("data-status", "delivered")


def ask_for_a_return(page: Page, purchase: Purchase) -> None:
    page.goto(f"/orders/{purchase.order_id}")
    form = page.get_by_test_id("refund-form")
    form.locator("textarea[name=reason]").fill("The seam is torn.")
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Request return").click()
    expect(flash(page)).to_contain_text("Return requested.")


def reject_the_return(merchant: Page, purchase: Purchase) -> None:
    merchant.goto(f"/merchant/orders/{purchase.order_id}")
    decision = merchant.get_by_test_id("return-decision")
    decision.locator("input[name=note]").fill("It has been worn.")
    merchant.once("dialog", lambda dialog: dialog.accept())
    decision.get_by_role("button", name="Reject").click()
    expect(flash(merchant)).to_contain_text("Return rejected.")


def escalate(page: Page, purchase: Purchase) -> str:
    page.goto(f"/orders/{purchase.order_id}")
    form = page.get_by_test_id("escalate-form")
    expect(form).to_contain_text(f"The store rejected your return of {yuan(purchase.total)}.")
    form.get_by_label("What happened").fill("Torn when I opened the parcel; never worn.")
    form.get_by_label("Photo links").fill("https://img.example.com/torn-seam.jpg")
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Ask Agora to decide").click()
    expect(flash(page)).to_contain_text("Sent to Agora.")
    dispute = page.get_by_test_id("dispute")
    expect(dispute).to_have_attribute("data-status", "open")
    expect(dispute.get_by_test_id("dispute-evidence")).to_contain_text("never worn")
    return dispute.get_attribute("data-dispute") or ""


def answer(merchant: Page, purchase: Purchase) -> None:
    merchant.goto(f"/merchant/orders/{purchase.order_id}")
    form = merchant.get_by_test_id("evidence-form")
    form.get_by_label("The store's answer").fill("Checked and whole when packed.")
    form.get_by_role("button", name="Add evidence").click()
    expect(flash(merchant)).to_contain_text("Your answer was added.")


def refund_a_part(operator: Page, dispute_id: str) -> None:
    operator.goto("/operator")
    operator.get_by_role("link", name="Disputes", exact=True).click()
    operator.wait_for_url(re.compile(r"/operator/disputes$"))
    row = operator.locator(f"tr[data-dispute='{dispute_id}']")
    row.get_by_role("link", name="Decide").click()
    operator.wait_for_url(re.compile(rf"/operator/disputes/{dispute_id}$"))
    evidence = operator.get_by_test_id("dispute-evidence")
    expect(evidence.locator("[data-side=buyer]")).to_contain_text("never worn")
    expect(evidence.locator("[data-side=merchant]")).to_contain_text("whole when packed")

    form = operator.get_by_test_id("decision-form")
    form.get_by_label("Refund a part").check()
    form.get_by_label("Part to refund").fill(f"{PART // 100}.{PART % 100:02d}")
    form.get_by_label("Note to both sides").fill("A fair part for the seam.")
    operator.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Decide").click()
    expect(flash(operator)).to_contain_text(f"Decided: {yuan(PART)} goes back to the buyer.")
    expect(operator.get_by_test_id("dispute")).to_have_attribute("data-status", "decided")


def ledger_check(database_url: str) -> None:
    env = {**os.environ, "AGORA_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ledger ok" in done.stdout


def test_a_rejected_return_is_escalated_and_the_operator_refunds_a_part(
    page: Page, fresh_page: Callable[[], Page], server_database_url: str
) -> None:
    store_name = next(s.name_en for s in demo_stores() if s.key == FASHION)
    purchase = Purchase(FASHION, store_name, pick_product(FASHION).title_en)

    # Given a new shopper whose order was delivered
    sign_up(page, "Disputer")
    top_up(page, TOP_UP)
    add_to_cart(page, purchase)
    checkout_and_pay(page, purchase)
    merchant = fresh_page()
    sign_in(merchant, merchant_email(FASHION))
    ship_and_deliver(merchant, purchase)

    # When they ask for a return and the store rejects it
    ask_for_a_return(page, purchase)
    reject_the_return(merchant, purchase)

    # And they take it to Agora, and the store answers
    dispute_id = escalate(page, purchase)
    answer(merchant, purchase)

    # And the operator refunds a part from the queue
    operator = fresh_page()
    sign_in(operator, OPERATOR)
    refund_a_part(operator, dispute_id)

    # Then the ledger replays exactly
    ledger_check(server_database_url)

    # And the shopper sees the outcome, and the part back in the wallet
    page.goto(f"/orders/{purchase.order_id}")
    outcome = page.get_by_test_id("dispute-outcome")
    expect(outcome).to_contain_text("Agora refunded a part")
    expect(outcome.get_by_test_id("dispute-refunded")).to_have_text(yuan(PART))
    page.get_by_role("link", name="Wallet", exact=True).click()
    expect(page.get_by_test_id("wallet-balance")).to_have_text(yuan(TOP_UP - purchase.total + PART))
    refunds = page.get_by_test_id("statement").locator("tbody tr", has_text="Order refund")
    expect(refunds).to_have_count(1)
    expect(refunds.locator("td.num:nth-child(3)")).to_have_text(f"+{yuan(PART)}")
