"""How counts become figures: rounded once, half up; nothing to count is no figure at all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agora.reputation import domain


def test_a_share_is_in_basis_points_rounded_half_up() -> None:
    assert domain.share_bp(1, 3) == 3333
    assert domain.share_bp(2, 3) == 6667
    assert domain.share_bp(1, 8) == 1250
    assert domain.share_bp(1, 20_000) == 1  # 0.5 bp rounds up
    assert domain.share_bp(0, 7) == 0
    assert domain.share_bp(7, 7) == 10_000


def test_a_share_of_nothing_is_no_figure() -> None:
    assert domain.share_bp(0, 0) is None
    assert domain.rating_hundredths(0, 0) is None


def test_a_rating_is_in_hundredths_of_a_star_rounded_half_up() -> None:
    assert domain.rating_hundredths(14, 3) == 467
    assert domain.rating_hundredths(19, 4) == 475
    assert domain.rating_hundredths(5, 1) == 500
    assert domain.rating_hundredths(1, 1) == 100
    assert domain.rating_hundredths(9, 8) == 113  # 1.125 rounds up


def test_impossible_counts_are_refused() -> None:
    for part, whole in ((4, 3), (-1, 3), (1, -1)):
        with pytest.raises(ValueError):
            domain.share_bp(part, whole)
    for total, count in ((6, 1), (0, 1), (3, -1)):
        with pytest.raises(ValueError):
            domain.rating_hundredths(total, count)


def test_figures_as_shown() -> None:
    assert domain.percent(9524) == Decimal("95.24")
    assert domain.stars(475) == Decimal("4.75")
    assert domain.one_decimal(Decimal("4.75")) == Decimal("4.8")
    assert domain.one_decimal(Decimal("95.24")) == Decimal("95.2")
    assert domain.WINDOW.days == domain.WINDOW_DAYS == 90
