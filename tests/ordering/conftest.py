"""Ordering fixtures: two stores with products, a buyer, and helpers to watch money and stock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

import factories
from agora import catalog
from agora.core import security
from agora.core.uow import UnitOfWork
from ordering.world import World


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    ops = factories.make_operator(uow)
    a_user = factories.make_user(uow, name="Merchant A")
    b_user = factories.make_user(uow, name="Merchant B")
    buyer = factories.make_user(uow, name="Buyer")
    other = factories.make_user(uow, name="Other shopper")
    store_a = factories.make_store(uow, ops, a_user, name_en="North Wind", name_zh="北风")
    store_b = factories.make_store(uow, ops, b_user, name_en="East Lake")
    categories = factories.make_categories(uow, ops)
    merchant_a, merchant_b = factories.principal(a_user), factories.principal(b_user)
    coat = factories.make_product(
        uow,
        merchant_a,
        store_a,
        categories["coats"],
        title_en="Wool Coat",
        title_zh="羊毛外套",
        skus=[("red", "M", 29900, 10), ("black", "M", 19950, 5)],
    )
    dress = factories.make_product(
        uow,
        merchant_b,
        store_b,
        categories["dresses"],
        title_en="Silk Dress",
        title_zh=None,
        skus=[("blue", "S", 15000, 3)],
    )
    yield World(
        uow=uow,
        ops=ops,
        buyer_user=buyer,
        buyer=factories.principal(buyer),
        other_user=other,
        other=factories.principal(other),
        merchant_a=merchant_a,
        merchant_b=merchant_b,
        store_a=store_a,
        store_b=store_b,
        coat=coat,
        dress=dress,
    )
    # Detach child categories so the shared clean-up can delete them in any order on SQLite.
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
