"""What every part of the demo does the same way: run a step once per person, deliver the events
it emitted, act as a store's owner, top a wallet up at the sandbox bank, live a dated history."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from agora import catalog, payments
from agora.core.clock import clock
from agora.core.events import OutboxRelay
from agora.core.idempotency import run_idempotent
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

STEP_HASH = "agora-demo"
"""The request hash of every demo step: a step is its key, whatever it does."""


def run_once(
    uow: UnitOfWork, actor: Principal, key: str, action: Callable[[], Any]
) -> tuple[bool, Any]:
    """Run ``action`` in one transaction, once per (actor, key) — an idempotency key in the
    actor's scope, so a second ``agora demo`` replays it; (whether it ran now, what it returned
    then or the first time)."""
    result = run_idempotent(
        uow,
        scope=f"user:{actor.user_id}",
        key=key,
        request_hash=STEP_HASH,
        action=lambda: (201, action()),
    )
    return not result.replayed, result.body


def relay(uow: UnitOfWork) -> None:
    """Deliver the outbox now, as the relay of a running server would."""
    OutboxRelay(uow.db).run_sync_until_idle()


def principal(user: User) -> Principal:
    return Principal(user_id=user.id, display_name=user.display_name)


def store_owner(uow: UnitOfWork, store_id: uuid.UUID) -> Principal:
    """The store's owner (the demo merchant created with the store), or its first staff."""
    with uow.read() as session:
        user = session.scalar(
            select(User)
            .join(catalog.StoreStaff, catalog.StoreStaff.user_id == User.id)
            .where(catalog.StoreStaff.store_id == store_id)
            .order_by(catalog.StoreStaff.role != "owner", catalog.StoreStaff.created_at)
            .limit(1)
        )
    if user is None:
        raise RuntimeError(f"the demo store {store_id} has no staff")
    return principal(user)


def top_up(uow: UnitOfWork, buyer: Principal, amount: int) -> dict[str, Any]:
    """Top the buyer's wallet up at the sandbox bank, which approves (the money arrives when the
    bank's notification is delivered: :func:`relay`)."""
    charge = payments.start_top_up(uow, actor=buyer, amount=amount)
    payments.submit_sandbox_payment(uow, actor=buyer, charge_id=charge.id, approve=True)
    return {"charge_id": str(charge.id)}


@dataclass(frozen=True, slots=True)
class Dated:
    """A demo step that happened at ``at`` (a month of treasure income, last month's credit)."""

    at: datetime
    run: Callable[[], object]


def live_through(steps: Iterable[Dated]) -> None:
    """Run the steps in time order (equal times in the order given) with the clock frozen at
    each one's moment, then put the clock back. The parts that replay the past hand their steps
    in together, so rows and ledger entries are written in the order they are dated and every
    history — the wallet's, the treasure's, the points' — reads in time order."""
    with clock.kept():
        for step in sorted(steps, key=lambda s: s.at):
            clock.freeze(step.at)
            step.run()
