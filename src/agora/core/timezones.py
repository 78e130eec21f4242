"""The zone a reader sees times in, picked per request like the language (``core.i18n``).

Times are stored and sent by the API in UTC; only pages convert them, to the signed-in user's own
zone or, for a visitor or a user who chose none, to the operator's business zone. The web layer sets
the zone for the request in a context variable; code that formats a time for a reader asks
:func:`current_zone`.
"""

from __future__ import annotations

import contextvars
from datetime import datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from agora.core.clock import as_utc, business_zone

MAX_NAME = 64

_current: contextvars.ContextVar[ZoneInfo | None] = contextvars.ContextVar(
    "agora_time_zone", default=None
)


@cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this system knows."""
    return frozenset(available_timezones())


def is_known(name: str) -> bool:
    return len(name) <= MAX_NAME and name in known_zones()


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def set_zone(name: str | None) -> contextvars.Token[ZoneInfo | None]:
    """Show times in ``name`` (``None``, or a name no longer known: the business zone)."""
    return _current.set(zone(name) if name and is_known(name) else None)


def reset_zone(token: contextvars.Token[ZoneInfo | None]) -> None:
    _current.reset(token)


def current_zone() -> ZoneInfo:
    return _current.get() or business_zone()


def for_reader(value: datetime) -> datetime:
    """``value`` (aware, or naive UTC as SQLite hands it back) on the reader's wall clock."""
    return as_utc(value).astimezone(current_zone())


def offset_label(value: datetime) -> str:
    """The zone's short name at that instant, as its offset from UTC: "UTC+8", "UTC-4",
    "UTC+5:30", "UTC". Unlike "CST" or "EST" it reads the same in every language and names one
    offset only."""
    offset = value.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
