"""The pure rules: the schedule of cuts (every total and count), the price after k helpers, and
which offer numbers are refused."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.bargain import domain


@st.composite
def totals_and_counts(draw: st.DrawFn) -> tuple[int, int]:
    count = draw(st.integers(min_value=1, max_value=domain.MAX_HELPERS))
    total = draw(st.integers(min_value=count, max_value=100_000_000_00))
    return total, count


@settings(max_examples=400, deadline=None)
@given(totals_and_counts(), st.integers(min_value=0, max_value=2**32))
def test_a_schedule_has_one_positive_cut_per_helper_summing_to_the_total(
    case: tuple[int, int], seed: int
) -> None:
    total, count = case

    cuts = domain.draw_cuts(total, count, random.Random(seed))

    assert len(cuts) == count
    assert all(isinstance(cut, int) and cut >= 1 for cut in cuts)
    assert sum(cuts) == total
    # Front-loaded: the first helper cuts at least an even share.
    assert cuts[0] >= total // count


@settings(max_examples=200, deadline=None)
@given(totals_and_counts())
def test_the_system_random_source_keeps_the_same_guarantees(case: tuple[int, int]) -> None:
    total, count = case

    cuts = domain.draw_cuts(total, count)

    assert (len(cuts), sum(cuts)) == (count, total)
    assert min(cuts) >= 1


@settings(max_examples=200, deadline=None)
@given(totals_and_counts(), st.integers(min_value=0, max_value=2**32))
def test_the_price_walks_down_to_the_floor_exactly_at_the_last_helper(
    case: tuple[int, int], seed: int
) -> None:
    total, count = case
    floor = 100
    start = floor + total
    cuts = domain.draw_cuts(total, count, random.Random(seed))

    prices = [domain.price_after(start, cuts, k) for k in range(count + 1)]

    assert prices[0] == start
    assert prices[-1] == floor
    assert all(a > b for a, b in itertools.pairwise(prices))
    assert min(prices[:-1]) > floor


def test_a_total_of_exactly_one_fen_per_helper_is_all_ones() -> None:
    assert domain.draw_cuts(30, 30) == [1] * 30


def test_one_helper_takes_the_whole_way() -> None:
    assert domain.draw_cuts(20000, 1) == [20000]


def test_schedules_are_random_and_big_first() -> None:
    rng = random.Random(7)
    schedules = [domain.draw_cuts(20000, 10, rng) for _ in range(50)]

    assert len({tuple(s) for s in schedules}) == 50
    # The first cut takes half or more of the way (its weight is at least all the others').
    assert all(s[0] >= 10000 for s in schedules)
    assert all(s[0] <= 12100 for s in schedules)


@pytest.mark.parametrize(("total", "count"), [(29, 30), (0, 1), (100, 0), (1000, 101), (-5, 1)])
def test_impossible_schedules_are_refused(total: int, count: int) -> None:
    with pytest.raises(ValueError):
        domain.draw_cuts(total, count)


GOOD = {
    "sku_price": 29900,
    "start_price": 29900,
    "floor_price": 9900,
    "helpers_needed": 10,
    "window_hours": 24,
    "allotment": 5,
}


def test_good_offer_numbers_pass() -> None:
    assert domain.offer_errors(**GOOD) == []
    assert domain.offer_errors(**{**GOOD, "start_price": 10000, "floor_price": 9990}) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_price": 30000}, "start_price"),
        ({"start_price": 0}, "start_price,floor_price"),
        ({"floor_price": 0}, "floor_price"),
        ({"floor_price": 29900}, "floor_price"),
        ({"floor_price": 30000}, "floor_price"),
        ({"helpers_needed": 0}, "helpers_needed"),
        ({"helpers_needed": 101}, "helpers_needed"),
        ({"floor_price": 29895, "helpers_needed": 6}, "helpers_needed"),
        ({"window_hours": 0}, "window_hours"),
        ({"window_hours": 169}, "window_hours"),
        ({"allotment": 0}, "allotment"),
    ],
)
def test_bad_offer_numbers_name_their_field(change: dict[str, int], field: str) -> None:
    errors = domain.offer_errors(**{**GOOD, **change})

    assert [e["field"] for e in errors] == field.split(",")
