"""Bargains as share targets: a campaign shared into a chat, onto moments or as a link shows its
product, its price now and how far the friends have come ("Help me cut: 3 of 10 friends"), and
the link lands on the campaign's page, where whoever follows it can help."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog, sharing
from agora.bargain import domain
from agora.bargain.models import Bargain, BargainOffer
from agora.bargain.views import effective_status
from agora.core.clock import utcnow

TARGET_TYPE = "bargain"


def card_label(status: str, helpers_done: int, helpers_needed: int) -> tuple[str, str]:
    """The card's line under the title, in English and Chinese."""
    if status == domain.OPEN:
        return (
            f"Help me cut: {helpers_done} of {helpers_needed} friends",
            f"帮我砍一刀：已有 {helpers_done}/{helpers_needed} 位好友",
        )
    if status == domain.EXPIRED:
        return ("Bargain ended", "砍价已结束")
    return (
        f"Cut to the lowest price by {helpers_needed} friends",
        f"{helpers_needed} 位好友帮忙，已砍到底价",
    )


class BargainTarget:
    def page_url(self, target_id: uuid.UUID) -> str:
        return f"/bargains/{target_id}"

    def cards(
        self, session: Session, target_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, sharing.TargetCard]:
        if not target_ids:
            return {}
        rows = session.execute(
            select(Bargain, catalog.Product)
            .join(BargainOffer, BargainOffer.id == Bargain.offer_id)
            .join(catalog.Product, catalog.Product.id == BargainOffer.product_id)
            .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
            .where(
                Bargain.id.in_(set(target_ids)),
                *catalog.on_sale(),
            )
        ).all()
        now = utcnow()
        cards = {}
        for bargain, product in rows:
            status = effective_status(bargain.status, bargain.expires_at, now)
            label_en, label_zh = card_label(status, bargain.helpers_done, bargain.helpers_needed)
            cards[bargain.id] = sharing.TargetCard(
                title_en=product.title_en,
                title_zh=product.title_zh,
                price=bargain.price,
                currency=bargain.currency,
                image_url=product.image_url,
                label_en=label_en,
                label_zh=label_zh,
                product_id=product.id,
            )
        return cards


sharing.register_target(TARGET_TYPE, BargainTarget())
