"""Active points by lot: granting, taking for a redemption (soonest expiry first), expiring.

Lock order, shared by every use case that touches points so they cannot deadlock on
PostgreSQL: an order row (ordering's), then its ``points_orders`` row, then lots, then ledger
accounts (the ledger sorts those itself). Redemption locks the user's usable lots in
``(expires_at, id)`` order; the expiry sweep skips lots someone else holds (``SKIP LOCKED``) and
takes them on its next run, so it never waits on a redemption.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from agora import ledger
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import for_update, upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.points import domain
from agora.points.accounts import active_of, expired_of, issued_of
from agora.points.errors import PointsAmountInvalid, PointsInsufficient
from agora.points.models import PointsLot

_lots: Table = PointsLot.__table__  # type: ignore[assignment]

MAX_GRANT_KEY = 150
MAX_REASON = 200
SWEEP_BATCH = 2000

_LOT_INSERTS: dict[str, Any] = {}

_TAKE = (
    update(_lots)
    .where(_lots.c.id == bindparam("lot_id"), _lots.c.remaining >= bindparam("take"))
    .values(remaining=_lots.c.remaining - bindparam("take"))
)


def _insert_lot(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _LOT_INSERTS.get(dialect)
    if statement is None:
        statement = (
            upsert_insert(session, _lots)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(_lots.c.id)
        )
        _LOT_INSERTS[dialect] = statement
    return statement


def add_lot(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    key: str,
    source: str,
    reason: str,
    amount: int,
    now: datetime,
) -> bool:
    """Insert a lot of ``amount`` active points expiring ``points_expiry_months`` from ``now``;
    ``False`` if a lot with this key exists (the caller then moves no points)."""
    months = get_settings().points_expiry_months
    inserted = uow.session.execute(
        _insert_lot(uow.session),
        {
            "id": new_id(),
            "user_id": user_id,
            "key": key,
            "source": source,
            "reason": reason[:MAX_REASON],
            "amount": amount,
            "remaining": amount,
            "expired": 0,
            "expires_at": domain.add_months(now, months),
            "created_at": now,
        },
    ).first()
    return inserted is not None


def grant(uow: UnitOfWork, *, user_id: uuid.UUID, amount: int, key: str, reason: str) -> bool:
    """Give ``user_id`` ``amount`` active points now (a new lot), once per ``key``.

    For rewards such as referrals. Returns ``False`` (and moves nothing) if ``key`` was granted
    before. Raises InvalidInput for a non-positive amount or a key outside 1–150 characters.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise PointsAmountInvalid()
    if not 1 <= len(key) <= MAX_GRANT_KEY:
        raise InvalidInput(N_("A grant key is 1 to 150 characters."))
    with uow:
        now = utcnow()
        if not add_lot(
            uow,
            user_id=user_id,
            key=f"grant:{key}",
            source="grant",
            reason=reason,
            amount=amount,
            now=now,
        ):
            return False
        ledger.transfer(
            uow,
            key=f"points:grant:{key}",
            kind="points_granted",
            legs=[ledger.Leg(issued_of(user_id), -amount), ledger.Leg(active_of(user_id), amount)],
            memo={"reason": reason[:MAX_REASON]},
        )
        return True


def usable(session: Session, user_id: uuid.UUID, now: datetime) -> int:
    """The points the user can redeem at ``now``: what is left in lots not yet expired."""
    total = session.scalar(
        select(func.coalesce(func.sum(_lots.c.remaining), 0)).where(
            _lots.c.user_id == user_id, _lots.c.remaining > 0, _lots.c.expires_at > now
        )
    )
    return int(total or 0)


def take(uow: UnitOfWork, *, user_id: uuid.UUID, points: int) -> None:
    """Take ``points`` out of the user's lots, soonest expiry first, for a redemption whose
    ledger transfer follows in the same transaction.

    Locks the user's usable lots (``FOR UPDATE`` on PostgreSQL, in ``(expires_at, id)`` order),
    so of two redemptions racing for the same points the second sees what the first left.

    Raises:
        PointsInsufficient (409): fewer usable points than asked; nothing taken.
    """
    if points <= 0:
        return
    session = uow.session
    now = utcnow()
    query = (
        select(_lots.c.id, _lots.c.remaining)
        .where(_lots.c.user_id == user_id, _lots.c.remaining > 0, _lots.c.expires_at > now)
        .order_by(_lots.c.expires_at, _lots.c.id)
    )
    lots = session.execute(for_update(session, query)).all()
    available = sum(int(lot.remaining) for lot in lots)
    if available < points:
        raise PointsInsufficient(available=available, asked=points)
    left = points
    for lot in lots:
        if not left:
            break
        part = min(int(lot.remaining), left)
        taken = session.execute(_TAKE, {"lot_id": lot.id, "take": part})
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise PointsInsufficient(available=available - left, asked=points)
        left -= part


def expire_due(uow: UnitOfWork, *, limit: int = SWEEP_BATCH) -> int:
    """Expire up to ``limit`` lots past their date: what remained moves user points →
    ``points_expired``, one transfer per lot (key ``points:lot:{id}:expire``). Returns how many
    lots expired. Idempotent: the guarded update takes a lot's remainder once.
    """
    with uow:
        session = uow.session
        now = utcnow()
        due = (
            select(_lots.c.id)
            .where(_lots.c.remaining > 0, _lots.c.expires_at <= now)
            .order_by(_lots.c.expires_at, _lots.c.id)
            .limit(limit)
        )
        ids = list(session.scalars(for_update(session, due, skip_locked=True)))
        if not ids:
            return 0
        swept = session.execute(
            update(_lots)
            .where(_lots.c.id.in_(ids), _lots.c.remaining > 0)
            .values(expired=_lots.c.expired + _lots.c.remaining, remaining=0)
            .returning(_lots.c.id, _lots.c.user_id, _lots.c.expired)
        ).all()
        specs = [
            ledger.TransferSpec(
                key=f"points:lot:{row.id}:expire",
                kind="points_expired",
                legs=[
                    ledger.Leg(active_of(row.user_id), -int(row.expired)),
                    ledger.Leg(expired_of(row.user_id), int(row.expired)),
                ],
                memo={"lot_id": str(row.id)},
            )
            for row in sorted(swept, key=lambda r: r.id)
        ]
        ledger.transfer_many(uow, specs)
        return len(specs)
