"""The merchant's side: set a group deal on a product, end it, see how it went.

Only the store's staff (and operators) touch a deal; anyone else gets the product's not-found
(``catalog.access_product``), so ids reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.orm import Session

from agora import catalog
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.groupbuy import domain
from agora.groupbuy.errors import GroupDealExists, GroupDealNotFound
from agora.groupbuy.models import GroupDeal, GroupTeam
from agora.groupbuy.queries import DealView, active_deal, deal_view
from agora.identity import Principal

_deals: Table = GroupDeal.__table__  # type: ignore[assignment]
PAST_DEALS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class DealStats:
    deal: DealView
    open_teams: int
    complete_teams: int
    failed_teams: int


@dataclass(frozen=True, slots=True)
class MerchantDeals:
    """A product's running deal (if any) and its latest ended ones, with team counts."""

    current: DealStats | None
    past: list[DealStats]


def create_deal(
    uow: UnitOfWork, *, actor: Principal, product_id: uuid.UUID, terms: domain.DealTerms
) -> DealView:
    """Put a group deal on the product: teams of ``team_size`` pay ``group_price`` for any SKU.

    Raises:
        ProductNotFound (404): not a product of the actor's store.
        InvalidInput (422): terms out of range, a group price not below the lowest SKU price.
        GroupDealExists (409): the product already has a running deal (also under a race: the
            partial unique index on running deals decides, and the loser inserts nothing).
    """
    window = terms.window_hours or get_settings().group_team_hours
    with uow:
        session = uow.session
        product = catalog.access_product(session, actor, product_id)
        domain.check_terms(terms, solo_price=product.min_price, window_hours=window)
        deal_id = new_id()
        inserted = session.execute(
            upsert_insert(session, _deals)
            .values(
                id=deal_id,
                product_id=product.id,
                store_id=product.store_id,
                team_size=terms.team_size,
                group_price=terms.group_price,
                currency=product.currency,
                window_hours=window,
                user_limit=terms.user_limit,
                stock=terms.stock,
                sold=0,
                status=domain.ACTIVE,
                created_by=actor.user_id,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(
                index_elements=["product_id"], index_where=text("status = 'active'")
            )
            .returning(_deals.c.id)
        ).first()
        if inserted is None:
            raise GroupDealExists()
        deal = session.get(GroupDeal, deal_id)
        assert deal is not None
        return deal_view(session, deal)


def end_deal(uow: UnitOfWork, *, actor: Principal, deal_id: uuid.UUID) -> DealView:
    """Stop new teams on the deal. Open teams keep their deadline and may still fill: their
    members paid in good faith. Ending an ended deal changes nothing."""
    with uow:
        session = uow.session
        deal = _merchant_deal(session, actor, deal_id)
        session.execute(
            update(_deals)
            .where(_deals.c.id == deal.id, _deals.c.status == domain.ACTIVE)
            .values(status=domain.ENDED, ended_at=utcnow())
        )
        session.refresh(deal)
        return deal_view(session, deal)


def merchant_deals(uow: UnitOfWork, *, actor: Principal, product_id: uuid.UUID) -> MerchantDeals:
    with uow.read() as session:
        product = catalog.access_product(session, actor, product_id)
        current = active_deal(session, product.id)
        past = list(
            session.scalars(
                select(GroupDeal)
                .where(GroupDeal.product_id == product.id, GroupDeal.status == domain.ENDED)
                .order_by(GroupDeal.created_at.desc(), GroupDeal.id.desc())
                .limit(PAST_DEALS_SHOWN)
            )
        )
        deals = ([current] if current else []) + past
        counts: dict[tuple[uuid.UUID, str], int] = {
            (deal_id, status): int(n)
            for deal_id, status, n in session.execute(
                select(GroupTeam.deal_id, GroupTeam.status, func.count())
                .where(GroupTeam.deal_id.in_([d.id for d in deals]))
                .group_by(GroupTeam.deal_id, GroupTeam.status)
            )
        }

        def stats(deal: GroupDeal) -> DealStats:
            return DealStats(
                deal_view(session, deal),
                counts.get((deal.id, domain.OPEN), 0),
                counts.get((deal.id, domain.COMPLETE), 0),
                counts.get((deal.id, domain.FAILED), 0),
            )

        return MerchantDeals(stats(current) if current else None, [stats(d) for d in past])


def _merchant_deal(session: Session, actor: Principal, deal_id: uuid.UUID) -> GroupDeal:
    deal = session.get(GroupDeal, deal_id)
    if deal is None:
        raise GroupDealNotFound()
    try:
        catalog.access_store(session, actor, deal.store_id)
    except catalog.StoreNotFound as exc:
        raise GroupDealNotFound() from exc
    return deal
