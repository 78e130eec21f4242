"""Candidate products for what the assistant understood: catalog search, one card per product.

A preference may name several categories (a "coat" is a women's or a men's coat) and several
colours, and search takes one of each, so each pair is one search and the hits are merged by
sales (with no colour asked for, the colours take turns). Each card then shows the variant that
fits: a colour the shopper asked for (or any colour not excluded), within the price range, at
its own price — so the price on the card is what the shopper would pay for what they asked for,
and "too expensive" is measured against it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from agora import catalog
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork

LIMIT = 6
# Searched per (category, colour) pair: enough that excluded colours and prices beyond the range
# still leave ``LIMIT`` cards after filtering.
_PER_SEARCH = LIMIT * 4


@dataclass(frozen=True, slots=True)
class Card:
    product_id: uuid.UUID
    title_en: str
    title_zh: str | None
    price: int
    image_url: str
    colour: str
    """The colour of the variant shown (and priced)."""

    @property
    def url(self) -> str:
        return f"/p/{self.product_id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "product_id": str(self.product_id),
            "title": {"en": self.title_en, "zh": self.title_zh or self.title_en},
            "price": self.price,
            "price_text": price_text(self.price),
            "image_url": self.image_url,
            "colour": self.colour,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Wanted:
    """What to search for, resolved from the preferences: category slugs, colours, a range."""

    categories: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()
    min_price: int | None = None
    max_price: int | None = None

    def is_empty(self) -> bool:
        return not (self.categories or self.colours or self.max_price or self.min_price)


def price_text(amount: int) -> str:
    """¥420 for whole yuan (as shops print prices), ¥419.50 otherwise."""
    text = format_amount(amount)
    return text[:-3] if text.endswith(".00") else text


def find_cards(uow: UnitOfWork, wanted: Wanted, *, limit: int = LIMIT) -> list[Card]:
    """Up to ``limit`` products that fit ``wanted``, best sellers first; none for nothing wanted."""
    if wanted.is_empty():
        return []
    found: dict[uuid.UUID, catalog.ProductCard] = {}
    for slug in wanted.categories or (None,):
        for colour in wanted.colours or (None,):
            page = catalog.search_products(
                uow,
                catalog.SearchParams(
                    category=slug,
                    colour=colour,
                    price_min=wanted.min_price,
                    price_max=wanted.max_price,
                    sort="sales",
                    limit=_PER_SEARCH,
                ),
            )
            for item in page.items:
                found.setdefault(item.id, item)
    if not found:
        return []
    variants = _variants(uow, found)
    ranked = sorted(found.values(), key=lambda item: (-item.sales_count, str(item.id)))
    cards: list[Card] = []
    for item in ranked:
        fitting = [v for v in variants.get(item.id, ()) if _fits(v, wanted)]
        if not fitting:
            continue
        colour, price, image = min(fitting, key=lambda v: (v[1], v[0]))
        cards.append(
            Card(
                product_id=item.id,
                title_en=item.title_en,
                title_zh=item.title_zh,
                price=price,
                image_url=image or item.image_url,
                colour=colour,
            )
        )
    if not wanted.colours:
        cards = _mixed(cards)
    return cards[:limit]


def _mixed(cards: list[Card]) -> list[Card]:
    """With no colour asked for, the best seller of each colour first, then the second of each
    ...: six cards show the range, not six of one colour that happens to sell best."""
    by_colour: dict[str, list[Card]] = {}
    for card in cards:
        by_colour.setdefault(card.colour, []).append(card)
    mixed: list[Card] = []
    for rank in range(max((len(group) for group in by_colour.values()), default=0)):
        mixed.extend(group[rank] for group in by_colour.values() if rank < len(group))
    return mixed


def _fits(variant: tuple[str, int, str | None], wanted: Wanted) -> bool:
    colour, price, _ = variant
    if colour in wanted.excluded or (wanted.colours and colour not in wanted.colours):
        return False
    if wanted.max_price is not None and price > wanted.max_price:
        return False
    return wanted.min_price is None or price >= wanted.min_price


def _variants(
    uow: UnitOfWork, products: Iterable[uuid.UUID]
) -> Mapping[uuid.UUID, Sequence[tuple[str, int, str | None]]]:
    """(colour, price, image) of each product's variants on sale, in one query."""
    sku = catalog.Sku
    with uow.read() as session:
        rows = session.execute(
            select(sku.product_id, sku.colour, sku.price, sku.image_url).where(
                sku.product_id.in_(list(products)), sku.active.is_(True)
            )
        ).all()
    variants: dict[uuid.UUID, list[tuple[str, int, str | None]]] = defaultdict(list)
    for product_id, colour, price, image in rows:
        variants[product_id].append((colour, price, image))
    return variants
