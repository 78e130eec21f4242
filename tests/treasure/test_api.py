"""The treasure over HTTP: my own treasure only, deposits and redemptions (with
Idempotency-Key), refusals as problems that change nothing, public rates, operator publishing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

import factories
from agora import treasure
from agora.identity import sign_in
from factories import assert_problem
from treasure.world import FUNDS, World, freeze_local

Headers = dict[str, str]
DAY = date(2025, 3, 10)


def token(world: World, user: Any) -> Headers:
    signed = sign_in(
        world.uow,
        identifier=user.email,
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def test_deposit_accrue_and_read_my_treasure(client: TestClient, world: World) -> None:
    freeze_local(DAY, 10)
    lin, ops = token(world, world.lin_user), token(world, world.ops_user)

    made = client.post(
        "/api/v1/treasure/deposits", json={"amount": 2_000_000, "source": "wallet"}, headers=lin
    )
    assert made.status_code == 201, made.text
    assert made.json()["earns_from"] == "2025-03-11"
    freeze_local(DAY + timedelta(days=1), 10)
    published = client.post(
        "/api/v1/operator/treasure/rates", json={"day": "2025-03-11", "per_10k": 4560}, headers=ops
    )
    assert published.status_code == 201, published.text
    freeze_local(DAY + timedelta(days=2), 10)
    assert treasure.accrue_due(world.uow) == 1

    mine = client.get("/api/v1/treasure", headers=lin).json()
    assert mine["balance"] == {"amount": 2_000_091, "currency": "CNY"}
    assert mine["confirmed"]["amount"] == 2_000_091
    assert mine["pending"] == []
    assert mine["yesterday_income"]["amount"] == 91
    assert mine["redeemable_today"]["amount"] == 1_000_000
    assert mine["seven_day_yield_percent"] == "1.68"
    assert len(mine["incomes"]) == 30 and mine["incomes"][-1]["amount"]["amount"] == 91
    incomes = client.get("/api/v1/treasure/incomes?days=3", headers=lin).json()["items"]
    assert [i["amount"]["amount"] for i in incomes] == [0, 0, 91]
    rates = client.get("/api/v1/treasure/rates").json()
    assert rates["items"][0]["per_10k_yuan"] == "0.4560"
    assert (rates["items"][0]["declared"]["amount"], rates["items"][0]["paid"]["amount"]) == (
        91,
        91,
    )

    # Wang sees only his own (empty) treasure: there is no id to ask for Lin's.
    wang = client.get("/api/v1/treasure", headers=token(world, world.wang_user)).json()
    assert wang["balance"]["amount"] == 0 and wang["incomes"][-1]["amount"]["amount"] == 0


def test_a_redemption_retried_with_its_key_redeems_once(client: TestClient, world: World) -> None:
    freeze_local(DAY, 10)
    lin = token(world, world.lin_user)
    client.post("/api/v1/treasure/deposits", json={"amount": 100_000}, headers=lin)
    keyed = {**lin, "Idempotency-Key": "r-1"}

    first = client.post("/api/v1/treasure/redemptions", json={"amount": 30_000}, headers=keyed)
    again = client.post("/api/v1/treasure/redemptions", json={"amount": 30_000}, headers=keyed)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert world.held(world.lin) == 70_000
    assert world.wallet(world.lin) == FUNDS - 70_000


def test_refusals_are_problems_and_change_nothing(client: TestClient, world: World) -> None:
    freeze_local(DAY, 10)
    lin = token(world, world.lin_user)
    client.post("/api/v1/treasure/deposits", json={"amount": 2_000_000}, headers=lin)
    client.post("/api/v1/treasure/redemptions", json={"amount": 900_000}, headers=lin)
    before = world.snapshot()

    over_cap = client.post("/api/v1/treasure/redemptions", json={"amount": 100_001}, headers=lin)
    body = assert_problem(over_cap, 409, "treasure_daily_cap")
    assert body["remaining"] == 100_000
    assert_problem(
        client.post(
            "/api/v1/treasure/deposits", json={"amount": 1_000, "source": "credit"}, headers=lin
        ),
        422,
        "credit_orders_only",
    )
    assert_problem(
        client.post(
            "/api/v1/treasure/deposits", json={"amount": 1_000, "source": "points"}, headers=lin
        ),
        422,
        "invalid_input",
    )
    assert_problem(
        client.post("/api/v1/treasure/deposits", json={"amount": 0}, headers=lin),
        422,
        "treasure_amount_invalid",
    )
    assert_problem(
        client.post("/api/v1/treasure/deposits", json={"amount": FUNDS}, headers=lin),
        409,
        "insufficient_funds",
    )
    wang = token(world, world.wang_user)
    assert_problem(
        client.post("/api/v1/treasure/redemptions", json={"amount": 1}, headers=wang),
        409,
        "treasure_insufficient",
    )
    assert_problem(
        client.post(
            "/api/v1/operator/treasure/rates", json={"day": "2025-03-10", "per_10k": 1}, headers=lin
        ),
        403,
        "forbidden",
    )
    assert_problem(client.get("/api/v1/treasure"), 401, "unauthenticated")

    assert world.snapshot() == before
