"""Red-envelope fixtures: quick hashing, and a world of friends with a 1:1 chat and a group."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from red_envelopes.world import World, make_world


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)
