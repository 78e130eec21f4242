"""``agora bench ledger``: transfers per second through ``ledger.transfer``.

Three shapes, each on wallets funded up front: one transfer per transaction from one thread
(the latency of a payment's money movement), the same from several threads (SQLite serializes
writers, PostgreSQL runs them side by side), and ``transfer_many`` batches of 100 per transaction
(how a settlement, expiry or accrual sweep moves money). After the run the ledger audit must
pass and no wallet may be below zero.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agora import ledger
from agora.bench.fresh import fresh_database
from agora.bench.stats import summary_ms
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.ledger import AccountRef, Leg, platform_account

WALLETS = 200
BANK = platform_account("gateway:bench", bounded=False)


def _wallet(n: int) -> AccountRef:
    return AccountRef("user", uuid.UUID(int=n + 1), "wallet")


def _payment(n: int, prefix: str) -> tuple[str, list[Leg]]:
    escrow = platform_account("escrow", shard_key=f"{prefix}{n}")
    return f"{prefix}{n}", [Leg(_wallet(n % WALLETS), -1), Leg(escrow, 1)]


def _fund(database: Database) -> None:
    uow = UnitOfWork(database)
    with uow:
        for n in range(WALLETS):
            ledger.transfer(
                uow,
                key=f"fund-{n}",
                kind="top_up",
                legs=[Leg(BANK, -(10**9)), Leg(_wallet(n), 10**9)],
            )


def _single(database: Database, count: int, threads: int, prefix: str) -> dict[str, Any]:
    latencies: list[float] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        key, legs = _payment(n, prefix)
        t0 = time.perf_counter()
        ledger.transfer(UnitOfWork(database), key=key, kind="payment", legs=legs)
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)

    started = time.perf_counter()
    if threads == 1:
        for n in range(count):
            one(n)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(count)))
    seconds = time.perf_counter() - started
    return {
        "threads": threads,
        "transfers": count,
        "transfers_per_s": round(count / seconds, 1),
        **summary_ms(latencies),
    }


def _batched(database: Database, count: int, batch: int) -> dict[str, Any]:
    latencies: list[float] = []
    started = time.perf_counter()
    for first in range(0, count, batch):
        t0 = time.perf_counter()
        specs = []
        for n in range(first, min(first + batch, count)):
            key, legs = _payment(n, "batch-")
            specs.append(ledger.TransferSpec(key=key, kind="payment", legs=legs))
        ledger.transfer_many(UnitOfWork(database), specs)
        latencies.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - started
    return {
        "batch": batch,
        "transfers": count,
        "transfers_per_s": round(count / seconds, 1),
        **{f"batch_{k}": v for k, v in summary_ms(latencies).items()},
    }


def run_ledger(
    *, transfers: int = 5_000, threads: int = 4, database_url: str = "", **_: Any
) -> dict[str, Any]:
    with fresh_database(database_url) as database:
        _fund(database)
        sequential = _single(database, transfers, 1, "seq-")
        concurrent = _single(database, transfers, threads, "par-")
        batched = _batched(database, transfers, 100)
        uow = UnitOfWork(database)
        report = ledger.check(uow)
        lowest = min(ledger.balances(uow, [_wallet(n) for n in range(WALLETS)]).values())
        return {
            "scenario": "ledger",
            "dialect": database.dialect,
            "sequential": sequential,
            "concurrent": concurrent,
            "batched": batched,
            "ledger_ok": report.ok,
            "entries": report.entries,
            "negative_wallets": int(lowest < 0),
        }
