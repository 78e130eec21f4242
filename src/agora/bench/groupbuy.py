"""``agora bench group-buy``: many teams, many shoppers racing to join them, over HTTP.

A real ``agora serve`` runs on a loopback port over a fresh database. Shoppers, their API tokens
and funded wallets are written straight into the database (as in ``bench/trading.py``); one store
lists ``deals`` single-SKU products, each under a group deal for teams of ``team_size``. Then,
through HTTP with an ``Idempotency-Key`` as a client would:

1. ``teams`` leaders each open a team (``POST /group-deals/{id}/teams``) over ``threads``
   connections at once — measured as ``starts``;
2. every other shopper (``buyers`` − ``teams``) at once, a connection each, asks to join one team
   chosen at random (``POST /teams/{id}/join``): there are ``teams × (team_size − 1)`` places, so
   most are refused.

Requests go out from the raw load generator of ``bench/loadgen.py``; over the storm's window it
reports its own CPU (``loadgen_cpu_cores``, ``loadgen_ok``) and the server's CPU per request and
per join.

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
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from agora import catalog, groupbuy, ledger, ordering, payments
from agora.bench import loadgen
from agora.bench.fresh import fresh_database
from agora.bench.server import DEFAULT_REDIS_URL, ServerProcess, start_bench_server
from agora.bench.stats import summary_ms
from agora.bench.trading import WALLET_FUNDS, _shoppers, _skus, _warm_up
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
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
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
        server = start_bench_server(
            url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
        )
        _warm_up(server.base_url)
        leaders, joiners = people[:teams], people[teams:]
        try:
            started, storm = loadgen.run(
                _race(server, leaders, joiners, on_deal, threads, random.Random(seed))
            )
        finally:
            server.stop()
        refused_people = [
            user_id
            for (user_id, _), status in zip(joiners, storm["answers"], strict=True)
            if status != 201
        ]
        audit = _audit(Database(url), refused_people)
        codes: Counter[str] = storm["codes"]
        usage: loadgen.CpuUsage = storm["usage"]
        seconds = usage.wall_s
        return {
            "scenario": "group-buy",
            "dialect": audit.pop("dialect"),
            "shape": shape,
            "server_processes": processes,
            "teams": teams,
            "team_size": team_size,
            "deals": deals,
            "places": teams * (team_size - 1),
            "joiners": len(joiners),
            "starts": started["count"],
            "starts_per_s": started["per_s"],
            "start_failures": started["failures"],
            "joins": codes.get("201", 0),
            "joins_per_s": round(codes.get("201", 0) / seconds, 1),
            "answers_per_s": round(len(joiners) / seconds, 1),
            "refused": {code: n for code, n in codes.items() if code != "201"},
            "unanswered": storm["unanswered"],
            "client_errors": storm["errors"],
            "seconds": round(seconds, 2),
            **summary_ms(storm["latencies"]),
            **usage.report(len(joiners), join=codes.get("201", 0)),
            **server.writer_report(),
            **audit,
        }


async def _race(
    server: ServerProcess,
    leaders: list[tuple[uuid.UUID, str]],
    joiners: list[tuple[uuid.UUID, str]],
    deals: list[tuple[uuid.UUID, uuid.UUID]],
    threads: int,
    rng: random.Random,
) -> tuple[dict[str, Any], dict[str, Any]]:
    started = await _start_teams(server.base_url, leaders, deals, threads)
    picks = [rng.choice(started["teams"]) for _ in joiners]
    return started, await _storm(server, joiners, picks)


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


async def _start_teams(
    base_url: str,
    leaders: list[tuple[uuid.UUID, str]],
    deals: list[tuple[uuid.UUID, uuid.UUID]],
    threads: int,
) -> dict[str, Any]:
    """Each leader opens one team, deals taken in turn, from ``threads`` connections at once;
    returns the teams made as (team id, SKU id)."""
    made: list[tuple[str, str]] = []
    failures: Counter[str] = Counter()

    async def lead(n: int, connection: loadgen.Connection) -> None:
        for i in range(n, len(leaders), threads):
            deal_id, sku_id = deals[i % len(deals)]
            try:
                answer = await connection.send(
                    loadgen.api_request(
                        "POST",
                        f"/api/v1/group-deals/{deal_id}/teams",
                        token=leaders[i][1],
                        payload={"sku_id": str(sku_id)},
                        idempotency_key=f"lead-{i}",
                    )
                )
            except (ConnectionError, TimeoutError) as exc:
                failures[type(exc).__name__] += 1
                continue
            if answer.status == 201:
                made.append((answer.json()["team"]["id"], str(sku_id)))
            else:
                failures[answer.outcome(201)] += 1

    opened = await loadgen.open_connections(base_url, min(threads, len(leaders)) or 1)
    began = time.perf_counter()
    await asyncio.gather(*(lead(n, c) for n, c in enumerate(opened)))
    seconds = time.perf_counter() - began
    loadgen.close_all(opened)
    return {
        "teams": made,
        "count": len(made),
        "per_s": round(len(made) / seconds, 1),
        "failures": dict(failures),
    }


async def _storm(
    server: ServerProcess, joiners: list[tuple[uuid.UUID, str]], picks: list[tuple[str, str]]
) -> dict[str, Any]:
    """Every joiner at once, a connection each, on the team picked for them: picks are (team id,
    SKU id)."""
    raws = [
        loadgen.api_request(
            "POST",
            f"/api/v1/teams/{team_id}/join",
            token=token,
            payload={"sku_id": sku_id},
            idempotency_key=f"join-{n}",
        )
        for n, ((_, token), (team_id, sku_id)) in enumerate(zip(joiners, picks, strict=True))
    ]
    host, port = loadgen.host_port(server.base_url)
    opened = await asyncio.gather(
        *(loadgen.Connection.open(host, port) for _ in joiners), return_exceptions=True
    )
    codes: Counter[str] = Counter()
    answers: list[int] = [0] * len(joiners)
    latencies: list[float] = []
    errors: Counter[str] = Counter()

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

    await asyncio.sleep(0.1)
    window = loadgen.CpuWindow(server.pids)
    await asyncio.gather(*(one(n, c) for n, c in enumerate(opened)))
    usage = window.close()
    loadgen.close_all(c for c in opened if isinstance(c, loadgen.Connection))
    return {
        "codes": codes,
        "answers": answers,
        "latencies": latencies,
        "unanswered": sum(errors.values()),
        "errors": dict(errors),
        "usage": usage,
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
