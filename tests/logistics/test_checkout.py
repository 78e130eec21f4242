"""Checkout and the address book: each order takes a copy of the address it is placed with; an
address of someone else, or none at all, places nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import factories
from agora import logistics, ordering
from agora.core.uow import UnitOfWork
from factories import assert_problem
from logistics.test_addresses import HOME
from ordering.world import World, build_world


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    yield build_world(uow, World)


def test_each_order_copies_the_address_and_keeps_it(world: World) -> None:
    office = logistics.add_address(
        world.uow, actor=world.buyer, values={**HOME, "street": "1 Office Park"}
    )
    orders = ordering.place_orders(
        world.uow,
        actor=world.buyer,
        lines=[ordering.LineRequest(world.red_coat, 1), ordering.LineRequest(world.dress_sku, 1)],
        address_id=office.id,
    )
    assert len(orders) == 2 and all(
        o.ship_to and o.ship_to["street"] == "1 Office Park" for o in orders
    )

    logistics.update_address(
        world.uow, actor=world.buyer, address_id=office.id, values={**HOME, "street": "Moved"}
    )
    logistics.remove_address(world.uow, actor=world.buyer, address_id=office.id)
    placed = ordering.order_detail(world.uow, actor=world.buyer, order_id=orders[0].id)
    assert placed.ship_to == {
        "recipient": "Wang Lei",
        "phone": "13800138000",
        "country": "CN",
        "region": "Zhejiang",
        "city": "Hangzhou",
        "district": "Xihu",
        "street": "1 Office Park",
        "postcode": "310012",
    }


def test_without_an_address_named_the_default_is_used(world: World) -> None:
    [order] = ordering.place_orders(
        world.uow, actor=world.buyer, lines=[ordering.LineRequest(world.red_coat, 1)]
    )
    default = logistics.default_address(world.uow, actor=world.buyer)
    assert default is not None and order.ship_to is not None
    assert order.ship_to["street"] == default.street and order.ship_to["phone"] == default.phone


def test_another_shoppers_address_or_none_places_nothing(world: World) -> None:
    theirs = logistics.default_address(world.uow, actor=world.other)
    assert theirs is not None
    before = world.snapshot()
    with pytest.raises(logistics.AddressNotFound):
        ordering.place_orders(
            world.uow,
            actor=world.buyer,
            lines=[ordering.LineRequest(world.red_coat, 1)],
            address_id=theirs.id,
        )
    nobody = factories.principal(factories.make_user(world.uow, address=False))
    with pytest.raises(ordering.AddressRequired):
        ordering.place_orders(
            world.uow, actor=nobody, lines=[ordering.LineRequest(world.red_coat, 1)]
        )
    assert world.snapshot() == before


def test_the_api_takes_an_address_and_shows_the_copy(client: TestClient, world: World) -> None:
    headers = factories.bearer(world.uow, world.buyer_user)
    office = logistics.add_address(
        world.uow, actor=world.buyer, values={**HOME, "street": "1 Office Park"}
    )
    line = {"sku_id": str(world.red_coat), "quantity": 1}
    placed = client.post(
        "/api/v1/checkout",
        json={"lines": [line], "address_id": str(office.id)},
        headers=headers,
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["orders"][0]["ship_to"]["street"] == "1 Office Park"

    theirs = logistics.default_address(world.uow, actor=world.other)
    assert theirs is not None
    refused = client.post(
        "/api/v1/checkout", json={"lines": [line], "address_id": str(theirs.id)}, headers=headers
    )
    assert_problem(refused, 404, "address_not_found")
