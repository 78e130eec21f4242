"""Group-deal fixtures: a store with a coat under a deal, funded shoppers, quick hashing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from agora import catalog
from agora.core import security
from agora.core.uow import UnitOfWork
from groupbuy.world import World, make_world


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    yield make_world(uow)
    # Detach child categories so the shared clean-up can delete them in any order on SQLite.
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
