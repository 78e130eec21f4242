"""Reading points: a user's summary, their lots, their history; and the audit that lots and
ledger agree. Every read is of the actor's own points — there is no id to ask for another's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select

from agora import ledger
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.points import domain
from agora.points.accounts import PTS, active_of, pending_of
from agora.points.lots import usable
from agora.points.models import PointsLot, PointsOrder

_lots: Table = PointsLot.__table__  # type: ignore[assignment]
_orders: Table = PointsOrder.__table__  # type: ignore[assignment]

EXPIRING_SOON = timedelta(days=30)
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class PointsSummary:
    active: int
    """Redeemable now: what is left in lots that have not expired."""
    pending: int
    """Earned on orders that have not completed yet."""
    expiring_amount: int
    """The points of the lot(s) that expire next (0 if none)."""
    expiring_at: datetime | None
    worth: int
    """What the active points are worth in fen (100 points to the yuan by default)."""


@dataclass(frozen=True, slots=True)
class LotView:
    id: uuid.UUID
    source: str
    amount: int
    remaining: int
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryLine:
    entry_id: int
    kind: str
    account: str
    """``active`` or ``pending``: which of the user's balances the line moved."""
    amount: int
    balance_after: int
    order_id: uuid.UUID | None
    reason: str
    created_at: datetime


def summary(uow: UnitOfWork, *, user_id: uuid.UUID) -> PointsSummary:
    """The user's points as of now (callers pass the actor's own id)."""
    now = utcnow()
    with uow.read() as session:
        active = usable(session, user_id, now)
        first = session.execute(
            select(_lots.c.expires_at)
            .where(_lots.c.user_id == user_id, _lots.c.remaining > 0, _lots.c.expires_at > now)
            .order_by(_lots.c.expires_at)
            .limit(1)
        ).first()
        expiring = 0
        if first is not None:
            expiring = int(
                session.scalar(
                    select(func.coalesce(func.sum(_lots.c.remaining), 0)).where(
                        _lots.c.user_id == user_id,
                        _lots.c.remaining > 0,
                        _lots.c.expires_at == first.expires_at,
                    )
                )
                or 0
            )
    pending = ledger.balance(uow, pending_of(user_id))
    rate = get_settings().points_per_cny_redeemed
    return PointsSummary(
        active=active,
        pending=pending,
        expiring_amount=expiring,
        expiring_at=first.expires_at if first is not None else None,
        worth=domain.discount_for(active, rate),
    )


def my_summary(uow: UnitOfWork, *, actor: Principal) -> PointsSummary:
    return summary(uow, user_id=actor.user_id)


def expiring_lots(
    uow: UnitOfWork, *, actor: Principal, within: timedelta = EXPIRING_SOON
) -> list[LotView]:
    """The actor's lots with points left that expire within ``within``, soonest first."""
    now = utcnow()
    with uow.read() as session:
        rows = session.execute(
            select(_lots)
            .where(
                _lots.c.user_id == actor.user_id,
                _lots.c.remaining > 0,
                _lots.c.expires_at > now,
                _lots.c.expires_at <= now + within,
            )
            .order_by(_lots.c.expires_at, _lots.c.id)
            .limit(MAX_PAGE)
        ).all()
    return [
        LotView(r.id, r.source, r.amount, r.remaining, r.expires_at, r.created_at) for r in rows
    ]


def history(
    uow: UnitOfWork, *, actor: Principal, before: int | None = None, limit: int = 20
) -> list[HistoryLine]:
    """The actor's points movements (active and pending), newest first; ``before`` is the last
    entry id already shown. The two ledger statements are merged by entry id, which the ledger
    hands out in one increasing sequence, so the keyset cursor holds across both."""
    limit = max(1, min(limit, MAX_PAGE))
    accounts = {"active": active_of(actor.user_id), "pending": pending_of(actor.user_id)}
    lines: list[HistoryLine] = []
    for name, account in accounts.items():
        for line in ledger.statement(uow, account, before=before, limit=limit):
            lines.append(_line(name, line))
    lines.sort(key=lambda line: line.entry_id, reverse=True)
    return lines[:limit]


def _line(account: str, line: ledger.StatementLine) -> HistoryLine:
    memo: dict[str, Any] = line.memo
    raw = memo.get("order_id")
    order_id = uuid.UUID(raw) if isinstance(raw, str) else None
    return HistoryLine(
        entry_id=line.entry_id,
        kind=line.kind,
        account=account,
        amount=line.amount,
        balance_after=line.balance_after,
        order_id=order_id,
        reason=str(memo.get("reason", "")),
        created_at=line.created_at,
    )


@dataclass
class PointsAudit:
    users: int = 0
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(uow: UnitOfWork, *, limit: int = 50) -> PointsAudit:
    """Lots and ledger agree: each user's active points account equals the sum of ``remaining``
    over their lots (expired lots not yet swept still count: the sweep moves both), and each
    pending account equals ``earned − reversed`` over their orders still pending."""
    problems: list[str] = []
    with uow.read() as session:
        lots = dict(
            session.execute(
                select(_lots.c.user_id, func.sum(_lots.c.remaining)).group_by(_lots.c.user_id)
            ).all()
        )
        pending = dict(
            session.execute(
                select(_orders.c.user_id, func.sum(_orders.c.earned - _orders.c.reversed))
                .where(_orders.c.status == "pending")
                .group_by(_orders.c.user_id)
            ).all()
        )
        accounts = session.execute(
            select(ledger.Account.owner_id, ledger.Account.kind, ledger.Account.balance).where(
                ledger.Account.owner_type == "user",
                ledger.Account.currency == PTS,
            )
        ).all()
    held: dict[tuple[uuid.UUID, str], int] = {
        (a.owner_id, a.kind): int(a.balance) for a in accounts
    }
    users = set(lots) | set(pending) | {owner for owner, _ in held}
    for user_id in sorted(users):
        expected = {
            "points": int(lots.get(user_id, 0)),
            "points_pending": int(pending.get(user_id, 0)),
        }
        for kind, amount in expected.items():
            balance = held.get((user_id, kind), 0)
            if balance != amount and len(problems) < limit:
                problems.append(f"user {user_id}: {kind} balance {balance}, rows say {amount}")
    return PointsAudit(users=len(users), problems=problems)
