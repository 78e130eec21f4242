"""The demo's privacy: version 1 of the agreement accepted by every account, Lin Mei's consents
on, her download ready — and a second seeding that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

import factories
from agora import privacy
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.identity import Principal, User
from agora.schema import metadata


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    factories.demo_with(monkeypatch, "seed_privacy")
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def _rows(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in metadata.sorted_tables
        }


def test_the_demo_has_an_accepted_agreement_lin_meis_consents_and_her_download(
    uow: UnitOfWork,
) -> None:
    first = seed(uow)
    rows = _rows(uow)
    second = seed(uow)

    assert first["privacy_agreement_version"] == 1 and first["privacy_acceptances"] > 5
    assert (second["privacy_acceptances"], second["privacy_exports"]) == (0, 0)
    assert _rows(uow) == rows
    with uow.read() as session:
        users = session.scalars(select(User)).all()
        assert not any(privacy.agreement_pending(session, u.id) for u in users)
        lin = session.scalar(select(User).where(User.email == "shopper@agora.demo"))
        assert lin is not None
        consents = privacy.my_consents(session, lin.id)
    assert consents[privacy.CHAT_ASSISTANT] and consents[privacy.PERSONALISED_RECOMMENDATIONS]
    actor = Principal(user_id=lin.id, display_name=lin.display_name)
    [export] = privacy.my_exports(uow, actor=actor)
    assert export.status == privacy.READY and export.token is not None
    _, archive = privacy.download_export(uow, actor=actor, token=export.token)
    files = privacy.read_archive(archive)
    assert files["users"][0]["email"] == "shopper@agora.demo"
    assert files["orders"] and files["addresses"] and files["chat_messages"]
