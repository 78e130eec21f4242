"""Teams: the leader opens one by paying, others join by paying, and the team either fills (every
order goes to fulfilment) or its deadline passes (every member is refunded).

Each use case is one unit of work. Any refusal raises, and the whole transaction rolls back —
seat, allotment, limit, order and payment together — so money is never taken for a join that
cannot succeed, and a team never overfills: its seats are taken by one guarded UPDATE
(``joined = joined + 1 WHERE status = 'open' AND joined < size AND expires_at > now``).

Lock order, the same in every use case, so concurrent ones cannot deadlock on PostgreSQL: the
member row (its insert), the team row, the deal row, the buyer row, then ordering's own (the order
row, stock, ledger accounts).

A join runs as a command of the process's writer (core.writer), where every statement counts: its
own are prepared (``groupbuy.access``, ``groupbuy.seats``), it loads no models, and it answers
with the team built from what it read and wrote rather than read again.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Table, select, update

from agora import catalog, ledger, ordering, payments
from agora.core.clock import utcnow
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.groupbuy import domain, seats
from agora.groupbuy.access import access_deal, access_join, access_team
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
from agora.groupbuy.queries import RosterRow, TeamView, joined_view, roster, team_views
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
        seats.open_team(
            session,
            team_id=team_id,
            deal_id=deal.id,
            size=deal.team_size,
            leader_id=actor.user_id,
            sku_id=sku_id,
            quantity=quantity,
            expires_at=expires_at,
            now=now,
        )
        seats.take_units(session, deal.id, quantity, starting=True)
        seats.count_units(
            session,
            deal_id=deal.id,
            user_id=actor.user_id,
            quantity=quantity,
            user_limit=deal.user_limit,
        )
        order = _buy(uow, actor, deal.group_price, team_id, sku_id, quantity, position=1)
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
        team = access_join(session, actor, team_id, sku_id)
        domain.check_quantity(quantity, team.user_limit)
        if not team.sku_in_deal:
            raise _not_in_deal()
        # In the last minute most joiners of a popular team lose: once it is full they are told
        # so from memory (core.gates), after the access check.
        gate_key = str(team.id)
        if gate.is_closed(gate_key):
            raise TeamFull()
        now = utcnow()
        observed_at = time.monotonic()
        # The member row first: one person's second join waits here for the first to finish,
        # then finds the row and is refused without touching the team.
        if not seats.add_member(
            session,
            team_id=team.id,
            user_id=actor.user_id,
            sku_id=sku_id,
            quantity=quantity,
            now=now,
        ):
            raise AlreadyInTeam()
        try:
            position, status = seats.take_seat(session, team.id, now)
        except TeamFull:
            gate.close(gate_key, observed_at=observed_at)
            raise
        seats.take_units(session, team.deal_id, quantity, starting=False)
        seats.count_units(
            session,
            deal_id=team.deal_id,
            user_id=actor.user_id,
            quantity=quantity,
            user_limit=team.user_limit,
        )
        order = _buy(uow, actor, team.group_price, team.id, sku_id, quantity, position=position)
        members = roster(session, team.id)
        if status == domain.COMPLETE:
            uow.after_commit(partial(gate.close, gate_key, observed_at=observed_at))
            _complete(uow, team.id, members)
            # release_holds only lifts the hold of these paid orders: the actor's is as it was
            # paid, now released, without reading it again.
            order = dataclasses.replace(order, held=False)
        else:
            for member in members:
                uow.publish(
                    f"user:{member.user_id}",
                    {
                        "type": "groupbuy.team_joined",
                        "team_id": gate_key,
                        "joined": position,
                        "size": team.size,
                    },
                )
        view = joined_view(team, members, actor, joined=position, status=status, now=now)
        return TeamOutcome(view, order)


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
        raise _not_in_deal()


def _precheck_line(
    session: Any, actor: Principal, deal: GroupDeal, sku_id: uuid.UUID, quantity: int
) -> None:
    domain.check_quantity(quantity, deal.user_limit)
    sku = session.get(catalog.Sku, sku_id)
    if sku is None or sku.product_id != deal.product_id:
        raise _not_in_deal()
    if deal.stock - deal.sold < quantity:
        raise GroupDealSoldOut()
    held = session.get(GroupDealBuyer, (deal.id, actor.user_id))
    if (held.units if held else 0) + quantity > deal.user_limit:
        raise GroupLimitReached()


def _not_in_deal() -> SkuNotInDeal:
    return SkuNotInDeal(errors=[{"field": "sku_id", "message": _("not a SKU of the product")}])


def _precheck_money(
    uow: UnitOfWork, actor: Principal, price: int, sku_id: uuid.UUID, quantity: int
) -> None:
    if ledger.balance(uow, payments.wallet_of(actor.user_id)) < price:
        raise ledger.InsufficientFunds(account_kind="wallet")
    ordering.check_stock(uow, actor=actor, lines=[ordering.LineRequest(sku_id, quantity)])


def _buy(
    uow: UnitOfWork,
    actor: Principal,
    group_price: int,
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
        unit_price=group_price,
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
    seats.link_order(
        uow.session, team_id=team_id, user_id=actor.user_id, order_id=placed.id, position=position
    )
    return outcome.orders[0]


def _complete(uow: UnitOfWork, team_id: uuid.UUID, members: list[RosterRow]) -> None:
    """The last place was taken: every member's order goes to fulfilment."""
    order_ids = sorted(m.order_id for m in members if m.order_id is not None)
    ordering.release_holds(uow, order_ids=order_ids)
    cancel_deadline(uow, kind=TEAM_EXPIRY, ref_id=team_id)
    uow.emit(
        "groupbuy.team_completed",
        {"team_id": str(team_id), "order_ids": [str(i) for i in order_ids]},
        topics=[f"user:{m.user_id}" for m in members],
    )


def _view(uow: UnitOfWork, actor: Principal, team_id: uuid.UUID) -> TeamView:
    # The prepared writes above bypassed the ORM: read the rows as they are now.
    uow.session.flush()
    uow.session.expire_all()
    team = uow.session.get(GroupTeam, team_id)
    assert team is not None
    return team_views(uow.session, [team], actor)[0]
