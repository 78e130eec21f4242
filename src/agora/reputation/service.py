"""Store reputation (PRODUCT.md R): what buyers can expect of a store, counted over the last
:data:`~agora.reputation.domain.WINDOW` (90 days) from the store's own orders and reviews.

The figures, exactly (``now`` is when the count runs, the window is ``[now − 90 days, now]``):

- **Rating**: the average stars of the store's reviews written in the window, and how many.
- **On-time shipping**: of the store's orders *paid* in the window whose shipping promise is
  decided, the share handed to the carrier within the store's promise (``ship_within_hours``,
  as the store's setting reads when the count runs). The promise runs from payment — for a
  group order, from the moment its team filled (the ``team_complete`` timeline entry), since
  the store may not ship it before. An order is decided once it is shipped (on time if
  ``shipped_at <= ready + promise``) or once its promise has passed unshipped (late). Not
  counted: orders not yet shipped whose promise is still running, group orders whose team has
  not filled (or failed), and orders refunded in full before they were shipped and before
  their promise ran out (the buyer changed their mind: nothing the store could ship). An order
  refunded unshipped after its promise passed stays late — a verdict, once given, never
  changes.
- **Return rate**: of the store's orders *delivered* in the window, the share with a return
  the buyer asked for after delivery and the store accepted (money back). Returns still
  waiting for the store, or rejected, are not counted; nor are refunds before shipment.

- **Counterfeit complaints upheld**: of the "not genuine" complaints against the store that an
  operator decided in the window (``disputes``, reason ``not_genuine``), how many were upheld —
  refunded in full or in part. A count, not a share: one upheld complaint is one too many, and
  stores that sell a lot should not dilute it.

:func:`recompute_reputation` counts every store at once — one GROUP BY statement per figure over
the window's rows, then one upsert of every store's row — and is what the periodic job, the
demo and the tests call. Pages and the API only read the stored row, so a store page costs one
primary-key lookup however many orders the store has.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, exists, extract, func, or_, select
from sqlalchemy.orm import Session

from agora import catalog
from agora.catalog import Store
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.uow import UnitOfWork
from agora.ordering import Dispute, Order, OrderEvent, Refund
from agora.ordering.domain import REFUNDED
from agora.reputation import domain
from agora.reputation.models import StoreReputation
from agora.reviews import Review

# Orders of a group deal (groupbuy.domain.DEAL_KIND): held until their team fills, which
# ordering records on the order's timeline as ``team_complete``. Named here rather than
# imported: reputation reads ordering's rows and knows nothing of the deal contexts.
GROUP_DEAL = "group"
TEAM_COMPLETE = "team_complete"
RETURN = "return"
ACCEPTED = "accepted"
NOT_GENUINE = "not_genuine"
DECIDED = "decided"
UPHELD = ("refund_full", "refund_partial")

_US_PER_HOUR = 3_600_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Counts:
    """What one store's figures are computed from."""

    reviews: int = 0
    stars_total: int = 0
    judged_orders: int = 0
    on_time_orders: int = 0
    delivered_orders: int = 0
    returned_orders: int = 0
    counterfeit_complaints: int = 0
    counterfeit_upheld: int = 0


@dataclass(frozen=True, slots=True)
class Reputation:
    """A store's figures as last computed; every figure ``None`` before the first count, and
    each one ``None`` while it has nothing to count ("not enough data yet")."""

    store_id: uuid.UUID
    window_days: int
    computed_at: datetime | None
    rating: Decimal | None
    """Average stars, two decimals."""
    reviews: int
    on_time_percent: Decimal | None
    judged_orders: int
    on_time_orders: int
    return_percent: Decimal | None
    delivered_orders: int
    returned_orders: int
    counterfeit_complaints: int = 0
    counterfeit_upheld: int = 0

    @property
    def computed(self) -> bool:
        return self.computed_at is not None


def recompute_reputation(uow: UnitOfWork) -> int:
    """Count every store's figures over the window ending now and store them; how many stores.

    The counts are read as of one moment (``uow.snapshot()``) before the write opens — called
    on its own (the demo, tests) that is outside any write transaction, concurrent with the
    shop's writers; the scheduler runs it inside the job's transaction. Then every row is
    written by one upsert in store-id order, so two runs at once (the job and the demo) lock the
    rows alike and each leaves a complete, consistent row per store.
    """
    now = utcnow()
    start = now - domain.WINDOW
    with uow.snapshot(), uow.read() as session:
        store_ids = list(session.scalars(select(Store.id).order_by(Store.id)))
        rated = _count_reviews(session, start, now)
        shipping = _count_shipping(session, start, now)
        returns = _count_returns(session, start, now)
        counterfeit = _count_counterfeit(session, start, now)
    rows = [
        _row(
            store_id,
            Counts(
                *rated.get(store_id, (0, 0)),
                *shipping.get(store_id, (0, 0)),
                *returns.get(store_id, (0, 0)),
                *counterfeit.get(store_id, (0, 0)),
            ),
            now,
        )
        for store_id in store_ids
    ]
    if not rows:
        return 0
    with uow:
        session = uow.session
        insert = upsert_insert(session, StoreReputation)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["store_id"],
                set_={name: insert.excluded[name] for name in rows[0] if name != "store_id"},
            ),
            rows,
        )
    return len(rows)


def store_reputation(uow: UnitOfWork, store_id: uuid.UUID) -> Reputation:
    """The store's reputation as last computed (public: anyone may read it).

    Raises:
        StoreNotFound: no such active store.
    """
    catalog.get_store(uow, store_id)
    with uow.read() as session:
        row = session.get(StoreReputation, store_id)
    if row is None:
        return Reputation(
            store_id=store_id,
            window_days=domain.WINDOW_DAYS,
            computed_at=None,
            rating=None,
            reviews=0,
            on_time_percent=None,
            judged_orders=0,
            on_time_orders=0,
            return_percent=None,
            delivered_orders=0,
            returned_orders=0,
        )
    return Reputation(
        store_id=store_id,
        window_days=row.window_days,
        computed_at=row.computed_at,
        rating=None if row.rating_hundredths is None else domain.stars(row.rating_hundredths),
        reviews=row.reviews,
        on_time_percent=None if row.on_time_bp is None else domain.percent(row.on_time_bp),
        judged_orders=row.judged_orders,
        on_time_orders=row.on_time_orders,
        return_percent=None if row.return_bp is None else domain.percent(row.return_bp),
        delivered_orders=row.delivered_orders,
        returned_orders=row.returned_orders,
        counterfeit_complaints=row.counterfeit_complaints,
        counterfeit_upheld=row.counterfeit_upheld,
    )


def _row(store_id: uuid.UUID, counts: Counts, now: datetime) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "window_days": domain.WINDOW_DAYS,
        "reviews": counts.reviews,
        "stars_total": counts.stars_total,
        "rating_hundredths": domain.rating_hundredths(counts.stars_total, counts.reviews),
        "judged_orders": counts.judged_orders,
        "on_time_orders": counts.on_time_orders,
        "on_time_bp": domain.share_bp(counts.on_time_orders, counts.judged_orders),
        "delivered_orders": counts.delivered_orders,
        "returned_orders": counts.returned_orders,
        "return_bp": domain.share_bp(counts.returned_orders, counts.delivered_orders),
        "counterfeit_complaints": counts.counterfeit_complaints,
        "counterfeit_upheld": counts.counterfeit_upheld,
        "computed_at": now,
    }


def _count_reviews(
    session: Session, start: datetime, now: datetime
) -> dict[uuid.UUID, tuple[int, int]]:
    """Store → (reviews written in the window, their stars summed)."""
    found = session.execute(
        select(Review.store_id, func.count(), func.sum(Review.stars))
        .where(Review.created_at >= start, Review.created_at <= now)
        .group_by(Review.store_id)
    )
    return {store_id: (int(n), int(total)) for store_id, n, total in found}


def _count_shipping(
    session: Session, start: datetime, now: datetime
) -> dict[uuid.UUID, tuple[int, int]]:
    """Store → (orders paid in the window whose promise is decided, of them shipped on time).

    Times are compared as integer microseconds since the epoch (:func:`_micros`): the promise is
    a per-store number of hours, and the two databases spell "a time plus n hours" differently
    (and SQLite only to the millisecond), while integers compare exactly on both.
    """
    dialect = session.get_bind().dialect.name
    team_filled = (
        select(func.min(OrderEvent.created_at))
        .where(OrderEvent.order_id == Order.id, OrderEvent.kind == TEAM_COMPLETE)
        .scalar_subquery()
    )
    ready_at = case((Order.deal_kind == GROUP_DEAL, team_filled), else_=Order.paid_at)
    paid = (
        select(
            Order.store_id.label("store_id"),
            Order.status.label("status"),
            _micros(dialect, ready_at).label("ready"),
            _micros(dialect, Order.shipped_at).label("shipped"),
            _micros(dialect, Order.closed_at).label("closed"),
            (Store.ship_within_hours * _US_PER_HOUR).label("promise"),
        )
        .join(Store, Store.id == Order.store_id)
        .where(Order.paid_at >= start, Order.paid_at <= now)
        .subquery()
    )
    due = paid.c.ready + paid.c.promise
    shipped = paid.c.shipped.is_not(None)
    refunded_in_time = and_(paid.c.status == REFUNDED, paid.c.closed < due)
    decided = or_(shipped, and_(due <= _micros_of(now), ~refunded_in_time))
    on_time = and_(shipped, paid.c.shipped <= due)
    found = session.execute(
        select(paid.c.store_id, func.count(), func.sum(case((on_time, 1), else_=0)))
        .where(paid.c.ready.is_not(None), decided)
        .group_by(paid.c.store_id)
    )
    return {store_id: (int(n), int(hits)) for store_id, n, hits in found}


def _count_returns(
    session: Session, start: datetime, now: datetime
) -> dict[uuid.UUID, tuple[int, int]]:
    """Store → (orders delivered in the window, of them with an accepted return asked for after
    delivery)."""
    returned = exists().where(
        Refund.order_id == Order.id,
        Refund.kind == RETURN,
        Refund.status == ACCEPTED,
        Refund.created_at >= Order.delivered_at,
    )
    found = session.execute(
        select(Order.store_id, func.count(), func.sum(case((returned, 1), else_=0)))
        .where(Order.delivered_at >= start, Order.delivered_at <= now)
        .group_by(Order.store_id)
    )
    return {store_id: (int(n), int(hits)) for store_id, n, hits in found}


def _count_counterfeit(
    session: Session, start: datetime, now: datetime
) -> dict[uuid.UUID, tuple[int, int]]:
    """Store → ("not genuine" complaints decided in the window, of them upheld)."""
    upheld = Dispute.outcome.in_(UPHELD)
    found = session.execute(
        select(Dispute.store_id, func.count(), func.sum(case((upheld, 1), else_=0)))
        .where(
            Dispute.reason == NOT_GENUINE,
            Dispute.status == DECIDED,
            Dispute.decided_at >= start,
            Dispute.decided_at <= now,
        )
        .group_by(Dispute.store_id)
    )
    return {store_id: (int(n), int(hits)) for store_id, n, hits in found}


def _micros(dialect: str, moment: Any) -> Any:
    """A stored time as integer microseconds since the epoch, exact on both databases (NULL
    stays NULL). SQLite holds times as text, ``YYYY-MM-DD HH:MM:SS.ffffff`` (core.db's
    UTCDateTime): whole seconds from ``strftime('%s')`` plus the six digits after the point."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", moment), BigInteger) * 1_000_000 + cast(
            func.substr(moment, 21, 6), BigInteger
        )
    return cast(extract("epoch", moment) * 1_000_000, BigInteger)


def _micros_of(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)
