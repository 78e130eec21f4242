"""The guarded writes of starting and joining a team, as prepared statements (core.prepared).

A join is a dozen short statements, several of them ordering's; the ones here are compiled once
per dialect and run on the session's cursor, inside the use case's transaction. Each counter
moves by one guarded statement, so a team never takes more members than its size, a deal never
sells more units than it set aside, and a shopper never holds more than the deal's limit: the
statement that would pass a bound changes nothing, and the caller raises.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from agora.core.db import dialect_insert
from agora.core.prepared import Prepared
from agora.groupbuy import domain
from agora.groupbuy.errors import (
    GroupDealEnded,
    GroupDealSoldOut,
    GroupLimitReached,
    TeamClosed,
    TeamFull,
)
from agora.groupbuy.models import GroupDeal, GroupDealBuyer, GroupTeam, GroupTeamMember

_teams: Table = GroupTeam.__table__  # type: ignore[assignment]
_members: Table = GroupTeamMember.__table__  # type: ignore[assignment]
_deals: Table = GroupDeal.__table__  # type: ignore[assignment]
_buyers: Table = GroupDealBuyer.__table__  # type: ignore[assignment]

# One typed parameter wherever the time is compared or stored: the columns' own UTC handling
# applies to it (a bare bindparam inside CASE would have no type to convert through).
_now = bindparam("now", type_=_teams.c.expires_at.type)

_INSERT_TEAM = Prepared.insert(
    _teams, ["id", "deal_id", "leader_id", "size", "joined", "status", "expires_at", "created_at"]
)
_INSERT_LEADER = Prepared.insert(
    _members, ["team_id", "user_id", "sku_id", "quantity", "position", "joined_at"]
)
_ADD_MEMBER = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _members)
        .values(
            {
                name: bindparam(name)
                for name in ("team_id", "user_id", "sku_id", "quantity", "position", "joined_at")
            }
        )
        .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
        .returning(_members.c.team_id)
    )
)
_full_now = _teams.c.joined + 1 >= _teams.c.size
_TAKE_SEAT = Prepared(
    update(_teams)
    .where(
        _teams.c.id == bindparam("team_id"),
        _teams.c.status == domain.OPEN,
        _teams.c.joined < _teams.c.size,
        _teams.c.expires_at > _now,
    )
    .values(
        joined=_teams.c.joined + 1,
        status=case((_full_now, domain.COMPLETE), else_=domain.OPEN),
        completed_at=case((_full_now, _now), else_=None),
    )
    .returning(_teams.c.joined, _teams.c.status)
)
_SEAT_STATE = Prepared(
    select(_teams.c.status, _teams.c.joined, _teams.c.size).where(
        _teams.c.id == bindparam("team_id")
    )
)
_LINK_ORDER = Prepared(
    update(_members)
    .where(_members.c.team_id == bindparam("team_id"), _members.c.user_id == bindparam("user_id"))
    .values(order_id=bindparam("order_id"), position=bindparam("position"))
)
_units_fit = _deals.c.sold + bindparam("quantity") <= _deals.c.stock
_TAKE_UNITS = Prepared(
    update(_deals)
    .where(_deals.c.id == bindparam("deal_id"), _units_fit)
    .values(sold=_deals.c.sold + bindparam("quantity"))
)
_TAKE_UNITS_ACTIVE = Prepared(
    update(_deals)
    .where(_deals.c.id == bindparam("deal_id"), _units_fit, _deals.c.status == domain.ACTIVE)
    .values(sold=_deals.c.sold + bindparam("quantity"))
)
_DEAL_STATUS = Prepared(select(_deals.c.status).where(_deals.c.id == bindparam("deal_id")))
_COUNT_UNITS = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _buyers)
        .values(
            deal_id=bindparam("deal_id"), user_id=bindparam("user_id"), units=bindparam("quantity")
        )
        .on_conflict_do_update(
            index_elements=["deal_id", "user_id"],
            set_={"units": _buyers.c.units + bindparam("quantity")},
            where=_buyers.c.units + bindparam("quantity") <= bindparam("user_limit"),
        )
        .returning(_buyers.c.units)
    )
)


def open_team(
    session: Session,
    *,
    team_id: uuid.UUID,
    deal_id: uuid.UUID,
    size: int,
    leader_id: uuid.UUID,
    sku_id: uuid.UUID,
    quantity: int,
    expires_at: datetime,
    now: datetime,
) -> None:
    """The team row with its leader in the first place."""
    _INSERT_TEAM.execute(
        session,
        {
            "id": team_id,
            "deal_id": deal_id,
            "leader_id": leader_id,
            "size": size,
            "joined": 1,
            "status": domain.OPEN,
            "expires_at": expires_at,
            "created_at": now,
        },
    )
    _INSERT_LEADER.execute(
        session,
        {
            "team_id": team_id,
            "user_id": leader_id,
            "sku_id": sku_id,
            "quantity": quantity,
            "position": 1,
            "joined_at": now,
        },
    )


def add_member(
    session: Session,
    *,
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    sku_id: uuid.UUID,
    quantity: int,
    now: datetime,
) -> bool:
    """The joiner's member row, placeless until :func:`take_seat`; ``False`` if they are in the
    team already. On PostgreSQL, a second join of one person waits here for the first."""
    added = _ADD_MEMBER.first(
        session,
        {
            "team_id": team_id,
            "user_id": user_id,
            "sku_id": sku_id,
            "quantity": quantity,
            "position": 0,
            "joined_at": now,
        },
    )
    return added is not None


def take_seat(session: Session, team_id: uuid.UUID, now: datetime) -> tuple[int, str]:
    """The next place of an open team before its deadline: (the place, the team's status after).
    The place that fills the team completes it in the same statement.

    Raises:
        TeamFull, TeamClosed (409): no place was taken.
    """
    seat = _TAKE_SEAT.first(session, {"team_id": team_id, "now": now})
    if seat is not None:
        return int(seat[0]), str(seat[1])
    state = _SEAT_STATE.first(session, {"team_id": team_id})
    assert state is not None  # the caller read the team in this transaction
    status, joined, size = state
    if status == domain.COMPLETE or joined >= size:
        raise TeamFull()
    raise TeamClosed()


def link_order(
    session: Session,
    *,
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    order_id: uuid.UUID,
    position: int,
) -> None:
    _LINK_ORDER.execute(
        session,
        {"team_id": team_id, "user_id": user_id, "order_id": order_id, "position": position},
    )


def take_units(session: Session, deal_id: uuid.UUID, quantity: int, *, starting: bool) -> None:
    """Units out of the deal's allotment. Joining an open team may go on after the merchant
    ended the deal (its members paid in good faith); starting a team may not.

    Raises:
        GroupDealEnded (starting only), GroupDealSoldOut (409).
    """
    statement = _TAKE_UNITS_ACTIVE if starting else _TAKE_UNITS
    params = {"deal_id": deal_id, "quantity": quantity}
    if statement.execute(session, params).rowcount == 1:
        return
    if starting and _DEAL_STATUS.scalar(session, {"deal_id": deal_id}) != domain.ACTIVE:
        raise GroupDealEnded()
    raise GroupDealSoldOut()


def count_units(
    session: Session, *, deal_id: uuid.UUID, user_id: uuid.UUID, quantity: int, user_limit: int
) -> None:
    """The buyer's units of the deal, within its per-person limit.

    Raises:
        GroupLimitReached (409).
    """
    counted = _COUNT_UNITS.first(
        session,
        {"deal_id": deal_id, "user_id": user_id, "quantity": quantity, "user_limit": user_limit},
    )
    if counted is None:
        raise GroupLimitReached()
