"""``agora bench search``: full-text search with filters over a large generated catalog.

Products are bulk-loaded with the same tokenizer the service uses, then queries run through
``catalog.search_products`` (the function the API and pages call): first one at a time to measure
latency, then from several threads to measure throughput.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from agora import catalog
from agora.bench.fresh import fresh_database
from agora.bench.stats import summary_ms
from agora.catalog import text as search_text
from agora.catalog.images import COLOURS, image_url
from agora.catalog.models import SearchEntry
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import demo_categories, demo_stores, generated_products

BATCH = 2_000

# Two-word queries, each with a filter, in both languages.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("red coat", {"price_min": 20_000, "price_max": 100_000}),
    ("红色 外套", {"price_max": 150_000}),
    ("running sneakers", {"colour": "white"}),
    ("运动鞋 黑色", {"price_min": 10_000}),
    ("wireless headphones", {"colour": "black"}),
    ("black dress", {"price_max": 60_000}),
    ("连衣裙 红色", {"price_min": 5_000}),
    ("wool coat", {"sort": "price_asc"}),
    ("leather handbag", {"price_min": 30_000}),
    ("phone 256gb", {"colour": "blue"}),
]


def _load(database: Database, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    now = utcnow()
    with database.write_session() as session:
        store_ids = {}
        for store in demo_stores():
            store_ids[store.key] = new_id()
            session.execute(
                insert(catalog.Store).values(
                    id=store_ids[store.key],
                    slug=store.key,
                    name_en=store.name_en,
                    name_zh=store.name_zh,
                    description_en=store.description_en,
                    self_operated=store.self_operated,
                    status="active",
                    created_at=now,
                )
            )
        categories: dict[str, Any] = {}
        for position, category in enumerate(demo_categories()):
            categories[category.key] = (new_id(), category)
            session.execute(
                insert(catalog.Category).values(
                    id=categories[category.key][0],
                    slug=category.key,
                    name_en=category.name_en,
                    name_zh=category.name_zh,
                    position=position,
                    parent_id=categories[category.parent_key][0] if category.parent_key else None,
                )
            )
        session.commit()
    paths: dict[str, list[str]] = {}
    for key, (_, category) in categories.items():
        names, current = [], category
        while current is not None:
            names += [current.name_en, current.name_zh]
            current = categories[current.parent_key][1] if current.parent_key else None
        paths[key] = names
    store_names = {s.key: [s.name_en, s.name_zh] for s in demo_stores()}
    sqlite = database.is_sqlite
    products: list[dict[str, Any]] = []
    skus: list[dict[str, Any]] = []
    docs: list[dict[str, Any]] = []
    loaded = 0

    entries: list[dict[str, Any]] = []

    def flush() -> None:
        with database.write_session() as session:
            session.execute(insert(catalog.Product), products)
            session.execute(insert(catalog.Sku), skus)
            session.execute(insert(SearchEntry), entries)
            by_product = dict(
                session.execute(
                    select(SearchEntry.product_id, SearchEntry.id).where(
                        SearchEntry.product_id.in_([e["product_id"] for e in entries])
                    )
                )
                .tuples()
                .all()
            )
            for doc in docs:
                doc["id"] = by_product[doc.pop("product_id")]
            if sqlite:
                session.execute(
                    text("INSERT INTO product_search (rowid, doc) VALUES (:id, :doc)"), docs
                )
            else:
                session.execute(
                    text(
                        "INSERT INTO product_search (entry_id, document) "
                        "VALUES (:id, array_to_tsvector(CAST(:tokens AS text[])))"
                    ).bindparams(bindparam("tokens", type_=ARRAY(Text))),
                    docs,
                )
            session.commit()
        for batch in (products, skus, entries, docs):
            batch.clear()

    for index, item in enumerate(generated_products(count)):
        product_id = new_id()
        prices = [s.price for s in item.skus]
        products.append(
            {
                "id": product_id,
                "store_id": store_ids[item.store_key],
                "category_id": categories[item.category_key][0],
                "title_en": item.title_en,
                "title_zh": item.title_zh,
                "description_en": item.description_en,
                "description_zh": item.description_zh,
                "image_url": image_url(item.shape, item.skus[0].colour),
                "list_price": item.list_price,
                "min_price": min(prices),
                "max_price": max(prices),
                "currency": "CNY",
                "status": "active",
                "sales_count": item.sales,
                "created_at": now - timedelta(days=item.age_days, seconds=index),
                "updated_at": now,
            }
        )
        colours = sorted({s.colour for s in item.skus if s.colour})
        for position, sku in enumerate(item.skus):
            skus.append(
                {
                    "id": new_id(),
                    "product_id": product_id,
                    "code": None,
                    "colour": sku.colour,
                    "size": sku.size or "",
                    "attributes": {},
                    "price": sku.price,
                    "image_url": None,
                    "position": position,
                    "active": True,
                }
            )
        texts = [
            item.title_en,
            item.title_zh,
            *paths[item.category_key],
            *store_names[item.store_key],
        ]
        for colour in colours:
            texts += [COLOURS[colour].name_en, COLOURS[colour].name_zh]
        texts += sorted({s.size for s in item.skus if s.size})
        tokens = search_text.document(texts, [search_text.colour_token(c) for c in colours])
        entries.append(
            {
                "product_id": product_id,
                "store_id": products[-1]["store_id"],
                "category_id": products[-1]["category_id"],
                "min_price": min(prices),
                "sales_count": item.sales,
                "created_at": products[-1]["created_at"],
                "active": True,
            }
        )
        docs.append(
            {"product_id": product_id, "doc": " ".join(tokens)}
            if sqlite
            else {"product_id": product_id, "tokens": tokens}
        )
        if len(products) >= BATCH:
            loaded += len(products)
            flush()
    if products:
        loaded += len(products)
        flush()
    if not sqlite:
        with database.write_session() as session:
            session.execute(text("ANALYZE"))
            session.commit()
    return {"products": loaded, "load_seconds": round(time.perf_counter() - started, 2)}


def _params(query: tuple[str, dict[str, Any]]) -> catalog.SearchParams:
    words, filters = query
    return catalog.SearchParams(q=words, **filters)


def run_search(
    *,
    products: int = 100_000,
    queries: int = 2_000,
    database_url: str = "",
    threads: int = 4,
    **_: Any,
) -> dict[str, Any]:
    search_text.warm_up()
    with fresh_database(database_url) as database:
        loaded = _load(database, products)
        uow = UnitOfWork(database)
        rng = random.Random(42)
        plan = [rng.choice(QUERIES) for _ in range(queries)]
        for query in QUERIES:  # warm caches once per query shape
            catalog.search_products(uow, _params(query))
        latencies, empty = [], 0
        started = time.perf_counter()
        for query in plan:
            t0 = time.perf_counter()
            page = catalog.search_products(uow, _params(query))
            latencies.append(time.perf_counter() - t0)
            empty += not page.items
        sequential_seconds = time.perf_counter() - started

        lock = threading.Lock()
        concurrent_latencies: list[float] = []

        def one(query: tuple[str, dict[str, Any]]) -> None:
            t0 = time.perf_counter()
            catalog.search_products(UnitOfWork(database), _params(query))
            with lock:
                concurrent_latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, plan))
        concurrent_seconds = time.perf_counter() - started
        return {
            "scenario": "search",
            "dialect": database.dialect,
            **loaded,
            "queries": len(plan),
            "empty_results": empty,
            "sequential": {
                "queries_per_s": round(len(plan) / sequential_seconds, 1),
                **summary_ms(latencies),
            },
            "concurrent": {
                "threads": threads,
                "queries_per_s": round(len(plan) / concurrent_seconds, 1),
                **summary_ms(concurrent_latencies),
            },
        }
