"""Chat fixtures: cheap password hashing, and three people of whom Alice and Bob are friends and
Alice and Carol are friends (Bob and Carol are not)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from chat.world import befriend, person


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@dataclass
class Trio:
    alice: Principal
    bob: Principal
    carol: Principal


@pytest.fixture
def trio(uow: UnitOfWork) -> Trio:
    people = Trio(person(uow, "Alice"), person(uow, "Bob"), person(uow, "Carol"))
    befriend(uow, people.alice, people.bob)
    befriend(uow, people.alice, people.carol)
    return people
