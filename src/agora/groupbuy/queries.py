"""The read models the API and the pages show: a deal, its open teams, a team with its members.

Who may see them is ``groupbuy.access``'s. What a member bought (their order) is shown to that
member alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from agora import catalog
from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.groupbuy import domain
from agora.groupbuy.access import JoinTarget, access_team, product_on_sale
from agora.groupbuy.models import GroupDeal, GroupTeam, GroupTeamMember
from agora.identity import Principal, User

OPEN_TEAMS_SHOWN = 10

_members: Table = GroupTeamMember.__table__  # type: ignore[assignment]
_users: Table = User.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class DealView:
    id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    team_size: int
    group_price: int
    solo_price: int
    """The product's lowest SKU price now: what buying alone costs at least."""
    currency: str
    window_hours: int
    user_limit: int
    stock: int
    sold: int
    status: str
    created_at: datetime
    ended_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(0, self.stock - self.sold)


@dataclass(frozen=True, slots=True)
class MemberView:
    user_id: uuid.UUID
    display_name: str
    position: int
    joined_at: datetime
    is_leader: bool


@dataclass(frozen=True, slots=True)
class MyPart:
    """What the viewing member bought in the team."""

    order_id: uuid.UUID | None
    sku_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class TeamView:
    id: uuid.UUID
    deal_id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    title_en: str
    title_zh: str | None
    image_url: str
    group_price: int
    solo_price: int
    currency: str
    size: int
    joined: int
    status: str
    user_limit: int
    """Units one person may buy under the deal (the join form's largest quantity)."""
    leader_id: uuid.UUID
    leader_name: str
    expires_at: datetime
    created_at: datetime
    completed_at: datetime | None
    failed_at: datetime | None
    members: list[MemberView]
    mine: MyPart | None
    now: datetime
    """When this view was read: what "time left" and "joinable" are measured against."""

    @property
    def places_left(self) -> int:
        return domain.places_left(self.size, self.joined)

    @property
    def seconds_left(self) -> int:
        return domain.seconds_left(self.expires_at, self.now) if self.status == domain.OPEN else 0

    @property
    def joinable(self) -> bool:
        """Open to new members now (for a viewer who is not one yet)."""
        return domain.is_joinable(self.status, self.size, self.joined, self.expires_at, self.now)

    @property
    def labels(self) -> tuple[str, str]:
        return domain.team_labels(
            self.status, self.size, self.joined, expired=self.expires_at <= self.now
        )


@dataclass(frozen=True, slots=True)
class OpenTeam:
    """One line of the product page's list of teams to join."""

    id: uuid.UUID
    leader_name: str
    size: int
    joined: int
    expires_at: datetime
    seconds_left: int
    mine: bool

    @property
    def places_left(self) -> int:
        return domain.places_left(self.size, self.joined)


@dataclass(frozen=True, slots=True)
class ProductDeal:
    deal: DealView
    teams: list[OpenTeam]


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One member as the team's views show it (the member's own order only to that member)."""

    user_id: uuid.UUID
    display_name: str
    position: int
    joined_at: datetime
    order_id: uuid.UUID | None
    sku_id: uuid.UUID
    quantity: int


# A member's columns with the name; every join reads its team's roster (prepared) to answer.
_ROSTER_COLUMNS = (
    _members.c.user_id,
    _users.c.display_name,
    _members.c.position,
    _members.c.joined_at,
    _members.c.order_id,
    _members.c.sku_id,
    _members.c.quantity,
)
_ROSTER = Prepared(
    select(*_ROSTER_COLUMNS)
    .join(_users, _users.c.id == _members.c.user_id)
    .where(_members.c.team_id == bindparam("team_id"))
    .order_by(_members.c.position, _members.c.joined_at)
)


def roster(session: Session, team_id: uuid.UUID) -> list[RosterRow]:
    """The team's members in place order, with their names."""
    return [RosterRow(*row) for row in _ROSTER.rows(session, {"team_id": team_id})]


def joined_view(
    target: JoinTarget,
    members: Sequence[RosterRow],
    actor: Principal,
    *,
    joined: int,
    status: str,
    now: datetime,
) -> TeamView:
    """The view of a team the actor just joined, from what the join holds: the figures it read,
    the seat update's count and status, and the roster read after the seat was taken."""
    member_views, mine, leader_name = _roster_parts(members, target.leader_id, actor)
    return TeamView(
        id=target.id,
        deal_id=target.deal_id,
        product_id=target.product_id,
        store_id=target.store_id,
        title_en=target.title_en,
        title_zh=target.title_zh,
        image_url=target.image_url,
        group_price=target.group_price,
        solo_price=target.solo_price,
        currency=target.currency,
        size=target.size,
        joined=joined,
        status=status,
        user_limit=target.user_limit,
        leader_id=target.leader_id,
        leader_name=leader_name,
        expires_at=target.expires_at,
        created_at=target.created_at,
        # The seat update completed the team at ``now`` if it took the last place; a team that
        # gave a seat was open, so it had neither completed nor failed before.
        completed_at=now if status == domain.COMPLETE else None,
        failed_at=None,
        members=member_views,
        mine=mine,
        now=now,
    )


def _roster_parts(
    members: Sequence[RosterRow], leader_id: uuid.UUID, actor: Principal | None
) -> tuple[list[MemberView], MyPart | None, str]:
    """The members as shown, the actor's own part (members only), the leader's name."""
    views = [
        MemberView(
            user_id=m.user_id,
            display_name=m.display_name,
            position=m.position,
            joined_at=m.joined_at,
            is_leader=m.user_id == leader_id,
        )
        for m in members
    ]
    mine = next(
        (
            MyPart(m.order_id, m.sku_id, m.quantity)
            for m in members
            if actor is not None and m.user_id == actor.user_id
        ),
        None,
    )
    leader_name = next((m.display_name for m in members if m.user_id == leader_id), "")
    return views, mine, leader_name


def deal_view(session: Session, deal: GroupDeal) -> DealView:
    product = session.get(catalog.Product, deal.product_id)
    assert product is not None
    return DealView(
        id=deal.id,
        product_id=deal.product_id,
        store_id=deal.store_id,
        team_size=deal.team_size,
        group_price=deal.group_price,
        solo_price=product.min_price,
        currency=deal.currency,
        window_hours=deal.window_hours,
        user_limit=deal.user_limit,
        stock=deal.stock,
        sold=deal.sold,
        status=deal.status,
        created_at=deal.created_at,
        ended_at=deal.ended_at,
    )


def active_deal(session: Session, product_id: uuid.UUID) -> GroupDeal | None:
    return session.scalar(
        select(GroupDeal).where(
            GroupDeal.product_id == product_id, GroupDeal.status == domain.ACTIVE
        )
    )


def product_deal(
    uow: UnitOfWork, *, product_id: uuid.UUID, actor: Principal | None = None
) -> ProductDeal | None:
    """The product's running deal and the open teams anyone can still join (fewest places
    left first, then the soonest to close); ``None`` without a deal or off sale."""
    now = utcnow()
    with uow.read() as session:
        if not product_on_sale(session, product_id):
            return None
        deal = active_deal(session, product_id)
        if deal is None:
            return None
        rows = session.execute(
            select(GroupTeam, User.display_name)
            .join(User, User.id == GroupTeam.leader_id)
            .where(
                GroupTeam.deal_id == deal.id,
                GroupTeam.status == domain.OPEN,
                GroupTeam.expires_at > now,
            )
            .order_by(GroupTeam.size - GroupTeam.joined, GroupTeam.expires_at, GroupTeam.id)
            .limit(OPEN_TEAMS_SHOWN)
        ).all()
        mine: set[uuid.UUID] = set()
        if actor is not None and rows:
            mine = set(
                session.scalars(
                    select(GroupTeamMember.team_id).where(
                        GroupTeamMember.user_id == actor.user_id,
                        GroupTeamMember.team_id.in_([team.id for team, _ in rows]),
                    )
                )
            )
        teams = [
            OpenTeam(
                id=team.id,
                leader_name=name,
                size=team.size,
                joined=team.joined,
                expires_at=team.expires_at,
                seconds_left=domain.seconds_left(team.expires_at, now),
                mine=team.id in mine,
            )
            for team, name in rows
        ]
        return ProductDeal(deal_view(session, deal), teams)


def team_views(
    session: Session, teams: Sequence[GroupTeam], actor: Principal | None
) -> list[TeamView]:
    """Views of several teams with their members, in a handful of queries."""
    if not teams:
        return []
    now = utcnow()
    ids = [team.id for team in teams]
    deals = {
        d.id: d
        for d in session.scalars(
            select(GroupDeal).where(GroupDeal.id.in_({t.deal_id for t in teams}))
        )
    }
    products = {
        p.id: p
        for p in session.scalars(
            select(catalog.Product).where(
                catalog.Product.id.in_({d.product_id for d in deals.values()})
            )
        )
    }
    members: dict[uuid.UUID, list[RosterRow]] = {i: [] for i in ids}
    for row in session.execute(
        select(_members.c.team_id, *_ROSTER_COLUMNS)
        .join(_users, _users.c.id == _members.c.user_id)
        .where(_members.c.team_id.in_(ids))
        .order_by(_members.c.team_id, _members.c.position, _members.c.joined_at)
    ):
        members[row[0]].append(RosterRow(*row[1:]))
    views = []
    for team in teams:
        deal = deals[team.deal_id]
        product = products[deal.product_id]
        member_views, mine, leader_name = _roster_parts(members[team.id], team.leader_id, actor)
        views.append(
            TeamView(
                id=team.id,
                deal_id=deal.id,
                product_id=product.id,
                store_id=deal.store_id,
                title_en=product.title_en,
                title_zh=product.title_zh,
                image_url=product.image_url,
                group_price=deal.group_price,
                solo_price=product.min_price,
                currency=deal.currency,
                size=team.size,
                joined=team.joined,
                status=team.status,
                user_limit=deal.user_limit,
                leader_id=team.leader_id,
                leader_name=leader_name,
                expires_at=team.expires_at,
                created_at=team.created_at,
                completed_at=team.completed_at,
                failed_at=team.failed_at,
                members=member_views,
                mine=mine,
                now=now,
            )
        )
    return views


def team_view(uow: UnitOfWork, *, actor: Principal | None, team_id: uuid.UUID) -> TeamView:
    with uow.read() as session:
        team, _ = access_team(session, actor, team_id)
        return team_views(session, [team], actor)[0]


def my_teams(
    uow: UnitOfWork, *, actor: Principal, status: str | None = None, limit: int = 50
) -> list[TeamView]:
    """The teams the actor leads or joined, the latest joined first."""
    with uow.read() as session:
        query = (
            select(GroupTeam)
            .join(GroupTeamMember, GroupTeamMember.team_id == GroupTeam.id)
            .where(GroupTeamMember.user_id == actor.user_id)
            .order_by(GroupTeamMember.joined_at.desc(), GroupTeam.id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(GroupTeam.status == status)
        return team_views(session, list(session.scalars(query)), actor)
