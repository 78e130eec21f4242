"""The merchant's offers: made by the store's staff only, numbers checked, one active offer per
product, ended; and what shoppers see of them."""

from __future__ import annotations

import pytest
from sqlalchemy import update

import factories
from agora import bargain, catalog
from agora.core.errors import InvalidInput
from bargain.world import World


def test_staff_put_an_offer_on_one_sku(world: World) -> None:
    offer = world.offer(start=29900, floor=9900, helpers=5, allotment=3, hours=12)

    assert (offer.product_id, offer.sku_id, offer.store_id) == (
        world.coat.product.id,
        world.red,
        world.store.id,
    )
    assert (offer.start_price, offer.floor_price, offer.helpers_needed) == (29900, 9900, 5)
    assert (offer.window_hours, offer.allotment, offer.sold, offer.status) == (12, 3, 0, "active")
    assert (offer.title_en, offer.colour, offer.size, offer.sku_price) == (
        "Wool Coat",
        "red",
        "M",
        29900,
    )
    assert bargain.product_offer(world.uow, product_id=world.coat.product.id) == offer


def test_the_window_defaults_to_the_setting(world: World) -> None:
    assert world.offer().window_hours == 24


def test_someone_outside_the_store_cannot_make_or_end_offers(world: World) -> None:
    stranger = factories.principal(factories.make_user(world.uow, name="Stranger"))
    with pytest.raises(catalog.ProductNotFound):
        bargain.create_offer(
            world.uow,
            actor=stranger,
            product_id=world.coat.product.id,
            sku_id=world.red,
            start_price=29900,
            floor_price=9900,
            helpers_needed=5,
            allotment=3,
        )
    assert world.count(bargain.BargainOffer) == 0

    offer = world.offer()
    with pytest.raises(bargain.OfferNotFound):
        bargain.end_offer(world.uow, actor=stranger, offer_id=offer.id)
    assert world.offer_row(offer.id).status == "active"
    with pytest.raises(catalog.ProductNotFound):
        bargain.product_offers(world.uow, actor=stranger, product_id=world.coat.product.id)


def test_a_sku_of_another_product_is_refused(world: World) -> None:
    other = factories.make_product(
        world.uow,
        world.merchant,
        world.store,
        world.category,
        title_en="Scarf",
        skus=[("blue", "", 5900, 10)],
    )
    with pytest.raises(InvalidInput) as refused:
        world.offer(sku_id=other.skus[0].id, start=5900, floor=900)
    assert refused.value.extra["errors"][0]["field"] == "sku_id"
    assert world.count(bargain.BargainOffer) == 0


@pytest.mark.parametrize(
    ("numbers", "field"),
    [
        ({"start": 30000}, "start_price"),
        ({"floor": 29900}, "floor_price"),
        ({"floor": 29898, "helpers": 5}, "helpers_needed"),
        ({"helpers": 101}, "helpers_needed"),
        ({"allotment": 0}, "allotment"),
        ({"hours": 0}, "window_hours"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_stored(
    world: World, numbers: dict[str, int], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.offer(**numbers)  # type: ignore[arg-type]

    assert [e["field"] for e in refused.value.extra["errors"]] == [field]
    assert world.count(bargain.BargainOffer) == 0


def test_one_active_offer_per_product_until_it_ends(world: World) -> None:
    first = world.offer()
    with pytest.raises(bargain.OfferExists):
        world.offer(floor=19900)
    assert world.count(bargain.BargainOffer) == 1

    ended = bargain.end_offer(world.uow, actor=world.merchant, offer_id=first.id)
    assert ended.status == "ended" and ended.ended_at is not None
    again = bargain.end_offer(world.uow, actor=world.merchant, offer_id=first.id)
    assert again.ended_at == ended.ended_at
    with pytest.raises(bargain.OfferNotFound):
        bargain.product_offer(world.uow, product_id=world.coat.product.id)

    second = world.offer(floor=19900)
    rows = bargain.product_offers(world.uow, actor=world.merchant, product_id=world.coat.product.id)
    assert [(r.offer.id, r.offer.status) for r in rows] == [
        (second.id, "active"),
        (first.id, "ended"),
    ]


def test_shoppers_do_not_see_the_offer_of_a_hidden_product(world: World) -> None:
    world.offer()
    with world.uow:
        world.uow.session.execute(
            update(catalog.Product)
            .where(catalog.Product.id == world.coat.product.id)
            .values(status="hidden")
        )

    with pytest.raises(bargain.OfferNotFound):
        bargain.product_offer(world.uow, product_id=world.coat.product.id)


def test_the_merchant_sees_campaigns_counted_by_status(world: World) -> None:
    offer = world.offer(helpers=2)
    a, b, c = world.people(3, "Shopper")
    world.start(offer, a)
    world.reach(world.start(offer, b))
    world.start(offer, c)

    [row] = bargain.product_offers(
        world.uow, actor=world.merchant, product_id=world.coat.product.id
    )

    assert row.campaigns == {"open": 2, "reached": 1}
