"""Group-deal endpoints: the merchant's deal, the product's deal with its open teams, starting and
joining teams (both take an ``Idempotency-Key``: they create an order and move money), one team,
and my teams. Thin: each endpoint calls one use case and shapes its read model."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel

from agora import groupbuy, ordering
from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.core.uow import UnitOfWork
from agora.groupbuy.schemas import DealIn, TeamLineIn
from agora.http.deps import Actor, MaybeActor, Uow
from agora.http.idempotency import (
    IdempotencyKeyHeader,
    respond_idempotently,
    write_idempotently,
)
from agora.http.lean import lean
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["groupbuy"])


class DealOut(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    team_size: int
    group_price: MoneyOut
    solo_price: MoneyOut
    """The product's lowest SKU price now: what buying alone costs at least."""
    window_hours: int
    user_limit: int
    stock: int
    sold: int
    remaining: int
    status: str
    created_at: datetime
    ended_at: datetime | None


class OpenTeamOut(BaseModel):
    id: uuid.UUID
    leader_name: str
    size: int
    joined: int
    places_left: int
    expires_at: datetime
    seconds_left: int
    mine: bool
    """The caller is already in this team."""


class ProductDealOut(BaseModel):
    deal: DealOut
    teams: list[OpenTeamOut]
    """Teams still open to join, fewest places left first (at most 10)."""


class MemberOut(BaseModel):
    display_name: str
    position: int
    joined_at: datetime
    is_leader: bool


class MyPartOut(BaseModel):
    order_id: uuid.UUID | None
    sku_id: uuid.UUID
    quantity: int


class TeamOut(BaseModel):
    id: uuid.UUID
    url: str
    deal_id: uuid.UUID
    product_id: uuid.UUID
    title: str
    title_en: str
    title_zh: str | None
    image_url: str
    label: str
    """Where the team stands, as its share card says it: "Team of 3 · 2 places left"."""
    group_price: MoneyOut
    solo_price: MoneyOut
    size: int
    joined: int
    places_left: int
    status: str
    joinable: bool
    leader_name: str
    expires_at: datetime
    seconds_left: int
    created_at: datetime
    completed_at: datetime | None
    failed_at: datetime | None
    members: list[MemberOut]
    mine: MyPartOut | None
    """What the caller bought in this team (members only)."""


class TeamOrderOut(BaseModel):
    id: uuid.UUID
    number: str
    """The order number people read and quote."""
    status: str
    held: bool
    """True while the team is not full: the order waits and cannot be shipped or refunded."""
    total: MoneyOut


class TeamPurchaseOut(BaseModel):
    team: TeamOut
    order: TeamOrderOut


def deal_out(deal: groupbuy.DealView) -> DealOut:
    c = deal.currency
    return DealOut(
        id=deal.id,
        product_id=deal.product_id,
        store_id=deal.store_id,
        team_size=deal.team_size,
        group_price=MoneyOut(amount=deal.group_price, currency=c),
        solo_price=MoneyOut(amount=deal.solo_price, currency=c),
        window_hours=deal.window_hours,
        user_limit=deal.user_limit,
        stock=deal.stock,
        sold=deal.sold,
        remaining=deal.remaining,
        status=deal.status,
        created_at=deal.created_at,
        ended_at=deal.ended_at,
    )


def team_out(team: groupbuy.TeamView) -> TeamOut:
    c = team.currency
    return TeamOut(
        id=team.id,
        url=f"/teams/{team.id}",
        deal_id=team.deal_id,
        product_id=team.product_id,
        title=lazy_pick(team.title_en, team.title_zh),
        title_en=team.title_en,
        title_zh=team.title_zh,
        image_url=team.image_url,
        label=lazy_pick(*team.labels),
        group_price=MoneyOut(amount=team.group_price, currency=c),
        solo_price=MoneyOut(amount=team.solo_price, currency=c),
        size=team.size,
        joined=team.joined,
        places_left=team.places_left,
        status=team.status,
        joinable=team.joinable,
        leader_name=team.leader_name,
        expires_at=team.expires_at,
        seconds_left=team.seconds_left,
        created_at=team.created_at,
        completed_at=team.completed_at,
        failed_at=team.failed_at,
        members=[
            MemberOut(
                display_name=m.display_name,
                position=m.position,
                joined_at=m.joined_at,
                is_leader=m.is_leader,
            )
            for m in team.members
        ],
        mine=MyPartOut(
            order_id=team.mine.order_id, sku_id=team.mine.sku_id, quantity=team.mine.quantity
        )
        if team.mine
        else None,
    )


def _purchase(outcome: groupbuy.TeamOutcome) -> TeamPurchaseOut:
    order: ordering.OrderView = outcome.order
    return TeamPurchaseOut(
        team=team_out(outcome.team),
        order=TeamOrderOut(
            id=order.id,
            number=order.number,
            status=order.status,
            held=order.held,
            total=MoneyOut(amount=order.total, currency=order.currency),
        ),
    )


def _terms(body: DealIn) -> groupbuy.DealTerms:
    return groupbuy.DealTerms(
        team_size=body.team_size,
        group_price=body.group_price,
        stock=body.stock,
        user_limit=body.user_limit,
        window_hours=body.window_hours,
    )


@router.post(
    "/products/{product_id}/group-deal", status_code=status.HTTP_201_CREATED, response_model=DealOut
)
def create_deal(product_id: uuid.UUID, body: DealIn, actor: Actor, uow: Uow) -> DealOut:
    """Put a group deal on a product of your store (409 if one is already running)."""
    return deal_out(
        groupbuy.create_deal(uow, actor=actor, product_id=product_id, terms=_terms(body))
    )


@router.get("/products/{product_id}/group-deal", response_model=ProductDealOut)
def product_deal(product_id: uuid.UUID, uow: Uow, actor: MaybeActor) -> ProductDealOut:
    """The product's running group deal and the teams open to join (404 without a deal)."""
    found = groupbuy.product_deal(uow, product_id=product_id, actor=actor)
    if found is None:
        raise groupbuy.GroupDealNotFound()
    return ProductDealOut(
        deal=deal_out(found.deal),
        teams=[
            OpenTeamOut(
                id=t.id,
                leader_name=t.leader_name,
                size=t.size,
                joined=t.joined,
                places_left=t.places_left,
                expires_at=t.expires_at,
                seconds_left=t.seconds_left,
                mine=t.mine,
            )
            for t in found.teams
        ],
    )


@router.post("/group-deals/{deal_id}/end", response_model=DealOut)
def end_deal(deal_id: uuid.UUID, actor: Actor, uow: Uow) -> DealOut:
    """No new teams; open teams may still fill until their deadline."""
    return deal_out(groupbuy.end_deal(uow, actor=actor, deal_id=deal_id))


@router.post(
    "/group-deals/{deal_id}/teams",
    status_code=status.HTTP_201_CREATED,
    response_model=TeamPurchaseOut,
)
def start_team(
    deal_id: uuid.UUID,
    body: TeamLineIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Open a team as its leader: your order at the group price is paid from your wallet and
    waits for the team to fill (409 ``insufficient_funds`` if the wallet holds too little)."""

    def action() -> tuple[int, TeamPurchaseOut]:
        outcome = groupbuy.start_team(
            uow, actor=actor, deal_id=deal_id, sku_id=body.sku_id, quantity=body.quantity
        )
        return status.HTTP_201_CREATED, _purchase(outcome)

    return respond_idempotently(
        request,
        uow,
        actor=actor,
        key=idempotency_key,
        body=body,
        action=action,
        precheck=lambda: groupbuy.check_start(
            uow, actor=actor, deal_id=deal_id, sku_id=body.sku_id, quantity=body.quantity
        ),
    )


@router.get("/teams/mine", response_model=list[TeamOut])
def my_teams(
    actor: Actor,
    uow: Uow,
    status_: Annotated[
        str | None,
        Query(alias="status", pattern="^(" + "|".join(groupbuy.TEAM_STATUSES) + ")$"),
    ] = None,
) -> list[TeamOut]:
    """Teams you lead or joined, the latest first (at most 50)."""
    return [team_out(t) for t in groupbuy.my_teams(uow, actor=actor, status=status_)]


@router.get("/teams/{team_id}", response_model=TeamOut)
def team(team_id: uuid.UUID, uow: Uow, actor: MaybeActor) -> TeamOut:
    """One team: where it stands, its members, and what you bought in it if you are one."""
    return team_out(groupbuy.team_view(uow, actor=actor, team_id=team_id))


@router.post(
    "/teams/{team_id}/join", status_code=status.HTTP_201_CREATED, response_model=TeamPurchaseOut
)
@lean
async def join_team(
    team_id: uuid.UUID,
    body: TeamLineIn,
    actor: Actor,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Join an open team: your order is paid from your wallet. The last place completes the
    team and every member's order goes to fulfilment. 409 ``team_full``, ``team_closed``,
    ``already_in_team``, ``insufficient_funds``, ...: nothing was charged."""

    def action(uow: UnitOfWork) -> tuple[int, TeamPurchaseOut]:
        outcome = groupbuy.join_team(
            uow, actor=actor, team_id=team_id, sku_id=body.sku_id, quantity=body.quantity
        )
        return status.HTTP_201_CREATED, _purchase(outcome)

    return await write_idempotently(
        request, actor=actor, key=idempotency_key, body=body, action=action
    )
