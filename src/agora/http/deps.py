"""FastAPI dependencies: the runtime, a unit of work, the acting principal, the client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from agora.core.errors import Unauthenticated
from agora.core.uow import UnitOfWork
from agora.identity import Client, Principal, authenticate
from agora.runtime import Runtime

SESSION_COOKIE = "agora_session"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_uow(request: Request) -> UnitOfWork:
    return get_runtime(request).uow()


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def optional_actor(request: Request) -> Principal | None:
    """The signed-in principal from a bearer token or the session cookie, cached per request."""
    if hasattr(request.state, "actor"):
        cached: Principal | None = request.state.actor
        return cached
    token = bearer_token(request) or session_token(request)
    actor = authenticate(get_uow(request), token) if token else None
    request.state.actor = actor
    return actor


def current_actor(request: Request) -> Principal:
    actor = optional_actor(request)
    if actor is None:
        raise Unauthenticated()
    return actor


def client_of(request: Request) -> Client:
    ip = request.client.host if request.client else None
    return Client(ip=ip, user_agent=request.headers.get("user-agent"))


Uow = Annotated[UnitOfWork, Depends(get_uow)]
Actor = Annotated[Principal, Depends(current_actor)]
MaybeActor = Annotated[Principal | None, Depends(optional_actor)]
ClientInfo = Annotated[Client, Depends(client_of)]
