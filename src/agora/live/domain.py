"""Pure rules of live selling: what a room's schedule and a flash deal's terms may be, and how a
buyer's name shows in the room's order feed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.live.errors import N_

SCHEDULED, LIVE, ENDED = "scheduled", "live", "ended"
ROOM_STATUSES = (SCHEDULED, LIVE, ENDED)
COUNTING_DOWN, OPEN, CLOSED = "counting_down", "open", "closed"
RUNNING = (COUNTING_DOWN, OPEN)
DEAL_KIND = "flash"  # the orders' deal_kind

MAX_TITLE = 80
MAX_URL = 500
MAX_PRODUCTS = 50
MAX_AHEAD = timedelta(days=90)
# A start time a moment in the past is "now": the form took a few seconds to send.
START_SLACK = timedelta(minutes=1)
MIN_COUNTDOWN, MAX_COUNTDOWN = 10, 300
MIN_DURATION, MAX_DURATION = 60, 1200
MAX_UNITS = 100_000
MAX_BUYER_LIMIT = 99


@dataclass(frozen=True, slots=True)
class RoomDraft:
    """What a merchant schedules."""

    title: str
    stream_url: str
    starts_at: datetime
    product_ids: list[uuid.UUID]
    cover_url: str = ""


@dataclass(frozen=True, slots=True)
class FlashTerms:
    """What the host sets when starting a flash deal."""

    sku_id: uuid.UUID
    price: int
    units: int
    per_buyer_limit: int = 1
    countdown_seconds: int = 10
    duration_seconds: int = 60


def check_draft(draft: RoomDraft, *, now: datetime) -> RoomDraft:
    """The draft with its title trimmed, or InvalidInput (422) naming every field that is off."""
    errors: list[dict[str, str]] = []
    title = draft.title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        errors.append(
            {"field": "title", "message": _("1 to %(max)s characters") % {"max": MAX_TITLE}}
        )
    if not is_web_url(draft.stream_url):
        errors.append({"field": "stream_url", "message": _("an http or https address")})
    if draft.cover_url and not is_web_url(draft.cover_url):
        errors.append({"field": "cover_url", "message": _("an http or https address")})
    if draft.starts_at < now - START_SLACK:
        errors.append({"field": "starts_at", "message": _("now or later")})
    elif draft.starts_at > now + MAX_AHEAD:
        errors.append({"field": "starts_at", "message": _("within 90 days")})
    if not 1 <= len(set(draft.product_ids)) <= MAX_PRODUCTS:
        errors.append(
            {"field": "product_ids", "message": _("1 to %(max)s products") % {"max": MAX_PRODUCTS}}
        )
    if errors:
        raise InvalidInput(N_("Some of the room's details are not valid."), errors=errors)
    unique = list(dict.fromkeys(draft.product_ids))
    return RoomDraft(title, draft.stream_url, draft.starts_at, unique, draft.cover_url)


def is_web_url(url: str) -> bool:
    if not url or len(url) > MAX_URL or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed host, such as an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_terms(terms: FlashTerms, *, sku_price: int) -> None:
    """Refuse terms that make no flash deal (InvalidInput, 422, every field named). The price
    is below the SKU's own price: a flash deal is always a discount."""
    errors: list[dict[str, str]] = []
    if terms.price < 1:
        errors.append({"field": "price", "message": _("at least one fen")})
    elif terms.price >= sku_price:
        errors.append({"field": "price", "message": _("below the SKU's price")})
    if not 1 <= terms.units <= MAX_UNITS:
        errors.append(
            {"field": "units", "message": _("between 1 and %(max)s") % {"max": MAX_UNITS}}
        )
    if not 1 <= terms.per_buyer_limit <= MAX_BUYER_LIMIT:
        errors.append(
            {
                "field": "per_buyer_limit",
                "message": _("between 1 and %(max)s") % {"max": MAX_BUYER_LIMIT},
            }
        )
    if not MIN_COUNTDOWN <= terms.countdown_seconds <= MAX_COUNTDOWN:
        errors.append(
            {
                "field": "countdown_seconds",
                "message": _("between %(min)s and %(max)s")
                % {"min": MIN_COUNTDOWN, "max": MAX_COUNTDOWN},
            }
        )
    if not MIN_DURATION <= terms.duration_seconds <= MAX_DURATION:
        errors.append(
            {
                "field": "duration_seconds",
                "message": _("between %(min)s and %(max)s")
                % {"min": MIN_DURATION, "max": MAX_DURATION},
            }
        )
    if errors:
        raise InvalidInput(N_("Some of the flash deal's terms are not valid."), errors=errors)


def check_quantity(quantity: int, limit: int) -> None:
    if not 1 <= quantity <= limit:
        raise InvalidInput(
            N_("The quantity must be between 1 and the deal's limit per person."),
            errors=[{"field": "quantity", "message": _("between 1 and %(max)s") % {"max": limit}}],
        )


def masked_name(display_name: str) -> str:
    """The buyer as the room's order feed shows them: the first character, then a star."""
    name = display_name.strip()
    return f"{name[0]}*" if name else "*"


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, int((moment - now).total_seconds()))
