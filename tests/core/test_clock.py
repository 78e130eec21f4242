"""The clock: frozen and travelling time for tests, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from agora.core.clock import Clock, as_utc, clock, utcnow

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_now_is_timezone_aware_utc_and_close_to_the_system_time() -> None:
    before = datetime.now(UTC)
    now = utcnow()
    after = datetime.now(UTC)

    assert now.tzinfo is UTC
    assert before <= now <= after


def test_freeze_stops_time_and_travel_moves_it() -> None:
    clock.freeze(T0)

    assert utcnow() == T0
    assert utcnow() == T0

    clock.travel(timedelta(minutes=30))
    assert utcnow() == datetime(2025, 3, 1, 12, 30, tzinfo=UTC)

    clock.travel(timedelta(days=-1))
    assert utcnow() == datetime(2025, 2, 28, 12, 30, tzinfo=UTC)


def test_travel_without_freezing_offsets_the_running_clock() -> None:
    clock.travel(timedelta(days=3))

    before = datetime.now(UTC) + timedelta(days=3)
    now = utcnow()
    after = datetime.now(UTC) + timedelta(days=3)
    assert before <= now <= after


def test_reset_returns_to_real_time() -> None:
    clock.freeze(T0)
    clock.travel(timedelta(days=400))

    clock.reset()

    before = datetime.now(UTC)
    now = utcnow()
    after = datetime.now(UTC)
    assert before <= now <= after


def test_freeze_converts_other_zones_to_utc() -> None:
    beijing = timezone(timedelta(hours=8))

    clock.freeze(datetime(2025, 3, 1, 20, 0, tzinfo=beijing))

    assert utcnow() == T0
    assert utcnow().utcoffset() == timedelta(0)


def test_freeze_refuses_naive_datetimes_and_keeps_the_previous_time() -> None:
    clock.freeze(T0)

    with pytest.raises(ValueError, match="timezone-aware"):
        clock.freeze(datetime(2025, 1, 1))

    assert utcnow() == T0


def test_separate_clocks_are_independent() -> None:
    other = Clock()
    other.freeze(T0)

    assert other.now() == T0
    assert utcnow() != T0


def test_as_utc_attaches_utc_to_naive_values_and_converts_aware_ones() -> None:
    assert as_utc(datetime(2025, 3, 1, 12, 0)) == T0
    assert as_utc(datetime(2025, 3, 1, 12, 0)).tzinfo is UTC
    converted = as_utc(datetime(2025, 3, 1, 20, 0, tzinfo=timezone(timedelta(hours=8))))
    assert converted == T0
    assert converted.tzinfo is UTC
