"""The whole demo together — catalog, trading, social, chat, sharing, points, group deals,
bargains, referral rewards, the treasure, credit, red envelopes: it loads, a second run adds no
row to any table, the ledger and every context's audit agree with every balance, and every
account's history reads in time order although part of it was lived in the past."""

from __future__ import annotations

from itertools import pairwise

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import credit, ledger, points, treasure
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
    for table in (
        "group_teams",
        "bargains",
        "bargain_helps",
        "points_lots",
        "referral_rewards",
        "treasure_incomes",
        "credit_statements",
        "red_envelope_grabs",
    ):
        assert rows[table] > 0, f"the demo leaves {table} empty"
    assert first["trading_steps_run"] == first["trading_steps"]
    report = ledger.check(uow)
    assert report.ok, report.problems
    for audit in (points.audit(uow), treasure.audit(uow), credit.audit(uow)):
        assert audit.ok, audit


def test_every_history_of_the_demo_reads_in_time_order(uow: UnitOfWork) -> None:
    """The treasure's month and last month's credit are lived before today's trading, in time
    order together: no account has an entry dated before the entry written ahead of it."""
    seeding.seed(uow)
    entries = ledger.Entry.__table__
    with uow.read() as session:
        rows = session.execute(
            select(entries.c.account_id, entries.c.created_at).order_by(
                entries.c.account_id, entries.c.id
            )
        ).all()
    backwards = [
        (account, earlier, later)
        for (account, earlier), (same, later) in pairwise(rows)
        if account == same and later < earlier
    ]
    assert backwards == []
