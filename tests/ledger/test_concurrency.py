"""Real threads racing transfers against the real database: bounds hold, nothing is lost."""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from agora import ledger
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.ledger import AccountRef, InsufficientFunds, Leg, platform_account

BANK = platform_account("gateway:test", bounded=False)


def wallet(n: int) -> AccountRef:
    return AccountRef("user", uuid.UUID(int=n), "wallet")


def test_concurrent_debits_never_overdraw(db: Database) -> None:
    # Given a wallet holding 1,000 and 60 concurrent payments of 30 from it
    ledger.transfer(
        UnitOfWork(db), key="fund", kind="top_up", legs=[Leg(BANK, -1_000), Leg(wallet(1), 1_000)]
    )

    def pay(n: int) -> bool:
        try:
            ledger.transfer(
                UnitOfWork(db),
                key=f"pay-{n}",
                kind="payment",
                legs=[Leg(wallet(1), -30), Leg(wallet(100 + n), 30)],
            )
        except InsufficientFunds:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(pay, range(60), timeout=60))

    # Then exactly 33 went through and 10 fen are left
    assert outcomes.count(True) == 33
    uow = UnitOfWork(db)
    assert ledger.balance(uow, wallet(1)) == 10
    assert ledger.check(uow).ok


def test_concurrent_transfers_in_both_directions_keep_the_total(db: Database) -> None:
    # Given four funded wallets, and 200 random transfers between them from 8 threads
    # (opposite directions lock the same rows: id order keeps PostgreSQL free of deadlocks)
    uow = UnitOfWork(db)
    for n in range(4):
        ledger.transfer(
            uow, key=f"fund-{n}", kind="top_up", legs=[Leg(BANK, -5_000), Leg(wallet(n), 5_000)]
        )
    rng = random.Random(7)
    plans = [(rng.sample(range(4), 2), rng.randint(1, 400)) for _ in range(200)]

    def move(item: tuple[int, tuple[list[int], int]]) -> bool:
        n, ((src, dst), amount) = item
        try:
            ledger.transfer(
                UnitOfWork(db),
                key=f"move-{n}",
                kind="payment",
                legs=[Leg(wallet(src), -amount), Leg(wallet(dst), amount)],
            )
        except InsufficientFunds:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(move, enumerate(plans), timeout=120))

    # Then the wallets still hold 20,000 together, none is negative, and the ledger replays
    held = ledger.balances(uow, [wallet(n) for n in range(4)])
    assert sum(held.values()) == 20_000
    assert min(held.values()) >= 0
    assert ledger.check(uow).ok


def test_two_transfers_opening_one_account_at_once_both_go_through(db: Database) -> None:
    # Given a transfer that opens a new account and has not committed yet
    ledger.transfer(
        UnitOfWork(db), key="fund-open", kind="top_up", legs=[Leg(BANK, -200), Leg(wallet(7), 200)]
    )
    fresh = wallet(8)
    first_holds = threading.Event()
    release_first = threading.Event()

    def first() -> None:
        uow = UnitOfWork(db)
        with uow:
            ledger.transfer(
                uow, key="open-a", kind="payment", legs=[Leg(wallet(7), -50), Leg(fresh, 50)]
            )
            first_holds.set()
            assert release_first.wait(10)

    def second() -> None:
        assert first_holds.wait(10)
        ledger.transfer(
            UnitOfWork(db), key="open-b", kind="payment", legs=[Leg(BANK, -70), Leg(fresh, 70)]
        )

    # When a second transfer credits the same new account meanwhile (on PostgreSQL it waits on
    # the first one's insert of the account row), and the first then commits
    with ThreadPoolExecutor(max_workers=2) as pool:
        done_first, done_second = pool.submit(first), pool.submit(second)
        assert first_holds.wait(10)
        time.sleep(0.3)
        release_first.set()
        done_first.result(timeout=20)
        done_second.result(timeout=20)

    # Then both went through: the account was opened once and holds both credits
    uow = UnitOfWork(db)
    assert ledger.balance(uow, fresh) == 120
    assert ledger.check(uow).ok
