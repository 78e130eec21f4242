"""Pure credit rules: score and bands, dates, minimums, late fees, schedules, APR, allocation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.credit import domain


def test_score_is_the_sum_of_its_factors_and_bands_give_limits() -> None:
    newcomer = domain.evaluate(account_age_days=0, completed_orders=0, spent=0, on_time=0, late=0)
    assert (newcomer.score, newcomer.limit, newcomer.eligible) == (420, 0, False)
    best = domain.evaluate(
        account_age_days=800, completed_orders=40, spent=10_000_000, on_time=9, late=0
    )
    assert (best.score, best.limit) == (950, 2_000_000)
    some = domain.evaluate(account_age_days=73, completed_orders=3, spent=60_000, on_time=1, late=1)
    assert [f.points for f in some.factors] == [420, 30, 30, 30, 20, -60]
    assert (some.score, some.limit) == (470, 0)
    assert [domain.limit_for(s) for s in (499, 500, 550, 600, 650, 700, 800)] == [
        0,
        50_000,
        100_000,
        200_000,
        500_000,
        1_000_000,
        2_000_000,
    ]
    assert domain.new_limit(50_000, 80_000) == 80_000


@given(
    st.integers(0, 5000),
    st.integers(0, 500),
    st.integers(0, 10**9),
    st.integers(0, 50),
    st.integers(0, 50),
)
def test_score_stays_in_range(age: int, orders: int, spent: int, on_time: int, late: int) -> None:
    result = domain.evaluate(
        account_age_days=age, completed_orders=orders, spent=spent, on_time=on_time, late=late
    )
    assert 350 <= result.score <= 950
    assert result.limit == domain.limit_for(result.score)


def test_statement_dates() -> None:
    assert domain.latest_statement_day(date(2025, 3, 1), 1) == date(2025, 3, 1)
    assert domain.latest_statement_day(date(2025, 2, 28), 1) == date(2025, 2, 1)
    assert domain.latest_statement_day(date(2025, 1, 4), 5) == date(2024, 12, 5)
    assert domain.due_date(date(2025, 3, 1), 10) == date(2025, 3, 10)
    assert domain.due_date(date(2025, 3, 20), 10) == date(2025, 4, 10)
    assert domain.period_of(date(2025, 3, 1)) == (date(2025, 2, 1), date(2025, 2, 28))


def test_minimum_and_late_fee_rounding() -> None:
    assert domain.minimum_of(60_251, Decimal("0.10")) == 6_026
    assert domain.minimum_of(5, Decimal("0.10")) == 1
    assert domain.late_fee(54_225, Decimal("0.0005")) == 27  # 27.1125
    assert domain.late_fee(1_000, Decimal("0.0005")) == 1  # 0.5 rounds half up
    assert domain.late_fee(999, Decimal("0.0005")) == 0


@given(st.integers(1, 10**9), st.sampled_from([3, 6, 9, 12]))
def test_schedule_sums_to_principal_and_fee(principal: int, months: int) -> None:
    plan = domain.schedule(principal, months)
    fee = domain.fee_total(principal, months)
    assert len(plan) == months
    assert sum(i.principal for i in plan) == principal
    assert sum(i.fee for i in plan) == fee
    assert fee * 10_000 - principal * domain.PLAN_FEE_BP[months] in range(-4_999, 5_001)
    assert all(plan[0].principal >= i.principal >= plan[0].principal - months for i in plan)


@given(st.integers(300, 10**8), st.sampled_from([3, 6, 9, 12]))
def test_apr_discounts_the_schedule_back_to_the_principal(principal: int, months: int) -> None:
    quote = domain.quote(principal, months)
    monthly = quote.apr / 1200
    present = sum(Decimal(i.total) / (1 + monthly) ** i.number for i in quote.instalments)
    # One decimal of APR moves the present value by well under 0.1 % of the principal.
    assert abs(present - principal) <= Decimal(principal) / 1000 + 1
    assert quote.apr > Decimal(quote.fee_rate_bp) / 100


def test_known_aprs() -> None:
    assert [str(domain.quote(120_000, m).apr) for m in (3, 6, 9, 12)] == [
        "14.9",
        "15.3",
        "15.3",
        "15.9",
    ]


@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**5), max_size=8))
def test_allocate_fills_in_order_and_conserves(amount: int, caps: list[int]) -> None:
    taken, left = domain.allocate(amount, caps)
    assert sum(taken) + left == amount
    assert all(0 <= t <= c for t, c in zip(taken, caps, strict=True))
    first_short = next(
        (i for i, (t, c) in enumerate(zip(taken, caps, strict=True)) if t < c), len(caps)
    )
    assert all(t == 0 for t in taken[first_short + 1 :])
    assert left == 0 or taken == caps


@given(
    st.integers(300, 10**7),
    st.sampled_from([3, 6, 9, 12]),
    st.lists(st.integers(0, 10**6), max_size=14),
)
def test_prepaying_a_plan_shortens_its_tail(
    principal: int, months: int, prepays: list[int]
) -> None:
    billed = prepaid = fees = 0
    for count, extra in enumerate(prepays + [0] * months):
        room = principal - billed - prepaid
        prepaid += min(extra, room)
        item = domain.next_instalment(
            principal=principal,
            months=months,
            billed_count=count,
            principal_billed=billed,
            prepaid=prepaid,
        )
        if item is None:
            break
        billed += item.principal
        fees += item.fee
    assert billed + prepaid == principal
    assert fees <= domain.fee_total(principal, months)


def test_months_are_limited() -> None:
    with pytest.raises(ValueError):
        domain.schedule(1_000, 4)
