"""Read models of bargains: offers with their product, campaigns with their helpers.

Loaded in a few queries per page (joins, one query for all the helps), never one per row.
A live campaign whose time is up but whose deadline has not fired yet reads as expired: the
deadline only catches the row up with what the clock already says.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, and_, case, func, select
from sqlalchemy.orm import Session

from agora.bargain import domain
from agora.bargain.models import Bargain, BargainHelp, BargainOffer
from agora.catalog import Product, Sku, Store, on_sale
from agora.core.clock import utcnow
from agora.identity import User


@dataclass(frozen=True, slots=True)
class OfferView:
    id: uuid.UUID
    product_id: uuid.UUID
    sku_id: uuid.UUID
    store_id: uuid.UUID
    title_en: str
    title_zh: str | None
    image_url: str
    colour: str
    size: str
    sku_price: int
    start_price: int
    floor_price: int
    currency: str
    helpers_needed: int
    window_hours: int
    allotment: int
    sold: int
    status: str
    created_at: datetime
    ended_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status == domain.OFFER_ACTIVE

    @property
    def left(self) -> int:
        return self.allotment - self.sold


@dataclass(frozen=True, slots=True)
class OfferStats:
    """An offer as its merchant sees it: how many campaigns are in each status."""

    offer: OfferView
    campaigns: dict[str, int]


@dataclass(frozen=True, slots=True)
class HelpView:
    helper_id: uuid.UUID
    helper_name: str
    position: int
    cut: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BargainView:
    id: uuid.UUID
    offer_id: uuid.UUID
    owner_id: uuid.UUID
    owner_name: str
    product_id: uuid.UUID
    sku_id: uuid.UUID
    title_en: str
    title_zh: str | None
    image_url: str
    colour: str
    size: str
    start_price: int
    floor_price: int
    currency: str
    helpers_needed: int
    helpers_done: int
    price: int
    status: str
    """``open``, ``reached``, ``ordered`` or ``expired`` — expired as soon as the time is up."""
    created_at: datetime
    expires_at: datetime
    reached_at: datetime | None
    order_id: uuid.UUID | None
    helps: tuple[HelpView, ...] = ()
    """Every help, first helper first (empty in lists of campaigns)."""

    @property
    def cut_so_far(self) -> int:
        return self.start_price - self.price

    @property
    def to_go(self) -> int:
        return self.price - self.floor_price

    @property
    def helpers_left(self) -> int:
        return self.helpers_needed - self.helpers_done

    @property
    def percent(self) -> int:
        """Of the friends needed, how many have helped, in whole percent: the bar beside "3 of
        8 friends helped" fills from the same count it states (the cuts are of random sizes,
        so the price's progress would disagree with it)."""
        return self.helpers_done * 100 // self.helpers_needed

    def helped_by(self, user_id: uuid.UUID) -> bool:
        return any(h.helper_id == user_id for h in self.helps)


def effective_status(status: str, expires_at: datetime, now: datetime) -> str:
    return domain.EXPIRED if status in domain.LIVE and expires_at <= now else status


def _offer_query() -> Select[BargainOffer, Product, Sku]:
    return (
        select(BargainOffer, Product, Sku)
        .join(Product, Product.id == BargainOffer.product_id)
        .join(Sku, Sku.id == BargainOffer.sku_id)
    )


def _offer_view(offer: BargainOffer, product: Product, sku: Sku) -> OfferView:
    return OfferView(
        id=offer.id,
        product_id=product.id,
        sku_id=sku.id,
        store_id=offer.store_id,
        title_en=product.title_en,
        title_zh=product.title_zh,
        image_url=sku.image_url or product.image_url,
        colour=sku.colour,
        size=sku.size,
        sku_price=sku.price,
        start_price=offer.start_price,
        floor_price=offer.floor_price,
        currency=offer.currency,
        helpers_needed=offer.helpers_needed,
        window_hours=offer.window_hours,
        allotment=offer.allotment,
        sold=offer.sold,
        status=offer.status,
        created_at=offer.created_at,
        ended_at=offer.ended_at,
    )


def offer_view(session: Session, offer_id: uuid.UUID) -> OfferView:
    row = session.execute(
        _offer_query().where(BargainOffer.id == offer_id).execution_options(populate_existing=True)
    ).one()
    return _offer_view(*row)


def active_offer_of(session: Session, product_id: uuid.UUID) -> OfferView | None:
    """The product's active offer if shoppers may see it (product and store on sale)."""
    row = session.execute(
        _offer_query()
        .join(Store, Store.id == Product.store_id)
        .where(
            BargainOffer.product_id == product_id,
            BargainOffer.status == domain.OFFER_ACTIVE,
            *on_sale(),
        )
    ).first()
    return _offer_view(*row) if row else None


def offers_of_product(session: Session, product_id: uuid.UUID) -> list[OfferStats]:
    """Every offer the product has had, newest first, with its campaigns counted by status."""
    rows = session.execute(
        _offer_query()
        .where(BargainOffer.product_id == product_id)
        .order_by(BargainOffer.created_at.desc(), BargainOffer.id.desc())
    ).all()
    ids = [row[0].id for row in rows]
    counts: dict[uuid.UUID, dict[str, int]] = {offer_id: {} for offer_id in ids}
    if ids:
        shown = case(
            (
                and_(Bargain.status.in_(domain.LIVE), Bargain.expires_at <= utcnow()),
                domain.EXPIRED,
            ),
            else_=Bargain.status,
        )
        for offer_id, status, n in session.execute(
            select(Bargain.offer_id, shown, func.count())
            .where(Bargain.offer_id.in_(ids))
            .group_by(Bargain.offer_id, shown)
        ):
            counts[offer_id][status] = int(n)
    return [OfferStats(_offer_view(*row), counts[row[0].id]) for row in rows]


def _bargain_query() -> Select[Bargain, BargainOffer, Product, Sku, User]:
    return (
        select(Bargain, BargainOffer, Product, Sku, User)
        .join(BargainOffer, BargainOffer.id == Bargain.offer_id)
        .join(Product, Product.id == BargainOffer.product_id)
        .join(Sku, Sku.id == BargainOffer.sku_id)
        .join(User, User.id == Bargain.user_id)
    )


def _views(
    session: Session,
    rows: Sequence[Row[Bargain, BargainOffer, Product, Sku, User]],
    *,
    with_helps: bool,
) -> list[BargainView]:
    helps: dict[uuid.UUID, list[HelpView]] = {row[0].id: [] for row in rows}
    if with_helps and helps:
        for help_row, name in session.execute(
            select(BargainHelp, User.display_name)
            .join(User, User.id == BargainHelp.helper_id)
            .where(BargainHelp.bargain_id.in_(list(helps)))
            .order_by(BargainHelp.bargain_id, BargainHelp.position)
        ):
            helps[help_row.bargain_id].append(
                HelpView(
                    helper_id=help_row.helper_id,
                    helper_name=name,
                    position=help_row.position,
                    cut=help_row.cut,
                    created_at=help_row.created_at,
                )
            )
    now = utcnow()
    return [
        BargainView(
            id=bargain.id,
            offer_id=offer.id,
            owner_id=bargain.user_id,
            owner_name=owner.display_name,
            product_id=product.id,
            sku_id=sku.id,
            title_en=product.title_en,
            title_zh=product.title_zh,
            image_url=sku.image_url or product.image_url,
            colour=sku.colour,
            size=sku.size,
            start_price=bargain.start_price,
            floor_price=bargain.floor_price,
            currency=bargain.currency,
            helpers_needed=bargain.helpers_needed,
            helpers_done=bargain.helpers_done,
            price=bargain.price,
            status=effective_status(bargain.status, bargain.expires_at, now),
            created_at=bargain.created_at,
            expires_at=bargain.expires_at,
            reached_at=bargain.reached_at,
            order_id=bargain.order_id,
            helps=tuple(helps[bargain.id]),
        )
        for bargain, offer, product, sku, owner in rows
    ]


def bargain_view(session: Session, bargain_id: uuid.UUID) -> BargainView | None:
    row = session.execute(
        _bargain_query().where(Bargain.id == bargain_id).execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None
    return _views(session, [row], with_helps=True)[0]


def bargains_of(session: Session, user_id: uuid.UUID, *, limit: int) -> list[BargainView]:
    rows = session.execute(
        _bargain_query()
        .where(Bargain.user_id == user_id)
        .order_by(Bargain.created_at.desc(), Bargain.id.desc())
        .limit(limit)
    ).all()
    return _views(session, rows, with_helps=False)


def live_bargain_of(
    session: Session, user_id: uuid.UUID, offer_id: uuid.UUID
) -> BargainView | None:
    """The user's campaign under the offer that is not expired (at most one), if any."""
    row = session.execute(
        _bargain_query().where(
            Bargain.user_id == user_id,
            Bargain.offer_id == offer_id,
            Bargain.status != domain.EXPIRED,
        )
    ).first()
    if row is None:
        return None
    view = _views(session, [row], with_helps=False)[0]
    return None if view.status == domain.EXPIRED else view
