"""Pure points rules, with property tests of the pro-rata splits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.ordering import domain as ordering_domain
from agora.points import domain

HALF = Decimal("0.5")


def test_points_are_earned_per_whole_yuan() -> None:
    assert domain.earned_for(19_950, 1) == 199
    assert domain.earned_for(99, 1) == 0
    assert domain.earned_for(10_000, 3) == 300


def test_one_point_is_one_fen_at_the_default_rate() -> None:
    assert domain.fen_unit(100) == 1
    assert domain.points_for(1_234, 100) == 1_234
    assert domain.discount_for(1_234, 100) == 1_234


def test_other_rates_keep_points_whole() -> None:
    assert domain.fen_unit(200) == 1 and domain.points_for(7, 200) == 14
    assert domain.fen_unit(50) == 2 and domain.points_for(8, 50) == 4
    with pytest.raises(ValueError):
        domain.points_for(7, 50)  # 3.5 points
    assert domain.discount_for(7, 50) == 14
    assert domain.fen_unit(30) == 10 and domain.discount_for(10, 30) == 30


def test_the_cap_is_rounded_down() -> None:
    assert domain.cap_of(29_900, HALF) == 14_950
    assert domain.cap_of(19_951, HALF) == 9_975
    assert domain.max_discount([29_900, 15_001], HALF, 100) == 14_950 + 7_500


def test_a_discount_over_the_caps_is_refused() -> None:
    with pytest.raises(ValueError):
        domain.split_discount(22_451, [29_900, 15_000], HALF, 100)


def test_the_split_follows_the_totals() -> None:
    assert domain.split_discount(20_000, [29_900, 15_000], HALF, 100) == [13_318, 6_682]
    assert domain.split_discount(2, [3, 3, 3], HALF, 100) == [1, 1, 0]  # ties: earlier first
    assert domain.split_discount(502, [5, 1_000], HALF, 50) == [2, 500]  # whole points: 2 fen


@given(
    totals=st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=8),
    share=st.sampled_from([Decimal("0.5"), Decimal("0.3"), Decimal("1"), Decimal("0.01")]),
    rate=st.sampled_from([100, 50, 200, 30]),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_a_split_sums_to_the_discount_and_respects_every_cap(
    totals: list[int], share: Decimal, rate: int, fraction: object
) -> None:
    unit = domain.fen_unit(rate)
    limit = domain.max_discount(totals, share, rate)
    discount = int(limit * fraction) // unit * unit  # type: ignore[operator]

    parts = domain.split_discount(discount, totals, share, rate)

    assert sum(parts) == discount
    for part, total in zip(parts, totals, strict=True):
        assert 0 <= part <= domain.cap_of(total, share)
        assert part % unit == 0


@given(
    whole=st.integers(min_value=0, max_value=10**9),
    of=st.integers(min_value=1, max_value=10**9),
    cuts=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=10),
)
def test_cumulative_pro_rata_parts_reach_the_whole_exactly(
    whole: int, of: int, cuts: list[int]
) -> None:
    done, given_back = 0, 0
    for cut in [*cuts, of]:
        done = min(of, done + cut)
        part = domain.pro_rata(whole, done, of) - given_back
        assert part >= 0
        given_back += part
    assert given_back == whole


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    at = datetime(2025, 1, 31, 8, 0, tzinfo=UTC)
    assert domain.add_months(at, 1) == datetime(2025, 2, 28, 8, 0, tzinfo=UTC)
    assert domain.add_months(at, 13) == datetime(2026, 2, 28, 8, 0, tzinfo=UTC)
    assert domain.add_months(datetime(2024, 2, 29, tzinfo=UTC), 12) == datetime(
        2025, 2, 28, tzinfo=UTC
    )
    assert domain.add_months(datetime(2025, 11, 15, tzinfo=UTC), 12) == datetime(
        2026, 11, 15, tzinfo=UTC
    )


# --- refunds of orders paid partly with points (ordering's split) ----------------------------

Paid = ordering_domain.SourcePaid


def test_the_points_part_comes_back_pro_rata_and_money_gateway_first() -> None:
    paid = [Paid("points", 10_001, 0), Paid("gateway:sandbox", 30_000, 0), Paid("wallet", 9_849, 0)]
    assert ordering_domain.refund_split(19_950, paid) == {
        "points": 4_002,
        "gateway:sandbox": 15_948,
    }


@given(
    total=st.integers(min_value=2, max_value=10_000_000),
    points_share=st.fractions(min_value=0, max_value=Decimal("0.5")),
    bank_share=st.fractions(min_value=0, max_value=1),
    cuts=st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=8),
)
def test_refunds_return_the_points_pro_rata_and_everything_in_the_end(
    total: int, points_share: object, bank_share: object, cuts: list[int]
) -> None:
    points_paid = max(1, int(total * points_share))  # type: ignore[operator]
    money = total - points_paid
    bank = int(money * bank_share)  # type: ignore[operator]
    amounts = {"points": points_paid, "gateway:sandbox": bank, "wallet": money - bank}
    refunded = dict.fromkeys(amounts, 0)
    done = 0
    for cut in [*cuts, total]:
        amount = min(cut, total - done)
        if amount <= 0:
            break
        paid = [Paid(s, a, refunded[s]) for s, a in amounts.items() if a > 0]

        parts = ordering_domain.refund_split(amount, paid)

        assert sum(parts.values()) == amount
        done += amount
        for source, part in parts.items():
            refunded[source] += part
            assert part > 0 and refunded[source] <= amounts[source]
        # The points given back so far are their share of what was refunded, rounded down.
        assert refunded["points"] == points_paid * done // total
        if refunded["gateway:sandbox"] < bank:
            assert refunded["wallet"] == 0  # the bank part goes back first
    assert refunded == amounts
