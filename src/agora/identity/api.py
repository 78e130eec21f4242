"""Identity endpoints: register, tokens, me, the audit log, and operator user admin."""

from __future__ import annotations

import uuid

from fastapi import Query, Request, status
from starlette.concurrency import run_in_threadpool

from agora import privacy, sharing
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, ClientInfo, Uow, get_runtime, get_uow
from agora.http.openapi import also
from agora.http.routing import Router
from agora.identity import service
from agora.identity.models import User
from agora.identity.schemas import (
    MeIn,
    MeOut,
    RegisterIn,
    SecurityEventOut,
    SessionOut,
    SignInIn,
    TokenOut,
    UserOut,
    UserStatusIn,
)

router = Router(prefix="/api/v1", tags=["identity"])


def user_out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, response_model=UserOut, responses=also(409)
)
def register(body: RegisterIn, uow: Uow, client: ClientInfo, request: Request) -> UserOut:
    with uow:
        user = service.register(
            uow,
            identifier=body.identifier,
            password=body.password,
            display_name=body.display_name,
            client=client,
        )
        # Credit the share that brought this browser here (first touch), in the same transaction.
        sharing.attribute_signup(
            uow, user_id=user.id, visitor_id=request.cookies.get(sharing.VISITOR_COOKIE)
        )
    return user_out(user)


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    responses=also(401, 403, 429),
)
def create_token(body: SignInIn, uow: Uow, client: ClientInfo) -> TokenOut:
    """Sign in and get a bearer token for the API."""
    signed = service.sign_in(
        uow,
        identifier=body.identifier,
        password=body.password,
        client=client,
        kind="api",
        label=body.label,
    )
    return TokenOut(
        token=signed.token,
        session_id=signed.session.id,
        expires_at=signed.session.expires_at,
        user=user_out(signed.user),
    )


@router.delete("/tokens/current", status_code=status.HTTP_204_NO_CONTENT)
def revoke_current(actor: Actor, uow: Uow, client: ClientInfo) -> None:
    service.sign_out(uow, actor=actor, client=client)


@router.get("/me", response_model=MeOut)
async def me(actor: Actor, request: Request) -> MeOut:
    """Who is signed in, and whether a version of the privacy agreement waits for their
    acceptance. The profile comes from the token cache, which keeps what its sign-in read found;
    a principal not cached (a token read before a restart) reads the account row."""
    # Answered from memory for nearly everyone (privacy/cache.py): no thread, no query.
    cache = privacy.cache_of(request.app)
    known = cache.known(actor.user_id)
    if known is None:
        version, pending = await run_in_threadpool(
            _agreement_state, get_uow(request), actor.user_id
        )
        cache.remember(actor.user_id, version=version, pending=pending)
    else:
        pending = known
    profile = get_runtime(request).tokens.profile(actor.user_id)
    if profile is not None:
        found = MeOut.model_validate(profile, from_attributes=True)
    else:
        user = await run_in_threadpool(service.get_user, get_uow(request), actor.user_id)
        assert user is not None
        found = MeOut(**user_out(user).model_dump())
    found.agreement_pending = pending
    return found


def _agreement_state(uow: UnitOfWork, user_id: uuid.UUID) -> tuple[int | None, bool]:
    with uow.read() as session:
        return privacy.agreement_state(session, user_id)


@router.patch("/me", response_model=UserOut, responses=also(422))
def update_me(body: MeIn, actor: Actor, uow: Uow) -> UserOut:
    """Change the signed-in user's own settings: the time zone their pages show times in."""
    if "time_zone" in body.model_fields_set:
        return user_out(service.set_time_zone(uow, actor=actor, time_zone=body.time_zone))
    user = service.get_user(uow, actor.user_id)
    assert user is not None
    return user_out(user)


@router.get("/me/sessions", response_model=list[SessionOut])
def my_sessions(actor: Actor, uow: Uow) -> list[SessionOut]:
    return [
        SessionOut.model_validate(s, from_attributes=True)
        for s in service.list_tokens(uow, actor=actor)
    ]


@router.delete("/me/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(session_id: uuid.UUID, actor: Actor, uow: Uow, client: ClientInfo) -> None:
    service.revoke_session(uow, actor=actor, session_id=session_id, client=client)


@router.get("/me/security-events", response_model=list[SecurityEventOut])
def my_security_events(actor: Actor, uow: Uow) -> list[SecurityEventOut]:
    return [
        SecurityEventOut.model_validate(e, from_attributes=True)
        for e in service.security_log(uow, actor=actor)
    ]


@router.get("/operator/users", response_model=list[UserOut])
def operator_users(
    actor: Actor, uow: Uow, q: str | None = Query(default=None, max_length=100)
) -> list[UserOut]:
    return [user_out(u) for u in service.list_users(uow, actor=actor, query=q)]


@router.put("/operator/users/{user_id}/status", response_model=UserOut)
def operator_user_status(
    user_id: uuid.UUID, body: UserStatusIn, actor: Actor, uow: Uow, client: ClientInfo
) -> UserOut:
    user = service.set_user_status(
        uow, actor=actor, user_id=user_id, status=body.status, client=client
    )
    return user_out(user)
