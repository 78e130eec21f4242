"""Logistics fixtures: cheap password hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from agora.core import security


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
