"""Pure social rules: text limits, the ordered pair of two users, the feed cursor."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from agora.core.clock import as_utc

MAX_REQUEST_MESSAGE = 200
MAX_MOMENT_TEXT = 1000
MAX_MOMENT_CARDS = 9
MAX_COMMENT = 500
LAST_LIKERS = 3
FEED_COMMENTS = 20
_SHARE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The two ids in a fixed order, so a pair has one key whichever of them acts."""
    return (a, b) if a.bytes <= b.bytes else (b, a)


def clean_text(raw: str) -> str:
    """Trim the ends and drop control characters other than newlines and tabs."""
    kept = "".join(ch for ch in raw if ch in "\n\t" or ord(ch) >= 32)
    return kept.replace("\r", "").strip()


def text_problem(text: str, *, limit: int, required: bool) -> str | None:
    if len(text) > limit:
        return f"at most {limit} characters"
    if required and not text:
        return "must not be empty"
    return None


def valid_share_code(code: str) -> bool:
    return bool(_SHARE_CODE.match(code))


def card_url(product_id: str, share_code: str | None) -> str:
    """Where a card in a moment leads: the share link when the post was shared, else the
    product page."""
    return f"/s/{share_code}" if share_code else f"/p/{product_id}"


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a newest-first list ordered by ``(created_at, id)``: the last row seen."""

    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        """``None`` for anything that is not a cursor this module made."""
        try:
            padded = token + "=" * (-len(token) % 4)
            created, _, raw_id = base64.urlsafe_b64decode(padded).decode().partition("|")
            moment = datetime.fromisoformat(created)
            if moment.tzinfo is None:
                return None
            return cls(as_utc(moment), uuid.UUID(raw_id))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
