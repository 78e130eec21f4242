"""Credit fixtures: quick hashing, and shoppers whose record earns them a line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from agora.core import security
from agora.credit import records


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _good_shoppers() -> Iterator[None]:
    """Every shopper here has 15 completed orders worth ¥3,000: 420 + 150 + 150 = 720 points,
    a ¥10,000 line (tests that need another record register their own)."""
    saved = list(records._provider)
    records.register_shopping_record(lambda _session, _user: records.ShoppingRecord(15, 300_000))
    yield
    records._provider[:] = saved
