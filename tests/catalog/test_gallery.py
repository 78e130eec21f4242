"""A product's uploaded pictures: order, main picture, one per colour, removal, and access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import factories
from agora import catalog, media
from agora.catalog import ProductImage, Sku
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from pictures import picture

LIMITS = {"max_bytes": 1_000_000, "max_pixels": 5_000_000}


def processed(colour: tuple[int, int, int]) -> media.ProcessedImage:
    return media.process_image(picture("PNG", size=(600, 600), colour=colour), **LIMITS)


RED, BLUE, GREEN = processed((220, 0, 0)), processed((0, 0, 220)), processed((0, 160, 0))


@pytest.fixture
def shop(uow: UnitOfWork) -> dict[str, Any]:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    rival = factories.make_user(uow, name="Rival")
    store = factories.make_store(uow, ops, owner)
    rival_store = factories.make_store(uow, ops, rival)
    coat = factories.make_product(uow, factories.principal(owner), store, cats["coats"])
    return {
        "owner": factories.principal(owner),
        "rival": factories.principal(rival),
        "shopper": factories.principal(factories.make_user(uow, name="Shopper")),
        "coat": coat,
        "rival_store": rival_store,
    }


@pytest.fixture
def storage(tmp_path: Path) -> media.LocalStorage:
    return media.LocalStorage(tmp_path / "media")


def add(
    uow: UnitOfWork, actor: Principal, storage: media.Storage, product: Any, *images: Any
) -> list[catalog.ImageView]:
    return catalog.add_product_images(
        uow, actor=actor, storage=storage, product_id=product.id, images=images, max_images=4
    )


def pictures_of(uow: UnitOfWork, product_id: Any) -> tuple[str, list[str | None]]:
    with uow.read() as session:
        product = session.get(catalog.Product, product_id)
        assert product is not None
        skus = session.scalars(
            select(Sku).where(Sku.product_id == product_id).order_by(Sku.position)
        )
        return product.image_url, [sku.image_url for sku in skus]


def test_uploads_are_stored_in_order_and_the_first_is_the_main_picture(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    drawn = coat.image_url

    views = add(uow, shop["owner"], storage, coat, RED, BLUE)

    assert [v.position for v in views] == [0, 1]
    assert [v.is_main for v in views] == [True, False]
    assert views[0].card == f"/media/u/{RED.key(480)}"
    for image in (RED, BLUE):
        for width in (240, 480, 1080):
            assert storage.path_of(image.key(width)).read_bytes() == image.renditions[width]
    # Product cards, the cart and orders read the main picture's card size.
    assert pictures_of(uow, coat.id) == (f"/media/u/{RED.key(480)}", [None, None])
    assert drawn.startswith("/media/p/")
    assert catalog.product_gallery(uow, storage, coat.id) == views


def test_make_main_moves_a_picture_to_the_front(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    red, blue, green = add(uow, shop["owner"], storage, coat, RED, BLUE, GREEN)

    views = catalog.make_main_image(
        uow, actor=shop["owner"], storage=storage, product_id=coat.id, image_id=green.id
    )

    assert [v.id for v in views] == [green.id, red.id, blue.id]
    assert [v.position for v in views] == [0, 1, 2]
    assert pictures_of(uow, coat.id)[0] == f"/media/u/{GREEN.key(480)}"


def test_one_picture_per_colour_shown_for_that_colours_skus(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product  # SKUs: red M, black M
    red, blue, _ = add(uow, shop["owner"], storage, coat, RED, BLUE, GREEN)

    def tie(image_id: Any, colour: str | None) -> list[catalog.ImageView]:
        return catalog.set_image_colour(
            uow,
            actor=shop["owner"],
            storage=storage,
            product_id=coat.id,
            image_id=image_id,
            colour=colour,
        )

    tie(red.id, "red")
    views = tie(blue.id, "red")  # the colour moves: one picture per colour

    assert [v.colour for v in views] == [None, "red", None]
    assert pictures_of(uow, coat.id)[1] == [f"/media/u/{BLUE.key(240)}", None]
    views = tie(blue.id, None)
    assert [v.colour for v in views] == [None, None, None]
    assert pictures_of(uow, coat.id)[1] == [None, None]
    with pytest.raises(InvalidInput):
        tie(red.id, "green")  # not a colour of this product
    assert [v.colour for v in catalog.product_gallery(uow, storage, coat.id)] == [None, None, None]


def test_removing_pictures_renumbers_and_the_last_brings_back_the_drawing(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    drawn = coat.image_url
    red, blue = add(uow, shop["owner"], storage, coat, RED, BLUE)

    views = catalog.remove_product_image(
        uow, actor=shop["owner"], storage=storage, product_id=coat.id, image_id=red.id
    )

    assert [(v.id, v.position) for v in views] == [(blue.id, 0)]
    assert not storage.path_of(RED.key(1080)).exists()  # no other picture uses its files
    assert pictures_of(uow, coat.id)[0] == f"/media/u/{BLUE.key(480)}"
    catalog.remove_product_image(
        uow, actor=shop["owner"], storage=storage, product_id=coat.id, image_id=blue.id
    )
    assert pictures_of(uow, coat.id) == (drawn, [None, None])


def test_files_shared_with_another_picture_are_kept(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    first, _ = add(uow, shop["owner"], storage, coat, RED, RED)

    catalog.remove_product_image(
        uow, actor=shop["owner"], storage=storage, product_id=coat.id, image_id=first.id
    )

    assert storage.path_of(RED.key(240)).exists()


def test_a_product_takes_at_most_its_limit_of_pictures(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    add(uow, shop["owner"], storage, coat, RED, BLUE, GREEN)

    with pytest.raises(catalog.TooManyImages):
        add(uow, shop["owner"], storage, coat, RED, BLUE)

    assert len(catalog.product_gallery(uow, storage, coat.id)) == 3


@pytest.mark.parametrize("who", ["rival", "shopper"])
def test_only_the_products_store_staff_touch_its_pictures(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage, who: str
) -> None:
    coat = shop["coat"].product
    (mine,) = add(uow, shop["owner"], storage, coat, RED)
    stranger = shop[who]
    before = catalog.product_gallery(uow, storage, coat.id)

    with pytest.raises(catalog.ProductNotFound):
        add(uow, stranger, storage, coat, BLUE)
    with pytest.raises(catalog.ProductNotFound):
        catalog.product_images(uow, actor=stranger, storage=storage, product_id=coat.id)
    for action in (catalog.remove_product_image, catalog.make_main_image):
        with pytest.raises(catalog.ProductNotFound):
            action(uow, actor=stranger, storage=storage, product_id=coat.id, image_id=mine.id)
    with pytest.raises(catalog.ProductNotFound):
        catalog.set_image_colour(
            uow, actor=stranger, storage=storage, product_id=coat.id, image_id=mine.id, colour=None
        )

    assert catalog.product_gallery(uow, storage, coat.id) == before
    assert not storage.path_of(BLUE.key(240)).exists()


def test_a_picture_is_reached_only_through_its_own_product(
    uow: UnitOfWork, shop: dict[str, Any], storage: media.LocalStorage
) -> None:
    coat = shop["coat"].product
    owner = shop["owner"]
    (mine,) = add(uow, owner, storage, coat, RED)
    rival_product = factories.make_product(
        uow,
        shop["rival"],
        shop["rival_store"],
        shop["coat"].category_path[-1],
        title_en="Rival Coat",
    ).product
    (theirs,) = add(uow, shop["rival"], storage, rival_product, BLUE)

    # The owner names their own product but the rival's picture: refused, nothing changes.
    with pytest.raises(catalog.ImageNotFound):
        catalog.remove_product_image(
            uow, actor=owner, storage=storage, product_id=coat.id, image_id=theirs.id
        )
    with pytest.raises(catalog.ImageNotFound):
        catalog.make_main_image(
            uow, actor=owner, storage=storage, product_id=coat.id, image_id=theirs.id
        )
    with uow.read() as session:
        assert (
            session.scalar(select(ProductImage.product_id).where(ProductImage.id == theirs.id))
            == rival_product.id
        )
    assert [v.id for v in catalog.product_gallery(uow, storage, coat.id)] == [mine.id]
