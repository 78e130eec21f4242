"""The merchant's side of bargains: put an offer on one SKU of a product, end it, see how it went;
and the shopper's look at a product's offer.

Only the product's store staff (or an operator) make and end offers; anyone else gets the same
not-found as for a product that does not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, update

from agora import catalog
from agora.bargain import domain
from agora.bargain.errors import OfferExists, OfferNotFound
from agora.bargain.models import BargainOffer
from agora.bargain.views import (
    OfferStats,
    OfferView,
    active_offer_of,
    offer_view,
    offers_of_product,
)
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal

_offers: Table = BargainOffer.__table__  # type: ignore[assignment]


def create_offer(
    uow: UnitOfWork,
    *,
    actor: Principal,
    product_id: uuid.UUID,
    sku_id: uuid.UUID,
    start_price: int,
    floor_price: int,
    helpers_needed: int,
    allotment: int,
    window_hours: int | None = None,
) -> OfferView:
    """Offer "help me cut the price" on one SKU of the product (store staff only).

    Raises ProductNotFound (not the actor's product), InvalidInput (a SKU of another product or
    off sale, numbers out of range: the start above the SKU's price, the floor not below the
    start, fewer fen between them than helpers), OfferExists (409: an active offer already).
    """
    hours = window_hours if window_hours is not None else get_settings().bargain_hours
    with uow:
        session = uow.session
        product = catalog.access_product(session, actor, product_id)
        sku = session.get(catalog.Sku, sku_id)
        if sku is None or sku.product_id != product.id or not sku.active:
            raise InvalidInput(
                N_("Choose one of this product's SKUs on sale."),
                errors=[{"field": "sku_id", "message": _("not a SKU of this product on sale")}],
            )
        errors = domain.offer_errors(
            sku_price=sku.price,
            start_price=start_price,
            floor_price=floor_price,
            helpers_needed=helpers_needed,
            window_hours=hours,
            allotment=allotment,
        )
        if errors:
            raise InvalidInput(N_("Check the bargain's numbers."), errors=errors)
        offer_id = new_id()
        # The partial unique index allows one active offer per product: a second one, even
        # racing the first, inserts nothing.
        inserted = session.execute(
            upsert_insert(session, _offers)
            .values(
                id=offer_id,
                product_id=product.id,
                sku_id=sku.id,
                store_id=product.store_id,
                start_price=start_price,
                floor_price=floor_price,
                currency=product.currency,
                helpers_needed=helpers_needed,
                window_hours=hours,
                allotment=allotment,
                sold=0,
                status=domain.OFFER_ACTIVE,
                created_by=actor.user_id,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
            .returning(_offers.c.id)
        ).scalar()
        if inserted is None:
            raise OfferExists()
        uow.emit(
            "bargain.offer_created",
            {"offer_id": str(offer_id), "product_id": str(product.id)},
            topics=[f"store:{product.store_id}"],
        )
        return offer_view(session, offer_id)


def end_offer(uow: UnitOfWork, *, actor: Principal, offer_id: uuid.UUID) -> OfferView:
    """End an offer: no new campaigns start under it. Campaigns already running keep their
    window and may still buy (within the allotment): their owners were promised that price.
    Ending an ended offer changes nothing. Raises OfferNotFound (not the actor's)."""
    with uow:
        session = uow.session
        offer = session.get(BargainOffer, offer_id)
        if offer is None:
            raise OfferNotFound()
        try:
            catalog.access_product(session, actor, offer.product_id)
        except catalog.ProductNotFound as exc:
            raise OfferNotFound() from exc
        session.execute(
            update(_offers)
            .where(_offers.c.id == offer_id, _offers.c.status == domain.OFFER_ACTIVE)
            .values(status=domain.OFFER_ENDED, ended_at=utcnow())
        )
        return offer_view(session, offer_id)


def product_offers(uow: UnitOfWork, *, actor: Principal, product_id: uuid.UUID) -> list[OfferStats]:
    """Every offer of the product, newest first, with campaign counts (store staff only)."""
    with uow.read() as session:
        catalog.access_product(session, actor, product_id)
        return offers_of_product(session, product_id)


def product_offer(uow: UnitOfWork, *, product_id: uuid.UUID) -> OfferView:
    """The active offer on a product on sale, as shoppers see it; else OfferNotFound."""
    with uow.read() as session:
        offer = active_offer_of(session, product_id)
    if offer is None:
        raise OfferNotFound()
    return offer
