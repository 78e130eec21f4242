"""Money: formatting, parsing and the largest-remainder split (pure, no database)."""

from __future__ import annotations

from decimal import InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.core.money import Money, format_amount, parse_amount, split_largest_remainder


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1234, "CNY", "¥12.34"),
        (0, "CNY", "¥0.00"),
        (5, "CNY", "¥0.05"),
        (-1234, "CNY", "-¥12.34"),
        (-5, "CNY", "-¥0.05"),
        (123_456_789, "CNY", "¥1,234,567.89"),
        (-100_000_000, "CNY", "-¥1,000,000.00"),
        (100, "USD", "$1.00"),
        (250, "EUR", "€2.50"),
        (100, "JPY", "JPY 1.00"),
    ],
)
def test_format_amount(amount: int, currency: str, expected: str) -> None:
    assert format_amount(amount, currency) == expected


def test_format_amount_defaults_to_yuan() -> None:
    assert format_amount(199_900) == "¥1,999.00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.34", 1234),
        ("12.3", 1230),
        ("12", 1200),
        ("12.340", 1234),
        (" 0.05 ", 5),
        ("-1.5", -150),
        ("0", 0),
        ("199.50", 19950),
    ],
)
def test_parse_amount(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["12.345", "0.001", "1e-3", "-0.015"])
def test_parse_amount_rejects_more_than_two_decimals(text: str) -> None:
    with pytest.raises(ValueError, match="at most two decimals"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["abc", "", "1,000", "¥12", "Infinity", "1e999999999"])
def test_parse_amount_rejects_junk_with_an_arithmetic_error(text: str) -> None:
    # The web forms catch (ValueError, ArithmeticError); junk must land in one of them.
    with pytest.raises(InvalidOperation):
        parse_amount(text)


def test_money_holds_integer_minor_units_only() -> None:
    assert Money(1999).as_dict() == {"amount": 1999, "currency": "CNY"}
    assert Money(5, "USD").as_dict() == {"amount": 5, "currency": "USD"}
    with pytest.raises(TypeError):
        Money(19.99)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (10, [1, 2], [3, 7]),
        (1, [1, 1], [1, 0]),  # a tie goes to the earlier weight
        (2, [1, 1, 1], [1, 1, 0]),
        (0, [1, 2], [0, 0]),
        (7, [0, 1, 0], [0, 7, 0]),
        (1000, [333, 333, 334], [333, 333, 334]),
        (101, [50, 50], [51, 50]),
        (5, [3, 1, 1], [3, 1, 1]),
        (10, [1, 1, 1, 0], [4, 3, 3, 0]),
    ],
)
def test_split_largest_remainder_examples(
    total: int, weights: list[int], expected: list[int]
) -> None:
    assert split_largest_remainder(total, weights) == expected


@pytest.mark.parametrize(
    ("total", "weights"),
    [(-1, [1]), (10, []), (10, [0, 0]), (10, [2, -1])],
)
def test_split_largest_remainder_refuses_bad_input(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError):
        split_largest_remainder(total, weights)


_weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=25).filter(
    lambda ws: sum(ws) > 0
)


@given(total=st.integers(min_value=0, max_value=10**12), weights=_weights)
def test_split_largest_remainder_properties(total: int, weights: list[int]) -> None:
    parts = split_largest_remainder(total, weights)
    weight_sum = sum(weights)

    assert len(parts) == len(weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        # |part - total*weight/weight_sum| < 1, in exact integer arithmetic.
        assert abs(part * weight_sum - total * weight) < weight_sum
        assert part >= 0
        if weight == 0:
            assert part == 0
    # The extra units went to the largest remainders: anyone rounded up has a remainder at least
    # as large as anyone rounded down.
    up = [
        total * w % weight_sum
        for p, w in zip(parts, weights, strict=True)
        if p * weight_sum > total * w
    ]
    down = [
        total * w % weight_sum
        for p, w in zip(parts, weights, strict=True)
        if p * weight_sum < total * w
    ]
    if up and down:
        assert min(up) >= max(down)
    assert split_largest_remainder(total, list(weights)) == parts
