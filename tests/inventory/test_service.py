"""Stock per SKU: merchants set and adjust their own, guarded so it never goes below zero."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

import factories
from agora import catalog, inventory
from agora.catalog.schemas import ProductIn, SkuIn
from agora.core import security
from agora.core.db import Database
from agora.core.errors import AgoraError, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.inventory import InsufficientStock, Stock


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _untangle_categories(db: Database) -> Iterator[None]:
    """Detach child categories after each test: on SQLite the self-referencing RESTRICT key makes
    the shared clean-up's single ``DELETE FROM categories`` fail when a parent goes first."""
    yield
    with db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()


@dataclass
class Shop:
    ops: Principal
    merchant_a: Principal
    merchant_b: Principal
    shopper: Principal
    coat: catalog.ProductDetail  # store A: red M (10), black M (5)
    dress: catalog.ProductDetail  # store B: red S (4)


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    ops = factories.make_operator(uow)
    a_user, b_user = factories.make_user(uow), factories.make_user(uow)
    shopper = factories.principal(factories.make_user(uow))
    store_a = factories.make_store(uow, ops, a_user)
    store_b = factories.make_store(uow, ops, b_user)
    categories = factories.make_categories(uow, ops)
    a, b = factories.principal(a_user), factories.principal(b_user)
    coat = factories.make_product(uow, a, store_a, categories["coats"])
    dress = factories.make_product(
        uow, b, store_b, categories["dresses"], title_en="Silk Dress", skus=[("red", "S", 32900, 4)]
    )
    return Shop(ops, a, b, shopper, coat, dress)


def rows(uow: UnitOfWork) -> dict[uuid.UUID, tuple[int, int, Any]]:
    """Every stock row: (available, reserved, updated_at)."""
    with uow.read() as session:
        return {
            s.sku_id: (s.available, s.reserved, s.updated_at)
            for s in session.scalars(select(Stock))
        }


def level(uow: UnitOfWork, sku_id: uuid.UUID) -> int:
    return inventory.stock_levels(uow, [sku_id])[sku_id]


def test_stock_levels_read_many_skus_at_once(uow: UnitOfWork, shop: Shop) -> None:
    red, black = shop.coat.skus
    unknown = uuid.uuid4()

    assert inventory.stock_levels(uow, [red.id, black.id, shop.dress.skus[0].id, unknown]) == {
        red.id: 10,
        black.id: 5,
        shop.dress.skus[0].id: 4,
        unknown: 0,
    }
    assert inventory.stock_levels(uow, []) == {}


def test_staff_set_their_own_stock(uow: UnitOfWork, shop: Shop) -> None:
    red, black = shop.coat.skus

    inventory.set_stock(uow, actor=shop.merchant_a, levels={red.id: 0, black.id: 250})

    assert inventory.stock_levels(uow, [red.id, black.id]) == {red.id: 0, black.id: 250}
    assert level(uow, shop.dress.skus[0].id) == 4


def test_an_operator_may_set_any_stock(uow: UnitOfWork, shop: Shop) -> None:
    inventory.set_stock(uow, actor=shop.ops, levels={shop.dress.skus[0].id: 9})

    assert level(uow, shop.dress.skus[0].id) == 9


def test_setting_another_stores_stock_is_refused_and_changes_nothing(
    uow: UnitOfWork, shop: Shop
) -> None:
    before = rows(uow)
    red = shop.coat.skus[0]

    for actor in (shop.merchant_b, shop.shopper):
        with pytest.raises(catalog.ProductNotFound) as refused:
            inventory.set_stock(uow, actor=actor, levels={red.id: 0})
        assert refused.value.status == 404
    # One foreign SKU in a batch refuses the whole batch, own SKUs included.
    with pytest.raises(catalog.ProductNotFound):
        inventory.set_stock(
            uow, actor=shop.merchant_b, levels={shop.dress.skus[0].id: 100, red.id: 0}
        )

    assert rows(uow) == before


@pytest.mark.parametrize("quantity", [-1, 10_000_001])
def test_stock_out_of_range_is_refused(uow: UnitOfWork, shop: Shop, quantity: int) -> None:
    before = rows(uow)

    with pytest.raises(InvalidInput):
        inventory.set_stock(uow, actor=shop.merchant_a, levels={shop.coat.skus[0].id: quantity})

    assert rows(uow) == before


def test_adjust_stock_up_and_down(uow: UnitOfWork, shop: Shop) -> None:
    red = shop.coat.skus[0]

    assert inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=red.id, delta=5) == 15
    assert inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=red.id, delta=-15) == 0
    assert level(uow, red.id) == 0


def test_stock_never_goes_below_zero(uow: UnitOfWork, shop: Shop) -> None:
    black = shop.coat.skus[1]
    before = rows(uow)

    with pytest.raises(InsufficientStock) as refused:
        inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=black.id, delta=-6)

    assert (refused.value.status, refused.value.code) == (409, "insufficient_stock")
    assert rows(uow) == before
    assert level(uow, black.id) == 5


def test_adding_beyond_the_cap_is_refused(uow: UnitOfWork, shop: Shop) -> None:
    red = shop.coat.skus[0]
    inventory.set_stock(uow, actor=shop.merchant_a, levels={red.id: 9_999_999})
    before = rows(uow)

    with pytest.raises(InvalidInput):
        inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=red.id, delta=2)

    assert rows(uow) == before
    assert inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=red.id, delta=1) == 10_000_000


@pytest.mark.parametrize("delta", [0, 10_000_001, -10_000_001])
def test_pointless_adjustments_are_refused(uow: UnitOfWork, shop: Shop, delta: int) -> None:
    before = rows(uow)

    with pytest.raises(InvalidInput):
        inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=shop.coat.skus[0].id, delta=delta)

    assert rows(uow) == before


def test_adjusting_another_stores_stock_is_refused(uow: UnitOfWork, shop: Shop) -> None:
    before = rows(uow)

    for actor in (shop.merchant_b, shop.shopper):
        with pytest.raises(catalog.ProductNotFound):
            inventory.adjust_stock(uow, actor=actor, sku_id=shop.coat.skus[0].id, delta=-1)
    with pytest.raises(catalog.ProductNotFound):
        inventory.adjust_stock(uow, actor=shop.ops, sku_id=uuid.uuid4(), delta=1)

    assert rows(uow) == before


def test_adding_stock_to_a_sku_never_counted_creates_its_row(uow: UnitOfWork, shop: Shop) -> None:
    with uow:
        detail = catalog.create_product(
            uow,
            actor=shop.merchant_a,
            store_id=shop.coat.store.id,
            data=ProductIn(
                category_id=shop.coat.product.category_id,
                title_en="Uncounted",
                list_price=100,
                skus=[SkuIn(colour="red", price=100)],
            ),
        )
    sku_id = detail.skus[0].id
    assert sku_id not in rows(uow)

    assert inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=sku_id, delta=3) == 3
    with pytest.raises(InsufficientStock):
        inventory.adjust_stock(uow, actor=shop.merchant_a, sku_id=sku_id, delta=-4)
    assert level(uow, sku_id) == 3


def test_concurrent_decrements_never_oversell(db: Database, uow: UnitOfWork, shop: Shop) -> None:
    sku_id = shop.coat.skus[0].id  # 10 units
    threads_count = 20
    start = threading.Barrier(threads_count)
    outcomes: list[int | str] = []
    lock = threading.Lock()

    def take_one() -> None:
        start.wait()
        try:
            result: int | str = inventory.adjust_stock(
                UnitOfWork(db), actor=shop.merchant_a, sku_id=sku_id, delta=-1
            )
        except AgoraError as exc:
            result = exc.code
        except Exception as exc:  # an unexpected error must fail the test, not vanish
            result = f"unexpected: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=take_one) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    successes = sorted(o for o in outcomes if isinstance(o, int))
    assert successes == list(range(10))  # every remaining level seen exactly once: 9, 8, ... 0
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["insufficient_stock"] * 10
    assert level(uow, sku_id) == 0
    assert level(uow, shop.coat.skus[1].id) == 5
