"""``Idempotency-Key`` for POSTs that create things or move money, on top of core.idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from agora.core.errors import AgoraError
from agora.core.idempotency import IdempotentResult, JSONText, run_idempotent
from agora.core.security import request_digest
from agora.core.uow import UnitOfWork
from agora.http.deps import get_runtime, get_uow
from agora.http.problems import problem_of
from agora.identity import Principal

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retries with the same key return the first result; another body is refused.",
    ),
]


def respond_idempotently(
    request: Request,
    uow: UnitOfWork,
    *,
    actor: Principal,
    key: str | None,
    body: BaseModel | None,
    action: Callable[[], tuple[int, Any]],
    precheck: Callable[[], None] | None = None,
) -> Response:
    """Run ``action`` at most once per (actor, key); the stored response is replayed verbatim."""
    result = run_idempotent(
        uow,
        scope=f"user:{actor.user_id}",
        key=key,
        request_hash=_digest(request, body),
        action=lambda: _as_json(action()),
        precheck=precheck,
    )
    return _response(result)


async def write_idempotently(
    request: Request,
    *,
    actor: Principal,
    key: str | None,
    body: BaseModel | None,
    action: Callable[[UnitOfWork], tuple[int, Any]],
    refuse: Callable[[UnitOfWork], None] | None = None,
) -> Response:
    """:func:`respond_idempotently` for a hot write: ``action`` runs as a command of the
    process's writer (``core.writer``), batched with others and answered once committed. (The
    writer is the request's runtime's, not a dependency: one less for FastAPI to solve on the
    hottest requests.)

    ``refuse`` answers from memory alone (a closed gate, ``core.gates``); it runs after the stored
    response was looked for, so a retry of a purchase that succeeded replays it even once the
    item has sold out. Without a key there is nothing to replay, and it runs before the hand-off.
    """
    digest = _digest(request, body)
    scope = f"user:{actor.user_id}"
    if key is None and refuse is not None:
        try:
            refuse(get_uow(request))
        except AgoraError as refused:
            return problem_of(refused)

    def command(uow: UnitOfWork) -> IdempotentResult:
        return run_idempotent(
            uow,
            scope=scope,
            key=key,
            request_hash=digest,
            action=lambda: _as_json(action(uow)),
            precheck=None if refuse is None else lambda: refuse(uow),
        )

    try:
        result = await get_runtime(request).writer.run(command)
    except AgoraError as refused:
        # Answered here rather than raised through every layer to the API's error handler, which
        # would send the same problem+json: a flash sale is mostly refusals.
        return problem_of(refused)
    return _response(result)


def _digest(request: Request, body: BaseModel | None) -> str:
    # The scope's path, not request.url.path: building the URL object costs more than the hash.
    return request_digest(
        request.method, request.scope["path"], body.model_dump_json() if body is not None else ""
    )


def _as_json(outcome: tuple[int, Any]) -> tuple[int, Any]:
    status, payload = outcome
    # Pydantic writes its own models as JSON several times faster than the generic encoder, and
    # the text is both what is recorded for a retry and what is sent.
    if isinstance(payload, BaseModel):
        return status, JSONText(payload.model_dump_json())
    return status, jsonable_encoder(payload)


def _response(result: IdempotentResult) -> Response:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    if isinstance(result.body, JSONText):
        return Response(
            result.body.encode(),
            status_code=result.status_code,
            headers=headers,
            media_type="application/json",
        )
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)
