"""``agora demo``: a shop that is alive on first run. Idempotent: re-running adds nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import typer
from sqlalchemy import func, select

from agora import catalog, inventory
from agora.catalog.images import image_url
from agora.catalog.schemas import CategoryIn, ProductIn, SkuIn, StoreIn
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.demo import bargain as bargain_demo
from agora.demo import catalog_data
from agora.demo import credit as credit_demo
from agora.demo import groupbuy as groupbuy_demo
from agora.demo import trading as trading_demo
from agora.demo.assistant import seed_assistant
from agora.demo.bargain import seed_bargain
from agora.demo.behaviour import seed_behaviour
from agora.demo.catalog_data import demo_categories, demo_products, demo_stores
from agora.demo.chat import seed_chat
from agora.demo.credit import history as credit_history
from agora.demo.credit import seed_credit
from agora.demo.customer_service import seed_customer_service
from agora.demo.disputes import seed_disputes
from agora.demo.groupbuy import seed_groupbuy
from agora.demo.logistics import seed_addresses
from agora.demo.payouts import seed_payouts
from agora.demo.pictures import seed_pictures
from agora.demo.points import seed_points
from agora.demo.privacy import seed_privacy
from agora.demo.red_envelopes import seed_red_envelopes
from agora.demo.referrals import seed_referrals
from agora.demo.reputation import seed_reputation
from agora.demo.reviews import seed_reviews
from agora.demo.sharing import seed_sharing
from agora.demo.social import seed_social
from agora.demo.steps import live_through
from agora.demo.trading import seed_trading
from agora.demo.treasure import history as treasure_history
from agora.demo.treasure import seed_treasure
from agora.identity import Client, Principal, User, register
from agora.media import Storage

DEMO_PASSWORD = "agora-demo-2026"
DEMO_CLIENT = Client(ip="127.0.0.1", user_agent="agora demo")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    name: str
    role: str
    store_key: str | None = None
    operator: bool = False


ACCOUNTS = (
    DemoAccount("operator@agora.demo", "Agora Ops", "operator", operator=True),
    DemoAccount("shopper@agora.demo", "Lin Mei 林梅", "shopper"),
    DemoAccount("wang.lei@agora.demo", "Wang Lei 王磊", "shopper"),
    DemoAccount("chen.jing@agora.demo", "Chen Jing 陈静", "shopper"),
    DemoAccount("zhao.yu@agora.demo", "Zhao Yu 赵宇", "shopper"),
)


def merchant_email(store_key: str) -> str:
    return f"merchant.{store_key}@agora.demo"


def demo_is_loaded(uow: UnitOfWork) -> bool:
    with uow.read() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def _ensure_user(uow: UnitOfWork, email: str, name: str, *, operator: bool = False) -> User:
    with uow:
        user = uow.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = register(
                uow, identifier=email, password=DEMO_PASSWORD, display_name=name, client=DEMO_CLIENT
            )
        if operator and not user.is_operator:
            user.is_operator = True
        return user


def seed(uow: UnitOfWork, *, media: Storage | None = None) -> dict[str, Any]:
    """Create (or complete) the demo: accounts, stores with staff, categories, products, stock,
    then the trading on top (wallets, orders in every state, settlements: see trading.py).
    With ``media``, a few products get photos (demo/pictures.py) stored there."""
    users = {a.email: _ensure_user(uow, a.email, a.name, operator=a.operator) for a in ACCOUNTS}
    operator_user = users["operator@agora.demo"]
    ops = Principal(
        user_id=operator_user.id, display_name=operator_user.display_name, is_operator=True
    )

    stores: dict[str, catalog.Store] = {}
    with uow:
        session = uow.session
        for demo_store in demo_stores():
            store = session.scalar(
                select(catalog.Store).where(catalog.Store.slug == demo_store.key)
            )
            if store is None:
                owner = _ensure_user(
                    uow, merchant_email(demo_store.key), f"{demo_store.name_en} team"
                )
                store = catalog.create_store(
                    uow,
                    actor=ops,
                    data=StoreIn(
                        slug=demo_store.key,
                        name_en=demo_store.name_en,
                        name_zh=demo_store.name_zh,
                        description_en=demo_store.description_en,
                        description_zh=demo_store.description_zh,
                        self_operated=demo_store.self_operated,
                        owner_user_id=owner.id,
                    ),
                )
            stores[demo_store.key] = store

        categories: dict[str, catalog.Category] = {}
        for position, demo_category in enumerate(demo_categories()):
            category = session.scalar(
                select(catalog.Category).where(catalog.Category.slug == demo_category.key)
            )
            if category is None:
                parent = categories[demo_category.parent_key] if demo_category.parent_key else None
                category = catalog.create_category(
                    uow,
                    actor=ops,
                    data=CategoryIn(
                        slug=demo_category.key,
                        name_en=demo_category.name_en,
                        name_zh=demo_category.name_zh,
                        parent_id=parent.id if parent else None,
                        position=position,
                    ),
                )
            categories[demo_category.key] = category

    stocked = _stores_with_products(uow)
    created = 0
    listed: list[tuple[Any, str]] = []
    now = utcnow()
    for item in demo_products():
        store = stores[item.store_key]
        if store.id in stocked:
            continue
        with uow:
            detail = catalog.create_product(
                uow,
                actor=ops,
                store_id=store.id,
                data=ProductIn(
                    category_id=categories[item.category_key].id,
                    title_en=item.title_en,
                    title_zh=item.title_zh,
                    description_en=item.description_en,
                    description_zh=item.description_zh,
                    image_url=item.image_url,
                    list_price=item.list_price,
                    skus=[
                        SkuIn(colour=s.colour, size=s.size or "", price=s.price, stock=s.stock)
                        for s in item.skus
                    ],
                ),
            )
            for sku, demo_sku in zip(detail.skus, item.skus, strict=True):
                sku.image_url = image_url(item.shape, demo_sku.colour)
            inventory.set_stock(
                uow,
                actor=ops,
                levels={sku.id: s.stock for sku, s in zip(detail.skus, item.skus, strict=True)},
            )
            # Demo history: listings of different ages and popularity, so sorts mean something.
            detail.product.sales_count = item.sales
            detail.product.created_at = now - timedelta(days=item.age_days, minutes=created)
        listed.append((detail.product.id, item.key))
        created += 1
    # Before the trading: the orders it places then show the photos, as a shopper's would.
    pictures = seed_pictures(uow, actor=ops, storage=media, listed=listed) if media else 0
    # Every shopper needs somewhere to be delivered to before the first order is placed.
    addresses = seed_addresses(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD)
    # Last month first, lived in time order (the treasure's month of income, last month's credit
    # statement), so that every history — wallet, treasure, points — reads in time order.
    live_through(
        [
            *treasure_history(uow, shoppers=users),
            *credit_history(uow, shoppers=users, stores=stores),
        ]
    )
    trading = seed_trading(uow, shoppers=users, stores=stores, merchants=_merchants(uow, stores))
    social_demo = seed_social(uow, users=users, stores=stores, password=DEMO_PASSWORD)
    chat_demo = seed_chat(uow, users=users)
    # After the social and chat demos: shares on every channel, newcomers, credited orders.
    shared = seed_sharing(uow, shoppers=users, password=DEMO_PASSWORD)
    # Social buying on top of all that: points, teams, bargains, referral rewards.
    social_buying: dict[str, Any] = {}
    for seed_part in (seed_points, seed_groupbuy, seed_bargain, seed_referrals):
        social_buying.update(seed_part(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD))
    # Agora Pay's products today: today's treasure rate, a purchase on credit, red envelopes;
    # a dispute waiting for the operator and one decided, before the reviews of what was delivered.
    for seed_part in (seed_treasure, seed_credit, seed_red_envelopes, seed_disputes, seed_reviews):
        social_buying.update(seed_part(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD))
    # Last, once every order that settles has: the merchants' payouts of what settled.
    social_buying.update(seed_payouts(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD))
    # Store reputation after everything it counts: orders, returns, reviews.
    social_buying.update(
        seed_reputation(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD)
    )
    # Customer service: Lin Mei asks a store about an order, with its card; the store answers.
    social_buying.update(
        seed_customer_service(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD)
    )
    # The shopping assistant: Lin Mei switched it on and tells Chen Jing about the coat she wants.
    social_buying.update(seed_assistant(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD))
    # Last of all, once every order is paid: weeks of browsing for the recommendations.
    social_buying.update(seed_behaviour(uow, shoppers=users, stores=stores))
    # After everything, browsing included: the privacy agreement every demo account accepted,
    # and Lin Mei's ready "download my data", which holds all of the above.
    social_buying.update(seed_privacy(uow, shoppers=users, stores=stores, password=DEMO_PASSWORD))
    return {
        "users": len(users) + len(stores),
        "stores": len(stores),
        "categories": len(categories),
        "products_created": created,
        "product_pictures": pictures,
        **trading,
        **social_demo,
        **chat_demo,
        **shared,
        **social_buying,
        **addresses,
    }


def products_in_play() -> list[catalog_data.DemoProduct]:
    """The demo products the demo itself acts on: what the trading buys, the products under a
    group deal and those offered for bargaining. Tests list only these — listing all 350 would
    take most of a test's time — while `agora demo` lists them all."""
    items = [item for scene in trading_demo.SCENES for item in scene.items]
    keys = {trading_demo.picks(store)[pick][0].key for store, pick, _ in items}
    keys |= {trading_demo.picks(store)[pick][0].key for store, pick, _ in trading_demo.CART}
    keys |= {trading_demo.picks(offer.store_key)[-1][0].key for offer in bargain_demo.OFFERS}
    keys |= credit_demo.demo_product_keys()
    deals = {(deal.store_key, deal.title_en) for deal in groupbuy_demo.DEALS}
    return [
        product
        for product in catalog_data.demo_products()
        if product.key in keys or (product.store_key, product.title_en) in deals
    ]


def _merchants(uow: UnitOfWork, stores: dict[str, catalog.Store]) -> dict[str, User]:
    """Each store's demo merchant account (its owner, created with the store)."""
    with uow.read() as session:
        found = {
            user.email: user
            for user in session.scalars(
                select(User).where(User.email.in_([merchant_email(key) for key in stores]))
            )
        }
    return {key: found[merchant_email(key)] for key in stores}


def _stores_with_products(uow: UnitOfWork) -> set[Any]:
    with uow.read() as session:
        return set(session.scalars(select(catalog.Product.store_id).distinct()))


def print_accounts() -> None:
    """Every account the README's tour signs in as, with its name and the one password."""
    from agora.demo.social import LIU, LIU_NAME  # late: the social demo builds on this module

    shoppers = [(a.email, a.name) for a in ACCOUNTS if a.role == "shopper"]
    lines = [
        *(("shopper", email, name) for email, name in [*shoppers, (LIU, LIU_NAME)]),
        *(("merchant", merchant_email(store.key), store.name_en) for store in demo_stores()),
        *(("operator", a.email, a.name) for a in ACCOUNTS if a.operator),
    ]
    typer.echo("")
    typer.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for role, email, name in lines:
        typer.echo(f"  {role:<9} {email:<44} {name}")
