"""Ordering fixtures: two stores with products, a buyer, and helpers to watch money and stock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from ordering.world import World, build_world, detach_categories


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    yield build_world(uow, World)
    detach_categories(uow)
