"""The wallet, sandbox bank and operator payments pages, through HTTP as a browser would."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

import factories
from agora import ledger, payments
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import HTML, csrf_of


def sign_in(client: TestClient, user: User) -> None:
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": user.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def wallet_of(uow: UnitOfWork, user: User) -> int:
    return ledger.balance(uow, payments.wallet_of(user.id))


def test_a_top_up_through_the_pages(client: TestClient, uow: UnitOfWork, bank: Any) -> None:
    user = factories.make_user(uow)
    sign_in(client, user)
    page = client.get("/wallet", headers=HTML)
    assert page.status_code == 200
    assert 'href="/wallet"' in page.text  # the header's Wallet link
    assert 'data-testid="wallet-balance"' in page.text and "No money movements yet" in page.text
    token = csrf_of(client, "/wallet")
    # when the shopper tops up ¥88.50 (the form double-submitted)
    data = {"csrf_token": token, "amount": "88.50", "form_key": form_key(page.text)}
    sent = client.post("/wallet/top-up", data=data, headers=HTML, follow_redirects=False)
    twice = client.post("/wallet/top-up", data=data, headers=HTML, follow_redirects=False)
    # then they are sent to the sandbox bank, which shows the amount and is clearly a sandbox
    assert sent.status_code == twice.status_code == 303
    assert sent.headers["location"] == twice.headers["location"]
    bank_url = sent.headers["location"]
    assert bank_url.startswith("/sandbox/bank/")
    bank_page = client.get(bank_url, headers=HTML)
    assert bank_page.status_code == 200
    assert "¥88.50" in bank_page.text and "SANDBOX" in bank_page.text
    # when they press Pay
    paid = client.post(
        bank_url,
        data={"csrf_token": token, "decision": "pay"},
        headers=HTML,
        follow_redirects=False,
    )
    charge_id = bank_url.rsplit("/", 1)[1]
    assert paid.status_code == 303 and paid.headers["location"] == f"/wallet?charge={charge_id}"
    waiting = client.get(paid.headers["location"], headers=HTML)
    assert 'data-status="pending"' in waiting.text
    bank.deliver()
    # then back on the wallet page the top-up has arrived
    done = client.get(paid.headers["location"], headers=HTML)
    assert 'data-status="succeeded"' in done.text
    assert "¥88.50" in done.text and "Top-up" in done.text
    assert wallet_of(uow, user) == 8850
    answered = client.get(bank_url, headers=HTML)
    assert "already answered" in answered.text


def test_the_bank_page_is_only_for_the_charges_owner(client: TestClient, uow: UnitOfWork) -> None:
    owner, other = factories.make_user(uow), factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(owner), amount=100)
    sign_in(client, other)
    assert client.get(f"/sandbox/bank/{charge.id}", headers=HTML).status_code == 404
    refused = client.post(
        f"/sandbox/bank/{charge.id}",
        data={"csrf_token": csrf_of(client, "/wallet"), "decision": "pay"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert payments.sandbox.decision(uow, charge.id) is None
    client.cookies.clear()
    anonymous = client.get(f"/sandbox/bank/{charge.id}", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")


def test_withdrawing_and_refusals_on_the_wallet_page(
    client: TestClient, uow: UnitOfWork, bank: Any
) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 5000)
    sign_in(client, user)
    page = client.get("/wallet", headers=HTML)
    token = csrf_of(client, "/wallet")
    too_much = client.post(
        "/wallet/withdraw",
        data={"csrf_token": token, "amount": "50.01", "form_key": "k1"},
        headers=HTML,
    )
    assert too_much.status_code == 409
    assert "There is not enough money in the account." in too_much.text
    not_money = client.post(
        "/wallet/withdraw",
        data={"csrf_token": token, "amount": "ten", "form_key": "k2"},
        headers=HTML,
    )
    assert not_money.status_code == 422
    no_csrf = client.post("/wallet/withdraw", data={"amount": "1.00"}, headers=HTML)
    assert no_csrf.status_code == 403
    assert wallet_of(uow, user) == 5000
    ok = client.post(
        "/wallet/withdraw",
        data={"csrf_token": token, "amount": "20.00", "form_key": form_key(page.text) + "w"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert wallet_of(uow, user) == 3000
    bank.deliver()
    shown = client.get("/wallet", headers=HTML)
    assert 'data-testid="withdrawals"' in shown.text and 'data-status="succeeded"' in shown.text


def test_the_statement_pages(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow)
    for _ in range(21):
        factories.fund_wallet(uow, user, 1)
    sign_in(client, user)
    first = client.get("/wallet", headers=HTML)
    assert first.text.count("<tr data-entry=") == 20
    next_url = re.search(r'href="(/wallet\?before=\d+)"', first.text)
    assert next_url
    second = client.get(next_url.group(1), headers=HTML)
    assert second.text.count("<tr data-entry=") == 1
    assert 'data-testid="next-page"' not in second.text


def test_the_operator_switches_page(client: TestClient, uow: UnitOfWork) -> None:
    ops_user = factories.make_user(uow, operator=True)
    store = factories.make_store(uow, factories.principal(ops_user), name_en="North Wind")
    shopper = factories.make_user(uow)
    sign_in(client, shopper)
    assert client.get("/operator/payments", headers=HTML).status_code == 403
    token = csrf_of(client, "/wallet")
    refused = client.post(
        "/operator/payments",
        data={"csrf_token": token, "source": "wallet", "enabled": "0"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert payments.enabled_sources(uow, store_ids=[]) == list(payments.SOURCES)
    sign_in(client, ops_user)
    page = client.get("/operator/payments", headers=HTML)
    assert page.status_code == 200
    assert 'href="/operator/payments" aria-current="page"' in page.text
    assert "North Wind" in page.text
    turned = client.post(
        "/operator/payments",
        data={
            "csrf_token": csrf_of(client, "/operator/payments"),
            "source": "wallet",
            "enabled": "0",
            "store_id": str(store.id),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert turned.status_code == 303
    assert payments.enabled_sources(uow, store_ids=[store.id]) == [
        "gateway:sandbox",
        "points",
        "treasure",
        "credit",
    ]
    assert payments.enabled_sources(uow, store_ids=[]) == list(payments.SOURCES)
    shown = client.get("/operator/payments", headers=HTML)
    assert 'data-source="wallet" data-enabled="off"' in shown.text


def test_the_pages_speak_chinese(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=100)
    sign_in(client, user)
    wallet = client.get("/wallet?lang=zh", headers=HTML)
    assert "钱包" in wallet.text and "充值" in wallet.text
    bank_page = client.get(f"/sandbox/bank/{charge.id}?lang=zh", headers=HTML)
    assert "沙盒" in bank_page.text


def test_the_wallet_leads_back_to_the_bank_for_a_top_up_left_waiting(
    client: TestClient, uow: UnitOfWork, bank: Any
) -> None:
    user, other = factories.make_user(uow), factories.make_user(uow)
    mine = payments.start_top_up(uow, actor=factories.principal(user), amount=8850)
    theirs = payments.start_top_up(uow, actor=factories.principal(other), amount=100)
    sign_in(client, user)

    page = client.get("/wallet", headers=HTML).text
    assert page.count('data-testid="waiting-top-up"') == 1
    assert "¥88.50" in page and f'href="{mine.redirect_url}"' in page
    assert str(theirs.id) not in page  # another shopper's charge is never offered

    # once the bank has answered, the wallet says so instead of offering the way back
    client.post(
        mine.redirect_url,
        data={"csrf_token": csrf_of(client, "/wallet"), "decision": "pay"},
        headers=HTML,
        follow_redirects=False,
    )
    bank.deliver()
    assert 'data-testid="waiting-top-up"' not in client.get("/wallet", headers=HTML).text
