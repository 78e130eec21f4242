"""Idempotency keys for POSTs that create orders or move money.

The key row is inserted in the same transaction as the use case, so a crash leaves either both or
neither. A retry with the same key and body replays the stored response; another body is refused.
Concurrent requests with one key serialize on the unique index: the loser re-reads and replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import IntegrityError

from agora.core.clock import utcnow
from agora.core.errors import IdempotencyMismatch, InvalidInput
from agora.core.models import IdempotencyKey
from agora.core.uow import UnitOfWork

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    status_code: int
    body: Any
    replayed: bool


def run_idempotent(
    uow: UnitOfWork,
    *,
    scope: str,
    key: str | None,
    request_hash: str,
    action: Callable[[], tuple[int, Any]],
    precheck: Callable[[], None] | None = None,
) -> IdempotentResult:
    """Run ``action`` once per ``(scope, key)``; ``action`` returns ``(status, json_body)``.

    ``precheck`` (read-only, may raise a refusal) runs after a stored response was looked for
    and before the write transaction opens: a request bound to be refused (a sold-out item in a
    flash sale) then never queues for the write lock. The action must still guard its writes.
    """
    if key is None:
        if precheck is not None:
            precheck()
        with uow:
            status, body = action()
        return IdempotentResult(status, body, replayed=False)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key must be 1 to 255 characters.")
    stored = _lookup(uow, scope, key)
    if stored is not None:
        return _replay(stored, request_hash)
    if precheck is not None:
        precheck()
    try:
        with uow:
            row = IdempotencyKey(
                scope=scope,
                key=key,
                request_hash=request_hash,
                status_code=0,
                response_body=None,
                created_at=utcnow(),
            )
            uow.session.add(row)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                raise _KeyTaken from exc
            status, body = action()
            row.status_code = status
            row.response_body = body
    except _KeyTaken:
        # Another request with this key committed first: replay what it stored.
        stored = _lookup(uow, scope, key)
        assert stored is not None
        return _replay(stored, request_hash)
    return IdempotentResult(status, body, replayed=False)


class _KeyTaken(Exception):
    pass


# Bare columns, not an ORM object: every keyed request looks here first, most of them in vain.
_LOOKUP = select(
    IdempotencyKey.request_hash, IdempotencyKey.status_code, IdempotencyKey.response_body
).where(IdempotencyKey.scope == bindparam("scope"), IdempotencyKey.key == bindparam("key"))


def _lookup(uow: UnitOfWork, scope: str, key: str) -> Row[Any] | None:
    with uow.read() as session:
        return session.execute(_LOOKUP, {"scope": scope, "key": key}).first()


def _replay(stored: Row[Any], request_hash: str) -> IdempotentResult:
    if stored.request_hash != request_hash:
        raise IdempotencyMismatch()
    return IdempotentResult(stored.status_code, stored.response_body, replayed=True)
