"""The red-envelope split, property-tested over many totals and counts: exact sums, every share at
least a fen, every lucky draw inside [1 fen, 2 × remaining / remaining count)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.red_envelopes import domain

MAX_SHARE = 20_000  # ¥200.00
MAX_COUNT = 100


@st.composite
def envelopes(draw: st.DrawFn) -> tuple[int, int, int]:
    count = draw(st.integers(min_value=1, max_value=MAX_COUNT))
    total = draw(st.integers(min_value=count, max_value=count * MAX_SHARE))
    return total, count, draw(st.integers(min_value=0, max_value=2**32))


@settings(max_examples=400, deadline=None)
@given(envelopes())
def test_a_lucky_split_sums_exactly_and_every_draw_keeps_to_its_bounds(
    envelope: tuple[int, int, int],
) -> None:
    total, count, seed = envelope
    shares = domain.lucky_split(total, count, random.Random(seed), max_share=MAX_SHARE)

    assert len(shares) == count and sum(shares) == total
    assert all(1 <= share <= MAX_SHARE for share in shares)
    remaining = total
    for position, share in enumerate(shares):
        left = count - position
        if left > 1:
            assert 1 <= share < 2 * remaining / left
        else:
            assert share == remaining
        remaining -= share


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_COUNT), st.integers(min_value=1, max_value=MAX_SHARE))
def test_an_equal_split_gives_everyone_the_same(count: int, per_share: int) -> None:
    assert domain.equal_split(per_share * count, count) == [per_share] * count


def test_the_tightest_envelopes_give_a_fen_each() -> None:
    assert domain.lucky_split(100, 100, random.Random(1)) == [1] * 100
    assert domain.lucky_split(1, 1) == [1]


def test_draws_spread_over_their_whole_range() -> None:
    # 2 fen over 2 shares can only be 1 + 1; 100 fen over 2 shares draws 1..99 for the first
    rng = random.Random(3)
    firsts = {domain.lucky_draw(100, 2, rng) for _ in range(5_000)}
    assert min(firsts) == 1 and max(firsts) == 99
    assert domain.lucky_draw(2, 2, rng) == 1


@pytest.mark.parametrize(
    ("kind", "total", "count", "fields"),
    [
        ("lucky", 1_000, 10, []),
        ("equal", 1_000, 10, []),
        ("equal", 1_001, 10, ["amount"]),
        ("lucky", 9, 10, ["amount"]),
        ("lucky", 1_000, 0, ["shares"]),
        ("lucky", 1_000, 101, ["shares"]),
        ("lucky", MAX_SHARE * 3 + 1, 3, ["amount"]),
        ("random", 1_000, 10, ["split"]),
    ],
)
def test_what_an_envelope_may_hold(kind: str, total: int, count: int, fields: list[str]) -> None:
    errors = domain.envelope_errors(kind, total, count, max_share=MAX_SHARE, max_count=MAX_COUNT)
    assert [e["field"] for e in errors] == fields


def test_a_full_envelope_at_the_cap_gives_everyone_the_cap() -> None:
    shares = domain.lucky_split(MAX_SHARE * 100, 100, random.Random(5), max_share=MAX_SHARE)
    assert shares == [MAX_SHARE] * 100


def test_impossible_draws_are_refused() -> None:
    with pytest.raises(ValueError):
        domain.lucky_draw(5, 6, random.Random(0))
    with pytest.raises(ValueError):
        domain.lucky_draw(31, 3, random.Random(0), max_share=10)
    with pytest.raises(ValueError):
        domain.equal_split(10, 3)
    with pytest.raises(ValueError):
        domain.split("random", 10, 2)


def test_the_luckiest_is_the_first_largest_share() -> None:
    assert domain.luckiest([3, 9, 9, 1]) == 1
    assert domain.luckiest([]) is None
