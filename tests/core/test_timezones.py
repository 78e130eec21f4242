"""The reader's zone: the business zone unless a request sets one, and the short name shown."""

from __future__ import annotations

from datetime import UTC, datetime

from agora.core import timezones

INSTANT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_without_a_zone_set_times_are_read_in_the_business_zone() -> None:
    assert timezones.current_zone().key == "Asia/Shanghai"
    shown = timezones.for_reader(INSTANT)
    assert (f"{shown:%Y-%m-%d %H:%M}", shown.tzinfo) == (
        "2026-03-02 09:30",
        timezones.zone("Asia/Shanghai"),
    )


def test_a_set_zone_holds_until_it_is_reset() -> None:
    token = timezones.set_zone("America/New_York")
    try:
        assert timezones.current_zone().key == "America/New_York"
        assert f"{timezones.for_reader(INSTANT):%Y-%m-%d %H:%M}" == "2026-03-01 20:30"
    finally:
        timezones.reset_zone(token)
    assert timezones.current_zone().key == "Asia/Shanghai"


def test_naive_times_are_taken_as_utc() -> None:
    token = timezones.set_zone("Asia/Tokyo")
    try:
        assert f"{timezones.for_reader(datetime(2026, 3, 2, 1, 30)):%H:%M}" == "10:30"
    finally:
        timezones.reset_zone(token)


def test_no_zone_or_an_unknown_one_means_the_business_zone() -> None:
    for name in (None, "", "Mars/Olympus_Mons"):
        token = timezones.set_zone(name)
        try:
            assert timezones.current_zone().key == "Asia/Shanghai"
        finally:
            timezones.reset_zone(token)


def test_only_iana_names_are_known() -> None:
    assert timezones.is_known("America/New_York")
    assert timezones.is_known("UTC")
    assert not timezones.is_known("Mars/Olympus_Mons")
    assert not timezones.is_known("america/new_york")
    assert not timezones.is_known("")
    assert not timezones.is_known("A" * 65)


def test_the_short_name_is_the_offset_at_that_instant() -> None:
    def label(name: str, at: datetime) -> str:
        return timezones.offset_label(at.astimezone(timezones.zone(name)))

    summer = datetime(2026, 7, 1, tzinfo=UTC)
    assert label("Asia/Shanghai", INSTANT) == "UTC+8"
    assert label("America/New_York", INSTANT) == "UTC-5"
    assert label("America/New_York", summer) == "UTC-4"
    assert label("Asia/Kolkata", INSTANT) == "UTC+5:30"
    assert label("UTC", INSTANT) == "UTC"
