"""Payments fixtures: cheap password hashing, and a `bank` that speaks as the sandbox gateway."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, payments
from agora.core import security
from agora.core.db import Database
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.uow import UnitOfWork
from agora.payments.domain import Notification, Outcome
from agora.payments.models import ChargeRow, NotificationRow, RefundRow, WithdrawalRow


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@dataclass
class Bank:
    """Plays the sandbox bank and the background workers, with no sleeps."""

    db: Database

    def deliver(self) -> int:
        """Run the outbox relay until nothing is pending (the bank's callbacks, payouts)."""
        return OutboxRelay(self.db).run_sync_until_idle()

    def sweep(self) -> int:
        """Fire the deadlines that are due (charge expiry)."""
        return Scheduler(self.db, owner="tests").sweep_deadlines()

    def signed(
        self,
        ref_id: uuid.UUID,
        outcome: Outcome,
        amount: int,
        *,
        kind: str = "charge",
        notification_id: str | None = None,
    ) -> tuple[bytes, str]:
        note = Notification(
            notification_id or f"test-{uuid.uuid4()}",
            kind,  # type: ignore[arg-type]
            ref_id,
            outcome,
            amount,
        )
        return payments.sandbox.sign(note)

    def receive(self, body: bytes, signature: str) -> str:
        uow = UnitOfWork(self.db)
        return payments.receive_notification(
            uow, gateway="sandbox", body=body, signature=signature
        ).result


@pytest.fixture
def bank(db: Database) -> Bank:
    return Bank(db)


def rows(uow: UnitOfWork, model: Any, *where: Any) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture
def count() -> Any:
    return rows


@pytest.fixture
def money() -> Any:
    """Balances of the accounts a payment test watches, by user."""

    def snapshot(uow: UnitOfWork, *user_ids: uuid.UUID) -> dict[str, int]:
        result = {str(u): ledger.balance(uow, payments.wallet_of(u)) for u in user_ids}
        result["withdrawals"] = ledger.total_balance(uow, owner_type="platform", kind="withdrawals")
        result["gateway"] = ledger.total_balance(uow, owner_type="platform", kind="gateway:sandbox")
        for model in (ChargeRow, NotificationRow, RefundRow, WithdrawalRow):
            result[model.__tablename__] = rows(uow, model)
        return result

    return snapshot
