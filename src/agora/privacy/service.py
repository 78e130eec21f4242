"""Consents: read one cheaply, list a shopper's, change one with its log entry and event.

A change emits ``privacy.consent_changed`` (payload ``user_id``, ``kind``, ``granted``): the
contexts that hold what a consent allowed (inferences, behaviour events) erase it in their
handlers when it is withdrawn.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.privacy.domain import CONSENT_KINDS
from agora.privacy.errors import UnknownConsent
from agora.privacy.models import Consent, ConsentLogEntry

CONSENT_CHANGED = "privacy.consent_changed"


# Prepared: read on every personalised feed and every batch of chat messages.
_GRANTED = Prepared(
    select(Consent.granted).where(
        Consent.user_id == bindparam("user_id"), Consent.kind == bindparam("kind")
    )
)


def consent_granted(session: Session, user_id: uuid.UUID, kind: str) -> bool:
    """Whether ``user_id`` has switched ``kind`` on (one primary-key read)."""
    return bool(_GRANTED.scalar(session, {"user_id": user_id, "kind": kind}))


def my_consents(session: Session, user_id: uuid.UUID) -> dict[str, bool]:
    """Every kind of consent with the shopper's answer (``False`` where never given)."""
    rows = session.execute(
        select(Consent.kind, Consent.granted).where(Consent.user_id == user_id)
    ).all()
    answers = {kind: bool(granted) for kind, granted in rows}
    return {kind: answers.get(kind, False) for kind in CONSENT_KINDS}


def set_consent(uow: UnitOfWork, *, actor: Principal, kind: str, granted: bool) -> bool:
    """Give or withdraw the actor's own consent ``kind``; answers whether anything changed.

    Logged and announced only when the answer changes, so a repeated click writes nothing.
    """
    if kind not in CONSENT_KINDS:
        raise UnknownConsent()
    with uow:
        session = uow.session
        current = session.get(Consent, (actor.user_id, kind))
        if current is not None and current.granted == granted:
            return False
        if current is None and not granted:
            return False
        now = utcnow()
        if current is None:
            session.add(Consent(user_id=actor.user_id, kind=kind, granted=granted, changed_at=now))
        else:
            current.granted, current.changed_at = granted, now
        session.add(
            ConsentLogEntry(user_id=actor.user_id, kind=kind, granted=granted, changed_at=now)
        )
        uow.emit(
            CONSENT_CHANGED,
            {"user_id": str(actor.user_id), "kind": kind, "granted": granted},
        )
    return True


@dataclass(frozen=True, slots=True)
class ConsentChange:
    kind: str
    granted: bool
    changed_at: datetime


def consent_log(session: Session, user_id: uuid.UUID, *, limit: int = 100) -> list[ConsentChange]:
    """The shopper's own consent changes, newest first (what changed when)."""
    rows = session.execute(
        select(ConsentLogEntry.kind, ConsentLogEntry.granted, ConsentLogEntry.changed_at)
        .where(ConsentLogEntry.user_id == user_id)
        .order_by(ConsentLogEntry.changed_at.desc(), ConsentLogEntry.id.desc())
        .limit(limit)
    ).all()
    return [ConsentChange(kind, bool(granted), at) for kind, granted, at in rows]
