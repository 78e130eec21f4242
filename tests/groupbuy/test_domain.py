"""The pure rules: deal terms, quantities, places, labels, the countdown's first frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agora.core.errors import InvalidInput
from agora.groupbuy import domain
from agora.groupbuy.domain import DealTerms

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def fields(terms: DealTerms, *, solo: int = 10000, window: int = 24) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        domain.check_terms(terms, solo_price=solo, window_hours=window)
    return [e["field"] for e in refused.value.extra["errors"]]


def test_sensible_terms_pass() -> None:
    domain.check_terms(DealTerms(2, 9999, 1), solo_price=10000, window_hours=1)
    domain.check_terms(DealTerms(10, 1, 1_000_000, 99), solo_price=2, window_hours=72)


def test_the_group_price_must_be_below_the_lowest_solo_price() -> None:
    assert fields(DealTerms(3, 10000, 5)) == ["group_price"]
    assert fields(DealTerms(3, 12000, 5)) == ["group_price"]
    assert fields(DealTerms(3, 0, 5)) == ["group_price"]


def test_every_bad_term_is_named() -> None:
    assert fields(DealTerms(1, 100, 0, 0), window=0) == [
        "team_size",
        "stock",
        "user_limit",
        "window_hours",
    ]
    assert fields(DealTerms(11, 100, 1_000_001, 100), window=73) == [
        "team_size",
        "stock",
        "user_limit",
        "window_hours",
    ]


def test_quantity_is_between_one_and_the_limit() -> None:
    domain.check_quantity(1, 1)
    domain.check_quantity(3, 3)
    for quantity, limit in ((0, 3), (4, 3), (-1, 5)):
        with pytest.raises(InvalidInput):
            domain.check_quantity(quantity, limit)


def test_places_and_joinability() -> None:
    later = NOW + timedelta(seconds=1)
    assert domain.places_left(3, 1) == 2
    assert domain.places_left(3, 3) == 0
    assert domain.is_joinable(domain.OPEN, 3, 2, later, NOW)
    assert not domain.is_joinable(domain.OPEN, 3, 3, later, NOW)
    assert not domain.is_joinable(domain.OPEN, 3, 1, NOW, NOW)  # the deadline itself is past
    assert not domain.is_joinable(domain.FAILED, 3, 1, later, NOW)


def test_labels_say_where_the_team_stands_in_both_languages() -> None:
    assert domain.team_labels(domain.OPEN, 3, 1) == ("Team of 3 · 2 places left", "3人团 · 还差2人")
    assert domain.team_labels(domain.OPEN, 2, 1) == ("Team of 2 · 1 place left", "2人团 · 还差1人")
    assert domain.team_labels(domain.COMPLETE, 3, 3) == ("Team of 3 · complete", "3人团 · 已成团")
    assert domain.team_labels(domain.FAILED, 3, 2) == ("Team of 3 · closed", "3人团 · 未成团")
    assert domain.team_labels(domain.OPEN, 3, 2, expired=True)[0] == "Team of 3 · closed"


def test_countdown_text_and_seconds_left() -> None:
    assert domain.clock_text(0) == "00:00:00"
    assert domain.clock_text(3 * 3600 + 12 * 60 + 45) == "03:12:45"
    assert domain.clock_text(30 * 3600) == "30:00:00"
    assert domain.seconds_left(NOW + timedelta(minutes=2, seconds=30), NOW) == 150
    assert domain.seconds_left(NOW - timedelta(hours=1), NOW) == 0
    assert domain.expiry_of(NOW, 24) == NOW + timedelta(hours=24)
