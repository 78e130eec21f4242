"""Payments over HTTP: wallet, top-ups, withdrawals, charges, bank notifications, switches,
and every refusal (with nothing changed)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

import factories
from agora import payments
from agora.core.uow import UnitOfWork
from agora.identity import User, sign_in
from agora.payments.gateways import SIGNATURE_HEADER
from factories import assert_problem

NOTIFY = "/api/v1/payments/gateways/sandbox/notifications"


def token(uow: UnitOfWork, user: User) -> dict[str, str]:
    signed = sign_in(
        uow, identifier=user.email, password=factories.PASSWORD, client=factories.CLIENT, kind="api"
    )
    return {"Authorization": f"Bearer {signed.token}"}


def balance(client: TestClient, headers: dict[str, str]) -> int:
    response = client.get("/api/v1/wallet", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["balance"]["currency"] == "CNY"
    return int(response.json()["balance"]["amount"])


def test_a_top_up_over_http_from_start_to_credited_wallet(
    client: TestClient, uow: UnitOfWork, bank: Any
) -> None:
    user = factories.make_user(uow)
    headers = token(uow, user)
    # when the shopper starts a top-up (and retries with the same key)
    first = client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": 8800},
        headers={**headers, "Idempotency-Key": "t-1"},
    )
    again = client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": 8800},
        headers={**headers, "Idempotency-Key": "t-1"},
    )
    # then one charge exists, pending, with the bank page to go to
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    charge = first.json()
    assert again.json() == charge
    assert (charge["status"], charge["purpose"], charge["amount"]) == (
        "pending",
        "top_up",
        {"amount": 8800, "currency": "CNY"},
    )
    assert charge["redirect_url"] == f"/sandbox/bank/{charge['id']}"
    # when the bank's signed notification reaches the endpoint (twice)
    body, signature = bank.signed(uuid.UUID(charge["id"]), "succeeded", 8800, notification_id="b-1")
    for expected in ("applied", "duplicate"):
        response = client.post(NOTIFY, content=body, headers={SIGNATURE_HEADER: signature})
        assert response.status_code == 200, response.text
        assert response.json() == {"result": expected}
    # then the wallet holds the money once and the charge says so
    assert balance(client, headers) == 8800
    shown = client.get(f"/api/v1/payments/charges/{charge['id']}", headers=headers)
    assert shown.json()["status"] == "succeeded"


def test_badly_signed_or_malformed_notifications_are_refused_and_change_nothing(
    client: TestClient, uow: UnitOfWork, bank: Any, money: Any
) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=500)
    before = money(uow, user.id)
    body, signature = bank.signed(charge.id, "succeeded", 500)
    forged = client.post(NOTIFY, content=body, headers={SIGNATURE_HEADER: "ab" * 32})
    assert_problem(forged, 401, "bad_signature")
    unsigned = client.post(NOTIFY, content=body)
    assert_problem(unsigned, 401, "bad_signature")
    garbage = client.post(NOTIFY, content=b"not json", headers={SIGNATURE_HEADER: signature})
    assert_problem(garbage, 400, "malformed_notification")
    unknown = client.post(
        "/api/v1/payments/gateways/nowhere/notifications",
        content=body,
        headers={SIGNATURE_HEADER: signature},
    )
    assert_problem(unknown, 404, "unknown_gateway")
    assert money(uow, user.id) == before


def test_another_users_charge_is_404(client: TestClient, uow: UnitOfWork) -> None:
    owner, other = factories.make_user(uow), factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(owner), amount=100)
    mine = client.get(f"/api/v1/payments/charges/{charge.id}", headers=token(uow, owner))
    assert mine.status_code == 200
    theirs = client.get(f"/api/v1/payments/charges/{charge.id}", headers=token(uow, other))
    assert_problem(theirs, 404, "charge_not_found")
    anonymous = client.get(f"/api/v1/payments/charges/{charge.id}")
    assert_problem(anonymous, 401, "unauthenticated")


def test_withdrawing_over_http(client: TestClient, uow: UnitOfWork, bank: Any) -> None:
    user = factories.make_user(uow)
    headers = token(uow, user)
    factories.fund_wallet(uow, user, 10000)
    response = client.post(
        "/api/v1/wallet/withdrawals",
        json={"amount": 2500},
        headers={**headers, "Idempotency-Key": "w-1"},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["amount"]["amount"]) == ("pending", 2500)
    replay = client.post(
        "/api/v1/wallet/withdrawals",
        json={"amount": 2500},
        headers={**headers, "Idempotency-Key": "w-1"},
    )
    assert replay.json() == response.json()
    assert balance(client, headers) == 7500
    bank.deliver()
    assert balance(client, headers) == 7500
    (done,) = payments.recent_withdrawals(uow, actor=factories.principal(user))
    assert done.status == "succeeded"


def test_overdrawing_is_409_and_the_balance_is_unchanged(
    client: TestClient, uow: UnitOfWork, money: Any
) -> None:
    user = factories.make_user(uow)
    headers = token(uow, user)
    factories.fund_wallet(uow, user, 1000)
    before = money(uow, user.id)
    response = client.post("/api/v1/wallet/withdrawals", json={"amount": 1001}, headers=headers)
    assert_problem(response, 409, "insufficient_funds")
    assert money(uow, user.id) == before


@pytest.mark.parametrize("amount", [0, -100, 5_000_001, 12.5, "100", None, True])
def test_bad_amounts_are_422_and_nothing_changes(
    client: TestClient, uow: UnitOfWork, money: Any, amount: Any
) -> None:
    user = factories.make_user(uow)
    headers = token(uow, user)
    before = money(uow, user.id)
    for path in ("/api/v1/wallet/top-ups", "/api/v1/wallet/withdrawals"):
        response = client.post(path, json={"amount": amount}, headers=headers)
        assert_problem(response, 422, "invalid_input")
    assert money(uow, user.id) == before


@pytest.mark.parametrize("path", ["/api/v1/wallet/top-ups", "/api/v1/wallet/withdrawals"])
def test_credit_cannot_top_up_or_be_paid_out(
    client: TestClient, uow: UnitOfWork, money: Any, path: str
) -> None:
    """Credit is closed-loop: naming it as the source of a top-up or of a withdrawal is refused
    with its own code, and nothing moves (no charge, no withdrawal, no ledger entry)."""
    user = factories.make_user(uow)
    headers = token(uow, user)
    factories.fund_wallet(uow, user, 5000)
    before = money(uow, user.id)
    response = client.post(path, json={"amount": 1000, "source": "credit"}, headers=headers)
    assert_problem(response, 422, "credit_orders_only")
    response = client.post(path, json={"amount": 1000, "source": "points"}, headers=headers)
    assert_problem(response, 422, "invalid_input")
    assert money(uow, user.id) == before


def test_the_statement_pages_with_a_cursor(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow)
    headers = token(uow, user)
    for amount in (100, 200, 300):
        factories.fund_wallet(uow, user, amount)
    first = client.get("/api/v1/wallet/statement?limit=2", headers=headers).json()
    assert [
        (i["kind"], i["amount"]["amount"], i["balance_after"]["amount"]) for i in first["items"]
    ] == [
        ("charge_capture", 300, 600),
        ("charge_capture", 200, 300),
    ]
    assert first["next_before"] == first["items"][-1]["entry_id"]
    second = client.get(
        f"/api/v1/wallet/statement?limit=2&before={first['next_before']}", headers=headers
    ).json()
    assert [i["amount"]["amount"] for i in second["items"]] == [100]
    assert second["next_before"] is None
    assert_problem(
        client.get("/api/v1/wallet/statement?limit=0", headers=headers), 422, "invalid_input"
    )


def test_switches_are_for_operators_only(client: TestClient, uow: UnitOfWork) -> None:
    ops_user = factories.make_user(uow, operator=True)
    shopper = factories.make_user(uow)
    body = {"switches": [{"source": "wallet", "enabled": False}]}
    refused = client.put(
        "/api/v1/operator/payment-switches", json=body, headers=token(uow, shopper)
    )
    assert_problem(refused, 403, "forbidden")
    assert_problem(
        client.get("/api/v1/operator/payment-switches", headers=token(uow, shopper)),
        403,
        "forbidden",
    )
    assert payments.enabled_sources(uow, store_ids=[]) == list(payments.SOURCES)
    shown = client.get("/api/v1/operator/payment-switches", headers=token(uow, ops_user)).json()
    assert shown["sources"] == list(payments.SOURCES)
    assert [(s["store_id"], s["source"], s["enabled"]) for s in shown["switches"]] == [
        (None, "wallet", True),
        (None, "gateway:sandbox", True),
        (None, "points", True),
        (None, "treasure", True),
        (None, "credit", True),
    ]


def test_an_operator_switches_sources_for_the_platform_and_a_store(
    client: TestClient, uow: UnitOfWork
) -> None:
    ops_user = factories.make_user(uow, operator=True)
    ops = factories.principal(ops_user)
    store = factories.make_store(uow, ops)
    headers = token(uow, ops_user)
    body = {
        "switches": [
            {"source": "wallet", "enabled": False, "store_id": str(store.id)},
            {"source": "gateway:sandbox", "enabled": False},
        ]
    }
    response = client.put("/api/v1/operator/payment-switches", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert [(s["store_id"], s["source"], s["enabled"]) for s in response.json()["switches"]] == [
        (None, "wallet", True),
        (None, "gateway:sandbox", False),
        (None, "points", True),
        (None, "treasure", True),
        (None, "credit", True),
        (str(store.id), "wallet", False),
    ]
    assert payments.enabled_sources(uow, store_ids=[store.id]) == ["points", "treasure", "credit"]
    # a disabled source is refused
    shopper = factories.make_user(uow)
    refused = client.post(
        "/api/v1/wallet/top-ups", json={"amount": 100}, headers=token(uow, shopper)
    )
    assert_problem(refused, 409, "funding_source_disabled")


def test_switch_refusals_change_nothing(client: TestClient, uow: UnitOfWork) -> None:
    ops_user = factories.make_user(uow, operator=True)
    headers = token(uow, ops_user)
    unknown_store = {
        "switches": [
            {"source": "wallet", "enabled": False},
            {
                "source": "wallet",
                "enabled": False,
                "store_id": "0190f000-0000-7000-8000-000000000000",
            },
        ]
    }
    response = client.put("/api/v1/operator/payment-switches", json=unknown_store, headers=headers)
    assert_problem(response, 404, "store_not_found")
    bad_source = {"switches": [{"source": "cash", "enabled": False}]}
    response = client.put("/api/v1/operator/payment-switches", json=bad_source, headers=headers)
    assert_problem(response, 422, "invalid_input")
    assert payments.enabled_sources(uow, store_ids=[]) == list(payments.SOURCES)
