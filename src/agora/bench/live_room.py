"""``agora bench live-room``: a live room's flash deal, every viewer buying at once, over HTTP.

A real ``agora serve`` runs on a loopback port over a fresh database. ``viewers`` shoppers (API
tokens, a default address each, wallets funded through the ledger) are written straight into the
database, as in ``bench/trading.py``; one store lists one product whose SKU holds twice the
deal's ``units`` in stock. Through the services, as the app would, the store's merchant schedules
a room selling that product, goes live and pins it. Then, through HTTP as clients would:

1. every viewer is signed in (``GET /api/v1/me`` once each, as a viewer opening the room is);
2. the merchant starts a flash deal of ``units`` units at one per buyer, with the shortest
   countdown (``POST /live-rooms/{id}/flash-deals``); the bench polls ``GET
   /flash-deals/{id}`` until the server's scheduler has opened it;
3. every viewer at once, a connection each, taps "Buy" (``POST /flash-deals/{id}/buy`` with an
   ``Idempotency-Key``): ``units`` of them get the units, the rest are refused;
4. a sample of buyers retries with the same key: the winners must be answered with their order
   again (``Idempotent-Replayed: true``), nobody charged twice;
5. the merchant ends the deal (``POST /flash-deals/{id}/end``): what is unsold returns to stock.

Figures: ``orders`` (must equal ``units``), ``refused`` by problem code, ``unanswered`` and
``server_errors`` (both 0), the purchase latency over every answer (p50/p95/p99/max, from each
request's bytes written), the load generator's CPU (``loadgen_cpu_cores``, ``loadgen_ok``) and
the server's CPU per request and per purchase. Counted afterwards from the database:
``oversold`` (orders or units beyond the deal's, the deal's ``sold`` differing from its paid
orders, the SKU's stock plus the units sold differing from its initial stock: 0),
``duplicate_charges`` (buyers whose wallets paid more than their flash orders, or who hold two
orders: 0), ``over_limit`` (buyers past the per-buyer limit: 0), ``replay_failures`` (0) and
``ledger_ok`` (the ledger audit).

Room for the WebSocket phases. The issue's bench also fills the room before the deal: 2,000
viewers on the room's WebSocket, 200 of them commenting and all of them tapping likes for 30 s,
measuring comment deliveries/s and their p99 (target < 250 ms) and the like aggregate's lag
p99 (``live.presence`` pushes one aggregate per room every ~500 ms). The room's WebSocket does
not exist yet, so those phases are not run: the report carries ``comments`` and ``likes`` as
``None`` with ``websocket_phases: "not yet measured"``; once the socket exists they go between
steps 1 and 2, on the same viewers, and fill those keys.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from agora import catalog, inventory, ledger, live, ordering, payments
from agora.bench import loadgen
from agora.bench.fresh import fresh_database, insert_api_tokens
from agora.bench.server import DEFAULT_REDIS_URL, ServerProcess, start_bench_server
from agora.bench.stats import summary_ms
from agora.bench.trading import WALLET_FUNDS, _shoppers, _skus, _warm_up
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

PRICE = 9_900  # fen, the SKU's own price
DEAL_PRICE = 4_900
COUNTDOWN_S = 10  # the shortest the service allows
DURATION_S = 300  # long enough that the deal is open for the whole storm; the host ends it
SIGN_IN_CONNECTIONS = 32
RETRIED = 20  # winners, and as many refused buyers, retried with their key
STREAM_URL = "https://test-streams.mux.dev/x36xhzz/x36xhzz.m3u8"


def run_live_room(
    *,
    viewers: int = 2_000,
    units: int = 100,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    **_: Any,
) -> dict[str, Any]:
    """A live room's flash deal of ``units`` units that every one of ``viewers`` buys at once."""
    if viewers < 1 or units < 1:
        raise ValueError("a live room needs viewers and units")
    initial = units * 2
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, viewers)
        room = _room(database, stock=initial)
        url = database.url
        database.dispose()
        server = start_bench_server(
            url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
        )
        _warm_up(server.base_url)
        try:
            outcome = loadgen.run(_session(server, people, room, units))
            replays = _retry_sample(server.base_url, people, outcome)
            ended = httpx.post(
                f"{server.base_url}/api/v1/flash-deals/{outcome['deal_id']}/end",
                headers={"Authorization": f"Bearer {room['token']}"},
                timeout=60,
            )
            ended.raise_for_status()
        finally:
            server.stop()
        audit = _audit(
            Database(url), uuid.UUID(outcome["deal_id"]), room["sku_id"], people, initial=initial
        )
        codes: Counter[str] = outcome["codes"]
        usage: loadgen.CpuUsage = outcome["usage"]
        answered = sum(codes.values())
        orders = codes.get("201", 0)
        return {
            "scenario": "live-room",
            "dialect": audit.pop("dialect"),
            "shape": shape,
            "server_processes": processes,
            "viewers": viewers,
            "units": units,
            "websocket_phases": "not yet measured",
            "comments": None,
            "likes": None,
            "sign_in": outcome["sign_in"],
            "deal_opened_late_s": outcome["opened_late_s"],
            "orders": orders,
            "refused": {code: n for code, n in codes.items() if code != "201"},
            "answered": answered,
            "unanswered": outcome["unanswered"],
            "server_errors": outcome["server_errors"],
            "client_errors": outcome["errors"],
            "seconds": round(usage.wall_s, 2),
            "answers_per_s": round(answered / usage.wall_s, 1) if usage.wall_s else 0.0,
            "purchase": summary_ms(outcome["latencies"]),
            "winners": summary_ms(outcome["winner_latencies"]),
            **usage.report(viewers, purchase=orders),
            **server.writer_report(),
            **replays,
            **audit,
        }


def _room(database: Database, *, stock: int) -> dict[str, Any]:
    """The store's merchant (with an API token) schedules a room of one product, goes live
    and pins it: (room id, SKU id, merchant token)."""
    [sku_id] = _skus(database, 1, stock=stock, price=PRICE)
    uow = UnitOfWork(database)
    with uow.read() as session:
        merchant = session.scalar(
            select(User).join(catalog.StoreStaff, catalog.StoreStaff.user_id == User.id).limit(1)
        )
        product_id, store_id = session.execute(
            select(catalog.Sku.product_id, catalog.Product.store_id)
            .join(catalog.Product, catalog.Product.id == catalog.Sku.product_id)
            .where(catalog.Sku.id == sku_id)
        ).one()
    assert merchant is not None
    token = secrets.token_urlsafe(32)
    with database.write_session() as session:
        insert_api_tokens(session, [(merchant.id, token)], utcnow())
        session.commit()
    host = Principal(user_id=merchant.id, display_name=merchant.display_name)
    draft = live.RoomDraft(
        title="Bench live room",
        stream_url=STREAM_URL,
        starts_at=utcnow(),
        product_ids=[product_id],
    )
    room = live.schedule_room(uow, actor=host, store_id=store_id, draft=draft)
    live.go_live(uow, actor=host, room_id=room.id)
    live.pin_product(uow, actor=host, room_id=room.id, product_id=product_id)
    return {"room_id": room.id, "sku_id": sku_id, "token": token}


async def _session(
    server: ServerProcess,
    people: list[tuple[uuid.UUID, str]],
    room: dict[str, Any],
    units: int,
) -> dict[str, Any]:
    sign_in = await _sign_in(server.base_url, people)
    deal_id, opened_late_s = await _open_deal(server.base_url, room, units)
    storm = await _storm(server, people, deal_id)
    return {"sign_in": sign_in, "deal_id": deal_id, "opened_late_s": opened_late_s, **storm}


async def _sign_in(base_url: str, people: list[tuple[uuid.UUID, str]]) -> dict[str, Any]:
    """Each viewer's first request (``GET /me``), from a few connections at once."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    opened = await loadgen.open_connections(base_url, min(SIGN_IN_CONNECTIONS, len(people)))

    async def signer(n: int, connection: loadgen.Connection) -> None:
        for _, token in people[n :: len(opened)]:
            reply = await connection.send(loadgen.api_request("GET", "/api/v1/me", token=token))
            if reply.status == 200:
                latencies.append(reply.seconds)
            else:
                failures[str(reply.status)] += 1

    await asyncio.gather(*(signer(n, c) for n, c in enumerate(opened)))
    loadgen.close_all(opened)
    return {"signed_in": len(latencies), "failures": dict(failures), **summary_ms(latencies)}


async def _open_deal(base_url: str, room: dict[str, Any], units: int) -> tuple[str, float]:
    """The host starts the deal; returns its id once the server has opened it, and how long
    after its ``opens_at`` the bench first saw it open."""
    [connection] = await loadgen.open_connections(base_url, 1)
    started = await connection.send(
        loadgen.api_request(
            "POST",
            f"/api/v1/live-rooms/{room['room_id']}/flash-deals",
            token=room["token"],
            payload={
                "sku_id": str(room["sku_id"]),
                "price": DEAL_PRICE,
                "units": units,
                "per_buyer_limit": 1,
                "countdown_seconds": COUNTDOWN_S,
                "duration_seconds": DURATION_S,
            },
        )
    )
    if started.status != 201:
        raise RuntimeError(f"the flash deal did not start: {started.status} {started.body!r}")
    deal_id = started.json()["id"]
    opens_at = time.monotonic() + started.json()["seconds_to_open"]
    poll = loadgen.api_request("GET", f"/api/v1/flash-deals/{deal_id}", token=room["token"])
    deadline = time.monotonic() + COUNTDOWN_S + 30
    while True:
        reply = await connection.send(poll)
        deal = reply.json()
        if deal.get("status") == live.OPEN:
            break
        if deal.get("status") == live.CLOSED or time.monotonic() > deadline:
            raise RuntimeError(f"the flash deal did not open: {deal}")
        await asyncio.sleep(0.05)
    connection.close()
    return deal_id, round(max(0.0, time.monotonic() - opens_at), 2)


async def _storm(
    server: ServerProcess, people: list[tuple[uuid.UUID, str]], deal_id: str
) -> dict[str, Any]:
    """A connection per viewer, all opened first; then every purchase written at once."""
    raws = [
        loadgen.api_request(
            "POST",
            f"/api/v1/flash-deals/{deal_id}/buy",
            token=token,
            payload={"quantity": 1},
            idempotency_key=f"live-{n}",
        )
        for n, (_, token) in enumerate(people)
    ]
    host, port = loadgen.host_port(server.base_url)
    opened = await asyncio.gather(
        *(loadgen.Connection.open(host, port) for _ in people), return_exceptions=True
    )
    codes: Counter[str] = Counter()
    answers: list[int] = [0] * len(people)
    latencies: list[float] = []
    winner_latencies: list[float] = []
    errors: Counter[str] = Counter()
    bodies: dict[int, Any] = {}

    async def one(n: int, connection: loadgen.Connection | BaseException) -> None:
        if isinstance(connection, BaseException):
            errors[f"connect:{type(connection).__name__}"] += 1
            return
        try:
            reply = await connection.send(raws[n])
        except (ConnectionError, TimeoutError) as exc:
            errors[type(exc).__name__] += 1
            return
        latencies.append(reply.seconds)
        answers[n] = reply.status
        codes[reply.outcome(201)] += 1
        if reply.status == 201:
            winner_latencies.append(reply.seconds)
            bodies[n] = reply.json()

    await asyncio.sleep(0.1)
    window = loadgen.CpuWindow(server.pids)
    await asyncio.gather(*(one(n, c) for n, c in enumerate(opened)))
    usage = window.close()
    loadgen.close_all(c for c in opened if isinstance(c, loadgen.Connection))
    return {
        "codes": codes,
        "answers": answers,
        "bodies": bodies,
        "latencies": latencies,
        "winner_latencies": winner_latencies,
        "unanswered": sum(errors.values()),
        "server_errors": sum(1 for status in answers if status >= 500),
        "errors": dict(errors),
        "usage": usage,
    }


def _retry_sample(
    base_url: str, people: list[tuple[uuid.UUID, str]], outcome: dict[str, Any]
) -> dict[str, Any]:
    """Retry ``RETRIED`` winners and as many refused buyers with their own key and body: a
    winner must get its order back replayed; a refused buyer is refused again."""
    answers: list[int] = outcome["answers"]
    bodies: dict[int, Any] = outcome["bodies"]
    winners = [n for n, status in enumerate(answers) if status == 201][:RETRIED]
    refused = [n for n, status in enumerate(answers) if status not in (0, 201)][:RETRIED]
    failures = 0
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for n in winners + refused:
            reply = client.post(
                f"/api/v1/flash-deals/{outcome['deal_id']}/buy",
                json={"quantity": 1},
                headers={
                    "Authorization": f"Bearer {people[n][1]}",
                    "Idempotency-Key": f"live-{n}",
                },
            )
            if n in bodies:
                same = (
                    reply.status_code == 201
                    and reply.headers.get("Idempotent-Replayed") == "true"
                    and reply.json()["order"]["id"] == bodies[n]["order"]["id"]
                )
            else:
                same = reply.status_code == answers[n] and 400 <= reply.status_code < 500
            failures += 0 if same else 1
    return {
        "replayed_winners": len(winners),
        "retried_refused": len(refused),
        "replay_failures": failures,
    }


def _audit(
    database: Database,
    deal_id: uuid.UUID,
    sku_id: uuid.UUID,
    people: list[tuple[uuid.UUID, str]],
    *,
    initial: int,
) -> dict[str, Any]:
    """The correctness counters, read from the database after the run."""
    try:
        uow = UnitOfWork(database)
        with uow.read() as session:
            deal = session.get(live.FlashDeal, deal_id)
            assert deal is not None
            orders = session.execute(
                select(ordering.Order.id, ordering.Order.buyer_id, ordering.Order.status).where(
                    ordering.Order.deal_kind == live.DEAL_KIND,
                    ordering.Order.deal_id == deal_id,
                )
            ).all()
            units_ordered = session.scalar(
                select(func.coalesce(func.sum(ordering.OrderLine.quantity), 0)).where(
                    ordering.OrderLine.order_id.in_([o.id for o in orders])
                )
            )
            paid_by = dict(
                session.execute(
                    select(ordering.Order.buyer_id, func.sum(ordering.Order.paid_amount))
                    .where(ordering.Order.deal_id == deal_id)
                    .group_by(ordering.Order.buyer_id)
                ).all()
            )
            available = session.scalar(
                select(inventory.Stock.available).where(inventory.Stock.sku_id == sku_id)
            )
            over_limit = session.scalar(
                select(func.count())
                .select_from(live.FlashDealBuyer)
                .where(
                    live.FlashDealBuyer.deal_id == deal_id,
                    live.FlashDealBuyer.quantity > deal.per_buyer_limit,
                )
            )
        paid = [o for o in orders if o.status == "paid"]
        per_buyer = Counter(o.buyer_id for o in orders)
        oversold = max(0, len(orders) - deal.units) + max(0, int(units_ordered or 0) - deal.units)
        oversold += int(deal.sold != len(paid))
        oversold += int((available or 0) + deal.sold != initial)
        wallets = ledger.balances(uow, [payments.wallet_of(user_id) for user_id, _ in people])
        duplicate = sum(
            1
            for user_id, _ in people
            if WALLET_FUNDS - wallets[payments.wallet_of(user_id)] > int(paid_by.get(user_id, 0))
        )
        duplicate += sum(1 for count in per_buyer.values() if count > 1)
        report = ledger.check(uow)
        return {
            "dialect": database.dialect,
            "deal_status": deal.status,
            "deal_units": deal.units,
            "deal_sold": deal.sold,
            "paid_orders": len(paid),
            "stock_initial": initial,
            "stock_after": available,
            "oversold": oversold,
            "over_limit": int(over_limit or 0),
            "duplicate_charges": duplicate,
            "ledger_ok": report.ok,
        }
    finally:
        database.dispose()
