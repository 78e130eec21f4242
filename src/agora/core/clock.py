"""The one source of time: timezone-aware UTC, replaceable so tests can travel through deadlines."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _system_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """A process-wide clock. ``travel`` and ``freeze`` exist for tests and demos."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source: Callable[[], datetime] = _system_now
        self._offset = timedelta()
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return self._source() + self._offset

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("clock times must be timezone-aware")
        with self._lock:
            self._frozen = at.astimezone(UTC)

    def travel(self, delta: timedelta) -> None:
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta

    @contextmanager
    def kept(self) -> Iterator[None]:
        """Whatever is done to the clock inside the block, it is as it was afterwards (the demo
        replays dated history this way)."""
        with self._lock:
            frozen, offset = self._frozen, self._offset
        try:
            yield
        finally:
            with self._lock:
                self._frozen, self._offset = frozen, offset

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = timedelta()


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC, so we reattach the zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def business_zone() -> ZoneInfo:
    """The zone of the platform's business day (``AGORA_BUSINESS_TIMEZONE``, Asia/Shanghai)."""
    from agora.config import get_settings  # late: settings are read at call time, not import

    return _zone(get_settings().business_timezone)


def local(value: datetime) -> datetime:
    """``value`` in the business zone (cut-offs, statement days and "today" are decided there)."""
    return as_utc(value).astimezone(business_zone())


def local_today() -> date:
    """Today's date in the business zone, by the process clock."""
    return local(utcnow()).date()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in the business zone."""
    return datetime(day.year, day.month, day.day, tzinfo=business_zone()).astimezone(UTC)
