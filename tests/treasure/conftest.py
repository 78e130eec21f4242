"""Treasure fixtures: funded shoppers, an operator, quick hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from treasure.world import World, make_world


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)
