"""Thirty days of published rates, paid by the accrual as the clock travels, against a reference
computed independently here: deposits before and after the cut-off, redemptions (pending money
first), compounding, rounding down with the residue kept — to the fen, every day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import select

import factories
from agora import ledger, treasure
from agora.core.errors import Forbidden
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from treasure.world import World, freeze_local

START = date(2025, 3, 1)
DAYS = 30


@dataclass
class Ref:
    """One holder as the product describes them: what earns, and deposits waiting to."""

    confirmed: int = 0
    pending: list[list[int | date]] = field(default_factory=list)  # [remaining, confirm_on]
    incomes: dict[date, int] = field(default_factory=dict)

    def total(self) -> int:
        return self.confirmed + sum(int(p[0]) for p in self.pending)


def rate_of(i: int) -> int:
    """Rates vary between ¥0.40 and ¥0.50 per ¥10,000, with odd last digits."""
    return 4000 + (i * 379) % 1000 + i % 7


def _ref_deposit(ref: Ref, amount: int, day: date, hour: int) -> None:
    ref.pending.append([amount, day + timedelta(days=1 if hour < 15 else 2)])


def _ref_take(ref: Ref, amount: int) -> None:
    left = amount
    for p in reversed(ref.pending):  # newest first
        part = min(int(p[0]), left)
        p[0] = int(p[0]) - part
        left -= part
    ref.pending = [p for p in ref.pending if int(p[0]) > 0]
    assert ref.confirmed >= left
    ref.confirmed -= left


def _ref_accrue(refs: dict[uuid.UUID, Ref], day: date, rate: int) -> tuple[int, int, int]:
    for ref in refs.values():
        for p in ref.pending:
            if p[1] <= day:  # type: ignore[operator]
                ref.confirmed += int(p[0])
                p[0] = 0
        ref.pending = [p for p in ref.pending if int(p[0]) > 0]
    declared = sum(ref.confirmed for ref in refs.values()) * rate // 100_000_000
    paid = 0
    for ref in refs.values():
        income = ref.confirmed * rate // 100_000_000
        if income:
            ref.incomes[day] = income
        ref.confirmed += income
        paid += income
    return declared, paid, declared - paid


def test_thirty_days_of_income_match_the_reference_to_the_fen(world: World) -> None:
    uow = world.uow
    small = [factories.make_user(uow, name=f"Small {n}") for n in range(3)]
    for user in small:
        factories.fund_wallet(uow, user, 100_000)
    people: list[Principal] = [world.lin, world.wang, *map(factories.principal, small)]
    refs = {p.user_id: Ref() for p in people}
    lin, wang = world.lin, world.wang

    # (day index, hour, minute, who, action, amount): deposits either side of the cut-off,
    # redemptions that take pending money first, and small holders whose income rounds to 0.
    script = [
        (0, 10, 0, lin, "deposit", 1_234_567),
        (0, 16, 0, wang, "deposit", 765_433),
        (0, 11, 0, people[2], "deposit", 99_999),
        (0, 11, 5, people[3], "deposit", 2_197),
        (0, 11, 10, people[4], "deposit", 7),
        (5, 14, 0, lin, "deposit", 50_000),
        (10, 11, 0, lin, "redeem", 300_000),
        (12, 15, 30, wang, "deposit", 100_001),
        (12, 15, 45, wang, "redeem", 40_000),
        (13, 9, 0, wang, "redeem", 60_002),
        (20, 14, 59, lin, "deposit", 1),
        (20, 15, 0, lin, "deposit", 2),
        (21, 8, 0, lin, "redeem", 2),
    ]
    expected_days: dict[date, tuple[int, int, int]] = {}
    for i in range(DAYS):
        day = START + timedelta(days=i)
        for index, hour, minute, who, action, amount in script:
            if index != i:
                continue
            freeze_local(day, hour, minute)
            if action == "deposit":
                treasure.deposit(uow, actor=who, amount=amount)
                _ref_deposit(refs[who.user_id], amount, day, hour)
            else:
                treasure.redeem(uow, actor=who, amount=amount)
                _ref_take(refs[who.user_id], amount)
        freeze_local(day, 18)
        world.publish(day, rate_of(i))
        assert treasure.accrue_due(uow) == 0, "a day is not paid before it is over"
        freeze_local(day + timedelta(days=1), 0, 20)
        assert treasure.accrue_due(uow) == 1
        expected_days[day] = _ref_accrue(refs, day, rate_of(i))

    rows = {rate.day: rate for rate in treasure.list_rates(uow, limit=DAYS)}
    for day, (declared, paid, residue) in expected_days.items():
        assert (rows[day].declared, rows[day].paid, rows[day].residue) == (
            declared,
            paid,
            residue,
        ), day
        assert rows[day].declared == rows[day].paid + rows[day].residue
    total_residue = sum(residue for _, _, residue in expected_days.values())
    assert total_residue > 0, "the scenario should exercise rounding"
    assert ledger.balance(uow, treasure.rounding_account()) == total_residue

    with uow.read() as session:
        paid_rows = {
            (row.user_id, row.day): row.amount
            for row in session.scalars(select(treasure.TreasureIncome))
        }
    expected_rows = {
        (user_id, day): amount
        for user_id, ref in refs.items()
        for day, amount in ref.incomes.items()
    }
    assert paid_rows == expected_rows
    for person in people:
        ref = refs[person.user_id]
        assert world.held(person) == ref.total()
        assert world.holding(person) == (ref.confirmed, sum(int(p[0]) for p in ref.pending))
        mine = treasure.summary(uow, user_id=person.user_id)
        last = START + timedelta(days=DAYS - 1)
        assert mine.yesterday_income == ref.incomes.get(last, 0)
        assert mine.income_total == sum(ref.incomes.values())
        assert [d.amount for d in mine.incomes] == [
            ref.incomes.get(START + timedelta(days=n), 0) for n in range(DAYS)
        ]
    # Compounding: Lin's income grew with her balance (same rate, larger base later).
    assert refs[lin.user_id].incomes[START + timedelta(days=29)] > 0
    assert treasure.audit(uow).ok, treasure.audit(uow).problems


def test_a_day_is_paid_once_however_often_the_accrual_runs(world: World) -> None:
    freeze_local(START, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=1_000_000)
    freeze_local(START + timedelta(days=1), 12)
    world.publish(START + timedelta(days=1), 4560)
    freeze_local(START + timedelta(days=2), 1)

    assert treasure.accrue_due(world.uow) == 1
    assert treasure.accrue_due(world.uow) == 0
    assert treasure.accrue_day(world.uow, START + timedelta(days=1)) is False

    assert (
        world.held(world.lin) == 1_000_000 + 45
    )  # ¥10,000 × ¥0.4560 per ¥10,000 = 45.6 fen, rounded down
    assert ledger.transfers_with(world.uow, key_prefix="treasure:income:") == [
        (f"treasure:income:2025-03-02:{world.lin.user_id}", "treasure_income")
    ]


def test_a_rate_can_be_corrected_until_its_day_is_paid(world: World) -> None:
    day = START
    freeze_local(day, 10)
    world.publish(day, 4000)
    assert world.publish(day, 4100).per_10k == 4100
    freeze_local(day + timedelta(days=1), 1)
    treasure.accrue_due(world.uow)
    before = world.snapshot()

    assert world.publish(day, 4100).per_10k == 4100  # the same value: a no-op
    with pytest.raises(treasure.TreasureRateAccrued) as refused:
        world.publish(day, 4200)

    assert refused.value.status == 409
    assert world.snapshot() == before


def test_only_operators_publish_rates_for_today_or_before(world: World, uow: UnitOfWork) -> None:
    freeze_local(START, 10)
    before = world.snapshot()

    with pytest.raises(Forbidden):
        treasure.publish_rate(uow, actor=world.lin, day=START, per_10k=4000)
    with pytest.raises(treasure.TreasureRateInvalid):
        world.publish(START + timedelta(days=1), 4000)
    with pytest.raises(treasure.TreasureRateInvalid):
        world.publish(START, -1)
    with pytest.raises(treasure.TreasureRateInvalid):
        world.publish(START, 50_001)

    assert world.snapshot() == before


def test_the_seven_day_yield_compounds_the_last_seven_published_days(world: World) -> None:
    freeze_local(START + timedelta(days=9), 10)
    assert treasure.seven_day_yield(world.uow) is None
    for i in range(10):
        world.publish(START + timedelta(days=i), 4000 if i < 3 else 5000)

    # (1 + 5000/10^8)^365 − 1 = 1.8417...%
    assert treasure.seven_day_yield(world.uow) == "1.84"
