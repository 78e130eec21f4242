"""Principals by token, remembered in the process so an authenticated request reads no row.

Every request authenticates, and through a SQLAlchemy session that read cost more than the rest of
a small request together (docs/performance.md). An entry is kept for at most ``max_age`` and never
past its session's own expiry; the cache holds at most ``max_size`` tokens and forgets the oldest
first. Only valid tokens are kept: a caller spraying random tokens fills nothing.

With each principal the cache keeps the account's profile as that read found it, so "who am I"
(``GET /me``) reads nothing either. Whatever changes an account (its status, its time zone)
forgets it.

Sign-out, revocation and suspension publish :data:`REVOKED_TOPIC` after their commit; every
process's runtime listens on the hub and forgets that user's tokens at once, so a revoked token is
refused everywhere within the hub's delivery time. ``max_age`` bounds the damage of a lost notice.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from agora.core.clock import utcnow
from agora.identity.domain import Principal

REVOKED_TOPIC = "identity.revoked"


@dataclass(frozen=True, slots=True)
class Profile:
    """The account as the sign-in read it: what "who am I" answers without another read."""

    id: uuid.UUID
    display_name: str
    email: str | None
    phone: str | None
    is_operator: bool
    status: str
    created_at: datetime
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    session_expires_at: datetime
    stored_at: float


class TokenCache:
    def __init__(self, *, max_size: int = 50_000, max_age_seconds: float = 60.0) -> None:
        self.max_size = max_size
        self.max_age_seconds = max_age_seconds
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._by_user: dict[uuid.UUID, set[str]] = {}
        self._profiles: dict[uuid.UUID, Profile] = {}
        self._forgets = 0
        # Readers on the event loop and writers in the thread pool: dict operations are atomic
        # under the GIL, but eviction walks the order, so changes take the lock.
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        """The principal cached for ``digest``, or ``None`` when it must be read again."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if (
            time.monotonic() - entry.stored_at > self.max_age_seconds
            or entry.session_expires_at <= utcnow()
        ):
            with self._lock:
                self._drop(digest)
            return None
        return entry.principal

    @property
    def epoch(self) -> int:
        """Changes whenever tokens are forgotten: take it before reading a session row and pass
        it to :meth:`put`, so a row read before a sign-out committed is not cached after it."""
        return self._forgets

    def profile(self, user_id: uuid.UUID) -> Profile | None:
        """The profile read with a token of ``user_id`` that is cached now, if any."""
        return self._profiles.get(user_id) if user_id in self._by_user else None

    def put(
        self,
        digest: str,
        principal: Principal,
        session_expires_at: datetime,
        profile: Profile | None = None,
        *,
        epoch: int | None = None,
    ) -> None:
        entry = _Entry(principal, session_expires_at, time.monotonic())
        with self._lock:
            if epoch is not None and epoch != self._forgets:
                return  # something was forgotten since the read: it may have been this token
            self._drop(digest)
            if profile is not None:
                self._profiles[principal.user_id] = profile
            self._entries[digest] = entry
            self._by_user.setdefault(principal.user_id, set()).add(digest)
            while len(self._entries) > self.max_size:
                self._drop(next(iter(self._entries)))

    def forget_user(self, user_id: uuid.UUID) -> None:
        """Drop every token of ``user_id`` (signed out, revoked, suspended): the next request
        with any of them reads its session row again."""
        with self._lock:
            self._forgets += 1
            self._profiles.pop(user_id, None)
            for digest in self._by_user.pop(user_id, set()):
                self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._forgets += 1
            self._entries.clear()
            self._by_user.clear()
            self._profiles.clear()

    def _drop(self, digest: str) -> None:
        entry = self._entries.pop(digest, None)
        if entry is None:
            return
        digests = self._by_user.get(entry.principal.user_id)
        if digests is not None:
            digests.discard(digest)
            if not digests:
                del self._by_user[entry.principal.user_id]
                self._profiles.pop(entry.principal.user_id, None)

    def __len__(self) -> int:
        return len(self._entries)


# The cache of this process: requests read it, and this process's sign-outs, revocations and
# suspensions clear it at their commit, whichever unit of work made them.
PROCESS_TOKENS = TokenCache()
