"""The demo's points: earned by the trading demo's real orders (active and pending), welcome
grants, a lot expiring soon — and a second seeding that adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, points
from agora.core import security
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.demo.trading import SHOPPER
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing, only the demo products the trading buys, and none of the other
    social-buying demos (theirs are tested in their packages)."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_points")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (points.PointsLot, points.PointsOrder, ledger.Transfer)
        }


def test_the_demo_shoppers_have_points_and_a_second_seeding_adds_none(uow: UnitOfWork) -> None:
    first = seed(uow)
    before = _counts(uow)
    second = seed(uow)

    assert first["points_grants_run"] == 5
    assert second["points_grants_run"] == 0
    assert _counts(uow) == before
    with uow.read() as session:
        lin = session.scalar(select(User).where(User.email == SHOPPER))
    assert lin is not None
    mine = points.summary(uow, user_id=lin.id)
    assert mine.pending > 0  # her paid, shipped and delivered orders
    assert mine.active > 5_000 + 800  # the grants and her completed order
    assert mine.expiring_amount == 800
    assert mine.expiring_at is not None
    assert utcnow() < mine.expiring_at <= utcnow() + timedelta(days=21)
    assert points.audit(uow).ok
