"""What can be shared: a registry of target types, each knowing its page and its card.

Products register here; group-buying teams, bargains and live rooms register their own type
from their packages later (``register_target``), and every share, visit and card works for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog
from agora.core.errors import N_, InvalidInput
from agora.sharing.errors import TargetNotFound

PRODUCT = "product"


@dataclass(frozen=True, slots=True)
class TargetCard:
    """What a share card shows of its target, frozen when the card is made."""

    title_en: str
    title_zh: str | None
    price: int | None
    currency: str
    image_url: str | None
    # A line under the title that says what kind of thing this is and where it stands, for
    # targets other than products: "Team of 3 · 2 places left", "Help me cut: 3 of 10".
    label_en: str | None = None
    label_zh: str | None = None
    # The product a team or a bargain is about: a moment shows it as its card, linked through
    # the share (a product's own card names itself).
    product_id: uuid.UUID | None = None


class ShareTarget(Protocol):
    def page_url(self, target_id: uuid.UUID) -> str:
        """Where a visit to a share of this target lands (a same-site path)."""
        ...

    def cards(self, session: Session, target_ids: list[uuid.UUID]) -> dict[uuid.UUID, TargetCard]:
        """The cards of those targets anyone may see now (the others are left out)."""
        ...


_targets: dict[str, ShareTarget] = {}


def register_target(target_type: str, target: ShareTarget) -> None:
    _targets[target_type] = target


def target_of(target_type: str) -> ShareTarget:
    target = _targets.get(target_type)
    if target is None:
        raise InvalidInput(
            N_("This kind of thing cannot be shared."),
            errors=[{"field": "target_type", "message": "unknown target type"}],
        )
    return target


def target_types() -> list[str]:
    return sorted(_targets)


def card_of(session: Session, target_type: str, target_id: uuid.UUID) -> TargetCard:
    """The card of one target; TargetNotFound if it is gone or hidden."""
    card = target_of(target_type).cards(session, [target_id]).get(target_id)
    if card is None:
        raise TargetNotFound()
    return card


class ProductTarget:
    def page_url(self, target_id: uuid.UUID) -> str:
        return f"/p/{target_id}"

    def cards(self, session: Session, target_ids: list[uuid.UUID]) -> dict[uuid.UUID, TargetCard]:
        if not target_ids:
            return {}
        rows = session.execute(
            select(catalog.Product)
            .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
            .where(
                catalog.Product.id.in_(set(target_ids)),
                *catalog.on_sale(),
            )
        ).scalars()
        return {
            product.id: TargetCard(
                title_en=product.title_en,
                title_zh=product.title_zh,
                price=product.min_price,
                currency=product.currency,
                image_url=product.image_url,
                product_id=product.id,
            )
            for product in rows
        }


register_target(PRODUCT, ProductTarget())
