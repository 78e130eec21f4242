"""Three billing cycles by clock travel, against a reference schedule worked out here.

January: two purchases, a partial refund, a purchase split into 3 instalments, an early
repayment. February: the minimum paid on time, the rest paid ten days late (late fees). March:
nothing paid by the due date, frozen after seven days, then repaid in full; an early repayment
of a new purchase. The billing job runs every day at 00:30 local time (twice on statement days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from agora import credit, ledger
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from credit.world import Shopper, assert_audit, buy, line, owed, refund, shopper, wallet

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- the reference: the product rules written out by hand --------------------------------


def ref_late_fee(unpaid: int) -> int:
    """0.05 % a day, half up: unpaid × 5 / 10,000."""
    return (unpaid * 5 + 5_000) // 10_000


def ref_minimum(amount: int) -> int:
    return -(-amount // 10)


PLAN_FEE = (30_000 * 250 + 5_000) // 10_000  # 2.5 % of ¥300
INSTALMENT = 30_000 // 3 + PLAN_FEE // 3  # 10,000 + 250

S1 = (40_000 - 10_000) + (25_000 - 5_000) + INSTALMENT  # A net of early repayment, B net of refund
S1_LATE_DAILY = ref_late_fee(S1 - ref_minimum(S1))
S1_LATE = 10 * S1_LATE_DAILY  # 11–20 Feb
S2 = 50_000 + INSTALMENT
S2_LATE = 9 * ref_late_fee(S2)  # 11–19 Mar
S3 = (10_000 - 4_000) + INSTALMENT
REPAID = 10_000 + ref_minimum(S1) + (S1 - ref_minimum(S1) + S1_LATE) + (S2 + S2_LATE) + 4_000


def _day(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=SHANGHAI)


def _statements(uow: UnitOfWork, who: Shopper) -> list[credit.CreditStatement]:
    with uow.read() as session:
        rows = list(
            session.scalars(
                select(credit.CreditStatement)
                .where(credit.CreditStatement.user_id == who.id)
                .order_by(credit.CreditStatement.statement_day)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


def test_three_billing_cycles_match_the_reference(uow: UnitOfWork) -> None:
    assert (PLAN_FEE, INSTALMENT, S1, S1_LATE_DAILY) == (750, 10_250, 60_250, 27)
    clock.freeze(_day(1, 5))
    who = shopper(uow, wallet=200_000)
    orders: dict[str, object] = {}
    checks: dict[date, Callable[[], None]] = {}

    def plan_c() -> None:
        order_c = buy(uow, who, 30_000)
        with uow.read() as session:
            purchase_id = session.scalar(
                select(credit.CreditPurchase.id).where(credit.CreditPurchase.order_id == order_c)
            )
        assert purchase_id is not None
        plan = credit.convert(uow, actor=who.actor, purchase_id=purchase_id, months=3)
        assert plan.fee_total == PLAN_FEE

    def january_statement() -> None:
        (s1,) = _statements(uow, who)
        assert (s1.amount, s1.minimum, s1.due_on) == (S1, ref_minimum(S1), date(2025, 2, 10))
        assert (s1.period_start, s1.period_end) == (date(2025, 1, 1), date(2025, 1, 31))
        assert line(uow, who) == (1_000_000, S1 + 20_000, "active")

    def pay_rest_of_s1() -> None:
        with uow.read() as session:
            due = credit.amounts_due(session, who.id)
        assert due["statement"] == S1 - ref_minimum(S1) + S1_LATE
        credit.repay(uow, actor=who.actor, kind="statement")

    def february_statement() -> None:
        s1, s2 = _statements(uow, who)
        assert (s1.status, s1.fees, s1.paid_on_time) == ("paid", S1_LATE, ref_minimum(S1))
        assert (s2.amount, s2.minimum, s2.due_on) == (S2, ref_minimum(S2), date(2025, 3, 10))
        # One late statement: 720 − 60 = 660 points, the ¥5,000 band.
        assert line(uow, who) == (500_000, S2 + 10_000, "active")

    def still_active() -> None:
        assert line(uow, who)[2] == "active"

    def frozen() -> None:
        assert line(uow, who)[2] == "frozen"
        with pytest.raises(credit.CreditFrozen):
            buy(uow, who, 100)

    def repay_s2() -> None:
        credit.repay(uow, actor=who.actor, kind="statement")
        assert line(uow, who)[2] == "active"
        credit.repay(uow, actor=who.actor, amount=4_000)

    def march_statement() -> None:
        _s1, s2, s3 = _statements(uow, who)
        assert (s2.status, s2.fees, s2.paid_on_time) == ("paid", S2_LATE, 0)
        assert (s3.amount, s3.minimum, s3.status) == (S3, ref_minimum(S3), "open")
        # Two late statements: 600 points, the ¥2,000 band.
        assert line(uow, who) == (200_000, S3, "active")

    actions: dict[date, Callable[[], None]] = {
        date(2025, 1, 5): lambda: orders.update(a=buy(uow, who, 40_000), b=buy(uow, who, 25_000)),
        date(2025, 1, 12): lambda: refund(uow, who, orders["b"], 5_000),  # type: ignore[arg-type]
        date(2025, 1, 20): plan_c,
        date(2025, 1, 25): lambda: credit.repay(uow, actor=who.actor, amount=10_000),
        date(2025, 2, 8): lambda: credit.repay(uow, actor=who.actor, kind="minimum"),
        date(2025, 2, 15): lambda: orders.update(d=buy(uow, who, 50_000)),
        date(2025, 2, 20): pay_rest_of_s1,
        date(2025, 3, 5): lambda: orders.update(e=buy(uow, who, 10_000)),
        date(2025, 3, 19): repay_s2,
    }
    checks.update(
        {
            date(2025, 2, 1): january_statement,
            date(2025, 3, 1): february_statement,
            date(2025, 3, 17): still_active,
            date(2025, 3, 18): frozen,
            date(2025, 4, 1): march_statement,
        }
    )
    done: set[date] = set()
    day = date(2025, 1, 5)
    while day <= date(2025, 4, 1):
        clock.freeze(_day(day.month, day.day, 0).replace(minute=30))
        credit.run_billing(uow)
        if day.day == 1:
            assert credit.run_billing(uow).statements == 0  # a second run bills nothing
        if day in checks:
            checks[day]()
            done.add(day)
        clock.freeze(_day(day.month, day.day))
        if day in actions:
            actions[day]()
            done.add(day)
        assert_audit(uow)
        day += timedelta(days=1)

    assert done == set(actions) | set(checks)
    with uow:
        fees = ledger.balance(uow, credit.fees_of(who.id))
    assert fees == 3 * 250 + S1_LATE + S2_LATE
    assert owed(uow, who) == S3
    assert wallet(uow, who) == 200_000 - REPAID
