"""Points on orders, called by ordering inside its own transactions: earning (and redeeming)
when an order is paid, activation when it completes, reversal and restoration on refunds.

Ordering holds the order row when it calls these (its guarded UPDATE comes first), so the
``points_orders`` row of an order is only ever changed under that lock, then lots, then the
ledger. Every movement has a key derived from the order or refund, so a retry moves nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, insert, select, update

from agora import ledger
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.points import domain
from agora.points.accounts import active_of, funding_of, issued_of, pending_of, redeemed_of
from agora.points.errors import PointsAmountInvalid, PointsOverLimit
from agora.points.lots import add_lot, take, usable
from agora.points.models import PointsOrder, PointsPlan

_orders: Table = PointsOrder.__table__  # type: ignore[assignment]
_plans: Table = PointsPlan.__table__  # type: ignore[assignment]

PENDING = "pending"
ACTIVE = "active"
REVERSED = "reversed"

# Built once: paying an order (every purchase) binds values only.
# Prepared (core.prepared): every paid order records its points here.
_INSERT_ORDER = Prepared.insert(
    _orders,
    [
        "order_id",
        "user_id",
        "status",
        "money_paid",
        "money_refunded",
        "earned",
        "reversed",
        "redeemed",
        "restored",
        "discount",
        "discount_refunded",
        "created_at",
    ],
)


def points_for(discount: int) -> int:
    """The points a discount of ``discount`` fen costs at the configured rate.

    Raises PointsAmountInvalid unless the discount is worth a whole number of points.
    """
    try:
        return domain.points_for(discount, get_settings().points_per_cny_redeemed)
    except ValueError as exc:
        raise PointsAmountInvalid() from exc


def split_discount(discount: int, totals: list[int]) -> list[int]:
    """Split a points discount over orders paid together, in proportion to their totals and
    never above ``points_max_redeem_share`` of any one (see :func:`domain.split_discount`).

    Raises PointsAmountInvalid (not whole points) or PointsOverLimit (more than the share).
    """
    settings = get_settings()
    share, rate = settings.points_max_redeem_share, settings.points_per_cny_redeemed
    if discount % domain.fen_unit(rate):
        raise PointsAmountInvalid()
    limit = domain.max_discount(totals, share, rate)
    if discount > limit:
        raise PointsOverLimit(limit=limit, share=str(share))
    return domain.split_discount(discount, totals, share, rate)


def redeemable(uow: UnitOfWork, *, user_id: uuid.UUID, totals: list[int]) -> int:
    """The largest discount (fen) the user's points can give on orders of these totals now:
    capped by the share of each order and by the points they have."""
    settings = get_settings()
    rate = settings.points_per_cny_redeemed
    with uow.read() as session:
        have = usable(session, user_id, utcnow())
    cap = domain.max_discount(totals, settings.points_max_redeem_share, rate)
    return min(cap, domain.discount_for(have, rate))


def redeem(uow: UnitOfWork, *, user_id: uuid.UUID, discount: int) -> None:
    """Take the points for a ``discount`` (fen, for one or several orders) out of the user's
    lots. Call before :func:`order_paid` moves them, in the same transaction.

    Raises PointsAmountInvalid (422) or PointsInsufficient (409); nothing is taken then.
    """
    take(uow, user_id=user_id, points=points_for(discount))


def order_paid(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    money_paid: int,
    discount: int = 0,
    escrow: ledger.AccountRef | None = None,
) -> int:
    """Record an order's points as it is paid; returns the points earned (pending).

    Earns ``points_per_cny`` per whole yuan of ``money_paid`` (wallet and bank, never the points
    part): ``points_issued`` → the buyer's pending points (key ``points:order:{id}:earn``). With a
    ``discount`` (its points already taken by :func:`redeem`), the points move to
    ``points_redeemed`` and ``points_funding`` pays the discount into ``escrow`` (CNY), so escrow
    holds the full total. On the plain path that is one insert and one transfer.
    """
    earned = domain.earned_for(money_paid, get_settings().points_per_cny)
    if not earned and not discount:
        return 0
    now = utcnow()
    redeemed = points_for(discount) if discount else 0
    _INSERT_ORDER.execute(
        uow.session,
        {
            "order_id": order_id,
            "user_id": user_id,
            "status": PENDING,
            "money_paid": money_paid,
            "money_refunded": 0,
            "earned": earned,
            "reversed": 0,
            "redeemed": redeemed,
            "restored": 0,
            "discount": discount,
            "discount_refunded": 0,
            "created_at": now,
        },
    )
    memo = {"order_id": str(order_id)}
    if discount:
        if escrow is None:
            raise ValueError("a discount is paid into the order's escrow")
        if redeemed:
            ledger.transfer(
                uow,
                key=f"points:order:{order_id}:redeem",
                kind="points_redeemed",
                legs=[
                    ledger.Leg(active_of(user_id), -redeemed),
                    ledger.Leg(redeemed_of(order_id), redeemed),
                ],
                memo=memo,
            )
        ledger.transfer(
            uow,
            key=f"order:{order_id}:points",
            kind="points_discount",
            legs=[ledger.Leg(funding_of(order_id), -discount), ledger.Leg(escrow, discount)],
            memo=memo,
        )
    if earned:
        ledger.transfer(
            uow,
            key=f"points:order:{order_id}:earn",
            kind="points_earned",
            legs=[
                ledger.Leg(issued_of(order_id), -earned),
                ledger.Leg(pending_of(user_id), earned),
            ],
            memo=memo,
        )
    return earned


def order_completed(uow: UnitOfWork, *, order_id: uuid.UUID) -> int:
    """The order completed: its earned points (less any reversed) become active — a new lot and
    pending → active (key ``points:order:{id}:activate``). Returns the points activated; 0 if
    there were none or this already happened."""
    session = uow.session
    now = utcnow()
    row = session.execute(
        update(_orders)
        .where(_orders.c.order_id == order_id, _orders.c.status == PENDING)
        .values(status=ACTIVE, activated_at=now)
        .returning(_orders.c.user_id, _orders.c.earned, _orders.c.reversed)
    ).first()
    if row is None:
        return 0
    amount = int(row.earned) - int(row.reversed)
    if amount <= 0:
        return 0
    add_lot(
        uow,
        user_id=row.user_id,
        key=f"order:{order_id}",
        source="order",
        reason=str(order_id),
        amount=amount,
        now=now,
    )
    ledger.transfer(
        uow,
        key=f"points:order:{order_id}:activate",
        kind="points_activated",
        legs=[
            ledger.Leg(pending_of(row.user_id), -amount),
            ledger.Leg(active_of(row.user_id), amount),
        ],
        memo={"order_id": str(order_id)},
    )
    return amount


def order_refunded(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    refund_id: uuid.UUID,
    money: int,
    discount: int,
    escrow: ledger.AccountRef,
) -> None:
    """A refund gave back ``money`` fen to wallet/bank and ``discount`` fen of the points part.

    Both run cumulatively, so a full refund lands exactly on zero: the pending points reversed
    so far are ``earned × money refunded ÷ money paid`` (rounded down; pending → issued), the
    points restored ``redeemed × discount refunded ÷ discount`` (a fresh lot; redeemed → the
    buyer's points) while the discount goes back escrow → ``points_funding``. Earned points that
    are already active are never reversed: a completed order cannot be refunded.
    """
    if not money and not discount:
        return
    session = uow.session
    row = session.execute(
        update(_orders)
        .where(
            _orders.c.order_id == order_id,
            _orders.c.money_refunded + money <= _orders.c.money_paid,
            _orders.c.discount_refunded + discount <= _orders.c.discount,
        )
        .values(
            money_refunded=_orders.c.money_refunded + money,
            discount_refunded=_orders.c.discount_refunded + discount,
        )
        .returning(*_orders.c)
    ).first()
    if row is None:
        exists = session.scalar(select(_orders.c.order_id).where(_orders.c.order_id == order_id))
        if exists is None and not discount:
            return  # the order earned nothing and used no points
        raise RuntimeError(f"the points of order {order_id} do not cover this refund")
    memo = {"order_id": str(order_id), "refund_id": str(refund_id)}
    values: dict[str, object] = {}
    if row.status == PENDING and row.earned:
        target = domain.pro_rata(row.earned, row.money_refunded, row.money_paid)
        if target > row.reversed:
            values["reversed"] = target
            if target == row.earned:
                values["status"] = REVERSED
            ledger.transfer(
                uow,
                key=f"points:refund:{refund_id}:reverse",
                kind="points_reversed",
                legs=[
                    ledger.Leg(pending_of(row.user_id), row.reversed - target),
                    ledger.Leg(issued_of(order_id), target - row.reversed),
                ],
                memo=memo,
            )
    if discount:
        target = domain.pro_rata(row.redeemed, row.discount_refunded, row.discount)
        back = target - row.restored
        if back > 0:
            values["restored"] = target
            now = utcnow()
            add_lot(
                uow,
                user_id=row.user_id,
                key=f"refund:{refund_id}",
                source="refund",
                reason=str(order_id),
                amount=back,
                now=now,
            )
            ledger.transfer(
                uow,
                key=f"points:refund:{refund_id}:restore",
                kind="points_restored",
                legs=[
                    ledger.Leg(redeemed_of(order_id), -back),
                    ledger.Leg(active_of(row.user_id), back),
                ],
                memo=memo,
            )
        ledger.transfer(
            uow,
            key=f"refund:{refund_id}:points",
            kind="points_discount_refund",
            legs=[ledger.Leg(escrow, -discount), ledger.Leg(funding_of(order_id), discount)],
            memo=memo,
        )
    if values:
        session.execute(update(_orders).where(_orders.c.order_id == order_id).values(**values))


def plan(
    uow: UnitOfWork,
    *,
    payment_ref: uuid.UUID,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    discount: int,
) -> None:
    """Remember that paying ``order_id`` through ``payment_ref`` (a bank charge) redeems
    ``discount`` fen of points when the bank confirms it."""
    points_for(discount)
    uow.session.execute(
        insert(_plans),
        {
            "payment_ref": payment_ref,
            "order_id": order_id,
            "user_id": user_id,
            "discount": discount,
            "created_at": utcnow(),
        },
    )


def planned(uow: UnitOfWork, *, payment_ref: uuid.UUID, order_id: uuid.UUID) -> int:
    """The discount :func:`plan` recorded for this order and payment (0 if none)."""
    found = uow.session.scalar(
        select(_plans.c.discount).where(
            _plans.c.payment_ref == payment_ref, _plans.c.order_id == order_id
        )
    )
    return int(found or 0)
