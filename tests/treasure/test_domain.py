"""Pure treasure arithmetic: cut-off, per-holder income rounded down, the residue."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from agora.treasure import domain


def test_the_cut_off_decides_the_first_earning_day() -> None:
    assert domain.confirm_on(datetime(2025, 1, 3, 14, 59), cutoff_hour=15) == date(2025, 1, 4)
    assert domain.confirm_on(datetime(2025, 1, 3, 15, 0), cutoff_hour=15) == date(2025, 1, 5)
    # Fridays are not special: money in on Friday morning earns from Saturday.
    assert domain.confirm_on(datetime(2025, 1, 3, 9, 0), cutoff_hour=15) == date(2025, 1, 4)


def test_income_rounds_down() -> None:
    assert domain.income(1_000_000, 4560) == 45  # ¥10,000 × 0.4560/10,000 = ¥0.456 → 45 fen
    assert domain.income(99_999_999, 1) == 0
    assert domain.income(100_000_000, 1) == 1


@given(
    st.lists(st.integers(min_value=0, max_value=10**11), max_size=40),
    st.integers(min_value=0, max_value=domain.MAX_PER_10K),
)
def test_declared_is_paid_plus_a_small_residue(balances: list[int], per_10k: int) -> None:
    holders = [(uuid.uuid4(), b) for b in balances]

    split = domain.day_income(holders, per_10k)

    assert split.declared == sum(balances) * per_10k // 10**8
    assert split.declared == sum(split.paid.values()) + split.residue
    assert 0 <= split.residue < max(1, len(balances))
    assert all(amount > 0 for amount in split.paid.values())


def test_the_annualised_yield() -> None:
    assert domain.annualised_yield([]) is None
    assert domain.annualised_yield([0] * 7) == "0.00"
    assert domain.annualised_yield([4560] * 7) == "1.68"
    assert domain.per_10k_text(4560) == "0.4560"
