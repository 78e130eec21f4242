"""What a chat socket's client may send: the checks on a frame's fields, and its rate.

Pure functions, no I/O: the gateway (``chat/gateway.py``) calls them on every frame it admits.
"""

from __future__ import annotations

import math
import uuid
from time import monotonic
from typing import Any

from agora.core import text
from agora.core.fields import BIGINT_MAX

# Seqs are BIGINT on both databases: a larger number must be refused here, not fail in a query.
SEQ_MAX = BIGINT_MAX


class FrameBudget:
    """A token bucket: ``burst`` frames at once, refilled at ``per_second``."""

    def __init__(self, *, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self.tokens = float(burst)
        self.at = monotonic()

    def take(self) -> bool:
        now = monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def retry_after(self) -> int:
        """Whole seconds until the next frame is allowed (at least one)."""
        return max(1, math.ceil((1 - self.tokens) / self.per_second))


def no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which Python's JSON reader accepts and JSON does not."""
    raise ValueError(name)


def seq_of(value: Any) -> int | None:
    """A seq as the client sent it: a whole number the database can hold, else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEQ_MAX:
        return None
    return value


def uuid_of(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def client_id(frame: dict[str, Any]) -> str | None:
    """The ``client_id`` to echo in an answer: only a clean string (a lone surrogate could not
    even be written to the socket)."""
    client_id = frame.get("client_id")
    return client_id if isinstance(client_id, str) and text.is_clean(client_id) else None
