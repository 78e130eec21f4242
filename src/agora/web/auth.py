"""Sign-up, sign-in, sign-out and the account page (sessions, the security log, the time zone)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import identity, sharing
from agora.core.clock import business_zone
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.http.deps import SESSION_COOKIE, Actor, ClientInfo, MaybeActor, Uow, get_runtime
from agora.web import devices as _devices  # noqa: F401 - registers the "device" filter
from agora.web import privacy as privacy_pages
from agora.web import times
from agora.web.render import check_csrf, redirect, render, safe_next

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=256)]


def _set_session(request: Request, response: Response, token: str) -> Response:
    settings = get_runtime(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_days * 86400,
    )
    return response


def _field_errors(error: AgoraError) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        return {e["field"]: _(e["message"]) for e in error.extra.get("errors", [])}
    return {}


@router.get("/signin")
def signin_page(request: Request, actor: MaybeActor) -> Response:
    if actor is not None:
        return redirect(request, safe_next(request.query_params.get("next")))
    return render(
        request,
        "auth/signin.html",
        next=safe_next(request.query_params.get("next")),
        identifier="",
        error=None,
    )


@router.post("/signin")
def signin(
    request: Request,
    uow: Uow,
    client: ClientInfo,
    identifier: Text = "",
    password: Text = "",
    csrf_token: Text = "",
    next: Text = "/",
) -> Response:
    check_csrf(request, csrf_token)
    target = safe_next(next)
    try:
        signed = identity.sign_in(
            uow, identifier=identifier, password=password, client=client, kind="web"
        )
    except AgoraError as error:
        return render(
            request,
            "auth/signin.html",
            status_code=error.status,
            next=target,
            identifier=identifier,
            error=_(error.detail or error.title),
        )
    # This browser's earlier anonymous share visits are now the user's (re-shares, orders).
    sharing.link_visitor(
        uow, user_id=signed.user.id, visitor_id=request.cookies.get(sharing.VISITOR_COOKIE)
    )
    # A version of the privacy agreement this user has not accepted comes first.
    response = redirect(
        request,
        privacy_pages.after_sign_in(uow, signed.user.id, target),
        flash=_("Welcome back, {name}.").format(name=signed.user.display_name),
    )
    return _set_session(request, response, signed.token)


@router.get("/signup")
def signup_page(request: Request, uow: Uow) -> Response:
    return render(
        request,
        "auth/signup.html",
        values={},
        errors={},
        error=None,
        next=safe_next(request.query_params.get("next")),
        agreement=privacy_pages.agreement_version(uow),
    )


@router.post("/signup")
def signup(
    request: Request,
    uow: Uow,
    client: ClientInfo,
    identifier: Text = "",
    password: Text = "",
    display_name: Text = "",
    csrf_token: Text = "",
    next: Text = "/",
) -> Response:
    check_csrf(request, csrf_token)
    values = {"identifier": identifier, "display_name": display_name}
    try:
        with uow:
            user = identity.register(
                uow,
                identifier=identifier,
                password=password,
                display_name=display_name,
                client=client,
                locale=request.state.locale,
            )
            # Credit the share that brought this browser here (first touch), same transaction.
            sharing.attribute_signup(
                uow, user_id=user.id, visitor_id=request.cookies.get(sharing.VISITOR_COOKIE)
            )
            # The sign-up form says that creating the account accepts the current agreement.
            privacy_pages.accept_on_sign_up(uow, user, client)
        signed = identity.sign_in(
            uow, identifier=identifier, password=password, client=client, kind="web"
        )
    except AgoraError as error:
        return render(
            request,
            "auth/signup.html",
            status_code=error.status,
            values=values,
            errors=_field_errors(error),
            error=_(error.detail or error.title),
            next=safe_next(next),
            agreement=privacy_pages.agreement_version(uow),
        )
    response = redirect(
        request,
        privacy_pages.after_sign_in(uow, signed.user.id, safe_next(next)),
        flash=_("Welcome to Agora, {name}!").format(name=signed.user.display_name),
    )
    return _set_session(request, response, signed.token)


@router.post("/signout")
def signout(
    request: Request, uow: Uow, client: ClientInfo, actor: MaybeActor, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    if actor is not None:
        identity.sign_out(uow, actor=actor, client=client)
    response = redirect(request, "/", flash=_("You have signed out."), kind="info")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account")
def account(request: Request, actor: MaybeActor, uow: Uow) -> Response:
    if actor is None:
        return redirect(request, "/signin?next=/account")
    return _account_page(request, actor, uow)


def _account_page(
    request: Request,
    actor: identity.Principal,
    uow: Uow,
    *,
    status_code: int = 200,
    zone_value: str | None = None,
    zone_error: str | None = None,
) -> Response:
    user = identity.get_user(uow, actor.user_id)
    assert user is not None
    chosen = user.time_zone if zone_value is None else zone_value
    return render(
        request,
        "auth/account.html",
        status_code,
        user=user,
        sessions=identity.list_tokens(uow, actor=actor),
        events=identity.security_log(uow, actor=actor, limit=20),
        current_session=actor.session_id,
        zone_options=times.zone_options(user.time_zone),
        zone_value=chosen or "",
        zone_error=zone_error,
    )


@router.post("/account/time-zone")
def set_time_zone(
    request: Request, actor: Actor, uow: Uow, time_zone: Text = "", csrf_token: Text = ""
) -> Response:
    """The zone the user's pages show times in; "" is the platform's default."""
    check_csrf(request, csrf_token)
    try:
        user = identity.set_time_zone(uow, actor=actor, time_zone=time_zone.strip() or None)
    except InvalidInput as error:
        message = _field_errors(error).get("time_zone") or _(error.detail or error.title)
        return _account_page(
            request,
            actor,
            uow,
            status_code=error.status,
            zone_value=time_zone,
            zone_error=message,
        )
    shown = times.zone_label(user.time_zone or business_zone().key)
    return redirect(
        request, "/account", flash=_("Times are now shown in %(zone)s.") % {"zone": shown}
    )


@router.post("/account/sessions/{session_id}/revoke")
def revoke(
    session_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    client: ClientInfo,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.revoke_session(uow, actor=actor, session_id=session_id, client=client)
    return redirect(request, "/account", flash=_("The session was signed out."))
