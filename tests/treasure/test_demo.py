"""The demo's treasure: Lin Mei and Wang Lei with a month of income, a rate for every day, the
clock as it was — and a second seeding that adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, treasure
from agora.core import security
from agora.core.clock import clock, local_today, utcnow
from agora.core.uow import UnitOfWork
from agora.demo.seed import DEMO_PASSWORD, seed
from agora.demo.trading import SHOPPER, WANG
from agora.demo.treasure import DAYS, seed_treasure
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap hashing, only the products the demo acts on, and of the later demos only this one."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_treasure")


def _whole_demo(uow: UnitOfWork) -> dict[str, object]:
    """``seed()``, then this part again (the second call adds nothing)."""
    result = dict(seed(uow))
    with uow.read() as session:
        users = {u.email: u for u in session.scalars(select(User))}
    result.update(seed_treasure(uow, shoppers=users, stores={}, password=DEMO_PASSWORD))
    return result


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (
                treasure.TreasureDeposit,
                treasure.TreasureHolding,
                treasure.TreasureIncome,
                treasure.TreasureRate,
                treasure.TreasureRedemptionDay,
                ledger.Transfer,
            )
        }


def test_the_demo_has_a_month_of_treasure_income_and_seeds_once(uow: UnitOfWork) -> None:
    frozen = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(frozen)

    _whole_demo(uow)
    before = _counts(uow)
    _whole_demo(uow)

    assert utcnow() == frozen, "the demo puts the clock back"
    assert _counts(uow) == before
    rates = treasure.list_rates(uow, limit=60)
    assert len(rates) == DAYS + 1
    assert rates[0].day == local_today() and rates[0].accrued_at is None
    assert all(r.accrued_at is not None for r in rates[1:])
    assert all(4_000 <= r.per_10k < 5_000 for r in rates)
    assert sum(r.residue for r in rates) == ledger.balance(uow, treasure.rounding_account())
    with uow.read() as session:
        users = {u.email: u for u in session.scalars(select(User))}
    for email in (SHOPPER, WANG):
        mine = treasure.summary(uow, user_id=users[email].id)
        assert mine.balance > 0 and mine.yesterday_income > 0
        assert sum(1 for day in mine.incomes if day.amount) >= 28
        assert mine.seven_day_yield is not None
    lin = treasure.summary(uow, user_id=users[SHOPPER].id)
    assert [p.remaining for p in lin.pending] == [66_600]
    assert lin.pending[0].confirm_on == local_today()  # in after 15:00 two days ago
    assert treasure.audit(uow).ok, treasure.audit(uow).problems
    assert ledger.check(uow).ok
