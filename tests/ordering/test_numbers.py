"""Human order numbers: given at placement, unique under concurrent checkouts, searchable by
their owners only, shown on the pages and in the API."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import factories
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.core.writer import Writer
from agora.identity import get_user
from agora.ordering import LineRequest, Order, list_orders, place_orders, store_orders
from agora.ordering.numbers import format_number, number_bounds
from factories import HTML, assert_problem, bearer, browser_sign_in, race
from ordering.world import World, buy

NUMBER = re.compile(r"^\d{16}$")


def _user(world: World, who: Any) -> Any:
    return get_user(world.uow, who.user_id)


def _numbers(db: Database) -> list[str]:
    with UnitOfWork(db).read() as session:
        return list(session.scalars(select(Order.number).order_by(Order.number)))


def test_a_checkout_numbers_each_order_by_the_business_day(world: World, db: Database) -> None:
    # 18:30 UTC on 6 December is already 7 December in Shanghai, the business zone.
    clock.freeze(datetime(2026, 12, 6, 18, 30, tzinfo=UTC))
    lines = [LineRequest(world.red_coat, 1), LineRequest(world.dress_sku, 1)]

    first, second = place_orders(world.uow, actor=world.buyer, lines=lines)
    third = buy(world, world.black_coat)

    assert all(NUMBER.match(o.number) for o in (first, second, third))
    assert {o.number[:8] for o in (first, second, third)} == {"20261207"}
    # One checkout of two stores takes two numbers; the next checkout comes after them.
    assert int(first.number) < int(second.number) < int(third.number)
    assert _numbers(db) == [first.number, second.number, third.number]
    if db.is_sqlite:  # the day's counter: 1, 2, 3 with no gaps
        assert [first.number, second.number, third.number] == [
            "2026120700000001",
            "2026120700000002",
            "2026120700000003",
        ]


def test_concurrent_checkouts_through_the_writer_never_share_a_number(
    world: World, db: Database
) -> None:
    buyers = [factories.principal(factories.make_user(world.uow)) for _ in range(8)]
    lines = [LineRequest(world.red_coat, 1), LineRequest(world.dress_sku, 1)]
    writer = Writer(db)

    def checkout(buyer: Any) -> Any:
        # The first three buy from both stores (the dress has 3): two numbers, one statement.
        wanted = lines if buyers.index(buyer) < 3 else lines[:1]
        return lambda uow: place_orders(uow, actor=buyer, lines=wanted)

    async def together() -> list[Any]:
        return await asyncio.gather(*(writer.run(checkout(b)) for b in buyers))

    try:
        # A thread of its own: browser tests earlier in the run leave a loop running in this one.
        with ThreadPoolExecutor(1) as thread:
            results = thread.submit(asyncio.run, together()).result()
        placed = [order for orders in results for order in orders]
    finally:
        writer.stop()

    numbers = [order.number for order in placed]
    assert len(numbers) == 3 * 2 + 5 and len(set(numbers)) == len(numbers)
    assert sorted(numbers) == _numbers(db)


def test_concurrent_checkouts_on_threads_never_share_a_number(world: World, db: Database) -> None:
    buyers = [factories.principal(factories.make_user(world.uow)) for _ in range(10)]
    lines = [LineRequest(world.red_coat, 1), LineRequest(world.dress_sku, 1)]

    def checkout(i: int) -> Any:
        wanted = lines if i < 3 else lines[:1]
        return place_orders(UnitOfWork(db), actor=buyers[i], lines=wanted)

    results = race(10, checkout, workers=10)

    assert all(isinstance(r, list) for r in results), results
    placed = [order for orders in results for order in orders]
    assert len(placed) == 3 * 2 + 7
    assert len({order.number for order in placed}) == len(placed)
    assert sorted(order.number for order in placed) == _numbers(db)
    # Both orders of one checkout were numbered together, in store order.
    for orders in results[:3]:
        assert int(orders[0].number) < int(orders[1].number)


def test_search_finds_an_order_by_its_whole_number_or_its_start(world: World) -> None:
    first = buy(world, world.red_coat)
    second = buy(world, world.black_coat)

    def found(number: str, **who: Any) -> list[str]:
        page = list_orders(world.uow, actor=who.get("actor", world.buyer), number=number)
        return [o.number for o in page.items]

    assert found(first.number) == [first.number]
    assert found(second.number) == [second.number]
    assert found(first.number[:8]) == [second.number, first.number]  # the day: both
    assert found(" " + first.number[:4] + " ") == [second.number, first.number]
    assert found("99" + first.number[2:]) == []
    assert found("abc") == [] and found(first.number + "0") == []
    # Another shopper who knows the number finds nothing.
    assert found(first.number, actor=world.other) == []
    # The store finds it; the other store does not.
    ours = store_orders(
        world.uow, actor=world.merchant_a, store_id=world.store_a.id, number=first.number
    )
    assert [o.id for o in ours.items] == [first.id]
    theirs = store_orders(
        world.uow, actor=world.merchant_b, store_id=world.store_b.id, number=first.number
    )
    assert theirs.items == []


def test_number_bounds_and_format() -> None:
    assert format_number("20261207", 42) == "2026120700000042"
    assert number_bounds("2026") == ("2026000000000000", "2026999999999999")
    assert number_bounds("2026120700000042") == ("2026120700000042", "2026120700000042")
    for bad in ("", "  ", "12a", "１２", "20261207000000421", "-1"):
        assert number_bounds(bad) is None


def test_the_api_gives_and_searches_the_number(client: TestClient, world: World) -> None:
    h = {
        "buyer": bearer(world.uow, world.buyer_user),
        "other": bearer(world.uow, world.other_user),
        "merchant_a": bearer(world.uow, _user(world, world.merchant_a)),
    }
    placed = client.post(
        "/api/v1/checkout",
        json={"lines": [{"sku_id": str(world.red_coat), "quantity": 1}]},
        headers=h["buyer"],
    )
    assert placed.status_code == 201, placed.text
    [order] = placed.json()["orders"]
    assert NUMBER.match(order["number"])

    detail = client.get(f"/api/v1/orders/{order['id']}", headers=h["buyer"]).json()
    assert detail["number"] == order["number"]
    mine = client.get(
        "/api/v1/orders", params={"number": order["number"][:10]}, headers=h["buyer"]
    ).json()
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    store = client.get(
        f"/api/v1/stores/{world.store_a.id}/orders",
        params={"number": order["number"]},
        headers=h["merchant_a"],
    ).json()
    assert [o["number"] for o in store["items"]] == [order["number"]]

    # Another shopper searching the number finds nothing.
    other = client.get(
        "/api/v1/orders", params={"number": order["number"]}, headers=h["other"]
    ).json()
    assert other["items"] == []
    # A number that is no number is refused, not searched.
    for bad in ("12ab", "1" * 17, ""):
        assert_problem(
            client.get("/api/v1/orders", params={"number": bad}, headers=h["buyer"]),
            422,
            "invalid_input",
        )


@pytest.mark.parametrize("page", ["/orders", "merchant"])
def test_the_order_pages_show_and_search_the_number(
    client: TestClient, world: World, page: str
) -> None:
    first = buy(world, world.red_coat)
    second = buy(world, world.black_coat)
    if page == "merchant":
        user = _user(world, world.merchant_a)
        path = f"/merchant/orders?store={world.store_a.id}&"
    else:
        user = world.buyer_user
        path = "/orders?"
    browser_sign_in(client, user)

    listed = client.get(path.rstrip("?&"), headers=HTML).text
    assert first.number in listed and second.number in listed

    found = client.get(f"{path}q={first.number}", headers=HTML)
    assert found.status_code == 200
    assert first.number in found.text and second.number not in found.text
    assert f'value="{first.number}"' in found.text  # the box keeps what was typed

    bad = client.get(f"{path}q=12ab", headers=HTML)
    assert bad.status_code == 200
    assert 'aria-invalid="true" aria-describedby="q-error"' in bad.text
    assert 'id="q-error"' in bad.text and "up to 16 digits" in bad.text
    assert first.number not in bad.text

    detail_path = "/merchant/orders/" if page == "merchant" else "/orders/"
    detail = client.get(f"{detail_path}{first.id}", headers=HTML).text
    assert f"Order No. {first.number}" in detail


def test_a_shopper_searching_anothers_number_on_the_page_finds_nothing(
    client: TestClient, world: World
) -> None:
    theirs = buy(world, world.red_coat)
    browser_sign_in(client, world.other_user)

    page = client.get(f"/orders?q={theirs.number}", headers=HTML)

    assert page.status_code == 200
    assert theirs.number in page.text  # in the search box only
    assert 'data-testid="order-card"' not in page.text
    assert "No order with that number" in page.text


def test_an_order_card_in_chat_names_the_order_by_number(world: World) -> None:
    from agora import customer_service

    order = buy(world, world.red_coat)
    chat = customer_service.open_store_chat(world.uow, actor=world.buyer, store_id=world.store_a.id)
    [card] = customer_service.order_choices(world.uow, actor=world.buyer, conversation_id=chat.id)
    assert card.number == order.number


def test_the_migration_numbers_existing_orders_in_order_of_creation(
    world: World, db: Database
) -> None:
    from alembic import command

    from agora.core.migrate import alembic_config

    # Two orders on the business day 7 December (one placed at 23:00 on the 6th, UTC), one on
    # the 8th; the clock goes back in between, so creation order is not id order.
    clock.freeze(datetime(2026, 12, 7, 20, 0, tzinfo=UTC))  # 8 December in Shanghai
    late = buy(world, world.red_coat)
    clock.freeze(datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    early = buy(world, world.red_coat)
    clock.freeze(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    middle = buy(world, world.black_coat)
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))

    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0028")
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    with UnitOfWork(db).read() as session:
        numbers = dict(session.execute(select(Order.id, Order.number)).all())
    assert numbers == {
        early.id: "2026120700000001",
        middle.id: "2026120700000002",
        late.id: "2026120800000001",
    }
    # New orders go on after the backfilled ones.
    clock.freeze(datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    after = buy(world, world.black_coat)
    assert after.number.startswith("20261207") and after.number not in numbers.values()
    assert int(after.number) > int(numbers[middle.id])


def test_the_wallet_history_names_the_order_a_payment_was_for(
    client: TestClient, world: World
) -> None:
    from ordering.world import pay_wallet

    world.fund(world.buyer_user, 100000)
    order = buy(world, world.red_coat)
    pay_wallet(world, order)
    browser_sign_in(client, world.buyer_user)

    page = client.get("/wallet", headers=HTML).text

    named = re.findall(r'data-testid="line-order">([^<]+)</a>', page)
    assert named and set(named) == {order.number}
    # Another shopper's wallet names none of it.
    browser_sign_in(client, world.other_user)
    assert order.number not in client.get("/wallet", headers=HTML).text


def test_numbers_by_id_only_for_orders_the_actor_may_see(world: World) -> None:
    from agora.ordering import order_numbers

    order = buy(world, world.red_coat)

    def seen(actor: Any) -> dict[Any, str]:
        return order_numbers(world.uow, actor=actor, order_ids=[order.id])

    assert seen(world.buyer) == {order.id: order.number}
    assert seen(world.merchant_a) == {order.id: order.number}  # the store's staff
    assert seen(world.ops) == {order.id: order.number}
    assert seen(world.other) == {} and seen(world.merchant_b) == {}


def test_a_checkout_of_several_stores_takes_its_numbers_with_one_statement(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agora.ordering import numbers

    calls: list[dict[str, Any]] = []
    real = numbers._NEXT.rows

    def counted(session: Any, params: dict[str, Any]) -> Any:
        calls.append(dict(params))
        return real(session, params)

    monkeypatch.setattr(numbers._NEXT, "rows", counted)
    lines = [LineRequest(world.red_coat, 1), LineRequest(world.dress_sku, 1)]

    placed = place_orders(world.uow, actor=world.buyer, lines=lines)

    assert len(placed) == 2 and len(calls) == 1 and calls[0]["count"] == 2
