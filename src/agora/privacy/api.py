"""Privacy endpoints: my consents and their log, the privacy agreement (read, accept, publish),
"download my data" and "delete my account". No endpoint takes a user id: each acts on the
signed-in user's own data."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from agora import privacy
from agora.core.i18n import gettext
from agora.http.deps import Actor, ClientInfo, Uow
from agora.http.openapi import also
from agora.http.routing import Router
from agora.privacy.schemas import (
    AcceptanceOut,
    AcceptIn,
    AgreementIn,
    AgreementOut,
    ConsentChangeOut,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    ErasureIn,
    ExportOut,
)

router = Router(prefix="/api/v1", tags=["privacy"])


def _consents(uow: Uow, actor: Actor) -> ConsentsOut:
    with uow.read() as session:
        answers = privacy.my_consents(session, actor.user_id)
        accepted = privacy.my_acceptance(session, actor.user_id)
        pending = privacy.agreement_pending(session, actor.user_id)
    return ConsentsOut(
        consents=[
            ConsentOut(kind=kind, title=gettext(privacy.CONSENT_TITLES[kind]), granted=granted)
            for kind, granted in answers.items()
        ],
        agreement=(
            AcceptanceOut(version=accepted.version, accepted_at=accepted.accepted_at)
            if accepted
            else None
        ),
        agreement_pending=pending,
    )


@router.get("/me/consents", response_model=ConsentsOut)
def my_consents(actor: Actor, uow: Uow) -> ConsentsOut:
    """My answer for each consent (every one is off until I give it) and the version of the
    privacy agreement I accepted."""
    return _consents(uow, actor)


@router.put("/me/consents/{kind}", response_model=ConsentsOut, responses=also(422))
def set_consent(kind: str, body: ConsentIn, actor: Actor, uow: Uow) -> ConsentsOut:
    """Give (`granted: true`) or withdraw one consent; logged when it changes. Withdrawing
    deletes what it allowed (behaviour events, chat inferences)."""
    privacy.set_consent(uow, actor=actor, kind=kind, granted=body.granted)
    return _consents(uow, actor)


@router.get("/me/consents/log", response_model=list[ConsentChangeOut])
def my_consent_log(actor: Actor, uow: Uow) -> list[ConsentChangeOut]:
    """Every change of my consents, newest first."""
    with uow.read() as session:
        log = privacy.consent_log(session, actor.user_id)
    return [ConsentChangeOut(kind=c.kind, granted=c.granted, changed_at=c.changed_at) for c in log]


def agreement_out(agreement: privacy.PrivacyAgreement) -> AgreementOut:
    return AgreementOut.model_validate(agreement, from_attributes=True)


@router.get("/privacy/agreement", response_model=AgreementOut, responses=also(404))
def current_agreement(uow: Uow) -> AgreementOut:
    """The current version of the privacy agreement, in English and Chinese (404
    `no_agreement` before the first is published)."""
    with uow.read() as session:
        agreement = privacy.current_agreement(session)
        if agreement is None:
            raise privacy.NoAgreement()
        return agreement_out(agreement)


@router.post("/me/agreement", response_model=AcceptanceOut, responses=also(404, 409, 422))
def accept_agreement(body: AcceptIn, actor: Actor, uow: Uow, client: ClientInfo) -> AcceptanceOut:
    """Accept the current version (`agreement_pending` on `/api/v1/me` says when one waits).
    A version that is no longer current answers 409 `agreement_superseded`."""
    accepted = privacy.accept_agreement(uow, actor=actor, version=body.version, client=client)
    return AcceptanceOut(version=accepted.version, accepted_at=accepted.accepted_at)


@router.get("/operator/privacy/agreements", response_model=list[AgreementOut])
def agreements(actor: Actor, uow: Uow) -> list[AgreementOut]:
    """Every published version, newest first. Operators only."""
    return [agreement_out(a) for a in privacy.list_agreements(uow, actor=actor)]


@router.post(
    "/operator/privacy/agreements",
    response_model=AgreementOut,
    status_code=status.HTTP_201_CREATED,
    responses=also(422),
)
def publish_agreement(body: AgreementIn, request: Request, actor: Actor, uow: Uow) -> AgreementOut:
    """Publish the next version; shoppers accept it at their next sign-in. Operators only."""
    published = privacy.publish_agreement(uow, actor=actor, **body.model_dump())
    privacy.cache_of(request.app).forget()
    return agreement_out(published)


def export_out(view: privacy.ExportView) -> ExportOut:
    return ExportOut(
        id=view.id,
        status=view.status,
        requested_at=view.requested_at,
        ready_at=view.ready_at,
        expires_at=view.expires_at,
        size=view.size,
        download_url=f"/api/v1/me/exports/download/{view.token}" if view.token else None,
    )


@router.post("/me/exports", response_model=ExportOut, status_code=status.HTTP_202_ACCEPTED)
def request_export(actor: Actor, uow: Uow) -> ExportOut:
    """Ask for a JSON archive of everything Agora holds about me; a job builds it (`queued`,
    then `ready` for seven days). Asking again while one is queued returns that one."""
    return export_out(privacy.request_export(uow, actor=actor))


@router.get("/me/exports", response_model=list[ExportOut])
def my_exports(actor: Actor, uow: Uow) -> list[ExportOut]:
    return [export_out(view) for view in privacy.my_exports(uow, actor=actor)]


@router.get("/me/exports/{export_id}", response_model=ExportOut, responses=also(404))
def my_export(export_id: uuid.UUID, actor: Actor, uow: Uow) -> ExportOut:
    return export_out(privacy.my_export(uow, actor=actor, export_id=export_id))


@router.get(
    "/me/exports/download/{token}",
    response_class=Response,
    responses={**also(404), 200: {"content": {"application/zip": {}}}},
)
def download_export(token: str, actor: Actor, uow: Uow) -> Response:
    """The zip archive (one JSON file per table holding my rows). Only its owner, only while
    ready: anyone else, or an expired link, gets 404."""
    name, archive = privacy.download_export(uow, actor=actor, token=token)
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/me/erasure", status_code=status.HTTP_204_NO_CONTENT, responses=also(409, 422))
def erase_me(body: ErasureIn, actor: Actor, uow: Uow) -> None:
    """Delete my account: personal data erased or anonymised everywhere, sessions and tokens
    revoked; orders and the ledger keep their records against the anonymised account.
    Refused with 422 `wrong_password`, or 409 `account_in_use` listing what to finish first
    (open orders, money in the wallet or treasure, credit owed, a store's staff)."""
    privacy.erase_account(uow, actor=actor, password=body.password)
