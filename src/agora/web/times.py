"""Times on pages, in the reader's own zone: the template filters and the middleware that picks
the zone of each page request.

Templates write ``{{ t|datetime }}`` (2026-12-07 18:30), ``{{ t|date }}``, ``{{ t|time }}``, and
``{{ t|datetime(zone=True) }}`` where the zone must be said (a deadline: "... 18:30 UTC+8");
``{{ t|iso }}`` is the UTC ISO-8601 value for ``<time datetime="...">``, as the API sends it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from agora.core import timezones
from agora.core.clock import as_utc, business_zone, utcnow
from agora.core.errors import N_
from agora.core.i18n import gettext as _
from agora.http.deps import find_actor

# Requests that show no page: the API keeps UTC, static files and the health check have no times.
_NOT_PAGES = ("/api/", "/static/", "/healthz")


def datetime_text(value: datetime | None, zone: bool = False, year: bool = True) -> str:
    """An instant on the reader's clock, "2026-12-07 18:30" ("12-07 18:30" without the year);
    with ``zone``, the zone's short name after it ("2026-12-07 18:30 UTC+8")."""
    if value is None:
        return ""
    moment = timezones.for_reader(value)
    text = f"{moment:%Y-%m-%d %H:%M}" if year else f"{moment:%m-%d %H:%M}"
    return f"{text} {timezones.offset_label(moment)}" if zone else text


def date_text(value: date | datetime | None) -> str:
    """The reader's calendar day of an instant; a plain date (a business day) as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezones.for_reader(value).date().isoformat()
    return value.isoformat()


def time_text(value: datetime | None) -> str:
    return "" if value is None else f"{timezones.for_reader(value):%H:%M}"


def iso_text(value: datetime | None) -> str:
    return "" if value is None else as_utc(value).isoformat()


def zone_name() -> str:
    """The reader's IANA zone name, for the page's scripts (``<body data-time-zone>``)."""
    return timezones.current_zone().key


# The zones offered on the account page, by place; any other IANA name may be set through the API.
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("Asia/Shanghai", N_("China (Beijing time)")),
    ("Asia/Hong_Kong", N_("Hong Kong")),
    ("Asia/Taipei", N_("Taipei")),
    ("Asia/Singapore", N_("Singapore")),
    ("Asia/Kuala_Lumpur", N_("Kuala Lumpur")),
    ("Asia/Bangkok", N_("Bangkok")),
    ("Asia/Seoul", N_("Seoul")),
    ("Asia/Tokyo", N_("Tokyo")),
    ("Australia/Sydney", N_("Sydney")),
    ("Asia/Dubai", N_("Dubai")),
    ("Europe/London", N_("London")),
    ("Europe/Paris", N_("Paris")),
    ("Europe/Berlin", N_("Berlin")),
    ("America/New_York", N_("New York")),
    ("America/Chicago", N_("Chicago")),
    ("America/Los_Angeles", N_("Los Angeles")),
    ("America/Vancouver", N_("Vancouver")),
    ("UTC", N_("Coordinated Universal Time")),
)
_ZONE_NAMES = dict(COMMON_ZONES)


def zone_label(name: str) -> str:
    """A zone as a reader knows it, with its offset now: "Tokyo (UTC+9)"."""
    place = _(_ZONE_NAMES[name]) if name in _ZONE_NAMES else name.replace("_", " ")
    offset = timezones.offset_label(utcnow().astimezone(timezones.zone(name)))
    return _("%(place)s (%(offset)s)") % {"place": place, "offset": offset}


def zone_options(chosen: str | None) -> list[tuple[str, str]]:
    """The account page's choices: the platform's default (value ""), the common zones, and the
    user's own zone if it is none of them (set through the API)."""
    default = _("The platform's default: %(zone)s") % {"zone": zone_label(business_zone().key)}
    options = [("", default)] + [(name, zone_label(name)) for name, _label in COMMON_ZONES]
    if chosen and chosen not in _ZONE_NAMES and timezones.is_known(chosen):
        options.append((chosen, zone_label(chosen)))
    return options


FILTERS: dict[str, Any] = {
    "datetime": datetime_text,
    "date": date_text,
    "time": time_text,
    "iso": iso_text,
}
GLOBALS: dict[str, Any] = {"time_zone": zone_name}


class TimeZoneMiddleware:
    """Sets the zone of a page request: the signed-in user's own, else the operator's business
    zone. The principal is found as the page would find it (token cache, no thread) and kept in
    the request's scope, so the page does not look it up again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_NOT_PAGES):
            await self.app(scope, receive, send)
            return
        actor = await find_actor(Request(scope))
        token = timezones.set_zone(actor.time_zone if actor else None)
        try:
            await self.app(scope, receive, send)
        finally:
            timezones.reset_zone(token)
