"""Consents against the real database: off until given, logged and announced only on a change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import factories
from agora import privacy
from agora.core.models import OutboxEvent
from agora.core.uow import UnitOfWork


def test_a_consent_is_off_until_given_and_each_change_is_logged_and_announced(
    uow: UnitOfWork,
) -> None:
    lin = factories.principal(factories.make_user(uow, name="Lin"))
    with uow.read() as session:
        assert privacy.my_consents(session, lin.user_id) == dict.fromkeys(
            privacy.CONSENT_KINDS, False
        )

    assert privacy.set_consent(uow, actor=lin, kind=privacy.CHAT_ASSISTANT, granted=True)
    assert not privacy.set_consent(uow, actor=lin, kind=privacy.CHAT_ASSISTANT, granted=True)
    assert privacy.set_consent(uow, actor=lin, kind=privacy.CHAT_ASSISTANT, granted=False)
    assert not privacy.set_consent(uow, actor=lin, kind=privacy.PARTNER_SHARING, granted=False)

    with uow.read() as session:
        assert not privacy.consent_granted(session, lin.user_id, privacy.CHAT_ASSISTANT)
        log = session.execute(
            select(privacy.ConsentLogEntry.kind, privacy.ConsentLogEntry.granted)
            .where(privacy.ConsentLogEntry.user_id == lin.user_id)
            .order_by(privacy.ConsentLogEntry.changed_at, privacy.ConsentLogEntry.granted.desc())
        ).all()
        events = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.event_type == privacy.CONSENT_CHANGED)
        ).all()
    assert [tuple(row) for row in log] == [
        (privacy.CHAT_ASSISTANT, True),
        (privacy.CHAT_ASSISTANT, False),
    ]
    assert [e["granted"] for e in events] == [True, False]


def test_an_unknown_consent_is_refused(uow: UnitOfWork) -> None:
    lin = factories.principal(factories.make_user(uow, name="Lin"))
    with pytest.raises(privacy.UnknownConsent):
        privacy.set_consent(uow, actor=lin, kind="sell_my_soul", granted=True)
