"""What ``GET /api/v1/me`` needs to say ``agreement_pending`` without the database, most of the
time: ``/me`` is Agora's cheapest authenticated call (``agora bench api-floor``) and must not
cross into a thread and read rows on every request.

Per application (``app.state``), so each test's app starts empty: the current version, read at
most once per ``ttl`` seconds (another process's publication shows within that time; this
process's at once, as its publish routes call ``forget``), and the users known to have accepted
it. Only those answers are cached; a user with a version pending is read from the database
until they accept.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

MAX_USERS = 100_000


class AgreementCache:
    def __init__(self, *, ttl: float = 10.0) -> None:
        self.ttl = ttl
        self._version: int | None = None
        self._read_at = float("-inf")
        self._accepted: set[uuid.UUID] = set()

    def known(self, user_id: uuid.UUID) -> bool | None:
        """``False`` when nothing is pending for sure; ``None``: ask the database."""
        if time.monotonic() - self._read_at > self.ttl:
            return None
        if self._version is None or user_id in self._accepted:
            return False
        return None

    def remember(self, user_id: uuid.UUID, *, version: int | None, pending: bool) -> None:
        """What the database answered for ``user_id`` (``version``: the current one)."""
        if version != self._version:
            self._accepted = set()
        self._version, self._read_at = version, time.monotonic()
        if version is not None and not pending and len(self._accepted) < MAX_USERS:
            self._accepted.add(user_id)

    def forget(self) -> None:
        """A version was just published here: read again before answering anyone."""
        self._read_at = float("-inf")
        self._accepted = set()


def cache_of(app: Any) -> AgreementCache:
    """The application's cache (made on first use)."""
    cache: AgreementCache | None = getattr(app.state, "privacy_agreement_cache", None)
    if cache is None:
        cache = AgreementCache()
        app.state.privacy_agreement_cache = cache
    return cache
