"""Pure rules of group deals: what terms a merchant may set, a team's places and its label."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.groupbuy.errors import N_

ACTIVE, ENDED = "active", "ended"
OPEN, COMPLETE, FAILED = "open", "complete", "failed"
TEAM_STATUSES = (OPEN, COMPLETE, FAILED)
DEAL_KIND = "group"  # the orders' deal_kind

MIN_TEAM, MAX_TEAM = 2, 10
MAX_WINDOW_HOURS = 72
MAX_USER_LIMIT = 99
MAX_STOCK = 1_000_000


@dataclass(frozen=True, slots=True)
class DealTerms:
    """What the merchant sets. ``window_hours`` ``None`` = the configured default."""

    team_size: int
    group_price: int
    stock: int
    user_limit: int = 1
    window_hours: int | None = None


def check_terms(terms: DealTerms, *, solo_price: int, window_hours: int) -> None:
    """Refuse terms that make no deal: every error names its field (InvalidInput, 422).

    ``solo_price`` is the product's lowest SKU price; the group price must be below it, so the
    team always pays less than buying alone whichever SKU it picks.
    """
    errors: list[dict[str, str]] = []
    if not MIN_TEAM <= terms.team_size <= MAX_TEAM:
        errors.append(
            {
                "field": "team_size",
                "message": _("between %(min)s and %(max)s") % {"min": MIN_TEAM, "max": MAX_TEAM},
            }
        )
    if terms.group_price < 1:
        errors.append({"field": "group_price", "message": _("at least one fen")})
    elif terms.group_price >= solo_price:
        errors.append({"field": "group_price", "message": _("below the lowest solo price")})
    if not 1 <= terms.stock <= MAX_STOCK:
        errors.append(
            {"field": "stock", "message": _("between 1 and %(max)s") % {"max": MAX_STOCK}}
        )
    if not 1 <= terms.user_limit <= MAX_USER_LIMIT:
        errors.append(
            {"field": "user_limit", "message": _("between 1 and %(max)s") % {"max": MAX_USER_LIMIT}}
        )
    if not 1 <= window_hours <= MAX_WINDOW_HOURS:
        errors.append(
            {
                "field": "window_hours",
                "message": _("between 1 and %(max)s") % {"max": MAX_WINDOW_HOURS},
            }
        )
    if errors:
        if any(e["field"] == "group_price" for e in errors) and len(errors) == 1:
            raise InvalidInput(
                N_("The group price must be below the lowest price of buying alone."),
                errors=errors,
            )
        raise InvalidInput(N_("Some of the deal's terms are not valid."), errors=errors)


def check_quantity(quantity: int, user_limit: int) -> None:
    if not 1 <= quantity <= user_limit:
        raise InvalidInput(
            N_("The quantity must be between 1 and the deal's limit per person."),
            errors=[
                {"field": "quantity", "message": _("between 1 and %(max)s") % {"max": user_limit}}
            ],
        )


def places_left(size: int, joined: int) -> int:
    return max(0, size - joined)


def is_joinable(status: str, size: int, joined: int, expires_at: datetime, now: datetime) -> bool:
    return status == OPEN and joined < size and expires_at > now


def seconds_left(expires_at: datetime, now: datetime) -> int:
    return max(0, int((expires_at - now).total_seconds()))


def clock_text(seconds: int) -> str:
    """``HH:MM:SS`` (hours may pass 24), the countdown's server-rendered first frame."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def team_labels(status: str, size: int, joined: int, *, expired: bool = False) -> tuple[str, str]:
    """The share card's line under the title, in English and Chinese (data, not UI text: it is
    frozen into the chat card when the team is shared). ``expired``: still open, but past its
    deadline (the sweep has not failed it yet) — closed to whoever reads the card."""
    left = places_left(size, joined)
    if status == COMPLETE:
        return f"Team of {size} · complete", f"{size}人团 · 已成团"
    if status == FAILED or expired:
        return f"Team of {size} · closed", f"{size}人团 · 未成团"
    place = "place" if left == 1 else "places"
    return f"Team of {size} · {left} {place} left", f"{size}人团 · 还差{left}人"


def expiry_of(created_at: datetime, window_hours: int) -> datetime:
    return created_at + timedelta(hours=window_hours)
