"""``Idempotency-Key`` for POSTs that create things or move money, on top of core.idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from agora.core.idempotency import run_idempotent
from agora.core.security import request_digest
from agora.core.uow import UnitOfWork
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
) -> JSONResponse:
    """Run ``action`` at most once per (actor, key); the stored response is replayed verbatim."""
    digest = request_digest(
        request.method, request.url.path, body.model_dump_json() if body is not None else ""
    )

    def run() -> tuple[int, Any]:
        status, payload = action()
        # Pydantic dumps its own models several times faster than the generic encoder.
        if isinstance(payload, BaseModel):
            return status, payload.model_dump(mode="json")
        return status, jsonable_encoder(payload)

    result = run_idempotent(
        uow,
        scope=f"user:{actor.user_id}",
        key=key,
        request_hash=digest,
        action=run,
        precheck=precheck,
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)
