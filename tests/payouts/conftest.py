"""Payouts fixtures: cheap password hashing, and the world of two stores (payouts/world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from ordering.world import build_world, detach_categories
from payouts.world import Payouts


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[Payouts]:
    yield build_world(uow, Payouts)
    detach_categories(uow)
