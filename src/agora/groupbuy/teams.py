"""Teams: the leader opens one by paying, others join by paying, and the team either fills (every
order goes to fulfilment) or its deadline passes (every member is refunded).

Each use case is one unit of work. Any refusal raises, and the whole transaction rolls back —
seat, allotment, limit, order and payment together — so money is never taken for a join that
cannot succeed, and a team never overfills: its seats are taken by one guarded UPDATE
(``joined = joined + 1 WHERE status = 'open' AND joined < size AND expires_at > now``).

Lock order, the same in every use case, so concurrent ones cannot deadlock on PostgreSQL: the
member row (its insert), the team row, the deal row, the buyer row, then ordering's own (the order
row, stock, ledger accounts).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Table, case, insert, select, update

from agora import catalog, ledger, ordering, payments
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.groupbuy import domain
from agora.groupbuy.errors import (
    AlreadyInTeam,
    GroupDealEnded,
    GroupDealSoldOut,
    GroupLimitReached,
    SkuNotInDeal,
    TeamClosed,
    TeamFull,
)
from agora.groupbuy.models import GroupDeal, GroupDealBuyer, GroupTeam, GroupTeamMember
from agora.groupbuy.queries import TeamView, access_deal, access_team, team_views
from agora.identity import Principal

TEAM_EXPIRY = "groupbuy.team_expiry"
# The memory gate of full teams (core.gates), keyed by the team id as text.
TEAM_GATE = "group_team"
REFUND_REASON = "team_failed"

_teams: Table = GroupTeam.__table__  # type: ignore[assignment]
_members: Table = GroupTeamMember.__table__  # type: ignore[assignment]
_deals: Table = GroupDeal.__table__  # type: ignore[assignment]
_buyers: Table = GroupDealBuyer.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class TeamOutcome:
    """The team after the actor's start or join, and the actor's paid (held) order."""

    team: TeamView
    order: ordering.OrderView


def start_team(
    uow: UnitOfWork,
    *,
    actor: Principal,
    deal_id: uuid.UUID,
    sku_id: uuid.UUID,
    quantity: int = 1,
) -> TeamOutcome:
    """Open a team as its leader: the leader's order at the group price, paid from the wallet
    and held until the team fills; the team's deadline is set ``window_hours`` out.

    Raises:
        GroupDealNotFound (404), GroupDealEnded, GroupDealSoldOut, GroupLimitReached (409),
        SkuNotInDeal / InvalidInput (422), and ordering's refusals: SkuUnavailable,
        InsufficientStock, InsufficientFunds (409) — nothing changed.
    """
    with uow:
        session = uow.session
        deal = access_deal(session, actor, deal_id)
        if deal.status != domain.ACTIVE:
            raise GroupDealEnded()
        _check_line(uow, deal, sku_id, quantity)
        now = utcnow()
        team_id = new_id()
        expires_at = domain.expiry_of(now, deal.window_hours)
        session.execute(
            insert(_teams).values(
                id=team_id,
                deal_id=deal.id,
                leader_id=actor.user_id,
                size=deal.team_size,
                joined=1,
                status=domain.OPEN,
                expires_at=expires_at,
                created_at=now,
            )
        )
        session.execute(
            insert(_members).values(
                team_id=team_id,
                user_id=actor.user_id,
                sku_id=sku_id,
                quantity=quantity,
                position=1,
                joined_at=now,
            )
        )
        _take_allotment(uow, deal, quantity, starting=True)
        _count_units(uow, deal, actor.user_id, quantity)
        order = _buy(uow, actor, deal, team_id, sku_id, quantity, position=1)
        schedule_deadline(uow, kind=TEAM_EXPIRY, ref_id=team_id, due_at=expires_at)
        uow.publish(
            f"user:{actor.user_id}",
            {"type": "groupbuy.team_started", "team_id": str(team_id)},
        )
        return TeamOutcome(_view(uow, actor, team_id), order)


def join_team(
    uow: UnitOfWork,
    *,
    actor: Principal,
    team_id: uuid.UUID,
    sku_id: uuid.UUID,
    quantity: int = 1,
) -> TeamOutcome:
    """Join an open team by paying for one's own order at the group price. The join that takes
    the last place completes the team: every member's order is released to fulfilment.

    Raises:
        TeamNotFound (404), AlreadyInTeam, TeamFull, TeamClosed, GroupDealSoldOut,
        GroupLimitReached (409), SkuNotInDeal / InvalidInput (422), and ordering's refusals
        (InsufficientStock, InsufficientFunds 409, ...) — nothing changed.
    """
    gate = uow.gates[TEAM_GATE]
    with uow:
        session = uow.session
        team, deal = access_team(session, actor, team_id)
        _check_line(uow, deal, sku_id, quantity)
        # In the last minute most joiners of a popular team lose: once it is full they are told
        # so from memory (core.gates), after the access check.
        if gate.is_closed(str(team.id)):
            raise TeamFull()
        now = utcnow()
        observed_at = time.monotonic()
        # The member row first: one person's second join waits here for the first to finish,
        # then finds the row and is refused without touching the team.
        inserted = session.execute(
            upsert_insert(session, _members)
            .values(
                team_id=team.id,
                user_id=actor.user_id,
                sku_id=sku_id,
                quantity=quantity,
                position=0,
                joined_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
            .returning(_members.c.team_id)
        ).first()
        if inserted is None:
            raise AlreadyInTeam()
        seat = session.execute(
            update(_teams)
            .where(
                _teams.c.id == team.id,
                _teams.c.status == domain.OPEN,
                _teams.c.joined < _teams.c.size,
                _teams.c.expires_at > now,
            )
            .values(
                joined=_teams.c.joined + 1,
                status=case(
                    (_teams.c.joined + 1 >= _teams.c.size, domain.COMPLETE), else_=domain.OPEN
                ),
                completed_at=case((_teams.c.joined + 1 >= _teams.c.size, now), else_=None),
            )
            .returning(_teams.c.joined, _teams.c.status)
        ).first()
        if seat is None:
            refusal = _seat_refusal(uow, team.id)
            if isinstance(refusal, TeamFull):
                gate.close(str(team.id), observed_at=observed_at)
            raise refusal
        position, status = int(seat[0]), str(seat[1])
        _take_allotment(uow, deal, quantity, starting=False)
        _count_units(uow, deal, actor.user_id, quantity)
        order = _buy(uow, actor, deal, team.id, sku_id, quantity, position=position)
        member_ids = list(
            session.scalars(select(_members.c.user_id).where(_members.c.team_id == team.id))
        )
        if status == domain.COMPLETE:
            uow.after_commit(partial(gate.close, str(team.id), observed_at=observed_at))
            _complete(uow, team.id, member_ids)
            view = _view(uow, actor, team.id)  # reads the rows as released, the order too
            return TeamOutcome(view, ordering.order_detail(uow, actor=actor, order_id=order.id))
        else:
            for user_id in member_ids:
                uow.publish(
                    f"user:{user_id}",
                    {
                        "type": "groupbuy.team_joined",
                        "team_id": str(team.id),
                        "joined": position,
                        "size": team.size,
                    },
                )
        return TeamOutcome(_view(uow, actor, team.id), order)


def expire_team(uow: UnitOfWork, team_id: uuid.UUID) -> bool:
    """The team's deadline passed before it filled: fail it and refund every member in full
    (money back to where it came from, stock back on sale), and give the deal its units back.

    Idempotent: ``False`` when there is nothing to do (the team filled, or already failed).
    """
    with uow:
        session = uow.session
        now = utcnow()
        failed = session.execute(
            update(_teams)
            .where(
                _teams.c.id == team_id,
                _teams.c.status == domain.OPEN,
                _teams.c.expires_at <= now,
            )
            .values(status=domain.FAILED, failed_at=now)
            .returning(_teams.c.deal_id)
        ).first()
        if failed is None:
            return False
        deal_id = failed[0]
        members = session.execute(
            select(_members.c.user_id, _members.c.order_id, _members.c.quantity)
            .where(_members.c.team_id == team_id)
            .order_by(_members.c.user_id)
        ).all()
        units = sum(int(m.quantity) for m in members)
        session.execute(
            update(_deals).where(_deals.c.id == deal_id).values(sold=_deals.c.sold - units)
        )
        for member in members:
            session.execute(
                update(_buyers)
                .where(_buyers.c.deal_id == deal_id, _buyers.c.user_id == member.user_id)
                .values(units=_buyers.c.units - member.quantity)
            )
        for order_id in sorted(m.order_id for m in members if m.order_id is not None):
            ordering.refund_held_order(uow, order_id=order_id, reason=REFUND_REASON)
        event = {"team_id": str(team_id), "deal_id": str(deal_id)}
        uow.emit(
            "groupbuy.team_failed",
            event,
            topics=[f"user:{m.user_id}" for m in members],
        )
        return True


# --- read-only prechecks: refuse at once, before the write transaction ------------------------


def check_start(
    uow: UnitOfWork, *, actor: Principal, deal_id: uuid.UUID, sku_id: uuid.UUID, quantity: int
) -> None:
    """Refuse from committed figures, without writing, a start that is bound to fail. Only a
    fast path: what passes here may still be refused by :func:`start_team`'s guarded writes."""
    with uow.read() as session:
        deal = access_deal(session, actor, deal_id)
        if deal.status != domain.ACTIVE:
            raise GroupDealEnded()
        _precheck_line(session, actor, deal, sku_id, quantity)
        price = deal.group_price * quantity
    _precheck_money(uow, actor, price, sku_id, quantity)


def check_join(
    uow: UnitOfWork, *, actor: Principal, team_id: uuid.UUID, sku_id: uuid.UUID, quantity: int
) -> None:
    """The join's fast refusals (full, closed, twice, sold out, over the limit, too little money
    or stock) from committed figures; :func:`join_team` decides."""
    now = utcnow()
    with uow.read() as session:
        team, deal = access_team(session, actor, team_id)
        if session.get(GroupTeamMember, (team.id, actor.user_id)) is not None:
            raise AlreadyInTeam()
        if team.status == domain.COMPLETE or team.joined >= team.size:
            raise TeamFull()
        if team.status != domain.OPEN or team.expires_at <= now:
            raise TeamClosed()
        _precheck_line(session, actor, deal, sku_id, quantity)
        price = deal.group_price * quantity
    _precheck_money(uow, actor, price, sku_id, quantity)


# --- the moves --------------------------------------------------------------------------------


def _check_line(uow: UnitOfWork, deal: GroupDeal, sku_id: uuid.UUID, quantity: int) -> None:
    domain.check_quantity(quantity, deal.user_limit)
    sku = uow.session.get(catalog.Sku, sku_id)
    if sku is None or sku.product_id != deal.product_id:
        raise SkuNotInDeal(errors=[{"field": "sku_id", "message": "not a SKU of the product"}])


def _precheck_line(
    session: Any, actor: Principal, deal: GroupDeal, sku_id: uuid.UUID, quantity: int
) -> None:
    domain.check_quantity(quantity, deal.user_limit)
    sku = session.get(catalog.Sku, sku_id)
    if sku is None or sku.product_id != deal.product_id:
        raise SkuNotInDeal(errors=[{"field": "sku_id", "message": "not a SKU of the product"}])
    if deal.stock - deal.sold < quantity:
        raise GroupDealSoldOut()
    held = session.get(GroupDealBuyer, (deal.id, actor.user_id))
    if (held.units if held else 0) + quantity > deal.user_limit:
        raise GroupLimitReached()


def _precheck_money(
    uow: UnitOfWork, actor: Principal, price: int, sku_id: uuid.UUID, quantity: int
) -> None:
    if ledger.balance(uow, payments.wallet_of(actor.user_id)) < price:
        raise ledger.InsufficientFunds(account_kind="wallet")
    ordering.check_stock(uow, actor=actor, lines=[ordering.LineRequest(sku_id, quantity)])


def _seat_refusal(uow: UnitOfWork, team_id: uuid.UUID) -> Exception:
    """Why the guarded seat update found no seat: full, or closed (expired or failed)."""
    status, joined, size = uow.session.execute(
        select(_teams.c.status, _teams.c.joined, _teams.c.size).where(_teams.c.id == team_id)
    ).one()
    if status == domain.COMPLETE or joined >= size:
        return TeamFull()
    return TeamClosed()


def _take_allotment(uow: UnitOfWork, deal: GroupDeal, quantity: int, *, starting: bool) -> None:
    """Units out of the deal's allotment, guarded. Joining an open team may go on after the
    merchant ended the deal (its members paid in good faith); starting a team may not."""
    where = [_deals.c.id == deal.id, _deals.c.sold + quantity <= _deals.c.stock]
    if starting:
        where.append(_deals.c.status == domain.ACTIVE)
    taken = uow.session.execute(update(_deals).where(*where).values(sold=_deals.c.sold + quantity))
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return
    status = uow.session.scalar(select(_deals.c.status).where(_deals.c.id == deal.id))
    if starting and status != domain.ACTIVE:
        raise GroupDealEnded()
    raise GroupDealSoldOut()


def _count_units(uow: UnitOfWork, deal: GroupDeal, user_id: uuid.UUID, quantity: int) -> None:
    """The buyer's units of this deal, within its per-person limit: one guarded upsert."""
    session = uow.session
    statement = upsert_insert(session, _buyers).values(
        deal_id=deal.id, user_id=user_id, units=quantity
    )
    counted = session.execute(
        statement.on_conflict_do_update(
            index_elements=["deal_id", "user_id"],
            set_={"units": _buyers.c.units + quantity},
            where=_buyers.c.units + quantity <= deal.user_limit,
        ).returning(_buyers.c.units)
    ).first()
    if counted is None:
        raise GroupLimitReached()


def _buy(
    uow: UnitOfWork,
    actor: Principal,
    deal: GroupDeal,
    team_id: uuid.UUID,
    sku_id: uuid.UUID,
    quantity: int,
    *,
    position: int,
) -> ordering.OrderView:
    """The member's order at the group price, held for the team and paid from the wallet."""
    placed = ordering.place_deal_order(
        uow,
        actor=actor,
        sku_id=sku_id,
        quantity=quantity,
        unit_price=deal.group_price,
        deal_kind=domain.DEAL_KIND,
        deal_id=team_id,
        hold=True,
    )
    outcome = ordering.pay_orders(
        uow,
        actor=actor,
        order_ids=[placed.id],
        sources=[ordering.SourceRequest("wallet")],
        return_url=f"/teams/{team_id}",
    )
    uow.session.execute(
        update(_members)
        .where(_members.c.team_id == team_id, _members.c.user_id == actor.user_id)
        .values(order_id=placed.id, position=position)
    )
    return outcome.orders[0]


def _complete(uow: UnitOfWork, team_id: uuid.UUID, member_ids: list[uuid.UUID]) -> None:
    """The last place was taken: every member's order goes to fulfilment."""
    session = uow.session
    order_ids = [
        order_id
        for order_id in session.scalars(
            select(_members.c.order_id).where(_members.c.team_id == team_id)
        )
        if order_id is not None
    ]
    ordering.release_holds(uow, order_ids=order_ids)
    cancel_deadline(uow, kind=TEAM_EXPIRY, ref_id=team_id)
    uow.emit(
        "groupbuy.team_completed",
        {"team_id": str(team_id), "order_ids": [str(i) for i in sorted(order_ids)]},
        topics=[f"user:{user_id}" for user_id in member_ids],
    )


def _view(uow: UnitOfWork, actor: Principal, team_id: uuid.UUID) -> TeamView:
    # The guarded Core updates above bypassed the ORM: read the rows as they are now.
    uow.session.flush()
    uow.session.expire_all()
    team = uow.session.get(GroupTeam, team_id)
    assert team is not None
    return team_views(uow.session, [team], actor)[0]
