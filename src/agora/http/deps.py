"""FastAPI dependencies: the runtime, a unit of work, the acting principal, the client.

Every dependency is ``async def`` and does no blocking work: FastAPI runs a ``def`` dependency
in the thread pool, and each such hand-off cost more than the dependency itself (a queue, a
condition, the GIL changing hands; docs/performance.md). The principal comes from the runtime's
token cache; only a token not seen lately is read from the database, in the thread pool. A request
then crosses into a thread at most once: for a ``def`` endpoint, or for a command of the writer.
The plain functions (``get_uow``, ``optional_actor``, ``client_of``) serve pages that call them
from their own ``def`` code.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from agora.core.errors import N_, Forbidden, Unauthenticated
from agora.core.security import csrf_ok, csrf_token, token_digest
from agora.core.uow import UnitOfWork
from agora.core.writer import Writer
from agora.identity import Client, Principal, authenticate
from agora.media import Storage
from agora.runtime import Runtime

SESSION_COOKIE = "agora_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfTokenRequired(Forbidden):
    code = "csrf_token_required"
    title = N_("A request signed in by the session cookie needs the X-CSRF-Token header.")


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


def _request_token(request: Request) -> str | None:
    token = bearer_token(request)
    if token is None:
        token = session_token(request)
        if token is not None:
            _check_cookie_write(request, token)
    return token


# The request's principal, once found, kept in its scope (``request.state`` answers a name it
# does not hold by raising, which on the hot path cost more than the token cache lookup).
_ACTOR = "agora.actor"


def optional_actor(request: Request) -> Principal | None:
    """The signed-in principal from a bearer token or the session cookie, cached per request."""
    scope = request.scope
    if _ACTOR in scope:
        cached: Principal | None = scope[_ACTOR]
        return cached
    token = _request_token(request)
    runtime = get_runtime(request)
    actor = authenticate(runtime.uow(), token, cache=runtime.tokens) if token else None
    scope[_ACTOR] = actor
    return actor


async def find_actor(request: Request) -> Principal | None:
    """:func:`optional_actor` without a thread: a known token is answered from the cache."""
    scope = request.scope
    if _ACTOR in scope:
        cached: Principal | None = scope[_ACTOR]
        return cached
    actor = await authenticate_cached(get_runtime(request), _request_token(request))
    scope[_ACTOR] = actor
    return actor


async def authenticate_cached(runtime: Runtime, token: str | None) -> Principal | None:
    """The principal behind ``token``: from the token cache on the event loop, or, for a token
    not cached, read with the other misses of the moment (``identity.token_reader``) and cached."""
    if not token:
        return None
    digest = token_digest(token)
    cached = runtime.tokens.get(digest)
    if cached is not None:
        return cached
    return await runtime.token_reader.principal(digest)


def _check_cookie_write(request: Request, token: str) -> None:
    """An API write signed in by the cookie alone could be forged by another site the browser
    visits (a sibling subdomain gets past SameSite), so it must carry the session's CSRF token —
    an HMAC of the session token, which such a site cannot know or plant. Pages check their forms'
    own token; bearer tokens are never sent by a browser on its own."""
    if request.method in _SAFE_METHODS or not request.url.path.startswith("/api/"):
        return
    header = request.headers.get(CSRF_HEADER)
    if not header or not csrf_ok(get_runtime(request).settings.secret_key, token, header):
        raise CsrfTokenRequired()


def api_csrf_token(request: Request) -> str | None:
    """The X-CSRF-Token value for this browser session's API writes (None when signed out)."""
    token = session_token(request)
    return csrf_token(get_runtime(request).settings.secret_key, token) if token else None


async def current_actor(request: Request) -> Principal:
    actor = await find_actor(request)
    if actor is None:
        raise Unauthenticated()
    return actor


def client_of(request: Request) -> Client:
    ip = request.client.host if request.client else None
    return Client(ip=ip, user_agent=request.headers.get("user-agent"))


async def _uow(request: Request) -> UnitOfWork:
    return get_uow(request)


async def _client(request: Request) -> Client:
    return client_of(request)


async def _writer(request: Request) -> Writer:
    return get_runtime(request).writer


async def _media(request: Request) -> Storage:
    return get_runtime(request).media


Uow = Annotated[UnitOfWork, Depends(_uow)]
Media = Annotated[Storage, Depends(_media)]
Actor = Annotated[Principal, Depends(current_actor)]
MaybeActor = Annotated[Principal | None, Depends(find_actor)]
ClientInfo = Annotated[Client, Depends(_client)]
HotWriter = Annotated[Writer, Depends(_writer)]
