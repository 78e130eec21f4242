"""Sharing endpoints: create a share (into a chat, onto moments, or a link), my shares, and the
operators' report. The link itself, ``/s/{code}``, is a page route (``web/sharing.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from agora import recommendations, sharing
from agora.catalog.schemas import MoneyOut
from agora.http.deps import Actor, Uow
from agora.http.openapi import also
from agora.http.routing import Router
from agora.sharing.schemas import ShareIn

router = Router(prefix="/api/v1", tags=["sharing"])


class CardOut(BaseModel):
    title_en: str
    title_zh: str | None
    price: MoneyOut | None
    image_url: str | None


class ShareOut(BaseModel):
    id: uuid.UUID
    code: str
    url: str
    """The link to pass on: ``/s/{code}`` on this site."""
    target_type: str
    target_id: uuid.UUID
    channel: str
    parent_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    created_at: datetime


class SharedOut(ShareOut):
    message: dict[str, Any] | None = None
    """The chat message that carried the share (when shared into a conversation)."""
    moment_id: uuid.UUID | None = None
    """The moment posted (when shared to moments)."""


class MyShareOut(ShareOut):
    card: CardOut | None
    visits: int
    signups: int
    orders: int
    gmv: MoneyOut


class MySharesOut(BaseModel):
    items: list[MyShareOut]
    next_before: uuid.UUID | None
    """Pass as ``before`` for the next (older) page; ``null`` on the last page."""


class ReportRowOut(BaseModel):
    key: str
    label: str
    shares: int
    visits: int
    new_users: int
    orders: int
    gmv: MoneyOut


class ShareReportOut(BaseModel):
    days: int
    since: datetime
    until: datetime
    channels: list[ReportRowOut]
    sharers: list[ReportRowOut]
    total: ReportRowOut


def _share_fields(share: sharing.ShareView) -> dict[str, Any]:
    return {
        "id": share.id,
        "code": share.code,
        "url": share.url,
        "target_type": share.target_type,
        "target_id": share.target_id,
        "channel": share.channel,
        "parent_id": share.parent_id,
        "conversation_id": share.conversation_id,
        "created_at": share.created_at,
    }


def _card(card: sharing.TargetCard | None) -> CardOut | None:
    if card is None:
        return None
    price = MoneyOut(amount=card.price, currency=card.currency) if card.price is not None else None
    return CardOut(
        title_en=card.title_en, title_zh=card.title_zh, price=price, image_url=card.image_url
    )


def _row(row: sharing.ReportRow, currency: str) -> ReportRowOut:
    return ReportRowOut(
        key=row.key,
        label=row.label,
        shares=row.shares,
        visits=row.visits,
        new_users=row.new_users,
        orders=row.orders,
        gmv=MoneyOut(amount=row.gmv, currency=currency),
    )


@router.post(
    "/shares", status_code=status.HTTP_201_CREATED, response_model=SharedOut, responses=also(429)
)
def create_share(body: ShareIn, actor: Actor, uow: Uow) -> JSONResponse:
    """Share a target. Into a conversation (``chat_direct``/``chat_group``, yours, of that kind)
    a ``share_link`` message is sent; on ``moments`` a moment is posted; ``external`` and
    ``partner`` return the link. The same share asked again within a minute answers 200 with
    the first one (a double click sends one message)."""
    shared = sharing.share_to(
        uow,
        actor=actor,
        target_type=body.target_type,
        target_id=body.target_id,
        channel=body.channel,
        conversation_id=body.conversation_id,
        text=body.text,
    )
    if body.target_type == sharing.PRODUCT:
        recommendations.record_event(
            actor.user_id, recommendations.SHARE, product_id=body.target_id
        )
    out = SharedOut(
        **_share_fields(shared.share),
        message=shared.message.as_json() if shared.message else None,
        moment_id=shared.moment.id if shared.moment else None,
    )
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED if shared.created else status.HTTP_200_OK,
    )


@router.get("/shares/mine", response_model=MySharesOut)
def my_shares(
    actor: Actor,
    uow: Uow,
    before: Annotated[uuid.UUID | None, Query(description="Cursor: a share id.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MySharesOut:
    """My shares, newest first, with the visits, sign-ups, orders and GMV each brought in."""
    rows = sharing.list_my_shares(uow, actor=actor, before=before, limit=limit + 1)
    page = rows[:limit]
    return MySharesOut(
        items=[
            MyShareOut(
                **_share_fields(m.share),
                card=_card(m.card),
                visits=m.visits,
                signups=m.signups,
                orders=m.orders,
                gmv=MoneyOut(amount=m.gmv),
            )
            for m in page
        ],
        next_before=page[-1].share.id if len(rows) > limit else None,
    )


@router.get("/operator/share-report", response_model=ShareReportOut)
def share_report(
    actor: Actor, uow: Uow, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> ShareReportOut:
    """New users (first touch), orders and GMV (last touch) per channel and per sharer over the
    last ``days`` days, with shares made and visits. Operators only."""
    report = sharing.share_report(uow, actor=actor, days=days)
    return ShareReportOut(
        days=report.days,
        since=report.since,
        until=report.until,
        channels=[_row(r, report.currency) for r in report.channels],
        sharers=[_row(r, report.currency) for r in report.sharers],
        total=_row(report.total, report.currency),
    )
