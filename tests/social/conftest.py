"""Social fixtures: cheap password hashing, three people, a shop with products for cards."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from social.people import People, Shop, make_people, make_shop


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def people(uow: UnitOfWork) -> People:
    return make_people(uow)


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    return make_shop(uow)
