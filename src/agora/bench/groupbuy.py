"""``agora bench group-buy``: many teams, many shoppers racing to join them, over HTTP.

A real ``agora serve`` runs on a loopback port over a fresh database. Shoppers, their API tokens
and funded wallets are written straight into the database (as in ``bench/trading.py``); one store
lists ``deals`` single-SKU products, each under a group deal for teams of ``team_size``. Then,
through HTTP with an ``Idempotency-Key`` as a client would:

1. ``teams`` leaders each open a team (``POST /group-deals/{id}/teams``) from ``threads`` client
   threads — measured as ``starts``;
2. every other shopper (``buyers`` − ``teams``) at once asks to join one team chosen at random
   (``POST /teams/{id}/join``): there are ``teams × (team_size − 1)`` places, so most are refused.

What is counted afterwards, from the database:
- ``joins`` (201) and ``refused`` (by problem code); ``joins_per_s`` over the storm's window and
  the latency of every answered join request (p50/p95/p99);
- ``overfilled_teams``: teams with more members, seats or paid orders than their size (must be 0);
- ``money_moved_for_refused``: how far the wallets of shoppers who were refused (and joined
  nothing) are from what they started with, in fen (must be 0);
- ``held_orders_of_complete_teams``: orders of full teams still waiting (must be 0);
- ``ledger_ok``: the ledger audit.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from agora import catalog, groupbuy, ledger, ordering, payments
from agora.bench.fresh import fresh_database
from agora.bench.server import start_server
from agora.bench.stats import summary_ms
from agora.bench.trading import WALLET_FUNDS, _client, _shoppers, _skus, _warm_up
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

PRICE = 9_900  # fen, the solo price of every product
GROUP_PRICE = 6_900


def run_group_buy(
    *,
    buyers: int = 2_000,
    teams: int = 200,
    team_size: int = 5,
    deals: int = 10,
    threads: int = 8,
    database_url: str = "",
    seed: int = 7,
    **_: Any,
) -> dict[str, Any]:
    """Open ``teams`` teams, then race ``buyers − teams`` joiners for their places."""
    if buyers <= teams:
        raise ValueError("buyers must outnumber the teams: the leaders come out of them")
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, buyers)
        on_deal = _deals(database, deals, stock=teams * team_size, team_size=team_size)
        url = database.url
        database.dispose()
        server = start_server(url, Path(folder) / "server.log")
        _warm_up(server.base_url)
        try:
            leaders, joiners = people[:teams], people[teams:]
            started = _start_teams(server.base_url, leaders, on_deal, threads)
            rng = random.Random(seed)
            picks = [rng.choice(started["teams"]) for _ in joiners]
            storm = asyncio.run(_storm(server.base_url, joiners, picks))
        finally:
            server.stop()
        refused_people = [
            user_id
            for (user_id, _), status in zip(joiners, storm["answers"], strict=True)
            if status != 201
        ]
        audit = _audit(Database(url), refused_people)
        codes: Counter[str] = storm["codes"]
        return {
            "scenario": "group-buy",
            "dialect": audit.pop("dialect"),
            "teams": teams,
            "team_size": team_size,
            "deals": deals,
            "places": teams * (team_size - 1),
            "joiners": len(joiners),
            "starts": started["count"],
            "starts_per_s": started["per_s"],
            "start_failures": started["failures"],
            "joins": codes.get("201", 0),
            "joins_per_s": round(codes.get("201", 0) / storm["seconds"], 1),
            "answers_per_s": round(len(joiners) / storm["seconds"], 1),
            "refused": {code: n for code, n in codes.items() if code != "201"},
            "unanswered": storm["unanswered"],
            "client_errors": storm["errors"],
            "seconds": storm["seconds"],
            **summary_ms(storm["latencies"]),
            **audit,
        }


def _deals(
    database: Database, count: int, *, stock: int, team_size: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """``count`` single-SKU products, each under a group deal whose allotment covers every team
    (so the places, not the units, are what runs out); returns (deal id, its SKU id)."""
    sku_ids = _skus(database, count, stock=stock, price=PRICE)
    uow = UnitOfWork(database)
    with uow.read() as session:
        user = session.scalar(
            select(User).join(catalog.StoreStaff, catalog.StoreStaff.user_id == User.id).limit(1)
        )
        product_of = dict(
            session.execute(
                select(catalog.Sku.id, catalog.Sku.product_id).where(catalog.Sku.id.in_(sku_ids))
            ).all()
        )
    assert user is not None
    merchant = Principal(user_id=user.id, display_name=user.display_name)
    terms = groupbuy.DealTerms(
        team_size=team_size, group_price=GROUP_PRICE, stock=stock, user_limit=1
    )
    return [
        (groupbuy.create_deal(uow, actor=merchant, product_id=product_of[sku], terms=terms).id, sku)
        for sku in sku_ids
    ]


def _start_teams(
    base_url: str,
    leaders: list[tuple[uuid.UUID, str]],
    deals: list[tuple[uuid.UUID, uuid.UUID]],
    threads: int,
) -> dict[str, Any]:
    """Each leader opens one team, deals taken in turn, from ``threads`` client threads; returns
    the teams made as (team id, SKU id)."""
    made: list[tuple[str, str]] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    def lead(n: int) -> None:
        for i in range(n, len(leaders), threads):
            deal_id, sku_id = deals[i % len(deals)]
            with _client(base_url, leaders[i][1]) as client:
                answer = client.post(
                    f"/api/v1/group-deals/{deal_id}/teams",
                    json={"sku_id": str(sku_id)},
                    headers={"Idempotency-Key": f"lead-{i}"},
                )
            with lock:
                if answer.status_code == 201:
                    made.append((answer.json()["team"]["id"], str(sku_id)))
                else:
                    body = answer.json() if answer.content else {}
                    failures[str(body.get("code", answer.status_code))] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lead, range(threads)))
    seconds = time.perf_counter() - started
    return {
        "teams": made,
        "count": len(made),
        "per_s": round(len(made) / seconds, 1),
        "failures": dict(failures),
    }


async def _storm(
    base_url: str, joiners: list[tuple[uuid.UUID, str]], picks: list[tuple[str, str]]
) -> dict[str, Any]:
    """Every joiner at once, each on the team picked for them: picks are (team id, SKU id)."""
    # A connection per joiner, as in the flash sale: requests queued inside httpx's pool cost the
    # load generator time quadratic in the queue's length, which would be measured instead.
    limits = httpx.Limits(max_connections=len(joiners), max_keepalive_connections=len(joiners))
    codes: Counter[str] = Counter()
    answers: list[int] = [0] * len(joiners)
    latencies: list[float] = []
    unanswered = 0
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as client:
        start = asyncio.Event()

        async def one(n: int, token: str, team_id: str, sku_id: str) -> None:
            nonlocal unanswered
            await start.wait()
            t0 = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/teams/{team_id}/join",
                    json={"sku_id": sku_id},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"join-{n}"},
                )
            except httpx.HTTPError as exc:
                unanswered += 1
                errors[type(exc).__name__] += 1
                return
            latencies.append(time.perf_counter() - t0)
            answers[n] = response.status_code
            if response.status_code == 201:
                codes["201"] += 1
            else:
                body = response.json() if response.content else {}
                codes[str(body.get("code", response.status_code))] += 1

        tasks = [
            asyncio.create_task(one(n, token, team_id, sku_id))
            for n, ((_, token), (team_id, sku_id)) in enumerate(zip(joiners, picks, strict=True))
        ]
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - started
    return {
        "codes": codes,
        "answers": answers,
        "latencies": latencies,
        "unanswered": unanswered,
        "errors": dict(errors),
        "seconds": round(seconds, 2),
    }


def _audit(database: Database, refused_people: list[uuid.UUID]) -> dict[str, Any]:
    """The correctness counters, read from the database after the run."""
    try:
        uow = UnitOfWork(database)
        with uow.read() as session:
            teams = session.execute(
                select(groupbuy.GroupTeam.id, groupbuy.GroupTeam.size, groupbuy.GroupTeam.joined)
            ).all()
            members = dict(
                session.execute(
                    select(groupbuy.GroupTeamMember.team_id, func.count()).group_by(
                        groupbuy.GroupTeamMember.team_id
                    )
                ).all()
            )
            paid = dict(
                session.execute(
                    select(ordering.Order.deal_id, func.count())
                    .where(
                        ordering.Order.deal_kind == "group",
                        ordering.Order.status == "paid",
                    )
                    .group_by(ordering.Order.deal_id)
                ).all()
            )
            complete = set(
                session.scalars(
                    select(groupbuy.GroupTeam.id).where(groupbuy.GroupTeam.status == "complete")
                )
            )
            held = session.scalar(
                select(func.count())
                .select_from(ordering.Order)
                .where(ordering.Order.deal_id.in_(complete), ordering.Order.held.is_(True))
            )
            joined_anything = set(
                session.scalars(
                    select(groupbuy.GroupTeamMember.user_id).where(
                        groupbuy.GroupTeamMember.user_id.in_(refused_people)
                    )
                )
            )
        overfilled = sum(
            1
            for team_id, size, joined in teams
            if joined > size
            or members.get(team_id, 0) > size
            or paid.get(team_id, 0) > size
            or members.get(team_id, 0) != joined
        )
        wallets = ledger.balances(uow, [payments.wallet_of(u) for u in refused_people])
        moved = sum(abs(WALLET_FUNDS - balance) for balance in wallets.values())
        report = ledger.check(uow)
        return {
            "dialect": database.dialect,
            "teams_complete": len(complete),
            "teams_open": len(teams) - len(complete),
            "overfilled_teams": overfilled,
            "refused_who_joined_anyway": len(joined_anything),
            "money_moved_for_refused": moved,
            "held_orders_of_complete_teams": int(held or 0),
            "ledger_ok": report.ok,
        }
    finally:
        database.dispose()
