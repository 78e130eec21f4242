"""Credit over HTTP: the line, statements, quotes, conversions and repayments, and refusals."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

import factories
from agora import credit
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from agora.identity import sign_in
from credit.world import Shopper, buy, line, shopper
from factories import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def auth(uow: UnitOfWork, who: Shopper) -> dict[str, str]:
    signed = sign_in(
        uow,
        identifier=who.user.email,
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def test_open_a_line_and_read_it(client: TestClient, uow: UnitOfWork) -> None:
    who = shopper(uow, line=False)
    headers = auth(uow, who)
    before = client.get("/api/v1/credit", headers=headers).json()
    assert (before["open"], before["eligible"], before["score"]) == (False, True, 720)
    assert [f["name"] for f in before["factors"]][:2] == ["base", "account_age"]
    opened = client.post("/api/v1/credit/line", headers=headers)
    assert opened.status_code == 201
    assert opened.json()["limit"] == {"amount": 1_000_000, "currency": "CNY"}
    assert_problem(client.post("/api/v1/credit/line", headers=headers), 409, "credit_line_exists")


def test_quote_shows_fee_and_apr(client: TestClient, uow: UnitOfWork) -> None:
    headers = auth(uow, shopper(uow))
    quote = client.get(
        "/api/v1/credit/instalments/quote",
        params={"amount": 120_000, "months": 12},
        headers=headers,
    ).json()
    assert (quote["fee"]["amount"], quote["fee_rate"], quote["apr"]) == (10_560, "8.8", "15.9")
    assert [item["total"]["amount"] for item in quote["schedule"]][:2] == [10_880, 10_880]
    assert_problem(
        client.get(
            "/api/v1/credit/instalments/quote",
            params={"amount": 120_000, "months": 5},
            headers=headers,
        ),
        422,
        "credit_invalid_months",
    )


def test_statement_convert_and_repay(client: TestClient, uow: UnitOfWork) -> None:
    clock.freeze(datetime(2025, 5, 20, 12, tzinfo=SHANGHAI))
    who = shopper(uow, wallet=100_000)
    headers = auth(uow, who)
    buy(uow, who, 60_000)
    clock.freeze(datetime(2025, 6, 1, 1, tzinfo=SHANGHAI))
    credit.run_billing(uow)
    items = client.get("/api/v1/credit/statements", headers=headers).json()["items"]
    assert [(s["amount"]["amount"], s["due_on"]) for s in items] == [(60_000, "2025-06-10")]
    statement_id = items[0]["id"]
    detail = client.get(f"/api/v1/credit/statements/{statement_id}", headers=headers).json()
    assert [p["amount"]["amount"] for p in detail["purchases"]] == [60_000]

    stranger = auth(uow, shopper(uow))
    assert_problem(
        client.get(f"/api/v1/credit/statements/{statement_id}", headers=stranger),
        404,
        "credit_statement_not_found",
    )
    assert_problem(
        client.post(
            "/api/v1/credit/instalments",
            json={"statement_id": statement_id, "months": 6},
            headers=stranger,
        ),
        404,
        "credit_statement_not_found",
    )

    plan = client.post(
        "/api/v1/credit/instalments",
        json={"statement_id": statement_id, "months": 6},
        headers=headers | {"Idempotency-Key": "split-1"},
    )
    assert plan.status_code == 201, plan.text
    body = plan.json()
    assert (body["fee"]["amount"], body["apr"], body["billed_count"]) == (2_700, "15.3", 1)
    statement = client.get(f"/api/v1/credit/statements/{statement_id}", headers=headers).json()
    assert statement["amount"]["amount"] == 10_000 + 450
    assert [i["number"] for i in statement["instalments"]] == [1]

    before = line(uow, who)
    assert_problem(
        client.post(
            "/api/v1/credit/repayments", json={"amount": 100, "source": "credit"}, headers=headers
        ),
        422,
        "credit_orders_only",
    )
    assert_problem(
        client.post("/api/v1/credit/repayments", json={"amount": 60_451}, headers=headers),
        409,
        "credit_repayment_too_large",
    )
    assert line(uow, who) == before
    paid = client.post(
        "/api/v1/credit/repayments",
        json={"kind": "statement", "source": "wallet"},
        headers=headers | {"Idempotency-Key": "repay-1"},
    )
    assert paid.status_code == 201
    assert (paid.json()["applied"]["amount"], paid.json()["status"]) == (10_450, "applied")
    again = client.post(
        "/api/v1/credit/repayments",
        json={"kind": "statement", "source": "wallet"},
        headers=headers | {"Idempotency-Key": "repay-1"},
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert line(uow, who)[1] == 50_000
