"""Idempotency keys for POSTs that create orders or move money.

The key row is inserted, with the response, in the same transaction as the use case, so a crash
leaves either both or neither. A retry with the same key and body replays the stored response;
another body is refused. Concurrent requests with one key meet on the unique index: the one whose
insert finds the key taken rolls its work back, re-reads and replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Table, Text, bindparam, cast, select

from agora.core.clock import utcnow
from agora.core.db import dialect_insert
from agora.core.errors import N_, IdempotencyMismatch, InvalidInput
from agora.core.ids import new_id
from agora.core.models import IdempotencyKey
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork

MAX_KEY_LENGTH = 255


class JSONText(str):
    """A response body already serialized as JSON (pydantic's serializer, once, in the command):
    recorded as it is and sent as it is, not parsed and serialized again on the way."""


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
        raise InvalidInput(N_("Idempotency-Key must be 1 to 255 characters."))
    stored = _lookup(uow, scope, key)
    if stored is not None:
        return _replay(stored, request_hash)
    if precheck is not None:
        precheck()
    try:
        with uow:
            status, body = action()
            # Recorded last, with the response, in the action's transaction: one statement. A
            # concurrent request with this key that got there first makes it insert nothing
            # (on PostgreSQL, after waiting for that request's commit), and this one replays.
            record = _RECORD_TEXT if isinstance(body, JSONText) else _RECORD
            recorded = record.first(
                uow.session,
                {
                    "id": new_id(),
                    "scope": scope,
                    "key": key,
                    "request_hash": request_hash,
                    "status_code": status,
                    "response_body": body,
                    "created_at": utcnow(),
                },
            )
            if recorded is None:
                raise _KeyTaken
    except _KeyTaken:
        stored = _lookup(uow, scope, key)
        assert stored is not None
        return _replay(stored, request_hash)
    except Exception:
        # Refused — unless a concurrent request with this key did the work first (which is why
        # this one was refused: the order was paid already): then that request's answer stands.
        stored = _lookup(uow, scope, key)
        if stored is None:
            raise
        return _replay(stored, request_hash)
    return IdempotentResult(status, body, replayed=False)


class _KeyTaken(Exception):
    pass


_keys: Table = IdempotencyKey.__table__  # type: ignore[assignment]

# Prepared (core.prepared): every keyed request looks here first, most of them in vain.
_LOOKUP = Prepared(
    select(_keys.c.request_hash, _keys.c.status_code, _keys.c.response_body).where(
        _keys.c.scope == bindparam("scope"), _keys.c.key == bindparam("key")
    )
)
_COLUMNS = ("id", "scope", "key", "request_hash", "status_code", "response_body", "created_at")


def _record(dialect: str, *, text: bool) -> Any:
    values: dict[str, Any] = {name: bindparam(name) for name in _COLUMNS}
    if text:
        # The document as written: SQLite keeps JSON as text anyway; PostgreSQL's json type keeps
        # the text too, once told it is JSON.
        body = bindparam("response_body", type_=Text)
        values["response_body"] = body if dialect == "sqlite" else cast(body, JSON)
    return (
        dialect_insert(dialect, _keys)
        .values(values)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(_keys.c.id)
    )


_RECORD = Prepared(lambda dialect: _record(dialect, text=False))
_RECORD_TEXT = Prepared(lambda dialect: _record(dialect, text=True))


def _lookup(uow: UnitOfWork, scope: str, key: str) -> tuple[Any, ...] | None:
    with uow.read() as session:
        return _LOOKUP.first(session, {"scope": scope, "key": key})


def _replay(stored: tuple[Any, ...], request_hash: str) -> IdempotentResult:
    stored_hash, status_code, body = stored
    if stored_hash != request_hash:
        raise IdempotencyMismatch()
    return IdempotentResult(status_code, body, replayed=True)
