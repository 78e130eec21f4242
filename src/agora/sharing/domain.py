"""Pure sharing rules: channels, codes, visitor ids, who counts as a visit, chart scaling."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

CHAT_DIRECT = "chat_direct"
CHAT_GROUP = "chat_group"
MOMENTS = "moments"
PARTNER = "partner"
EXTERNAL = "external"
CHANNELS = (CHAT_DIRECT, CHAT_GROUP, MOMENTS, PARTNER, EXTERNAL)
CHAT_CHANNELS = (CHAT_DIRECT, CHAT_GROUP)

SIGNUP = "signup"
ORDER = "order"

CODE_LENGTH = 8
VISITOR_COOKIE = "agora_visitor"
VISITOR_COOKIE_DAYS = 365
# Two clicks on "Share" this close together are one share (a double click, a resubmitted form).
REPEAT_SECONDS = 60

_CODE = re.compile(r"^[A-Za-z0-9_-]{8}$")
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Link previews and crawlers fetch shared links by the thousand; none of them is a person.
_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|whatsapp|telegram|"
    r"headless|curl/|wget/|python-requests|httpx|go-http-client",
    re.IGNORECASE,
)


def new_code() -> str:
    """8 URL-safe characters (48 random bits): short enough to read out, unique with a retry."""
    return secrets.token_urlsafe(6)


def is_code(raw: str) -> bool:
    return bool(_CODE.match(raw))


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def clean_visitor_id(raw: str | None) -> str | None:
    """A visitor id we could have issued, or ``None`` (a forged or damaged cookie)."""
    return raw if raw and _VISITOR.match(raw) else None


def is_automated(headers: Mapping[str, str]) -> bool:
    """A request no person made: a link-preview bot, a crawler, or a browser's prefetch."""
    purpose = (headers.get("sec-purpose") or headers.get("purpose") or "").lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return True
    if (headers.get("x-moz") or "").lower() == "prefetch":
        return True
    agent = headers.get("user-agent") or ""
    return not agent or bool(_BOT.search(agent))


def hash_address(ip: str | None, *, secret: str) -> str | None:
    """A keyed hash of the client address: equal addresses match, nobody can reverse it."""
    if not ip:
        return None
    return hmac.new(secret.encode(), ip.encode(), hashlib.sha256).hexdigest()[:32]


def bar_lengths(values: Mapping[str, int], *, full: int) -> dict[str, int]:
    """Bar lengths in pixels for a chart whose longest bar is ``full``; a non-zero value gets at
    least one pixel, so a small channel still shows."""
    top = max(values.values(), default=0)
    if top <= 0:
        return dict.fromkeys(values, 0)
    return {
        key: (max(1, round(full * value / top)) if value > 0 else 0)
        for key, value in values.items()
    }
