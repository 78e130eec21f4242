"""The demo's bargains: two stores offer "help me cut the price" on one product each; Lin Mei has
a campaign three of eight friends have helped (so her page has helpers and a share panel), and
Wang Lei's campaign has reached its floor (so he sees "Buy at ¥…").

Everything goes through the public use cases on the real clock, acting as the stores' owners
and the demo shoppers. Each step runs once: it is recorded as an idempotency key
(``agora-demo:bargain-<step>``) in its own transaction, so a re-run does only what is missing.
A step that people made moot by hand (an offer already on the product, a friend who already
helped, a campaign closed meanwhile) is recorded as skipped. Campaigns run 24 hours like any;
after that the pages show them as expired and a re-run does not start new ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select

from agora import bargain, catalog
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, run_once, store_owner
from agora.demo.trading import CHEN, SHOPPER, WANG, ZHAO, picks
from agora.identity import Principal, User

STEP_PREFIX = "agora-demo:bargain-"


@dataclass(frozen=True, slots=True)
class DemoOffer:
    key: str
    store_key: str
    floor_price: int  # fen; the start is the SKU's own price
    helpers: int
    allotment: int


OFFERS = (
    DemoOffer("watch", "lumen-digital", 9900, 8, 20),
    DemoOffer("bear", "warm-home", 1990, 3, 10),
)
# Campaigns: (owner, offer, the friends who help in order).
CAMPAIGNS = (
    (SHOPPER, "watch", (WANG, CHEN, ZHAO)),
    (WANG, "bear", (SHOPPER, CHEN, ZHAO)),
)


def seed_bargain(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Play the demo's bargains once; returns how many steps there are and how many ran now
    (0 on a database that already has them all)."""
    people = {email: principal(user) for email, user in shoppers.items()}
    ran: list[bool] = []

    def once(actor: Principal, step: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        fresh, body = run_once(uow, actor, f"{STEP_PREFIX}{step}", action)
        ran.append(fresh)
        return dict(body)

    offers: dict[str, str] = {}
    for demo in OFFERS:
        owner = store_owner(uow, stores[demo.store_key].id)
        body = once(owner, f"offer-{demo.key}", partial(_offer, uow, owner, demo))
        offers[demo.key] = body["offer_id"]
    for owner_email, offer_key, helpers in CAMPAIGNS:
        owner = people[owner_email]
        started = once(owner, f"start-{offer_key}", partial(_start, uow, owner, offers[offer_key]))
        campaign_id = started.get("bargain_id")
        for helper_email in helpers:
            helper = people[helper_email]
            once(
                helper,
                f"help-{offer_key}-{owner_email}",
                partial(_help, uow, helper, campaign_id),
            )
    return {
        "bargain_offers": len(OFFERS),
        "bargain_campaigns": len(CAMPAIGNS),
        "bargain_steps": len(ran),
        "bargain_steps_run": sum(ran),
    }


def _offer(uow: UnitOfWork, owner: Principal, demo: DemoOffer) -> dict[str, Any]:
    product, sku = picks(demo.store_key)[-1]
    with uow.read() as session:
        found = session.execute(
            select(catalog.Product.id, catalog.Sku.id)
            .join(catalog.Sku, catalog.Sku.product_id == catalog.Product.id)
            .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
            .where(
                catalog.Store.slug == demo.store_key,
                catalog.Product.title_en == product.title_en,
                catalog.Sku.colour == sku.colour,
                catalog.Sku.size == (sku.size or ""),
            )
        ).first()
    if found is None:
        raise RuntimeError(f"the demo product {product.key} is not in the database")
    product_id, sku_id = found
    try:
        existing = bargain.product_offer(uow, product_id=product_id)
    except bargain.OfferNotFound:
        existing = None
    if existing is not None:
        return {"offer_id": str(existing.id), "skipped": "an offer is already on"}
    offer = bargain.create_offer(
        uow,
        actor=owner,
        product_id=product_id,
        sku_id=sku_id,
        start_price=sku.price,
        floor_price=demo.floor_price,
        helpers_needed=demo.helpers,
        allotment=demo.allotment,
    )
    return {"offer_id": str(offer.id)}


def _start(uow: UnitOfWork, owner: Principal, offer_id: str) -> dict[str, Any]:
    live = bargain.my_live_bargain(uow, actor=owner, offer_id=uuid.UUID(offer_id))
    if live is not None:
        return {"bargain_id": str(live.id), "skipped": "already bargaining"}
    try:
        started = bargain.start_bargain(uow, actor=owner, offer_id=uuid.UUID(offer_id))
    except (bargain.OfferEnded, bargain.OfferSoldOut, bargain.OfferNotFound) as refused:
        return {"skipped": refused.code}
    return {"bargain_id": str(started.bargain.id)}


def _help(uow: UnitOfWork, helper: Principal, campaign_id: str | None) -> dict[str, Any]:
    if campaign_id is None:
        return {"skipped": "no campaign"}
    view = bargain.access_bargain(uow, actor=helper, bargain_id=uuid.UUID(campaign_id))
    if view.status != "open" or view.helped_by(helper.user_id) or view.owner_id == helper.user_id:
        return {"skipped": view.status}
    helped = bargain.help_bargain(uow, actor=helper, bargain_id=view.id)
    return {"position": helped.position, "cut": helped.cut}
