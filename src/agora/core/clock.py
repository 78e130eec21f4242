"""The one source of time: timezone-aware UTC, replaceable so tests can travel through deadlines."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


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
