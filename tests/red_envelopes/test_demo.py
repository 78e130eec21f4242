"""The demo's red envelopes: a partly opened lucky envelope, a finished one naming the luckiest,
an opened 1:1 envelope — and a second seeding that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, red_envelopes
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.red_envelopes import seed_red_envelopes
from agora.demo.seed import seed
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap hashing, only the demo products in play, none of the other social-buying demos."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_red_envelopes")


def _run(uow: UnitOfWork) -> dict[str, object]:
    """The whole demo, then this part again (the second call adds nothing)."""
    seed(uow)
    with uow.read() as session:
        shoppers = {u.email: u for u in session.scalars(select(User)) if u.email}
    return seed_red_envelopes(uow, shoppers=shoppers, stores={}, password="")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (
                red_envelopes.RedEnvelope,
                red_envelopes.RedEnvelopeGrab,
                ledger.Transfer,
            )
        }


def test_the_demo_envelopes_are_in_every_state_and_seed_once(uow: UnitOfWork) -> None:
    _run(uow)
    before = _counts(uow)
    second = _run(uow)

    assert second == {"red_envelopes": 0, "red_envelope_grabs": 0}
    assert _counts(uow) == before
    assert before["red_envelopes"] == 3 and before["red_envelope_grabs"] == 6
    with uow.read() as session:
        rows = list(
            session.scalars(
                select(red_envelopes.RedEnvelope).order_by(red_envelopes.RedEnvelope.total)
            )
        )
        names = {u.id: u.display_name for u in session.scalars(select(User))}
    states = [
        (names[e.sender_id], e.kind, e.total, e.shares, e.grabbed_count, e.status) for e in rows
    ]
    assert states == [
        ("Wang Lei 王磊", "single", 666, 1, 1, "finished"),
        ("Lin Mei 林梅", "lucky", 888, 3, 2, "open"),
        ("Wang Lei 王磊", "lucky", 2000, 3, 3, "finished"),
    ]
    finished = rows[2]
    from agora.identity import Principal

    view = red_envelopes.envelope_view(
        uow,
        actor=Principal(user_id=finished.sender_id, display_name=""),
        envelope_id=finished.id,
    )
    assert view.luckiest_id is not None and sum(g.amount for g in view.grabs) == 2000
    assert ledger.check(uow).ok
