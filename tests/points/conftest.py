"""Points fixtures: two stores with products, a buyer with money, a second shopper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from agora import points
from agora.core import security
from agora.core.uow import UnitOfWork
from ordering.world import build_world, detach_categories
from points.world import World


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    yield build_world(uow, World, coat_stock=(20, 20), dress_stock=20)
    # Every test ends with lots and ledger agreeing: each user's lots add up to their points
    # account, their pending orders to their pending points (the db fixture checks the ledger).
    report = points.audit(uow)
    detach_categories(uow)
    assert report.ok, "points audit failed:\n" + "\n".join(report.problems or [])
