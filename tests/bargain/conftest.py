"""Bargain fixtures: a store with a coat on sale (red M ¥299.00 × 50, black M ¥289.00 × 5), its
merchant, an operator, and a shopper who bargains."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

import factories
from agora import catalog
from agora.core import security
from agora.core.uow import UnitOfWork
from bargain.world import World


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    ops = factories.make_operator(uow)
    merchant = factories.make_user(uow, name="Merchant")
    store = factories.make_store(uow, ops, merchant, name_en="North Wind", name_zh="北风")
    categories = factories.make_categories(uow, ops)
    coat = factories.make_product(
        uow,
        factories.principal(merchant),
        store,
        categories["coats"],
        title_en="Wool Coat",
        title_zh="羊毛外套",
        skus=[("red", "M", 29900, 50), ("black", "M", 28900, 5)],
    )
    shopper = factories.make_user(uow, name="Lin")
    yield World(
        uow=uow,
        ops=ops,
        merchant=factories.principal(merchant),
        merchant_user=merchant,
        store=store,
        category=categories["coats"],
        coat=coat,
        shopper=shopper,
    )
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
