"""Deposits, redemptions and spending: where the money goes, which part earns, and refusals
that change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from agora import ledger, payments, treasure
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from treasure.world import FUNDS, World, freeze_local

DAY = date(2025, 3, 10)


def test_a_deposit_before_the_cut_off_earns_from_the_next_day(world: World) -> None:
    freeze_local(DAY, 14, 59)

    made = treasure.deposit(world.uow, actor=world.lin, amount=100_000)

    assert made.confirm_on == date(2025, 3, 11)
    assert world.wallet(world.lin) == FUNDS - 100_000
    assert world.held(world.lin) == 100_000
    assert world.holding(world.lin) == (0, 100_000)


def test_a_deposit_at_the_cut_off_earns_from_the_day_after_next(world: World) -> None:
    freeze_local(DAY, 15, 0)

    made = treasure.deposit(world.uow, actor=world.lin, amount=100_000)

    assert made.confirm_on == date(2025, 3, 12)


def test_a_deposit_key_deposits_once(world: World) -> None:
    freeze_local(DAY, 9)
    first = treasure.deposit(world.uow, actor=world.lin, amount=5_000, key="k1")
    again = treasure.deposit(world.uow, actor=world.lin, amount=5_000, key="k1")

    assert again.id == first.id
    assert world.held(world.lin) == 5_000


def test_a_deposit_from_credit_is_refused_and_changes_nothing(world: World) -> None:
    before = world.snapshot()

    with pytest.raises(payments.CreditOnlyForOrders) as refused:
        treasure.deposit(world.uow, actor=world.lin, amount=10_000, source="credit")

    assert (refused.value.status, refused.value.code) == (422, "credit_orders_only")
    assert world.snapshot() == before


@pytest.mark.parametrize("source", ["treasure", "gateway:sandbox", "points"])
def test_a_deposit_from_anything_but_the_wallet_is_invalid(world: World, source: str) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput):
        treasure.deposit(world.uow, actor=world.lin, amount=10_000, source=source)

    assert world.snapshot() == before


@pytest.mark.parametrize("amount", [0, -1, True, 10**13])
def test_a_deposit_of_a_bad_amount_is_refused(world: World, amount: int) -> None:
    before = world.snapshot()

    with pytest.raises(treasure.TreasureAmountInvalid):
        treasure.deposit(world.uow, actor=world.lin, amount=amount)

    assert world.snapshot() == before


def test_a_deposit_beyond_the_wallet_is_refused_and_changes_nothing(world: World) -> None:
    before = world.snapshot()

    with pytest.raises(ledger.InsufficientFunds):
        treasure.deposit(world.uow, actor=world.lin, amount=FUNDS + 1)

    assert world.snapshot() == before


def _confirm(world: World, who_amount: int) -> None:
    """Deposit on DAY, publish a zero rate for the next day and accrue it: the money earns."""
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=who_amount)
    freeze_local(date(2025, 3, 11), 10)
    world.publish(date(2025, 3, 11), 0)
    freeze_local(date(2025, 3, 12), 1)
    assert treasure.accrue_due(world.uow) == 1


def test_a_redemption_takes_pending_money_first_then_confirmed(world: World) -> None:
    _confirm(world, 300_000)
    freeze_local(date(2025, 3, 12), 9)
    treasure.deposit(world.uow, actor=world.lin, amount=50_000)
    treasure.deposit(world.uow, actor=world.lin, amount=20_000)
    assert world.holding(world.lin) == (300_000, 70_000)

    done = treasure.redeem(world.uow, actor=world.lin, amount=80_000)

    assert world.holding(world.lin) == (290_000, 0)
    assert world.held(world.lin) == 290_000
    assert world.wallet(world.lin) == FUNDS - 370_000 + 80_000
    assert done.remaining_today == 1_000_000 - 80_000


def test_redeeming_more_than_held_is_refused_and_changes_nothing(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=10_000)
    before = world.snapshot()

    with pytest.raises(treasure.TreasureInsufficient) as refused:
        treasure.redeem(world.uow, actor=world.lin, amount=10_001)

    assert refused.value.status == 409
    assert world.snapshot() == before


def test_redeeming_over_the_daily_cap_is_refused_and_changes_nothing(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    treasure.redeem(world.uow, actor=world.lin, amount=600_000)
    before = world.snapshot()

    with pytest.raises(treasure.TreasureDailyCapExceeded) as refused:
        treasure.redeem(world.uow, actor=world.lin, amount=400_001)

    assert (refused.value.status, refused.value.code) == (409, "treasure_daily_cap")
    assert refused.value.extra["remaining"] == 400_000
    assert world.snapshot() == before
    treasure.redeem(world.uow, actor=world.lin, amount=400_000)
    with pytest.raises(treasure.TreasureDailyCapExceeded):
        treasure.redeem(world.uow, actor=world.lin, amount=1)


def test_the_cap_starts_again_on_the_next_local_day(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    treasure.redeem(world.uow, actor=world.lin, amount=1_000_000)
    freeze_local(DAY, 23, 59)
    with pytest.raises(treasure.TreasureDailyCapExceeded):
        treasure.redeem(world.uow, actor=world.lin, amount=1)

    freeze_local(date(2025, 3, 11), 0, 0)
    treasure.redeem(world.uow, actor=world.lin, amount=1_000_000)

    assert world.held(world.lin) == 1_000_000


def test_one_request_above_the_cap_is_refused_outright(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    before = world.snapshot()

    with pytest.raises(treasure.TreasureDailyCapExceeded) as refused:
        treasure.redeem(world.uow, actor=world.lin, amount=1_000_001)

    assert refused.value.extra["remaining"] == 1_000_000
    assert world.snapshot() == before


def test_spending_moves_to_the_wallet_once_per_key_and_ignores_the_cap(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    treasure.redeem(world.uow, actor=world.lin, amount=1_000_000)

    with world.uow:
        moved = treasure.spend_to_wallet(
            world.uow, user_id=world.lin.user_id, amount=1_500_000, key="order:1", purpose="order"
        )
        again = treasure.spend_to_wallet(
            world.uow, user_id=world.lin.user_id, amount=1_500_000, key="order:1", purpose="order"
        )

    assert (moved, again) == (True, False)
    assert world.held(world.lin) == 500_000
    assert world.holding(world.lin) == (0, 500_000)
    assert world.wallet(world.lin) == FUNDS - 3_000_000 + 2_500_000
    assert ledger.transfers_with(world.uow, key_prefix="treasure:spend:") == [
        ("treasure:spend:order:1", "treasure_spend")
    ]


def test_spending_more_than_held_is_refused_and_changes_nothing(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=10_000)
    before = world.snapshot()

    with pytest.raises(treasure.TreasureInsufficient):
        treasure.spend_to_wallet(
            world.uow, user_id=world.lin.user_id, amount=10_001, key="x", purpose="order"
        )
    with pytest.raises(treasure.TreasureInsufficient):
        treasure.spend_to_wallet(
            world.uow, user_id=world.wang.user_id, amount=1, key="y", purpose="order"
        )

    assert world.snapshot() == before


def test_the_audit_agrees_after_moves(world: World, uow: UnitOfWork) -> None:
    _confirm(world, 300_000)
    freeze_local(date(2025, 3, 12), 16)
    treasure.deposit(world.uow, actor=world.lin, amount=7_000)
    treasure.redeem(world.uow, actor=world.lin, amount=1_000)

    report = treasure.audit(uow)

    assert report.ok, report.problems
    assert report.users == 1
