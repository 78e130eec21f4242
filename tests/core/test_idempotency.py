"""Idempotency keys: one execution per (scope, key); retries replay, other bodies are refused."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from agora.core.clock import clock
from agora.core.db import Database
from agora.core.errors import IdempotencyMismatch, InvalidInput
from agora.core.idempotency import IdempotentResult, run_idempotent
from agora.core.models import IdempotencyKey, JobLease
from agora.core.uow import UnitOfWork

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Effects:
    """An action whose every execution inserts a row, so executions can be counted in the db."""

    def __init__(self, uow: UnitOfWork, *, status: int = 201) -> None:
        self.uow = uow
        self.status = status
        self.calls = 0

    def __call__(self) -> tuple[int, Any]:
        self.calls += 1
        token = f"effect-{uuid.uuid4()}"
        with self.uow:
            self.uow.session.add(JobLease(name=token))
        return self.status, {"order": token, "items": [1, 2], "note": "首单"}


def effect_names(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(JobLease.name)))


def stored_keys(db: Database) -> list[tuple[str, str, str, int, Any]]:
    with db.read_session() as session:
        rows = session.scalars(select(IdempotencyKey).order_by(IdempotencyKey.scope))
        return [(r.scope, r.key, r.request_hash, r.status_code, r.response_body) for r in rows]


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(
    db: Database, uow: UnitOfWork
) -> None:
    clock.freeze(T0)
    action = Effects(uow)

    first = run_idempotent(uow, scope="user:1", key="k-1", request_hash="h1", action=action)
    second = run_idempotent(uow, scope="user:1", key="k-1", request_hash="h1", action=action)

    [effect] = effect_names(db)
    body = {"order": effect, "items": [1, 2], "note": "首单"}
    assert first == IdempotentResult(201, body, replayed=False)
    assert second == IdempotentResult(201, body, replayed=True)
    assert action.calls == 1
    assert stored_keys(db) == [("user:1", "k-1", "h1", 201, body)]
    with db.read_session() as session:
        assert session.scalar(select(IdempotencyKey.created_at)) == T0


def test_the_stored_status_is_replayed_verbatim(db: Database, uow: UnitOfWork) -> None:
    action = Effects(uow, status=202)

    run_idempotent(uow, scope="s", key="k", request_hash="h", action=action)
    replay = run_idempotent(uow, scope="s", key="k", request_hash="h", action=action)

    assert (replay.status_code, replay.replayed) == (202, True)


def test_the_same_key_with_another_body_is_refused_and_nothing_changes(
    db: Database, uow: UnitOfWork
) -> None:
    action = Effects(uow)
    first = run_idempotent(uow, scope="user:1", key="k-1", request_hash="h1", action=action)
    keys_before, effects_before = stored_keys(db), effect_names(db)

    with pytest.raises(IdempotencyMismatch) as refused:
        run_idempotent(uow, scope="user:1", key="k-1", request_hash="h2", action=action)

    assert refused.value.code == "idempotency_key_reused"
    assert refused.value.status == 422
    assert action.calls == 1
    assert stored_keys(db) == keys_before
    assert effect_names(db) == effects_before
    assert keys_before[0][4] == first.body


def test_keys_are_scoped(db: Database, uow: UnitOfWork) -> None:
    action = Effects(uow)

    a = run_idempotent(uow, scope="user:1", key="same", request_hash="h", action=action)
    b = run_idempotent(uow, scope="user:2", key="same", request_hash="other", action=action)

    assert (a.replayed, b.replayed) == (False, False)
    assert a.body != b.body
    assert action.calls == 2
    assert [(s, k) for s, k, *_ in stored_keys(db)] == [("user:1", "same"), ("user:2", "same")]


def test_without_a_key_the_action_runs_every_time_and_nothing_is_stored(
    db: Database, uow: UnitOfWork
) -> None:
    action = Effects(uow)

    results = [
        run_idempotent(uow, scope="s", key=None, request_hash="h", action=action) for _ in range(3)
    ]

    assert action.calls == 3
    assert [r.replayed for r in results] == [False, False, False]
    assert len({r.body["order"] for r in results}) == 3
    assert len(effect_names(db)) == 3
    assert stored_keys(db) == []


@pytest.mark.parametrize("key", ["", "k" * 256, "k" * 1000])
def test_an_empty_or_too_long_key_is_refused_before_anything_runs(
    db: Database, uow: UnitOfWork, key: str
) -> None:
    action = Effects(uow)

    with pytest.raises(InvalidInput) as refused:
        run_idempotent(uow, scope="s", key=key, request_hash="h", action=action)

    assert refused.value.code == "invalid_input"
    assert action.calls == 0
    assert stored_keys(db) == []
    assert effect_names(db) == []


def test_a_key_of_255_characters_is_accepted(db: Database, uow: UnitOfWork) -> None:
    key = "k" * 255
    action = Effects(uow)

    run_idempotent(uow, scope="s", key=key, request_hash="h", action=action)

    assert [k for _, k, *_ in stored_keys(db)] == [key]


def test_an_action_that_fails_leaves_no_key_and_a_retry_runs_again(
    db: Database, uow: UnitOfWork
) -> None:
    attempts: list[str] = []

    def failing() -> tuple[int, Any]:
        attempts.append("failing")
        with uow:
            uow.session.add(JobLease(name="half-done"))
            uow.session.flush()
            raise RuntimeError("payment gateway timeout")

    with pytest.raises(RuntimeError, match="payment gateway timeout"):
        run_idempotent(uow, scope="s", key="k", request_hash="h", action=failing)

    assert stored_keys(db) == []
    assert effect_names(db) == []

    action = Effects(uow)
    retry = run_idempotent(uow, scope="s", key="k", request_hash="h", action=action)

    assert attempts == ["failing"]
    assert action.calls == 1
    assert retry.replayed is False
    assert [(k, status) for _, k, _, status, _ in stored_keys(db)] == [("k", 201)]


def test_twenty_concurrent_requests_with_one_key_execute_the_action_once(db: Database) -> None:
    # Given 20 threads, each with its own unit of work, sending the same key and body
    n = 20
    start = threading.Barrier(n)
    results: list[IdempotentResult] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def request() -> None:
        uow = UnitOfWork(db)
        action = Effects(uow)
        try:
            start.wait(timeout=10)
            result = run_idempotent(
                uow, scope="user:1", key="checkout-42", request_hash="h", action=action
            )
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    # When they all run at once
    threads = [threading.Thread(target=request) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then the action's body ran once, and everyone got its response
    assert errors == []
    [effect] = effect_names(db)
    body = {"order": effect, "items": [1, 2], "note": "首单"}
    assert len(results) == n
    assert all(r.body == body and r.status_code == 201 for r in results)
    assert sorted(r.replayed for r in results) == [False] + [True] * (n - 1)
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
