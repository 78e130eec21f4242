"""The merchant's payouts page and the operator's commission form, through HTTP as a browser
would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

import factories
from agora import catalog
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import HTML, browser_sign_in
from payouts.world import COAT_NET, Payouts


def _user(uow: UnitOfWork, user_id: object) -> User:
    with uow.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def _form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_owner_pays_out_from_the_payouts_page(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    world.complete_order(world.red_coat)
    token = browser_sign_in(client, _user(uow, world.merchant_a.user_id), "/merchant/payouts")
    store = str(world.store_a.id)

    # Given the page: the settled balance, no account yet, and the link in the console's menu
    page = client.get(f"/merchant/payouts?store={store}", headers=HTML)
    assert page.status_code == 200
    assert 'href="/merchant/payouts"' in page.text
    assert f'data-price="{COAT_NET}"' in page.text
    assert "Add the bank account for payouts first." in page.text

    # When the owner types a wrong account number, the form says which field is wrong
    wrong = client.post(
        "/merchant/payouts/account",
        data={
            "csrf_token": token,
            "store": store,
            "holder_name": "North Wind",
            "bank_name": "ICBC",
            "account_number": "123",
        },
        headers=HTML,
    )
    assert wrong.status_code == 422
    assert 'id="account_number-error"' in wrong.text and 'value="North Wind"' in wrong.text

    # And then a right one: only the last four digits are shown
    saved = client.post(
        "/merchant/payouts/account",
        data={
            "csrf_token": token,
            "store": store,
            "holder_name": "North Wind",
            "bank_name": "ICBC",
            "account_number": "6222 0212 3456 7890",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], headers=HTML)
    assert "•••• 7890" in page.text
    assert "6222021234567890" not in page.text and "0212 3456" not in page.text

    # A payout above the balance is refused on the page, nothing moved
    too_much = client.post(
        "/merchant/payouts",
        data={"csrf_token": token, "store": store, "amount": "284.06", "form_key": "k-1"},
        headers=HTML,
    )
    assert too_much.status_code == 409
    assert "The payout is more than the store&#39;s settled balance." in too_much.text
    assert world.settlement(world.store_a) == COAT_NET

    # A payout within it, double-clicked, pays out once
    key = _form_key(page.text)
    for _ in range(2):
        done = client.post(
            "/merchant/payouts",
            data={"csrf_token": token, "store": store, "amount": "100.00", "form_key": key},
            headers=HTML,
            follow_redirects=False,
        )
        assert done.status_code == 303
    assert world.settlement(world.store_a) == COAT_NET - 10000
    page = client.get(f"/merchant/payouts?store={store}", headers=HTML)
    assert page.text.count('data-status="requested"') == 1

    # And once the bank has answered, the history says paid
    world.deliver_events()
    page = client.get(f"/merchant/payouts?store={store}", headers=HTML)
    assert page.text.count('data-status="paid"') == 1


def test_a_failed_payout_shows_the_banks_reason(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    world.complete_order(world.red_coat)
    from payouts.world import with_account

    with_account(world)
    token = browser_sign_in(client, _user(uow, world.merchant_a.user_id), "/merchant/payouts")
    client.post(
        "/merchant/payouts",
        data={"csrf_token": token, "store": str(world.store_a.id), "amount": "10.13"},
        headers=HTML,
    )
    world.deliver_events()
    page = client.get("/merchant/payouts", headers=HTML)
    assert 'data-status="failed"' in page.text
    assert "The bank declined the payout." in page.text


def test_staff_who_are_not_the_owner_are_refused(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    clerk = factories.make_user(uow, name="Clerk")
    catalog.add_staff(
        uow, actor=world.merchant_a, store_id=world.store_a.id, user_id=clerk.id, role="staff"
    )
    browser_sign_in(client, clerk)
    page = client.get("/merchant/payouts", headers=HTML)
    assert page.status_code == 403
    assert "Only the store&#39;s owner manages its payouts." in page.text


def test_the_operator_sets_a_stores_commission_on_the_stores_page(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    token = browser_sign_in(client, _user(uow, world.ops.user_id), "/operator")
    page = client.get("/operator", headers=HTML)
    assert "Platform default, 5 %" in page.text

    refused = client.post(
        f"/operator/stores/{world.store_a.id}/commission",
        data={"csrf_token": token, "commission_percent": "60"},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert "The commission is between 0 and 50 %." in refused.text

    done = client.post(
        f"/operator/stores/{world.store_a.id}/commission",
        data={"csrf_token": token, "commission_percent": "7.5"},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/operator", headers=HTML)
    assert "now pays 7.5 % commission" in page.text
    assert f'id="commission-{world.store_a.id}" name="commission_percent"' in page.text
    assert 'value="7.5"' in page.text
