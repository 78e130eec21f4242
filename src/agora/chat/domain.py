"""Pure chat rules: who may do what in a group, text limits, the direct pair key, recall window."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

DIRECT = "direct"
GROUP = "group"
STORE = "store"  # a shopper and a store's staff (customer service)

OWNER = "owner"
ADMIN = "admin"
MEMBER = "member"
STAFF = "staff"  # a store's staff member in a store conversation: writes as the store
ROLES = (OWNER, ADMIN, MEMBER, STAFF)

SYSTEM = "system"  # messages the service writes about membership; clients cannot send them

MAX_TEXT = 2000
MAX_TITLE = 40
MAX_CLIENT_ID = 64
HISTORY_MAX = 100


def direct_key(a: uuid.UUID, b: uuid.UUID) -> str:
    """One key per unordered pair, so the unique index gives two people one direct chat."""
    low, high = sorted((a, b), key=lambda u: u.bytes)
    return f"{low}:{high}"


def store_key(store_id: uuid.UUID, shopper_id: uuid.UUID) -> str:
    """The unique key of a shopper's conversation with a store (in ``direct_key``'s column)."""
    return f"store:{store_id}:{shopper_id}"


def store_unread(last_seq: int, staff_read_seqs: list[int]) -> int:
    """What the store has not read: the store has read as far as any of its staff has (a reply
    moves the replier's cursor, so an answered conversation is read for the whole store)."""
    return max(0, last_seq - max(staff_read_seqs, default=0))


# C0 control characters other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def clean_text(raw: str) -> str:
    """Strip the ends; keep inner newlines; drop other control characters (every message is
    cleaned: one regex pass, not a Python loop over its characters)."""
    return _CONTROL.sub("", raw).strip()


def clean_title(raw: str) -> str | None:
    title = " ".join(raw.split())
    if not title or len(title) > MAX_TITLE or any(ord(ch) < 32 for ch in title):
        return None
    return title


def valid_client_id(client_id: str) -> bool:
    return 0 < len(client_id) <= MAX_CLIENT_ID and client_id.isprintable()


def can_manage(role: str) -> bool:
    """Invite, remove and rename: the owner and admins."""
    return role in (OWNER, ADMIN)


def can_remove(actor_role: str, target_role: str) -> bool:
    """The owner removes anyone else; an admin removes plain members only."""
    if actor_role == OWNER:
        return target_role != OWNER
    return actor_role == ADMIN and target_role == MEMBER


def recall_open(sent_at: datetime, now: datetime, window: timedelta) -> bool:
    return now - sent_at <= window


def unread(last_seq: int, read_seq: int) -> int:
    """Sending moves the sender's own cursor, so everything after it is someone else's."""
    return max(0, last_seq - read_seq)
