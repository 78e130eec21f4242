"""Who may see which team or deal.

A team is as public as its product: anyone may look at it (the share link lands there, strangers
join from the product page) while the product and its store are on sale. Once they are not, only
the team's members, the store's staff and operators still see it; anyone else gets the same
not-found as for a team that does not exist. A deal is seen while its product is on sale, and
always by its store's staff and operators.

The checks a join makes run as prepared statements (core.prepared): every join, refused or not,
reads its team through :func:`access_join`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from agora import catalog
from agora.core.prepared import Prepared
from agora.groupbuy.errors import GroupDealNotFound, TeamNotFound
from agora.groupbuy.models import GroupDeal, GroupTeam, GroupTeamMember
from agora.identity import Principal

_teams: Table = GroupTeam.__table__  # type: ignore[assignment]
_deals: Table = GroupDeal.__table__  # type: ignore[assignment]
_members: Table = GroupTeamMember.__table__  # type: ignore[assignment]
_products: Table = catalog.Product.__table__  # type: ignore[assignment]
_stores: Table = catalog.Store.__table__  # type: ignore[assignment]
_skus: Table = catalog.Sku.__table__  # type: ignore[assignment]
_staff: Table = catalog.StoreStaff.__table__  # type: ignore[assignment]

# The status of a product, and of its store, that shoppers may buy from (catalog.on_sale()).
ON_SALE = "active"


@dataclass(frozen=True, slots=True)
class JoinTarget:
    """What a join needs of a team, its deal and its product: the figures that do not change
    while the team is open (its places are the guarded seat update's)."""

    id: uuid.UUID
    deal_id: uuid.UUID
    leader_id: uuid.UUID
    size: int
    expires_at: datetime
    created_at: datetime
    product_id: uuid.UUID
    store_id: uuid.UUID
    group_price: int
    currency: str
    user_limit: int
    title_en: str
    title_zh: str | None
    image_url: str
    solo_price: int
    sku_in_deal: bool
    """The SKU the joiner chose is one of the deal's product."""


_ON_SALE = Prepared(
    select(_products.c.id)
    .join(_stores, _stores.c.id == _products.c.store_id)
    .where(_products.c.id == bindparam("product_id"), *catalog.on_sale())
)
_STAFF = Prepared(
    select(_staff.c.user_id).where(
        _staff.c.store_id == bindparam("store_id"), _staff.c.user_id == bindparam("user_id")
    )
)
_MEMBER = Prepared(
    select(_members.c.user_id).where(
        _members.c.team_id == bindparam("team_id"), _members.c.user_id == bindparam("user_id")
    )
)
# What the access check reads, then JoinTarget's fields after the team's id, in their order: one
# statement for a join to a team on sale, the common case.
_JOIN_TARGET = Prepared(
    select(
        _products.c.status.label("product_status"),
        _stores.c.status.label("store_status"),
        _teams.c.deal_id,
        _teams.c.leader_id,
        _teams.c.size,
        _teams.c.expires_at,
        _teams.c.created_at,
        _deals.c.product_id,
        _deals.c.store_id,
        _deals.c.group_price,
        _deals.c.currency,
        _deals.c.user_limit,
        _products.c.title_en,
        _products.c.title_zh,
        _products.c.image_url,
        _products.c.min_price,
        _skus.c.id.is_not(None).label("sku_in_deal"),
    )
    .select_from(
        _teams.join(_deals, _deals.c.id == _teams.c.deal_id)
        .join(_products, _products.c.id == _deals.c.product_id)
        .join(_stores, _stores.c.id == _products.c.store_id)
        .outerjoin(
            _skus,
            and_(_skus.c.id == bindparam("sku_id"), _skus.c.product_id == _deals.c.product_id),
        )
    )
    .where(_teams.c.id == bindparam("team_id"))
)


def product_on_sale(session: Session, product_id: uuid.UUID) -> bool:
    return _ON_SALE.first(session, {"product_id": product_id}) is not None


def access_team(
    session: Session, actor: Principal | None, team_id: uuid.UUID
) -> tuple[GroupTeam, GroupDeal]:
    """The team and its deal if the actor may see them (see the module docstring); one query
    for a team on sale, the common case."""
    row = session.execute(
        select(GroupTeam, GroupDeal, catalog.Product.status, catalog.Store.status)
        .join(GroupDeal, GroupDeal.id == GroupTeam.deal_id)
        .join(catalog.Product, catalog.Product.id == GroupDeal.product_id)
        .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
        .where(GroupTeam.id == team_id)
    ).first()
    if row is None:
        raise TeamNotFound()
    team, deal, product_status, store_status = row
    if not _may_see(session, actor, team_id, deal.store_id, product_status, store_status):
        raise TeamNotFound()
    return team, deal


def access_join(
    session: Session, actor: Principal, team_id: uuid.UUID, sku_id: uuid.UUID
) -> JoinTarget:
    """:func:`access_team` for a join, loading no models: the team's fixed figures, its deal's
    and its product's, and whether ``sku_id`` is the product's."""
    row = _JOIN_TARGET.first(session, {"team_id": team_id, "sku_id": sku_id})
    if row is None:
        raise TeamNotFound()
    product_status, store_status, *figures = row
    target = JoinTarget(team_id, *figures)
    if not _may_see(session, actor, team_id, target.store_id, product_status, store_status):
        raise TeamNotFound()
    return target


def access_deal(session: Session, actor: Principal | None, deal_id: uuid.UUID) -> GroupDeal:
    """A deal anyone may see while its product is on sale (staff and operators: always)."""
    deal = session.get(GroupDeal, deal_id)
    if deal is None:
        raise GroupDealNotFound()
    if not product_on_sale(session, deal.product_id) and not _is_staff(
        session, actor, deal.store_id
    ):
        raise GroupDealNotFound()
    return deal


def _may_see(
    session: Session,
    actor: Principal | None,
    team_id: uuid.UUID,
    store_id: uuid.UUID,
    product_status: str,
    store_status: str,
) -> bool:
    if product_status == ON_SALE and store_status == ON_SALE:
        return True
    return _is_staff(session, actor, store_id) or _is_member(session, actor, team_id)


def _is_staff(session: Session, actor: Principal | None, store_id: uuid.UUID) -> bool:
    if actor is None:
        return False
    if actor.is_operator:
        return True
    return _STAFF.first(session, {"store_id": store_id, "user_id": actor.user_id}) is not None


def _is_member(session: Session, actor: Principal | None, team_id: uuid.UUID) -> bool:
    if actor is None:
        return False
    return _MEMBER.first(session, {"team_id": team_id, "user_id": actor.user_id}) is not None
