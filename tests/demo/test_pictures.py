"""The demo's product photos: painted, uploaded like a merchant's, one per colour."""

from __future__ import annotations

from pathlib import Path

import pytest

import factories
from agora import catalog, media
from agora.catalog.images import COLOURS
from agora.core.uow import UnitOfWork
from agora.demo.pictures import PHOTOGRAPHED, paint, seed_pictures
from pictures import opened


@pytest.mark.parametrize("shape", sorted(set(PHOTOGRAPHED.values())))
def test_every_shape_paints_in_any_colour(shape: str) -> None:
    for colour in ("white", "black", "orange"):
        photo = opened(paint(shape, colour))
        assert (photo.format, photo.size) == ("PNG", (800, 800))
        # The item stands out from its background: the middle differs from the corner.
        assert photo.getpixel((400, 420)) != photo.getpixel((5, 5))
    assert COLOURS  # every colour key can be painted: the palette is the shop's own


def test_photographed_products_get_one_picture_per_colour(uow: UnitOfWork, tmp_path: Path) -> None:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    store = factories.make_store(uow, ops)
    mug = factories.make_product(
        uow,
        ops,
        store,
        cats["phones"],
        title_en="Stoneware Mug",
        skus=[
            ("green", "", 4900, 3),
            ("blue", "", 4900, 3),
            ("grey", "", 4900, 3),
            ("red", "", 4900, 1),
        ],
    ).product
    plain = factories.make_product(uow, ops, store, cats["coats"]).product
    storage = media.LocalStorage(tmp_path)

    added = seed_pictures(
        uow,
        actor=ops,
        storage=storage,
        listed=[(mug.id, "stoneware-couple-mug-0227"), (plain.id, "not-photographed")],
    )

    assert added == 3
    gallery = catalog.product_gallery(uow, storage, mug.id)
    assert [view.colour for view in gallery] == ["green", "blue", "grey"]
    assert all(storage.path_of(view.full.removeprefix("/media/u/")).exists() for view in gallery)
    assert catalog.product_gallery(uow, storage, plain.id) == []
