"""``agora bench checkout`` and ``agora bench flash-sale``: buying through HTTP.

Both start a real ``agora serve`` on a loopback port over a fresh database. Shoppers, their API
tokens and their wallets are written straight into the database first (signing 2,000 people up
through argon2 would take minutes and measure nothing of trading); wallets are funded by ledger
transfers from the sandbox gateway's clearing account, as a captured top-up would. Every request
then goes through HTTP exactly as a client's would, with an ``Idempotency-Key``.

- checkout: each thread's shoppers buy one unit of an uncontended SKU and pay it from the
  wallet; throughput is paid orders per second, latency is per checkout+pay pair.
- flash-sale: every buyer at once on one SKU with little stock; counts answers, orders placed,
  and ``oversold`` (orders beyond the stock, or stock below zero).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from agora import catalog, inventory, ledger, payments
from agora.bench.fresh import fresh_database
from agora.bench.server import start_server
from agora.bench.stats import summary_ms
from agora.catalog.schemas import CategoryIn, ProductIn, SkuIn, StoreIn
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.security import hash_password, token_digest
from agora.core.uow import UnitOfWork
from agora.identity import AuthSession, Principal, User
from agora.ordering import Order, OrderLine

WALLET_FUNDS = 1_000_000_00  # fen per shopper: never the limit in these scenarios


def _shoppers(database: Database, count: int) -> list[tuple[uuid.UUID, str]]:
    """``count`` shoppers with API tokens and funded wallets; returns (user id, token)."""
    now = utcnow()
    password = hash_password(secrets.token_urlsafe(16))
    people = [(new_id(), secrets.token_urlsafe(32)) for _ in range(count)]
    with database.write_session() as session:
        session.execute(
            insert(User),
            [
                {
                    "id": user_id,
                    "email": f"bench-{n}@agora.invalid",
                    "password_hash": password,
                    "display_name": f"Buyer {n}",
                    "created_at": now,
                }
                for n, (user_id, _) in enumerate(people)
            ],
        )
        session.execute(
            insert(AuthSession),
            [
                {
                    "id": new_id(),
                    "user_id": user_id,
                    "token_hash": token_digest(token),
                    "kind": "api",
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
                for user_id, token in people
            ],
        )
        session.commit()
    uow = UnitOfWork(database)
    for first in range(0, count, 500):
        ledger.transfer_many(
            uow,
            [
                ledger.TransferSpec(
                    key=f"bench-fund-{user_id}",
                    kind="charge_capture",
                    legs=[
                        ledger.Leg(payments.gateway_clearing_of("sandbox", user_id), -WALLET_FUNDS),
                        ledger.Leg(payments.wallet_of(user_id), WALLET_FUNDS),
                    ],
                )
                for user_id, _ in people[first : first + 500]
            ],
        )
    return people


def _skus(database: Database, count: int, stock: int, price: int = 9_900) -> list[uuid.UUID]:
    """One store with ``count`` single-SKU products of ``stock`` units each."""
    uow = UnitOfWork(database)
    merchant_id = new_id()
    with uow:
        uow.session.execute(
            insert(User).values(id=merchant_id, display_name="Bench merchant", created_at=utcnow())
        )
    ops = Principal(user_id=new_id(), display_name="Bench ops", is_operator=True)
    store = catalog.create_store(
        uow, actor=ops, data=StoreIn(slug="bench", name_en="Bench", owner_user_id=merchant_id)
    )
    staff = Principal(user_id=merchant_id, display_name="Bench merchant")
    category = catalog.create_category(
        uow, actor=ops, data=CategoryIn(slug="bench", name_en="Bench")
    )
    sku_ids = []
    for n in range(count):
        product = catalog.create_product(
            uow,
            actor=staff,
            store_id=store.id,
            data=ProductIn(
                category_id=category.id,
                title_en=f"Bench item {n}",
                description_en="A product of the benchmark.",
                list_price=price,
                skus=[SkuIn(code=f"B{n}", colour="red", size="M", price=price)],
            ),
        )
        sku_ids.append(product.skus[0].id)
    with uow:
        inventory.set_stock(uow, actor=staff, levels=dict.fromkeys(sku_ids, stock))
    return sku_ids


def _warm_up(base_url: str) -> None:
    """A Chinese search loads the segmentation dictionary, which a new server otherwise loads in
    the background during the first seconds of the measurement."""
    httpx.get(f"{base_url}/api/v1/products", params={"q": "红色 外套"}, timeout=60)


def _client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def run_checkout(
    *, orders: int = 2_000, threads: int = 8, database_url: str = "", **_: Any
) -> dict[str, Any]:
    """Uncontended checkout + wallet payment through HTTP from ``threads`` client threads."""
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, threads * 4)
        skus = _skus(database, 50, stock=orders)
        url = database.url
        database.dispose()
        server = start_server(url, Path(folder) / "server.log")
        _warm_up(server.base_url)
        latencies: list[float] = []
        failures: dict[str, int] = {}
        examples: dict[str, str] = {}
        lock = threading.Lock()
        counter = itertools.count()
        try:

            def buyer(n: int) -> None:
                clients = [_client(server.base_url, tok) for _, tok in people[n::threads]]
                for turn in itertools.count():
                    i = next(counter)
                    if i >= orders:
                        break
                    client = clients[turn % len(clients)]
                    t0 = time.perf_counter()
                    placed = client.post(
                        "/api/v1/checkout",
                        json={"lines": [{"sku_id": str(skus[i % len(skus)]), "quantity": 1}]},
                        headers={"Idempotency-Key": f"co-{i}"},
                    )
                    paid = None
                    if placed.status_code == 201:
                        order_id = placed.json()["orders"][0]["id"]
                        paid = client.post(
                            f"/api/v1/orders/{order_id}/pay",
                            json={"sources": [{"source": "wallet"}]},
                            headers={"Idempotency-Key": f"pay-{i}"},
                        )
                    elapsed = time.perf_counter() - t0
                    with lock:
                        if paid is not None and paid.status_code == 200:
                            latencies.append(elapsed)
                        else:
                            failed = paid or placed
                            code = f"{failed.request.url.path.split('/')[-1]}:{failed.status_code}"
                            if code not in failures:
                                examples[code] = failed.text[:300]
                            failures[code] = failures.get(code, 0) + 1
                for client in clients:
                    client.close()

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(buyer, range(threads)))
            seconds = time.perf_counter() - started
        finally:
            server.stop()
        audit = _audit(Database(url), skus, initial=orders)
        return {
            "scenario": "checkout",
            "dialect": audit.pop("dialect"),
            "threads": threads,
            "paid_orders": len(latencies),
            "paid_orders_per_s": round(len(latencies) / seconds, 1),
            **summary_ms(latencies),
            "failures": failures,
            "failure_examples": examples,
            **audit,
        }


def run_flash_sale(
    *, buyers: int = 2_000, stock: int = 100, database_url: str = "", **_: Any
) -> dict[str, Any]:
    """Every buyer at once on one SKU: no oversell, every request answered."""
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, buyers)
        [sku] = _skus(database, 1, stock=stock)
        url = database.url
        database.dispose()
        server = start_server(url, Path(folder) / "server.log")
        _warm_up(server.base_url)
        try:
            outcome = asyncio.run(_storm(server.base_url, people, sku))
        finally:
            server.stop()
        audit = _audit(Database(url), [sku], initial=stock)
        statuses: dict[str, int] = outcome["statuses"]
        return {
            "scenario": "flash-sale",
            "dialect": audit.pop("dialect"),
            "buyers": buyers,
            "stock": stock,
            "orders_placed": statuses.get("201", 0),
            "sold_out_answers": statuses.get("409", 0),
            "answered": sum(n for code, n in statuses.items() if code.isdigit()),
            "unanswered": outcome["unanswered"],
            "statuses": statuses,
            "seconds": outcome["seconds"],
            **summary_ms(outcome["latencies"]),
            **audit,
        }


async def _storm(base_url: str, people: list[tuple[uuid.UUID, str]], sku: uuid.UUID) -> Any:
    limits = httpx.Limits(max_connections=len(people), max_keepalive_connections=len(people))
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    unanswered = 0
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        start = asyncio.Event()

        async def one(n: int, token: str) -> None:
            nonlocal unanswered
            await start.wait()
            t0 = time.perf_counter()
            try:
                response = await client.post(
                    "/api/v1/checkout",
                    json={"lines": [{"sku_id": str(sku), "quantity": 1}]},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"fs-{n}"},
                )
            except httpx.HTTPError:
                unanswered += 1
                return
            latencies.append(time.perf_counter() - t0)
            code = str(response.status_code)
            statuses[code] = statuses.get(code, 0) + 1

        tasks = [asyncio.create_task(one(n, tok)) for n, (_, tok) in enumerate(people)]
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - started
    return {
        "statuses": statuses,
        "latencies": latencies,
        "unanswered": unanswered,
        "seconds": round(seconds, 2),
    }


def _audit(database: Database, skus: list[uuid.UUID], *, initial: int) -> dict[str, Any]:
    """Correctness counters after the run: units sold beyond the stock, and the ledger audit."""
    try:
        with database.read_session() as session:
            available = dict(
                session.execute(
                    select(inventory.Stock.sku_id, inventory.Stock.available).where(
                        inventory.Stock.sku_id.in_(skus)
                    )
                ).all()
            )
            ordered = dict(
                session.execute(
                    select(OrderLine.sku_id, func.sum(OrderLine.quantity)).group_by(
                        OrderLine.sku_id
                    )
                ).all()
            )
            orders = session.scalar(select(func.count()).select_from(Order)) or 0
        oversold = sum(max(0, int(ordered.get(sku, 0)) - initial) for sku in skus)
        oversold += sum(1 for sku in skus if available.get(sku, 0) < 0)
        mismatched = sum(
            1 for sku in skus if available.get(sku, 0) != initial - int(ordered.get(sku, 0))
        )
        report = ledger.check(UnitOfWork(database))
        return {
            "dialect": database.dialect,
            "orders": orders,
            "oversold": oversold,
            "stock_mismatches": mismatched,
            "ledger_ok": report.ok,
        }
    finally:
        database.dispose()
