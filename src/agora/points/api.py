"""Points endpoints: the actor's own points and their history. There is no user id in any path:
nobody can ask for another user's points."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from agora import points
from agora.catalog.schemas import MoneyOut
from agora.config import get_settings
from agora.core.fields import BIGINT_MAX
from agora.http.deps import Actor, Uow
from agora.http.routing import Router
from agora.points.schemas import HistoryLineOut, HistoryOut, LotOut, PointsOut

router = Router(prefix="/api/v1", tags=["points"])


@router.get("/points", response_model=PointsOut)
def my_points(actor: Actor, uow: Uow) -> PointsOut:
    """My active and pending points, what expires next, and the lots expiring within 30 days."""
    with uow.snapshot():
        mine = points.my_summary(uow, actor=actor)
        soon = points.expiring_lots(uow, actor=actor)
    return PointsOut(
        active=mine.active,
        pending=mine.pending,
        worth=MoneyOut(amount=mine.worth),
        expiring_amount=mine.expiring_amount,
        expiring_at=mine.expiring_at,
        expiring_soon=[
            LotOut(
                id=lot.id,
                source=lot.source,
                amount=lot.amount,
                remaining=lot.remaining,
                expires_at=lot.expires_at,
                created_at=lot.created_at,
            )
            for lot in soon
        ],
        max_redeem_share=str(get_settings().points_max_redeem_share),
    )


@router.get("/points/history", response_model=HistoryOut)
def my_points_history(
    actor: Actor,
    uow: Uow,
    cursor: Annotated[
        int | None, Query(ge=1, le=BIGINT_MAX, description="An entry id from next_cursor.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> HistoryOut:
    """My points movements, newest first."""
    lines = points.history(uow, actor=actor, before=cursor, limit=limit + 1)
    page = lines[:limit]
    return HistoryOut(
        items=[
            HistoryLineOut(
                entry_id=line.entry_id,
                kind=line.kind,
                account=line.account,
                amount=line.amount,
                balance_after=line.balance_after,
                order_id=line.order_id,
                reason=line.reason,
                created_at=line.created_at,
            )
            for line in page
        ],
        next_cursor=page[-1].entry_id if len(lines) > limit else None,
    )
