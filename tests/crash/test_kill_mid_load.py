"""A paying load against a real server process, killed with SIGKILL mid-load and restarted.

Checkouts and payments are commands of the server's writer (core/writer.py), applied in batches
with one commit each; with eight buyers at once, batches are in flight when the kill lands.
After the crash and a restart (and the clients retrying what they had in flight with the same
Idempotency-Keys): every command that was answered is in the database (an answer comes only after
its batch's commit), none is half applied, a retried key has one effect, and money and stock add
up — the ledger replays, every paid order has its escrow transfer and every escrow transfer its
paid order, and no unit of stock is lost or made up.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from agora import inventory, ledger
from agora.bench.fresh import fresh_database
from agora.bench.server import ServerProcess, start_server
from agora.bench.trading import _shoppers, _skus
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.ordering import Order, OrderLine

pytestmark = pytest.mark.slow

PG_URL = os.environ.get("AGORA_TEST_DATABASE_URL")
STOCK = 1_000
KILL_AFTER_PAID = 25
HOLDING = ("pending_payment", "paid")


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    with fresh_database(PG_URL if request.param == "postgresql" else "") as db:
        yield db


class Load:
    """Client threads buying one unit and paying it, until the server stops answering."""

    def __init__(self, base_url: str, people: list[tuple[uuid.UUID, str]], skus: list[uuid.UUID]):
        self.base_url = base_url
        self.people = people
        self.skus = skus
        self.paid = 0
        self.placed_ids: list[str] = []
        self.paid_ids: list[str] = []
        self.unanswered: list[tuple[str, str, dict[str, object], str]] = []
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.numbers = itertools.count()

    def run(self, threads: int) -> None:
        workers = [threading.Thread(target=self._buyer, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)

    def _buyer(self, n: int) -> None:
        _, token = self.people[n]
        with httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ) as client:
            for _ in range(2_000):  # bounded: the kill stops it long before
                i = next(self.numbers)
                checkout = (
                    "/api/v1/checkout",
                    {"lines": [{"sku_id": str(self.skus[i % len(self.skus)]), "quantity": 1}]},
                    f"crash-co-{i}",
                )
                placed = self._post(client, token, *checkout)
                if placed is None:
                    return
                if placed.status_code != 201:
                    continue
                order_id = placed.json()["orders"][0]["id"]
                with self.lock:
                    self.placed_ids.append(order_id)
                pay = (f"/api/v1/orders/{order_id}/pay", {"sources": [{"source": "wallet"}]})
                paid = self._post(client, token, *pay, f"crash-pay-{i}")
                if paid is None:
                    return
                if paid.status_code == 200:
                    with self.lock:
                        self.paid += 1
                        self.paid_ids.append(order_id)
                        if self.paid >= KILL_AFTER_PAID:
                            self.enough.set()

    def _post(
        self, client: httpx.Client, token: str, path: str, body: dict[str, object], key: str
    ) -> httpx.Response | None:
        try:
            return client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError:
            with self.lock:
                self.unanswered.append((path, token, body, key))
            return None


def test_a_killed_server_loses_no_money_and_no_stock(database: Database, tmp_path: Path) -> None:
    # Given shoppers with funded wallets and SKUs with stock, and a server under a paying load
    people = _shoppers(database, 8)
    skus = _skus(database, 5, stock=STOCK)
    url = database.url
    server = start_server(url, tmp_path / "first.log")
    load = Load(server.base_url, people, skus)
    runner = threading.Thread(target=load.run, args=(8,))
    runner.start()

    # When the server is killed with SIGKILL in the middle of it
    assert load.enough.wait(timeout=120), "the load never got going:\n" + server.log()
    server.kill()
    runner.join(timeout=60)
    assert not runner.is_alive()

    # And it is restarted, and the clients retry what was in flight with the same keys
    restarted = start_server(url, tmp_path / "second.log")
    try:
        retried = _retry(restarted, load.unanswered)
    finally:
        restarted.stop()

    # Then nothing was lost, duplicated or made up
    assert all(status in (200, 201, 404, 409) for status in retried), retried
    uow = UnitOfWork(database)
    report = ledger.check(uow)
    assert report.ok, report.problems
    _assert_answered_commands_hold(uow, load)
    _assert_orders_match_escrow(uow)
    _assert_stock_adds_up(uow, skus)


def _retry(
    server: ServerProcess, requests: list[tuple[str, str, dict[str, object], str]]
) -> list[int]:
    statuses = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for path, token, body, key in requests:
            response = client.post(
                path,
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
            statuses.append(response.status_code)
    return statuses


def _assert_answered_commands_hold(uow: UnitOfWork, load: Load) -> None:
    """What the server answered before the kill is there: each placed order, each payment."""
    with uow.read() as session:
        status = {
            str(order_id): state
            for order_id, state in session.execute(
                select(Order.id, Order.status).where(
                    Order.id.in_([uuid.UUID(i) for i in load.placed_ids])
                )
            )
        }
    assert len(load.placed_ids) == len(set(load.placed_ids))
    assert set(status) == set(load.placed_ids)
    assert all(status[order_id] == "paid" for order_id in load.paid_ids)


def _assert_orders_match_escrow(uow: UnitOfWork) -> None:
    with uow.read() as session:
        paid = {
            str(order_id): total
            for order_id, total in session.execute(
                select(Order.id, Order.total).where(Order.status == "paid")
            )
        }
        assert (
            session.scalar(
                select(func.count()).select_from(Order).where(Order.status.not_in(HOLDING))
            )
            == 0
        )
    escrowed = {
        key.split(":")[1]: kind for key, kind in ledger.transfers_with(uow, key_prefix="order:")
    }
    # Every paid order has its escrow transfer, and every escrow transfer its paid order.
    assert set(escrowed) == set(paid)
    assert all(kind == "order_payment" for kind in escrowed.values()), escrowed
    assert ledger.total_balance(uow, owner_type="platform", kind="escrow") == sum(paid.values())


def _assert_stock_adds_up(uow: UnitOfWork, skus: list[uuid.UUID]) -> None:
    with uow.read() as session:
        held = dict(
            session.execute(
                select(OrderLine.sku_id, func.sum(OrderLine.quantity))
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.status.in_(HOLDING))
                .group_by(OrderLine.sku_id)
            ).all()
        )
        for sku in skus:
            stock = session.get(inventory.Stock, sku)
            assert stock is not None
            assert stock.available >= 0
            assert stock.reserved == held.get(sku, 0)
            assert stock.available + stock.reserved == STOCK
