"""The whole demo together — catalog, trading, social, chat, sharing, points, group deals,
bargains, referral rewards: it loads, a second run adds no row to any table, and the ledger and
the points lots agree with every balance."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, points
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo import seed as seeding
from agora.schema import metadata


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    monkeypatch.setattr(seeding, "demo_products", seeding.products_in_play)


def _rows(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables
        }


def test_the_whole_demo_loads_once_and_balances(uow: UnitOfWork) -> None:
    first = seeding.seed(uow)
    rows = _rows(uow)
    second = seeding.seed(uow)

    assert _rows(uow) == rows
    assert second["products_created"] == 0
    for table in ("group_teams", "bargains", "bargain_helps", "points_lots", "referral_rewards"):
        assert rows[table] > 0, f"the demo leaves {table} empty"
    assert first["trading_steps_run"] == first["trading_steps"]
    report = ledger.check(uow)
    assert report.ok, report.problems
    audit = points.audit(uow)
    assert audit.ok, audit
