"""The demo counts every store's reputation once its orders, returns and reviews exist: the
demo stores show figures on first run, and a second seeding adds no row."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import catalog, reputation
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_reviews")


def test_the_demo_stores_have_figures(uow: UnitOfWork) -> None:
    first = seed(uow)

    with uow.read() as session:
        stores = session.scalar(select(func.count()).select_from(catalog.Store))
        rows = session.scalars(select(reputation.StoreReputation)).all()
    assert first["stores_rated"] == stores == len(rows)
    assert sum(row.judged_orders for row in rows) > 0
    assert sum(row.delivered_orders for row in rows) > 0
    assert sum(row.reviews for row in rows) > 0
    assert any(row.on_time_bp is not None and row.rating_hundredths is not None for row in rows)

    second = seed(uow)
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(reputation.StoreReputation)) == len(
            rows
        )
    assert second["stores_rated"] == len(rows)
