"""Customer service fixtures: the ordering world (stores A and B with their merchants, a buyer and
another shopper), a second staff member of store A, and cheap password hashing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

import factories
from agora import catalog
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from ordering.world import World, build_world, detach_categories


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@dataclass
class ServiceWorld(World):
    helper: Principal | None = None  # store A's second staff member, added by the fixture


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[ServiceWorld]:
    built = build_world(uow, ServiceWorld)
    helper = factories.make_user(uow, name="Helper A")
    catalog.add_staff(
        uow, actor=built.merchant_a, store_id=built.store_a.id, user_id=helper.id, role="staff"
    )
    built.helper = factories.principal(helper)
    yield built
    detach_categories(uow)
