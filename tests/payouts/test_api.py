"""Payouts over HTTP: the payout account, payouts with an Idempotency-Key, the operator's
commission — and every refusal as problem+json with nothing changed."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

import factories
from agora import catalog
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import assert_problem, bearer
from payouts.world import COAT_NET, Payouts

ACCOUNT = {
    "holder_name": "North Wind Trading",
    "bank_name": "ICBC",
    "account_number": "6222 0212 3456 7890",
}


def _owner(world: Payouts, uow: UnitOfWork) -> dict[str, str]:
    return _headers(uow, world.merchant_a.user_id)


def test_the_owner_sets_the_account_and_pays_out_once_per_key(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    world.complete_order(world.red_coat)
    headers = _owner(world, uow)
    base = f"/api/v1/stores/{world.store_a.id}"

    # Given no account yet
    assert client.get(f"{base}/payout-account", headers=headers).json() is None
    refused = client.post(f"{base}/payouts", json={"amount": 1000}, headers=headers)
    assert_problem(refused, 409, "payout_account_missing")

    # When the owner sets it, the number comes back masked
    saved = client.put(f"{base}/payout-account", json=ACCOUNT, headers=headers)
    assert saved.status_code == 200, saved.text
    assert {k: saved.json()[k] for k in ("holder_name", "bank_name", "account_number")} == {
        "holder_name": "North Wind Trading",
        "bank_name": "ICBC",
        "account_number": "•••• 7890",
    }
    assert "6222" not in client.get(f"{base}/payouts", headers=headers).text

    # And pays out ¥100.00, twice with one key
    keyed = {**headers, "Idempotency-Key": "payout-1"}
    first = client.post(f"{base}/payouts", json={"amount": 10000}, headers=keyed)
    again = client.post(f"{base}/payouts", json={"amount": 10000}, headers=keyed)
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    payout = first.json()
    assert (payout["status"], payout["amount"], payout["failure_reason"]) == (
        "requested",
        {"amount": 10000, "currency": "CNY"},
        None,
    )
    # the same key with another body is refused
    other = client.post(f"{base}/payouts", json={"amount": 20000}, headers=keyed)
    assert_problem(other, 422, "idempotency_key_reused")

    # Then one payout, paid once the bank answers
    world.deliver_events()
    page = client.get(f"{base}/payouts", headers=headers).json()
    assert page["balance"] == {"amount": COAT_NET - 10000, "currency": "CNY"}
    assert [(p["id"], p["status"]) for p in page["items"]] == [(payout["id"], "paid")]
    assert page["account"]["account_number"] == "•••• 7890"
    assert page["next_before"] is None
    one = client.get(f"{base}/payouts/{payout['id']}", headers=headers)
    assert one.json()["status"] == "paid"


def test_refusals_change_nothing(client: TestClient, uow: UnitOfWork, world: Payouts) -> None:
    world.complete_order(world.red_coat)
    headers = _owner(world, uow)
    base = f"/api/v1/stores/{world.store_a.id}"
    assert client.put(f"{base}/payout-account", json=ACCOUNT, headers=headers).status_code == 200
    stranger = _headers(uow, world.merchant_b.user_id)
    clerk = factories.make_user(uow, name="Clerk")
    catalog.add_staff(
        uow, actor=world.merchant_a, store_id=world.store_a.id, user_id=clerk.id, role="staff"
    )
    clerk_headers = bearer(uow, clerk)
    before = world.money()

    above = client.post(f"{base}/payouts", json={"amount": COAT_NET + 1}, headers=headers)
    body = assert_problem(above, 409, "payout_exceeds_balance")
    assert body["balance"] == COAT_NET
    assert_problem(
        client.post(f"{base}/payouts", json={"amount": 0}, headers=headers), 422, "invalid_input"
    )
    assert_problem(
        client.post(f"{base}/payouts", json={"amount": "100"}, headers=headers),
        422,
        "invalid_input",
    )
    bad_account = client.put(
        f"{base}/payout-account", json={**ACCOUNT, "account_number": "12ab"}, headers=headers
    )
    assert_problem(bad_account, 422, "invalid_input")

    # store B's owner: store A does not exist for them; store B has no such payout
    assert_problem(
        client.post(f"{base}/payouts", json={"amount": 100}, headers=stranger),
        404,
        "store_not_found",
    )
    assert_problem(client.get(f"{base}/payout-account", headers=stranger), 404, "store_not_found")
    missing = client.get(
        f"/api/v1/stores/{world.store_b.id}/payouts/{uuid.uuid4()}", headers=stranger
    )
    assert_problem(missing, 404, "payout_not_found")

    # a clerk of store A: 403
    assert_problem(
        client.post(f"{base}/payouts", json={"amount": 100}, headers=clerk_headers),
        403,
        "store_owner_only",
    )
    assert_problem(client.get(f"{base}/payouts", headers=clerk_headers), 403, "store_owner_only")

    assert world.money() == before


def test_another_stores_payout_by_id_is_not_found(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    world.complete_order(world.red_coat)
    headers = _owner(world, uow)
    base = f"/api/v1/stores/{world.store_a.id}"
    client.put(f"{base}/payout-account", json=ACCOUNT, headers=headers)
    payout = client.post(f"{base}/payouts", json={"amount": 500}, headers=headers).json()
    stranger = _headers(uow, world.merchant_b.user_id)

    response = client.get(
        f"/api/v1/stores/{world.store_b.id}/payouts/{payout['id']}", headers=stranger
    )

    assert_problem(response, 404, "payout_not_found")
    world.deliver_events()


def test_the_operator_sets_a_stores_commission(
    client: TestClient, uow: UnitOfWork, world: Payouts
) -> None:
    ops = _headers(uow, world.ops.user_id)
    path = f"/api/v1/operator/stores/{world.store_a.id}/commission"

    response = client.put(path, json={"commission_percent": "3.25"}, headers=ops)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "store_id": str(world.store_a.id),
        "commission_percent": "3.25",
        "effective_percent": "3.25",
    }
    cleared = client.put(path, json={"commission_percent": None}, headers=ops).json()
    assert (cleared["commission_percent"], cleared["effective_percent"]) == (None, "5")
    assert_problem(
        client.put(path, json={"commission_percent": 51}, headers=ops), 422, "invalid_input"
    )
    owner = _owner(world, uow)
    assert_problem(
        client.put(path, json={"commission_percent": 1}, headers=owner), 403, "forbidden"
    )
    missing = client.put(
        f"/api/v1/operator/stores/{uuid.uuid4()}/commission",
        json={"commission_percent": 1},
        headers=ops,
    )
    assert_problem(missing, 404, "store_not_found")


def _headers(uow: UnitOfWork, user_id: uuid.UUID) -> dict[str, str]:
    """A bearer token of the user's."""
    with uow.read() as session:
        user = session.get(User, user_id)
        assert user is not None
    return bearer(uow, user)
