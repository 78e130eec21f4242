"""Store payouts through the use cases: the settled balance out to the bank (paid, or failed and
returned), every refusal with nothing changed, idempotent and concurrent requests, and the
operator's commission per store as settlement uses it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import factories
from agora import catalog, ledger, payments, payouts
from agora.catalog import StoreNotFound
from agora.core.errors import Forbidden, InvalidInput
from agora.core.idempotency import run_idempotent
from agora.core.uow import UnitOfWork
from agora.ordering import Settlement
from payouts.world import COAT_NET, Payouts, with_account


def test_a_payout_leaves_the_balance_at_once_and_the_bank_pays_it(world: Payouts) -> None:
    # Given store A with one settled order and a payout account
    world.complete_order(world.red_coat)
    with_account(world)
    bank_before = world.at_the_bank()
    assert world.settlement(world.store_a) == COAT_NET

    # When its owner pays out ¥200.00
    payout = payouts.request_payout(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=20000
    )

    # Then the money left the balance at once, into payouts in flight
    assert (payout.status, payout.amount, payout.failure_reason) == ("requested", 20000, None)
    assert (world.settlement(world.store_a), world.in_flight()) == (COAT_NET - 20000, 20000)

    # And when the bank's notification arrives, it is paid: out to the bank's clearing account
    world.deliver_events()
    page = payouts.store_payouts(world.uow, actor=world.merchant_a, store_id=world.store_a.id)
    [done] = page.items
    assert (done.id, done.status, done.failure_reason) == (payout.id, "paid", None)
    assert done.finished_at is not None
    assert page.balance == COAT_NET - 20000
    assert (world.in_flight(), world.at_the_bank()) == (0, bank_before + 20000)
    kinds = [
        line.kind
        for line in ledger.statement(world.uow, payments.store_settlement_of(world.store_a.id))
    ]
    assert kinds == ["withdrawal", "order_settlement"]


def test_a_declined_payout_fails_with_the_reason_and_the_money_comes_back(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    with_account(world)
    bank_before = world.at_the_bank()
    # the sandbox bank declines payouts whose amount ends in .13
    payout = payouts.request_payout(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=10013
    )
    assert world.settlement(world.store_a) == COAT_NET - 10013

    world.deliver_events()

    done = payouts.access_payout(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, payout_id=payout.id
    )
    assert (done.status, done.failure_reason) == ("failed", "declined")
    assert (world.settlement(world.store_a), world.in_flight()) == (COAT_NET, 0)
    assert world.at_the_bank() == bank_before
    kinds = [
        line.kind
        for line in ledger.statement(world.uow, payments.store_settlement_of(world.store_a.id))
    ]
    assert kinds == ["withdrawal_returned", "withdrawal", "order_settlement"]


def test_a_payout_above_the_balance_is_refused_and_nothing_changes(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    with_account(world)
    before = world.money()

    with pytest.raises(payouts.PayoutExceedsBalance) as refused:
        payouts.request_payout(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=COAT_NET + 1
        )

    assert (refused.value.status, refused.value.extra) == (409, {"balance": COAT_NET})
    assert world.money() == before


def test_a_store_with_nothing_settled_cannot_pay_out(world: Payouts) -> None:
    with_account(world)
    before = world.money()
    with pytest.raises(payouts.PayoutExceedsBalance):
        payouts.request_payout(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=100
        )
    assert world.money() == before


@pytest.mark.parametrize("amount", [0, -5, 5_000_001])
def test_amounts_outside_the_limits_are_refused(world: Payouts, amount: int) -> None:
    world.complete_order(world.red_coat)
    with_account(world)
    before = world.money()
    with pytest.raises(InvalidInput):
        payouts.request_payout(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=amount
        )
    assert world.money() == before


def test_a_payout_needs_a_payout_account(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    before = world.money()
    with pytest.raises(payouts.PayoutAccountMissing):
        payouts.request_payout(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=1000
        )
    assert world.money() == before


def test_only_the_owner_manages_the_stores_money(world: Payouts) -> None:
    # Given store A's settled balance, and a member of its staff who is not the owner
    world.complete_order(world.red_coat)
    with_account(world)
    clerk_user = factories.make_user(world.uow, name="Clerk")
    catalog.add_staff(
        world.uow,
        actor=world.merchant_a,
        store_id=world.store_a.id,
        user_id=clerk_user.id,
        role="staff",
    )
    clerk = factories.principal(clerk_user)
    before = world.money()
    store = world.store_a.id

    # Then the clerk and the operator are refused (403): a store's money is its owner's
    for actor in (clerk, world.ops):
        with pytest.raises(payouts.OwnerOnly):
            payouts.request_payout(world.uow, actor=actor, store_id=store, amount=1000)
        with pytest.raises(payouts.OwnerOnly):
            payouts.store_payouts(world.uow, actor=actor, store_id=store)
        with pytest.raises(payouts.OwnerOnly):
            payouts.payout_account(world.uow, actor=actor, store_id=store)
    # And a stranger — store B's owner — does not even see the store (404)
    with pytest.raises(StoreNotFound):
        payouts.request_payout(world.uow, actor=world.merchant_b, store_id=store, amount=1000)
    with pytest.raises(StoreNotFound):
        payouts.set_payout_account(
            world.uow,
            actor=world.merchant_b,
            store_id=store,
            holder_name="Thief",
            bank_name="Bank",
            account_number="1111222233334444",
        )
    assert world.money() == before
    account = payouts.payout_account(world.uow, actor=world.merchant_a, store_id=store)
    assert account is not None and account.holder_name == "North Wind Trading Co."


def test_another_stores_payout_is_not_found_by_its_id(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    with_account(world)
    payout = payouts.request_payout(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=1000
    )
    # store B's owner asks for it under their own store: no such payout there
    with pytest.raises(payouts.PayoutNotFound):
        payouts.access_payout(
            world.uow, actor=world.merchant_b, store_id=world.store_b.id, payout_id=payout.id
        )
    # and under store A, which they do not see
    with pytest.raises(StoreNotFound):
        payouts.access_payout(
            world.uow, actor=world.merchant_b, store_id=world.store_a.id, payout_id=payout.id
        )
    assert (
        payouts.store_payouts(world.uow, actor=world.merchant_b, store_id=world.store_b.id).items
        == []
    )
    world.deliver_events()


def test_a_stores_payouts_are_not_its_owners_wallet_withdrawals(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    with_account(world)
    payouts.request_payout(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=1000
    )
    world.deliver_events()
    assert payments.recent_withdrawals(world.uow, actor=world.merchant_a) == []
    assert payments.wallet_balance(world.uow, actor=world.merchant_a) == 0


def test_the_payout_account_is_checked_stored_as_digits_and_shown_masked(
    world: Payouts, uow: UnitOfWork
) -> None:
    with pytest.raises(InvalidInput) as refused:
        payouts.set_payout_account(
            uow,
            actor=world.merchant_a,
            store_id=world.store_a.id,
            holder_name="  ",
            bank_name="ICBC",
            account_number="12-34",
        )
    assert [e["field"] for e in refused.value.extra["errors"]] == [
        "holder_name",
        "account_number",
    ]
    assert payouts.payout_account(uow, actor=world.merchant_a, store_id=world.store_a.id) is None

    shown = payouts.set_payout_account(
        uow,
        actor=world.merchant_a,
        store_id=world.store_a.id,
        holder_name=" North  Wind ",
        bank_name="China Merchants Bank",
        account_number="6225 8812-3456 7890",
    )

    assert (shown.holder_name, shown.bank_name, shown.masked_number) == (
        "North Wind",
        "China Merchants Bank",
        "•••• 7890",
    )
    with uow.read() as session:
        stored = session.get(payouts.PayoutAccount, world.store_a.id)
        assert stored is not None and stored.account_number == "6225881234567890"


def test_a_retried_payout_with_the_same_key_pays_out_once(world: Payouts) -> None:
    world.complete_order(world.red_coat)
    with_account(world)

    def pay_out() -> tuple[int, dict[str, Any]]:
        payout = payouts.request_payout(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, amount=5000
        )
        return 201, {"id": str(payout.id)}

    results = [
        run_idempotent(
            world.uow,
            scope=f"user:{world.merchant_a.user_id}",
            key="payout-1",
            request_hash="h",
            action=pay_out,
        )
        for _ in range(2)
    ]

    assert results[0].body == results[1].body and results[1].replayed
    page = payouts.store_payouts(world.uow, actor=world.merchant_a, store_id=world.store_a.id)
    assert [str(p.id) for p in page.items] == [results[0].body["id"]]
    assert world.settlement(world.store_a) == COAT_NET - 5000
    world.deliver_events()


def test_two_payouts_at_once_beyond_the_balance_one_goes_through(world: Payouts) -> None:
    # Given ¥284.05 settled, and two payouts of ¥200.00 asked at the same moment
    world.complete_order(world.red_coat)
    with_account(world)

    results = factories.race(
        2,
        lambda _: payouts.request_payout(
            UnitOfWork(world.uow.db),
            actor=world.merchant_a,
            store_id=world.store_a.id,
            amount=20000,
        ),
    )

    # Then exactly one is paid out and the other refused; the balance never went below zero
    paid = [r for r in results if isinstance(r, payouts.Payout)]
    refused = [r for r in results if isinstance(r, payouts.PayoutExceedsBalance)]
    assert (len(paid), len(refused)) == (1, 1), results
    assert world.settlement(world.store_a) == COAT_NET - 20000
    world.deliver_events()
    page = payouts.store_payouts(world.uow, actor=world.merchant_a, store_id=world.store_a.id)
    assert [(p.id, p.status) for p in page.items] == [(paid[0].id, "paid")]


def test_settlement_uses_the_stores_own_commission_rate(world: Payouts) -> None:
    # Given the operator sets store A's commission to 7.5 %
    store = catalog.set_store_commission(
        world.uow, actor=world.ops, store_id=world.store_a.id, percent=Decimal("7.5")
    )
    assert catalog.store_commission(store) == catalog.Commission(Decimal("7.5"), Decimal("7.5"))

    # When an order of ¥299.00 completes
    order = world.complete_order(world.red_coat)

    # Then 7.5 % of it, rounded half up to a fen (2242.5 → 2243), is the platform's
    with world.uow.read() as session:
        settlement = session.scalar(select(Settlement).where(Settlement.order_id == order.id))
        assert settlement is not None
        assert (settlement.gross, settlement.commission, settlement.net, settlement.rate) == (
            29900,
            2243,
            27657,
            "0.075",
        )
    assert world.settlement(world.store_a) == 27657

    # And cleared, the store pays the platform default again
    store = catalog.set_store_commission(
        world.uow, actor=world.ops, store_id=world.store_a.id, percent=None
    )
    assert catalog.store_commission(store) == catalog.Commission(None, Decimal(5))
    world.complete_order(world.red_coat)
    assert world.settlement(world.store_a) == 27657 + COAT_NET


@pytest.mark.parametrize("percent", ["-0.01", "50.01", "5.555", "NaN"])
def test_a_commission_outside_0_to_50_percent_or_finer_than_a_hundredth_is_refused(
    world: Payouts, percent: str
) -> None:
    with pytest.raises(InvalidInput):
        catalog.set_store_commission(
            world.uow, actor=world.ops, store_id=world.store_a.id, percent=Decimal(percent)
        )
    with world.uow.read() as session:
        store = session.get(catalog.Store, world.store_a.id)
        assert store is not None and store.commission_bps is None


def test_only_operators_set_commission(world: Payouts) -> None:
    with pytest.raises(Forbidden):
        catalog.set_store_commission(
            world.uow, actor=world.merchant_a, store_id=world.store_a.id, percent=Decimal(0)
        )
    store = catalog.set_store_commission(
        world.uow, actor=world.ops, store_id=world.store_a.id, percent=Decimal("50")
    )
    assert (store.commission_bps, catalog.store_commission(store).effective) == (5000, Decimal(50))
