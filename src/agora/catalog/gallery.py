"""A product's uploaded pictures: add, remove, make main, tie to a colour.

The first image by position is the main one. Pages and orders that show one small picture read
``Product.image_url`` (and a SKU's ``image_url`` for its colour), so every change here rewrites
those two from the images, in the same transaction: a product card, the cart and a new order
line need no extra query. A product with no uploads keeps its drawn picture.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agora.catalog.errors import ImageNotFound, TooManyImages
from agora.catalog.models import Product, ProductImage, Sku
from agora.catalog.service import access_product, category_tree, drawn_image
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.media import ProcessedImage, Storage
from agora.media.images import CONTENT_TYPE, RENDITION_WIDTHS, rendition_key

THUMB, CARD, FULL = RENDITION_WIDTHS


@dataclass(frozen=True, slots=True)
class ImageView:
    id: uuid.UUID
    product_id: uuid.UUID
    position: int
    colour: str | None
    width: int
    height: int
    urls: dict[int, str]

    @property
    def is_main(self) -> bool:
        return self.position == 0

    @property
    def thumb(self) -> str:
        return self.urls[THUMB]

    @property
    def card(self) -> str:
        return self.urls[CARD]

    @property
    def full(self) -> str:
        return self.urls[FULL]

    @property
    def srcset(self) -> str:
        """For ``<img srcset>``: each rendition with its real width (a small upload is not
        enlarged, so its renditions may share a width)."""
        widths = {min(width, self.width): url for width, url in sorted(self.urls.items())}
        return ", ".join(f"{url} {width}w" for width, url in widths.items())


def _view(storage: Storage, image: ProductImage) -> ImageView:
    return ImageView(
        id=image.id,
        product_id=image.product_id,
        position=image.position,
        colour=image.colour,
        width=image.width,
        height=image.height,
        urls={w: storage.url(rendition_key(image.digest, w)) for w in RENDITION_WIDTHS},
    )


def _rows(session: Session, product_id: uuid.UUID) -> list[ProductImage]:
    return list(
        session.scalars(
            select(ProductImage)
            .where(ProductImage.product_id == product_id)
            .order_by(ProductImage.position, ProductImage.id)
        )
    )


def product_gallery(uow: UnitOfWork, storage: Storage, product_id: uuid.UUID) -> list[ImageView]:
    """The images of a product in order, for a page that has already checked it may show it."""
    with uow.read() as session:
        return [_view(storage, image) for image in _rows(session, product_id)]


def product_images(
    uow: UnitOfWork, *, actor: Principal, storage: Storage, product_id: uuid.UUID
) -> list[ImageView]:
    """The images of a product the actor may edit; else ``ProductNotFound``."""
    with uow.read() as session:
        access_product(session, actor, product_id)
        return [_view(storage, image) for image in _rows(session, product_id)]


def add_product_images(
    uow: UnitOfWork,
    *,
    actor: Principal,
    storage: Storage,
    product_id: uuid.UUID,
    images: Sequence[ProcessedImage],
    max_images: int,
) -> list[ImageView]:
    """Store the renditions of ``images`` (already checked by ``media.process_image``) and add
    them after the product's other images. Returns all its images.

    Raises:
        ProductNotFound: not a product the actor may edit (nothing is stored).
        TooManyImages: the product would have more than ``max_images`` (nothing is stored).
    """
    with uow:
        session = uow.session
        product = access_product(session, actor, product_id)
        # Locks the product row on PostgreSQL so two uploads count and number in turn.
        session.execute(update(Product).where(Product.id == product.id).values(updated_at=utcnow()))
        rows = _rows(session, product.id)
        if len(rows) + len(images) > max_images:
            raise TooManyImages(
                errors=[{"field": "images", "message": f"at most {max_images} images"}]
            )
        for image in images:
            for width, data in image.renditions.items():
                storage.put(image.key(width), data, content_type=CONTENT_TYPE)
        now = utcnow()
        next_position = rows[-1].position + 1 if rows else 0
        for offset, image in enumerate(images):
            session.add(
                ProductImage(
                    product_id=product.id,
                    position=next_position + offset,
                    digest=image.digest,
                    width=image.width,
                    height=image.height,
                    created_at=now,
                )
            )
        session.flush()
        return _refresh(session, storage, product)


def _image_of(
    session: Session, actor: Principal, product_id: uuid.UUID, image_id: uuid.UUID
) -> tuple[Product, ProductImage]:
    product = access_product(session, actor, product_id)
    image = session.get(ProductImage, image_id)
    if image is None or image.product_id != product.id:
        raise ImageNotFound()
    return product, image


def remove_product_image(
    uow: UnitOfWork,
    *,
    actor: Principal,
    storage: Storage,
    product_id: uuid.UUID,
    image_id: uuid.UUID,
) -> list[ImageView]:
    """Remove one image; its files go once the removal is committed, unless another image
    (of any product) is the same picture."""
    with uow:
        session = uow.session
        product, image = _image_of(session, actor, product_id, image_id)
        digest = image.digest
        session.delete(image)
        session.flush()
        for position, row in enumerate(_rows(session, product.id)):
            row.position = position
        shared = session.scalar(
            select(func.count()).select_from(ProductImage).where(ProductImage.digest == digest)
        )
        if not shared:
            uow.after_commit(lambda: _delete_files(storage, digest))
        return _refresh(session, storage, product)


def _delete_files(storage: Storage, digest: str) -> None:
    for width in RENDITION_WIDTHS:
        storage.delete(rendition_key(digest, width))


def make_main_image(
    uow: UnitOfWork,
    *,
    actor: Principal,
    storage: Storage,
    product_id: uuid.UUID,
    image_id: uuid.UUID,
) -> list[ImageView]:
    """Move one image to the front; the others keep their order behind it."""
    with uow:
        session = uow.session
        product, image = _image_of(session, actor, product_id, image_id)
        rows = _rows(session, product.id)
        ordered = [image] + [row for row in rows if row.id != image.id]
        for position, row in enumerate(ordered):
            row.position = position
        session.flush()
        return _refresh(session, storage, product)


def set_image_colour(
    uow: UnitOfWork,
    *,
    actor: Principal,
    storage: Storage,
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    colour: str | None,
) -> list[ImageView]:
    """Let one image stand for ``colour`` (one of the product's SKU colours), taking it from
    any other image that stood for it; ``None`` unties it."""
    with uow:
        session = uow.session
        product, image = _image_of(session, actor, product_id, image_id)
        if colour:
            colours = set(session.scalars(select(Sku.colour).where(Sku.product_id == product.id)))
            if colour not in colours:
                raise InvalidInput(
                    N_("Choose one of this product's colours."),
                    errors=[{"field": "colour", "message": "not a colour of this product"}],
                )
            session.execute(
                update(ProductImage)
                .where(
                    ProductImage.product_id == product.id,
                    ProductImage.colour == colour,
                    ProductImage.id != image.id,
                )
                .values(colour=None)
            )
        image.colour = colour or None
        session.flush()
        return _refresh(session, storage, product)


def _refresh(session: Session, storage: Storage, product: Product) -> list[ImageView]:
    """Point the product's and its SKUs' one picture at the images, and return them."""
    views = [_view(storage, image) for image in _rows(session, product.id)]
    if views:
        product.image_url = views[0].card
    else:
        first_colour = session.scalar(
            select(Sku.colour)
            .where(Sku.product_id == product.id, Sku.colour != "")
            .order_by(Sku.position)
            .limit(1)
        )
        product.image_url = drawn_image(
            category_tree(session), product.category_id, first_colour or "grey"
        )
    by_colour = {view.colour: view.thumb for view in views if view.colour}
    for sku in session.scalars(select(Sku).where(Sku.product_id == product.id)):
        sku.image_url = by_colour.get(sku.colour)
    product.updated_at = utcnow()
    session.flush()
    return views
