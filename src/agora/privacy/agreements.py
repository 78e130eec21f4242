"""The versioned privacy agreement: operators publish versions, shoppers accept the current one.

A shopper who has not accepted the current version is asked to at their next sign-in on the
web; the API only reports it (``agreement_pending`` on ``/api/v1/me``) and takes the acceptance,
so an API client is never locked out by a page it cannot show. With no version published,
nobody has anything pending.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Client, Principal, require_operator
from agora.privacy.errors import NoAgreement, StaleAgreement
from agora.privacy.models import AgreementAcceptance, PrivacyAgreement

AGREEMENT_PUBLISHED = "privacy.agreement_published"
TITLE_MAX = 200
BODY_MAX = 100_000


@dataclass(frozen=True, slots=True)
class Acceptance:
    version: int
    accepted_at: datetime


def current_agreement(session: Session) -> PrivacyAgreement | None:
    """The highest published version, or ``None`` when none has been published."""
    return session.scalar(
        select(PrivacyAgreement).order_by(PrivacyAgreement.version.desc()).limit(1)
    )


def agreement_pending(session: Session, user_id: uuid.UUID) -> bool:
    """Whether a current version exists that ``user_id`` has not accepted (one query)."""
    return agreement_state(session, user_id)[1]


def agreement_state(session: Session, user_id: uuid.UUID) -> tuple[int | None, bool]:
    """The current version (``None`` before the first) and whether ``user_id`` has yet to
    accept it (one query)."""
    latest = select(func.max(PrivacyAgreement.version)).scalar_subquery()
    accepted = (
        select(AgreementAcceptance.id)
        .where(AgreementAcceptance.user_id == user_id, AgreementAcceptance.version == latest)
        .exists()
    )
    version, done = session.execute(select(latest, accepted)).one()
    return version, version is not None and not done


def my_acceptance(session: Session, user_id: uuid.UUID) -> Acceptance | None:
    """The latest version the user accepted, and when."""
    row = session.execute(
        select(AgreementAcceptance.version, AgreementAcceptance.accepted_at)
        .where(AgreementAcceptance.user_id == user_id)
        .order_by(AgreementAcceptance.version.desc())
        .limit(1)
    ).first()
    return Acceptance(row.version, row.accepted_at) if row is not None else None


def _clean(value: str, field: str, limit: int, errors: list[dict[str, str]]) -> str:
    text = value.strip()
    if not text:
        errors.append({"field": field, "message": N_("Fill this in, in both languages.")})
    elif len(text) > limit:
        errors.append({"field": field, "message": N_("This is too long.")})
    return text


def publish_agreement(
    uow: UnitOfWork,
    *,
    actor: Principal,
    title_en: str,
    title_zh: str,
    body_en: str,
    body_zh: str,
) -> PrivacyAgreement:
    """Publish the next version (numbered one above the latest); every shopper is then asked to
    accept it at their next sign-in.

    Raises:
        Forbidden: the actor is not an operator.
        InvalidInput: a title or body is empty or too long (both languages are required).
    """
    require_operator(actor)
    errors: list[dict[str, str]] = []
    titles = [
        _clean(title_en, "title_en", TITLE_MAX, errors),
        _clean(title_zh, "title_zh", TITLE_MAX, errors),
    ]
    bodies = [
        _clean(body_en, "body_en", BODY_MAX, errors),
        _clean(body_zh, "body_zh", BODY_MAX, errors),
    ]
    if errors:
        raise InvalidInput(N_("Please correct the highlighted fields."), errors=errors)
    with uow:
        session = uow.session
        latest = session.scalar(select(func.max(PrivacyAgreement.version))) or 0
        agreement = PrivacyAgreement(
            version=latest + 1,
            title_en=titles[0],
            title_zh=titles[1],
            body_en=bodies[0],
            body_zh=bodies[1],
            published_at=utcnow(),
            published_by=actor.user_id,
        )
        session.add(agreement)
        session.flush()
        uow.emit(AGREEMENT_PUBLISHED, {"version": agreement.version}, topics=[])
        return agreement


def list_agreements(uow: UnitOfWork, *, actor: Principal) -> Sequence[PrivacyAgreement]:
    """Every published version, newest first (operators)."""
    require_operator(actor)
    with uow.read() as session:
        return session.scalars(
            select(PrivacyAgreement).order_by(PrivacyAgreement.version.desc())
        ).all()


def accept_agreement(
    uow: UnitOfWork, *, actor: Principal, version: int, client: Client
) -> Acceptance:
    """Record that the actor accepted ``version``, which must be the current one (a page left
    open while a newer version was published accepts nothing). Accepting twice keeps the first.

    Raises:
        NoAgreement: nothing has been published.
        StaleAgreement: ``version`` is not the current version.
    """
    with uow:
        session = uow.session
        current = current_agreement(session)
        if current is None:
            raise NoAgreement()
        if current.version != version:
            raise StaleAgreement()
        existing = session.scalar(
            select(AgreementAcceptance).where(
                AgreementAcceptance.user_id == actor.user_id,
                AgreementAcceptance.version == version,
            )
        )
        if existing is not None:
            return Acceptance(existing.version, existing.accepted_at)
        accepted = AgreementAcceptance(
            user_id=actor.user_id,
            version=version,
            accepted_at=utcnow(),
            ip=client.ip,
            user_agent=(client.user_agent or "")[:255] or None,
        )
        session.add(accepted)
        return Acceptance(accepted.version, accepted.accepted_at)
