"""The privacy agreement: operators publish versions, shoppers accept the current one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import factories
from agora import privacy
from agora.core.errors import Forbidden, InvalidInput
from agora.core.uow import UnitOfWork

TEXTS = {
    "title_en": "Privacy agreement",
    "title_zh": "隐私协议",
    "body_en": "We keep what you tell us.",
    "body_zh": "我们保存您告诉我们的内容。",
}


def test_nothing_is_pending_until_a_version_is_published(uow: UnitOfWork) -> None:
    lin = factories.principal(factories.make_user(uow, name="Lin"))
    with uow.read() as session:
        assert privacy.current_agreement(session) is None
        assert not privacy.agreement_pending(session, lin.user_id)
    with pytest.raises(privacy.NoAgreement):
        privacy.accept_agreement(uow, actor=lin, version=1, client=factories.CLIENT)


def test_each_new_version_is_accepted_once_and_only_the_current_one(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    lin = factories.principal(factories.make_user(uow, name="Lin"))
    first = privacy.publish_agreement(uow, actor=ops, **TEXTS)
    assert first.version == 1
    with uow.read() as session:
        assert privacy.agreement_pending(session, lin.user_id)

    accepted = privacy.accept_agreement(uow, actor=lin, version=1, client=factories.CLIENT)
    again = privacy.accept_agreement(uow, actor=lin, version=1, client=factories.CLIENT)
    assert (accepted.version, again.accepted_at) == (1, accepted.accepted_at)
    with uow.read() as session:
        assert not privacy.agreement_pending(session, lin.user_id)

    second = privacy.publish_agreement(uow, actor=ops, **{**TEXTS, "body_en": "Now more."})
    assert second.version == 2
    with pytest.raises(privacy.StaleAgreement):
        privacy.accept_agreement(uow, actor=lin, version=1, client=factories.CLIENT)
    with uow.read() as session:
        assert privacy.agreement_pending(session, lin.user_id)
        assert privacy.my_acceptance(session, lin.user_id) == accepted
        rows = session.scalar(select(func.count()).select_from(privacy.AgreementAcceptance))
    assert rows == 1
    assert [a.version for a in privacy.list_agreements(uow, actor=ops)] == [2, 1]


def test_only_operators_publish_and_both_languages_are_required(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    lin = factories.principal(factories.make_user(uow, name="Lin"))
    with pytest.raises(Forbidden):
        privacy.publish_agreement(uow, actor=lin, **TEXTS)
    with pytest.raises(Forbidden):
        privacy.list_agreements(uow, actor=lin)
    with pytest.raises(InvalidInput) as bad:
        privacy.publish_agreement(uow, actor=ops, **{**TEXTS, "body_zh": "  "})
    assert [e["field"] for e in bad.value.extra["errors"]] == ["body_zh"]
    with uow.read() as session:
        assert privacy.current_agreement(session) is None
