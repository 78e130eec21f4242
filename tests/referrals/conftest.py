"""Referral fixtures: a store with a coat on sale, its merchant, a sharer (Alice), a bystander
(Bob) and an operator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

import factories
from agora import catalog
from agora.core import security
from agora.core.uow import UnitOfWork
from referrals.world import World


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
        skus=[("red", "M", 29900, 50)],
    )
    yield World(
        uow=uow,
        ops=ops,
        merchant=factories.principal(merchant),
        coat=coat,
        alice=factories.make_user(uow, name="Alice"),
        bob=factories.make_user(uow, name="Bob"),
    )
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
