"""Live-selling fixtures: a store live with a coat pinned, funded shoppers, quick hashing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from agora import catalog
from agora.core import security
from agora.core.clock import clock, utcnow
from agora.core.uow import UnitOfWork
from live.world import World, make_world


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    # Countdowns are read to the second: time moves only when a test moves it.
    clock.freeze(utcnow())
    yield make_world(uow)
    # Detach child categories so the shared clean-up can delete them in any order on SQLite.
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
