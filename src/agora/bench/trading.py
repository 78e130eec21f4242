"""``agora bench checkout`` and ``agora bench flash-sale``: buying through HTTP.

Both start a real ``agora serve`` on a loopback port over a fresh database. Shoppers, their API
tokens and their wallets are written straight into the database first (signing 2,000 people up
through argon2 would take minutes and measure nothing of trading); wallets are funded by ledger
transfers from the sandbox gateway's clearing account, as a captured top-up would. Every request
then goes through HTTP exactly as a client's would, with an ``Idempotency-Key``, from the raw
load generator of ``bench/loadgen.py`` (so the figures are the server's, not an HTTP client's).

- checkout: each of ``connections`` buyers loops over its own shoppers, buying one unit of an
  uncontended SKU and paying it from the wallet; throughput is paid orders per second, latency
  is per checkout+pay pair (the two requests' latencies, each from its bytes written).
- flash-sale: every buyer at once on one SKU with little stock, a connection each; counts
  answers, orders placed, and ``oversold`` (orders beyond the stock, or stock below zero).

Both report the load generator's own CPU (``loadgen_cpu_cores``, ``loadgen_ok``) and the server
processes' CPU per request over the measured window.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from agora import catalog, inventory, ledger, payments
from agora.bench import loadgen
from agora.bench.fresh import fresh_database, insert_api_tokens
from agora.bench.server import DEFAULT_REDIS_URL, ServerProcess, start_bench_server
from agora.bench.stats import summary_ms
from agora.catalog.schemas import CategoryIn, ProductIn, SkuIn, StoreIn
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.security import hash_password
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.logistics.models import AddressRow
from agora.ordering import Order, OrderLine

WALLET_FUNDS = 1_000_000_00  # fen per shopper: never the limit in these scenarios


BENCH_ADDRESS = {
    "recipient": "Bench Buyer",
    "phone": "13800138000",
    "country": "CN",
    "region": "Shanghai",
    "city": "Shanghai",
    "district": "Xuhui",
    "street": "88 Caoxi North Road",
    "postcode": "200030",
}


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
        insert_api_tokens(session, people, now)
        # Checkout copies the buyer's default address onto each order.
        session.execute(
            insert(AddressRow),
            [
                {
                    "id": new_id(),
                    "user_id": user_id,
                    **BENCH_ADDRESS,
                    "is_default": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for user_id, _ in people
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


def run_checkout(
    *,
    orders: int = 2_000,
    connections: int = 32,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    **_: Any,
) -> dict[str, Any]:
    """Uncontended checkout + wallet payment through HTTP from ``connections`` buyers at once."""
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, connections * 4)
        skus = _skus(database, 50, stock=orders)
        url = database.url
        database.dispose()
        server = start_bench_server(
            url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
        )
        _warm_up(server.base_url)
        try:
            outcome = loadgen.run(_buy(server, people, skus, orders, connections))
        finally:
            server.stop()
        audit = _audit(Database(url), skus, initial=orders)
        latencies: list[float] = outcome["latencies"]
        usage: loadgen.CpuUsage = outcome["usage"]
        return {
            "scenario": "checkout",
            "dialect": audit.pop("dialect"),
            "shape": shape,
            "server_processes": processes,
            "connections": connections,
            "paid_orders": len(latencies),
            "paid_orders_per_s": round(len(latencies) / usage.wall_s, 1),
            "requests": outcome["requests"],
            "seconds": round(usage.wall_s, 2),
            **summary_ms(latencies),
            **usage.report(outcome["requests"], paid_order=len(latencies)),
            **server.writer_report(),
            "failures": outcome["failures"],
            "failure_examples": outcome["examples"],
            **audit,
        }


async def _buy(
    server: ServerProcess,
    people: list[tuple[uuid.UUID, str]],
    skus: list[uuid.UUID],
    orders: int,
    connections: int,
) -> dict[str, Any]:
    """Each connection is one buyer looping checkout then pay, over its own shoppers, on the
    orders ``n, n + connections, …``; latency is per checkout+pay pair."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    examples: dict[str, str] = {}
    requests = 0

    def fail(step: str, problem: str, detail: str) -> None:
        code = f"{step}:{problem}"
        if code not in failures:
            examples[code] = detail[:300]
        failures[code] = failures.get(code, 0) + 1

    async def attempt(
        connection: loadgen.Connection, step: str, raw: bytes, expected: int
    ) -> loadgen.Reply | None:
        """Send ``raw``; the reply if it has the ``expected`` status, else None (counted)."""
        nonlocal requests
        requests += 1
        try:
            reply = await connection.send(raw)
        except (ConnectionError, TimeoutError) as exc:
            fail(step, type(exc).__name__, str(exc))
            return None
        if reply.status != expected:
            fail(step, str(reply.status), reply.body.decode(errors="replace"))
            return None
        return reply

    async def buyer(n: int, connection: loadgen.Connection) -> None:
        tokens = [token for _, token in people[n::connections]]
        mine = range(n, orders, connections)
        checkouts = [
            loadgen.api_request(
                "POST",
                "/api/v1/checkout",
                token=tokens[turn % len(tokens)],
                payload={"lines": [{"sku_id": str(skus[i % len(skus)]), "quantity": 1}]},
                idempotency_key=f"co-{i}",
            )
            for turn, i in enumerate(mine)
        ]
        for turn, (i, checkout) in enumerate(zip(mine, checkouts, strict=True)):
            placed = await attempt(connection, "checkout", checkout, 201)
            if placed is None:
                continue
            order_id = placed.json()["orders"][0]["id"]
            pay = loadgen.api_request(
                "POST",
                f"/api/v1/orders/{order_id}/pay",
                token=tokens[turn % len(tokens)],
                payload={"sources": [{"source": "wallet"}]},
                idempotency_key=f"pay-{i}",
            )
            paid = await attempt(connection, "pay", pay, 200)
            if paid is None:
                continue
            latencies.append(placed.seconds + paid.seconds)

    opened = await loadgen.open_connections(server.base_url, connections)
    window = loadgen.CpuWindow(server.pids)
    await asyncio.gather(*(buyer(n, c) for n, c in enumerate(opened)))
    usage = window.close()
    loadgen.close_all(opened)
    return {
        "latencies": latencies,
        "failures": failures,
        "examples": examples,
        "requests": requests,
        "usage": usage,
    }


def run_flash_sale(
    *,
    buyers: int = 2_000,
    stock: int = 100,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    **_: Any,
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
        server = start_bench_server(
            url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
        )
        _warm_up(server.base_url)
        try:
            outcome = loadgen.run(_storm(server, people, sku))
        finally:
            server.stop()
        audit = _audit(Database(url), [sku], initial=stock)
        statuses: dict[str, int] = outcome["statuses"]
        usage: loadgen.CpuUsage = outcome["usage"]
        answered = sum(statuses.values())
        return {
            "scenario": "flash-sale",
            "dialect": audit.pop("dialect"),
            "shape": shape,
            "server_processes": processes,
            "buyers": buyers,
            "stock": stock,
            "orders_placed": statuses.get("201", 0),
            "sold_out_answers": statuses.get("409", 0),
            "answered": answered,
            "unanswered": outcome["unanswered"],
            "statuses": statuses,
            "client_errors": outcome["errors"],
            "seconds": round(usage.wall_s, 2),
            "answers_per_s": round(answered / usage.wall_s, 1) if usage.wall_s else 0.0,
            **summary_ms(outcome["latencies"]),
            **usage.report(buyers, order=statuses.get("201", 0)),
            **server.writer_report(),
            **audit,
        }


async def _storm(
    server: ServerProcess, people: list[tuple[uuid.UUID, str]], sku: uuid.UUID
) -> dict[str, Any]:
    """A connection per buyer, all opened first; then every request written at once."""
    raws = [
        loadgen.api_request(
            "POST",
            "/api/v1/checkout",
            token=token,
            payload={"lines": [{"sku_id": str(sku), "quantity": 1}]},
            idempotency_key=f"fs-{n}",
        )
        for n, (_, token) in enumerate(people)
    ]
    host, port = loadgen.host_port(server.base_url)
    opened = await asyncio.gather(
        *(loadgen.Connection.open(host, port) for _ in people), return_exceptions=True
    )
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def one(connection: loadgen.Connection | BaseException, raw: bytes) -> None:
        if isinstance(connection, BaseException):
            errors[f"connect:{type(connection).__name__}"] += 1
            return
        try:
            reply = await connection.send(raw)
        except (ConnectionError, TimeoutError) as exc:
            errors[type(exc).__name__] += 1
            return
        latencies.append(reply.seconds)
        code = str(reply.status)
        statuses[code] = statuses.get(code, 0) + 1

    await asyncio.sleep(0.1)
    window = loadgen.CpuWindow(server.pids)
    await asyncio.gather(*(one(c, raw) for c, raw in zip(opened, raws, strict=True)))
    usage = window.close()
    loadgen.close_all(c for c in opened if isinstance(c, loadgen.Connection))
    return {
        "statuses": statuses,
        "latencies": latencies,
        "unanswered": sum(errors.values()),
        "errors": dict(errors),
        "usage": usage,
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
