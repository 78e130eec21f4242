"""Races with real threads against the real database (SQLite and PostgreSQL): redemptions
racing the daily cap never pass it nor take a balance below zero; spends racing redemptions
never overdraw; accrual runs racing each other pay a day once.

Each thread runs its use case in its own unit of work, as concurrent requests do. The pool is
bounded and every wait has a timeout, so a deadlock fails the test instead of hanging it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agora import ledger, treasure
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from factories import race
from treasure.world import FUNDS, World, freeze_local

TIMEOUT = 120
WORKERS = 16
DAY = date(2025, 3, 10)


def test_redemptions_racing_the_cap_never_pass_it(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    db = world.uow.db

    results = race(60, lambda i: treasure.redeem(UnitOfWork(db), actor=world.lin, amount=30_000))

    done = [r for r in results if isinstance(r, treasure.Redemption)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(done) == 33  # 33 × ¥300 = ¥9,900 ≤ ¥10,000 < 34 × ¥300
    assert {type(r) for r in refused} == {treasure.TreasureDailyCapExceeded}
    assert sorted(r.redeemed_today for r in done) == [30_000 * k for k in range(1, 34)]
    assert world.held(world.lin) == 3_000_000 - 990_000
    assert world.wallet(world.lin) == FUNDS - 3_000_000 + 990_000
    assert treasure.audit(world.uow).ok


def test_redemptions_and_spends_racing_a_small_balance_never_overdraw(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.wang, amount=150_000)
    freeze_local(DAY, 16)
    treasure.deposit(world.uow, actor=world.wang, amount=50_000)
    db = world.uow.db

    def act(i: int) -> Any:
        uow = UnitOfWork(db)
        if i % 2:
            return treasure.redeem(uow, actor=world.wang, amount=10_000)
        with uow:
            return treasure.spend_to_wallet(
                uow, user_id=world.wang.user_id, amount=10_000, key=f"race:{i}", purpose="test"
            )

    results = race(40, act)

    succeeded = [r for r in results if not isinstance(r, AgoraError)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(succeeded) == 20
    assert {type(r) for r in refused} == {treasure.TreasureInsufficient}
    assert world.held(world.wang) == 0
    assert world.holding(world.wang) == (0, 0)
    assert treasure.audit(world.uow).ok


def test_accrual_runs_racing_each_other_pay_each_day_once(world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=2_000_000)
    treasure.deposit(world.uow, actor=world.wang, amount=1_000_003)
    for i in range(1, 4):
        freeze_local(DAY + timedelta(days=i), 9)
        world.publish(DAY + timedelta(days=i), 4321)
    freeze_local(DAY + timedelta(days=4), 2)
    db = world.uow.db

    paid = race(12, lambda i: treasure.accrue_due(UnitOfWork(db)))

    assert sum(paid) == 3
    assert len(ledger.transfers_with(world.uow, key_prefix="treasure:income:")) == 6
    rates = treasure.list_rates(world.uow)
    assert all(rate.accrued_at is not None for rate in rates)
    assert treasure.audit(world.uow).ok
