"""The demo's behaviour events: the demo shoppers and two hundred generated ones switch
personalised recommendations on and have weeks of browsing behind them.

Each shopper has a taste — a few favourite categories, colours they choose, a price tier — and
browses in sessions: a category, a handful of products in it near their tier and colours, now and
then one put in the cart, liked or shared, a search first, an unwanted one dismissed. Purchases are
those of the demo's real paid orders, at the unit price paid, so the profile's price levels rest on
orders that exist. Deterministic (a seeded generator over the catalog in key order) and inserted in
bulk, a few thousand rows per statement; run once (a second ``agora demo`` finds the events).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import delete, func, insert, select

from agora import catalog, ordering, privacy, recommendations
from agora.core.clock import utcnow
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.demo.social import LIU
from agora.demo.steps import principal, relay
from agora.identity import User

SEED = 16
GENERATED = 200
DAYS = 60
GENERATED_DOMAIN = "shoppers.agora.demo"
CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class Taste:
    categories: tuple[str, ...]  # favourite leaf categories, most loved first
    colours: tuple[str, ...]
    tier: float  # 0 cheapest .. 1 dearest, where in a category's prices they look
    events: int


TASTES: dict[str, Taste] = {
    # Lin Mei: women's coats in red above all, dresses and heels to go with them.
    "shopper@agora.demo": Taste(
        ("womens-coats", "dresses", "heels", "handbags", "lipstick"), ("red", "black"), 0.6, 700
    ),
    "wang.lei@agora.demo": Taste(
        ("phones", "audio", "laptops", "watches", "sneakers"), ("black", "silver", "grey"), 0.7, 600
    ),
    "chen.jing@agora.demo": Taste(
        ("bedding", "mugs", "cookware", "lighting", "tea"), ("beige", "white"), 0.45, 450
    ),
    "zhao.yu@agora.demo": Taste(
        ("sneakers", "hoodies", "backpacks", "yoga", "mens-tshirts"), ("white", "blue"), 0.35, 400
    ),
    LIU: Taste(
        ("mens-coats", "mens-jackets", "boots", "jeans"), ("navy", "khaki", "black"), 0.5, 300
    ),
}

# How generated shoppers' tastes cluster: people who like one of a group tend to like the others.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("womens-coats", "dresses", "womens-tops", "skirts", "heels", "handbags"),
    ("mens-coats", "mens-jackets", "mens-shirts", "jeans", "boots"),
    ("mens-tshirts", "hoodies", "sneakers", "backpacks", "balls"),
    ("phones", "audio", "laptops", "watches"),
    ("mugs", "cookware", "bedding", "lighting"),
    ("lipstick", "skincare", "fragrance"),
    ("snacks", "tea", "mugs"),
    ("yoga", "balls", "toys", "sneakers"),
)
_COLOUR_MOODS: tuple[tuple[str, ...], ...] = (
    ("red", "black"),
    ("black", "grey", "navy"),
    ("white", "beige"),
    ("blue", "navy", "white"),
    ("pink", "purple", "white"),
    ("green", "khaki", "brown"),
    ("black", "silver"),
    ("yellow", "orange", "red"),
)
_SURNAMES = (
    ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"), ("Huang", "黄"),
    ("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"), ("Zhu", "朱"),
    ("Hu", "胡"), ("Guo", "郭"), ("He", "何"), ("Lin", "林"), ("Luo", "罗"), ("Gao", "高"),
)  # fmt: skip
_GIVEN = (
    ("Hao", "浩"), ("Jing", "静"), ("Min", "敏"), ("Wei", "伟"), ("Fang", "芳"), ("Lei", "磊"),
    ("Yan", "燕"), ("Jun", "军"), ("Xin", "欣"), ("Tao", "涛"), ("Ying", "颖"), ("Bo", "博"),
    ("Qian", "倩"), ("Yu", "宇"), ("Lan", "兰"), ("Kai", "凯"), ("Na", "娜"), ("Chao", "超"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Item:
    id: uuid.UUID
    category: str
    price: int
    colours: frozenset[str]


@dataclass
class _Catalog:
    by_category: dict[str, list[_Item]]  # each sorted by price
    names: dict[str, tuple[str, str]]  # slug -> (English, Chinese)

    def leaves(self) -> list[str]:
        return sorted(self.by_category)


def seed_behaviour(uow: UnitOfWork, *, shoppers: Mapping[str, User], **_: Any) -> dict[str, Any]:
    """Consents and behaviour events for the demo shoppers and generated ones (once)."""
    # The generated shoppers mark a finished run (a purchase the relay recorded would not:
    # it may exist before this part ever ran).
    with uow.read() as session:
        done = session.scalar(
            select(func.count()).select_from(User).where(User.email == _generated_email(0))
        )
    if done:
        return {"behaviour_events": 0}
    # What the relay still holds (orders paid moments ago) is handled first; then everything in
    # one transaction, so a run that fails leaves nothing and the next starts afresh.
    relay(uow)
    items = _load_catalog(uow)
    if not items.by_category:
        return {"behaviour_events": 0}
    named = {email: user for email, user in shoppers.items() if email in TASTES}
    with uow.read() as session:
        liu = session.scalar(select(User).where(User.email == LIU))
    if liu is not None:
        named[LIU] = liu
    buyers = [user.id for user in named.values()]
    rng = Random(SEED)
    now = utcnow()
    with uow:
        for user in named.values():
            privacy.set_consent(
                uow,
                actor=principal(user),
                kind=privacy.PERSONALISED_RECOMMENDATIONS,
                granted=True,
            )
        rows: list[dict[str, Any]] = []
        for email in sorted(named):
            rows.extend(_browse(rng, items, named[email].id, TASTES[email], now))
        generated = _generated_shoppers(uow, rng, now)
        for user_id, taste in generated:
            rows.extend(_browse(rng, items, user_id, taste, now))
        # A purchase the relay recorded already (a consent given earlier in the demo) is among
        # those read from the orders: written once, from the orders.
        uow.session.execute(
            delete(recommendations.BehaviourEvent).where(
                recommendations.BehaviourEvent.user_id.in_(buyers),
                recommendations.BehaviourEvent.kind == recommendations.PURCHASE,
            )
        )
        rows.extend(_purchases(uow, buyers))
        for start in range(0, len(rows), CHUNK):
            uow.session.execute(insert(recommendations.BehaviourEvent), rows[start : start + CHUNK])
    return {"behaviour_events": len(rows), "behaviour_shoppers": len(named) + len(generated)}


def _load_catalog(uow: UnitOfWork) -> _Catalog:
    """Every active product with its leaf category, lowest price and colours (one statement)."""
    product, sku, category = catalog.Product, catalog.Sku, catalog.Category
    found: dict[uuid.UUID, tuple[str, int, set[str]]] = {}
    names: dict[str, tuple[str, str]] = {}
    with uow.read() as session:
        for product_id, slug, name_en, name_zh, price, colour in session.execute(
            select(
                product.id,
                category.slug,
                category.name_en,
                category.name_zh,
                product.min_price,
                sku.colour,
            )
            .join(category, category.id == product.category_id)
            .join(sku, sku.product_id == product.id)
            .where(product.status == "active", sku.active.is_(True))
            .order_by(product.id)
        ):
            names[slug] = (name_en, name_zh or name_en)
            entry = found.setdefault(product_id, (slug, price, set()))
            if colour:
                entry[2].add(colour)
    by_category: dict[str, list[_Item]] = defaultdict(list)
    for product_id, (slug, price, colours) in found.items():
        by_category[slug].append(_Item(product_id, slug, price, frozenset(colours)))
    for listed in by_category.values():
        listed.sort(key=lambda item: (item.price, str(item.id)))
    return _Catalog(dict(by_category), names)


def _generated_shoppers(
    uow: UnitOfWork, rng: Random, now: datetime
) -> list[tuple[uuid.UUID, Taste]]:
    """Two hundred shoppers who never sign in (no password), each with a taste and the
    consent given when they joined; inserted in bulk."""
    users: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    tastes: list[tuple[uuid.UUID, Taste]] = []
    for n in range(GENERATED):
        (surname_en, surname_zh), (given_en, given_zh) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        user_id = new_id()
        joined = now - timedelta(days=DAYS + rng.randint(1, 300))
        users.append(
            {
                "id": user_id,
                "email": _generated_email(n),
                "password_hash": None,
                "display_name": f"{surname_en} {given_en} {surname_zh}{given_zh}",
                "is_operator": False,
                "status": "active",
                "created_at": joined,
            }
        )
        kind = privacy.PERSONALISED_RECOMMENDATIONS
        consents.append({"user_id": user_id, "kind": kind, "granted": True, "changed_at": joined})
        log.append(
            {
                "id": new_id(),
                "user_id": user_id,
                "kind": kind,
                "granted": True,
                "changed_at": joined,
            }
        )
        group = rng.choice(_GROUPS)
        favourites = rng.sample(group, k=min(len(group), rng.randint(2, 4)))
        if rng.random() < 0.3:  # some cross over into another world
            favourites.append(rng.choice(rng.choice(_GROUPS)))
        tastes.append(
            (
                user_id,
                Taste(
                    tuple(dict.fromkeys(favourites)),
                    rng.choice(_COLOUR_MOODS),
                    min(0.95, max(0.05, rng.gauss(0.5, 0.22))),
                    int(rng.lognormvariate(4.0, 0.5)) + 15,
                ),
            )
        )
    with uow:
        session = uow.session
        session.execute(insert(User), users)
        session.execute(insert(privacy.Consent), consents)
        session.execute(insert(privacy.ConsentLogEntry), log)
    return tastes


def _generated_email(n: int) -> str:
    return f"shopper{n + 1:03d}@{GENERATED_DOMAIN}"


def _browse(
    rng: Random, items: _Catalog, user_id: uuid.UUID, taste: Taste, now: datetime
) -> list[dict[str, Any]]:
    """About ``taste.events`` events in sessions over the last ``DAYS`` days, recent ones
    more frequent."""
    favourites = [slug for slug in taste.categories if slug in items.by_category]
    if not favourites:  # a small catalog (tests list only some products): what there is
        favourites = rng.sample(items.leaves(), k=min(2, len(items.by_category)))
    weights = [1 / (rank + 1) for rank in range(len(favourites))]
    rows: list[dict[str, Any]] = []
    while len(rows) < taste.events:
        # Sessions cluster in the recent weeks: the age is drawn from a decaying distribution.
        age = min(DAYS - 0.01, rng.expovariate(1 / 18))
        at = now - timedelta(days=age, minutes=rng.randint(0, 600))
        wander = rng.random() < 0.12
        slug = rng.choice(items.leaves()) if wander else rng.choices(favourites, weights=weights)[0]
        shelf = items.by_category[slug]
        if not wander and rng.random() < 0.35:
            name_en, name_zh = items.names[slug]
            words = name_zh if rng.random() < 0.5 else name_en.lower()
            colour = rng.choice(taste.colours)
            query = f"{colour} {words}" if rng.random() < 0.4 else words
            rows.append(_row(user_id, recommendations.SEARCH, None, at, query=query))
        for step in range(rng.randint(2, 7)):
            item = _pick(rng, shelf, taste)
            moment = at + timedelta(minutes=step * rng.randint(1, 4))
            rows.append(_row(user_id, recommendations.VIEW, item.id, moment))
            roll = rng.random()
            if wander and roll < 0.25:
                rows.append(_row(user_id, recommendations.DISMISS, item.id, moment))
            elif roll < 0.08:
                rows.append(_row(user_id, recommendations.CART, item.id, moment))
            elif roll < 0.12:
                rows.append(_row(user_id, recommendations.LIKE, item.id, moment))
            elif roll < 0.14:
                rows.append(_row(user_id, recommendations.SHARE, item.id, moment))
    return rows


def _pick(rng: Random, shelf: Sequence[_Item], taste: Taste) -> _Item:
    """A product near the shopper's price tier in the category, in their colours if possible."""
    spread = max(1.0, len(shelf) * 0.15)
    index = round(rng.gauss(taste.tier * (len(shelf) - 1), spread))
    index = max(0, min(len(shelf) - 1, index))
    if rng.random() < 0.7:
        window = shelf[max(0, index - 3) : index + 4]
        liked = [item for item in window if item.colours & set(taste.colours)]
        if liked:
            return rng.choice(liked)
    return shelf[index]


def _purchases(uow: UnitOfWork, user_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """One purchase event per product of each paid order of ``user_ids``, at the unit price
    paid (the average over its lines), when it was paid."""
    order, line = ordering.Order, ordering.OrderLine
    with uow.read() as session:
        found = session.execute(
            select(
                order.buyer_id,
                order.id,
                order.paid_at,
                line.product_id,
                line.unit_price,
                line.quantity,
            )
            .join(line, line.order_id == order.id)
            .where(order.buyer_id.in_(user_ids), order.paid_at.is_not(None))
            .order_by(order.paid_at, order.id, line.position)
        ).all()
    spent: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], list[Any]] = {}
    for buyer, order_id, paid_at, product_id, unit_price, quantity in found:
        entry = spent.setdefault((buyer, order_id, product_id), [paid_at, 0, 0])
        entry[1] += unit_price * quantity
        entry[2] += quantity
    return [
        _row(buyer, recommendations.PURCHASE, product_id, paid_at, amount=total // units)
        for (buyer, _order, product_id), (paid_at, total, units) in spent.items()
        if units > 0
    ]


def _row(
    user_id: uuid.UUID,
    kind: str,
    product_id: uuid.UUID | None,
    at: datetime,
    *,
    query: str | None = None,
    amount: int | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "user_id": user_id,
        "kind": kind,
        "product_id": product_id,
        "query": query,
        "amount": amount,
        "occurred_at": at,
    }
