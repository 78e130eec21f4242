"""Privacy pages: my consents and their log, "download my data", "delete my account", the
privacy agreement to accept after signing in, and the operator's page that publishes it."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import identity, privacy
from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.core.uow import UnitOfWork
from agora.http.deps import SESSION_COOKIE, Actor, ClientInfo, MaybeActor, Uow
from agora.web.operator import _nav as console_nav
from agora.web.render import check_csrf, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form(max_length=100_000)]
AGREEMENT_PAGE = "/account/agreement"


def after_sign_in(uow: UnitOfWork, user_id: uuid.UUID, target: str) -> str:
    """Where a browser goes once signed in: to the agreement first while a version waits for
    this user's acceptance, then on to ``target``."""
    with uow.read() as session:
        pending = privacy.agreement_pending(session, user_id)
    if pending:
        return f"{AGREEMENT_PAGE}?{urlencode({'next': target})}"
    return target


def agreement_version(uow: UnitOfWork) -> int | None:
    """The current version's number (``None`` before the first), for the sign-up form."""
    with uow.read() as session:
        current = privacy.current_agreement(session)
        return current.version if current is not None else None


def accept_on_sign_up(uow: UnitOfWork, user: identity.User, client: identity.Client) -> None:
    """Record the new account's acceptance of the current version, which the sign-up form
    showed (inside the sign-up's transaction)."""
    version = agreement_version(uow)
    if version is not None:
        actor = identity.Principal(user_id=user.id, display_name=user.display_name)
        privacy.accept_agreement(uow, actor=actor, version=version, client=client)


def _privacy_page(request: Request, actor: identity.Principal, uow: Uow) -> Response:
    with uow.read() as session:
        answers = privacy.my_consents(session, actor.user_id)
        log = privacy.consent_log(session, actor.user_id, limit=50)
        accepted = privacy.my_acceptance(session, actor.user_id)
        pending = privacy.agreement_pending(session, actor.user_id)
    return render(
        request,
        "privacy/privacy.html",
        consents=[
            (kind, _(privacy.CONSENT_TITLES[kind]), granted) for kind, granted in answers.items()
        ],
        titles={kind: _(title) for kind, title in privacy.CONSENT_TITLES.items()},
        log=log,
        accepted=accepted,
        pending=pending,
        exports=privacy.my_exports(uow, actor=actor),
        export_days=privacy.EXPORT_DAYS,
    )


@router.get("/account/privacy")
def privacy_page(request: Request, actor: MaybeActor, uow: Uow) -> Response:
    if actor is None:
        return redirect(request, "/signin?next=/account/privacy")
    return _privacy_page(request, actor, uow)


@router.post("/account/privacy/consents/{kind}")
def switch_consent(
    kind: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    granted: Text = "",
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    on = granted == "1"
    privacy.set_consent(uow, actor=actor, kind=kind, granted=on)
    title = _(privacy.CONSENT_TITLES[kind])
    message = _("Switched on: %(what)s.") if on else _("Switched off: %(what)s.")
    return redirect(request, "/account/privacy", flash=message % {"what": title})


@router.post("/account/privacy/exports")
def request_export(request: Request, actor: Actor, uow: Uow, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    privacy.request_export(uow, actor=actor)
    return redirect(
        request,
        "/account/privacy#my-data",
        flash=_("We are putting your data together. The download appears here when it is ready."),
    )


@router.get("/account/privacy/exports/{token}.zip")
def download_export(token: str, actor: Actor, uow: Uow) -> Response:
    name, archive = privacy.download_export(uow, actor=actor, token=token)
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _delete_page(
    request: Request,
    actor: identity.Principal,
    uow: Uow,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    reasons = privacy.blockers(uow, actor.user_id)
    return render(
        request,
        "privacy/delete.html",
        status_code,
        blockers=[_(privacy.BLOCKERS[code]) for code in reasons],
        error=error,
    )


@router.get("/account/delete")
def delete_page(request: Request, actor: MaybeActor, uow: Uow) -> Response:
    if actor is None:
        return redirect(request, "/signin?next=/account/delete")
    return _delete_page(request, actor, uow)


@router.post("/account/delete")
def delete_account(
    request: Request, actor: Actor, uow: Uow, password: Text = "", csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        privacy.erase_account(uow, actor=actor, password=password)
    except privacy.WrongPassword as error:
        message = _(error.detail or error.title)
        return _delete_page(request, actor, uow, status_code=error.status, error=message)
    except privacy.AccountInUse as error:
        return _delete_page(request, actor, uow, status_code=error.status)
    response = redirect(
        request,
        "/",
        flash=_("Your account has been deleted, with your personal data. Goodbye."),
        kind="info",
    )
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get(AGREEMENT_PAGE)
def agreement_page(request: Request, actor: MaybeActor, uow: Uow) -> Response:
    target = safe_next(request.query_params.get("next"))
    with uow.read() as session:
        agreement = privacy.current_agreement(session)
        # Anyone may read it (the sign-up form links here); only a signed-in user accepts.
        pending = actor is not None and privacy.agreement_pending(session, actor.user_id)
    if agreement is None:
        return redirect(request, target)
    return render(
        request, "privacy/agreement.html", agreement=agreement, pending=pending, next=target
    )


@router.post(AGREEMENT_PAGE)
def accept_agreement(
    request: Request,
    actor: Actor,
    uow: Uow,
    client: ClientInfo,
    version: Text = "",
    next: Text = "/",
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    target = safe_next(next)
    try:
        privacy.accept_agreement(uow, actor=actor, version=int(version or 0), client=client)
    except (privacy.StaleAgreement, ValueError):
        return redirect(
            request,
            f"{AGREEMENT_PAGE}?{urlencode({'next': target})}",
            flash=_("The agreement was updated while you read it. Please read this version."),
            kind="error",
        )
    return redirect(request, target, flash=_("Thank you. You accepted the privacy agreement."))


@router.post(f"{AGREEMENT_PAGE}/decline")
def decline_agreement(
    request: Request, actor: Actor, uow: Uow, client: ClientInfo, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    identity.sign_out(uow, actor=actor, client=client)
    response = redirect(
        request,
        "/signin",
        flash=_(
            "You were signed out because Agora can only be used after accepting the current "
            "privacy agreement. Sign in again whenever you are ready to accept it."
        ),
        kind="info",
    )
    response.delete_cookie(SESSION_COOKIE)
    return response


def _operator_page(
    request: Request,
    actor: identity.Principal,
    uow: Uow,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    versions = privacy.list_agreements(uow, actor=actor)
    return render(
        request,
        "privacy/operator.html",
        status_code,
        console_nav=console_nav("privacy"),
        versions=versions,
        values=values or {},
        errors=errors or {},
        error=error,
    )


@router.get("/operator/privacy")
def operator_page(request: Request, actor: Actor, uow: Uow) -> Response:
    return _operator_page(request, actor, uow)


@router.post("/operator/privacy")
def publish(
    request: Request,
    actor: Actor,
    uow: Uow,
    title_en: Text = "",
    title_zh: Text = "",
    body_en: LongText = "",
    body_zh: LongText = "",
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {"title_en": title_en, "title_zh": title_zh, "body_en": body_en, "body_zh": body_zh}
    try:
        published = privacy.publish_agreement(uow, actor=actor, **values)
        privacy.cache_of(request.app).forget()
    except InvalidInput as problem:
        errors = {e["field"]: _(e["message"]) for e in problem.extra.get("errors", [])}
        return _operator_page(
            request,
            actor,
            uow,
            status_code=problem.status,
            values=values,
            errors=errors,
            error=_(problem.detail or problem.title),
        )
    return redirect(
        request,
        "/operator/privacy",
        flash=_("Version %(n)s is published. Shoppers accept it at their next sign-in.")
        % {"n": published.version},
    )
