"""Catalog endpoints: categories, stores, product search and detail, merchant product editing.

The API layer sits on top of the contexts, so it may combine catalog with inventory (stock) in one
unit of work.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile, status
from fastapi.responses import Response

from agora import inventory, media, recommendations
from agora.catalog import gallery, service
from agora.catalog.errors import ImageNotFound, TooManyImages
from agora.catalog.models import Category, Store
from agora.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    MoneyOut,
    ProductCardOut,
    ProductImageOut,
    ProductImagePatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    SearchOut,
    SkuOut,
    SkuPatch,
    StaffIn,
    StoreIn,
    StoreOut,
)
from agora.catalog.search import ProductCard
from agora.core.errors import InvalidInput
from agora.core.fields import BIGINT_MAX
from agora.core.i18n import lazy_pick
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, MaybeActor, Media, Uow, get_runtime
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.identity.schemas import UserStatusIn

router = Router(prefix="/api/v1", tags=["catalog"])
MAX_PRICE = service.MAX_PRICE


def store_out(store: Store) -> StoreOut:
    return StoreOut.model_validate(store, from_attributes=True)


def card_out(card: ProductCard) -> ProductCardOut:
    return ProductCardOut(
        id=card.id,
        title=lazy_pick(card.title_en, card.title_zh),
        title_en=card.title_en,
        title_zh=card.title_zh,
        image_url=card.image_url,
        price=MoneyOut(amount=card.min_price, currency=card.currency),
        list_price=MoneyOut(amount=card.list_price, currency=card.currency),
        sales_count=card.sales_count,
        store_id=card.store_id,
        store_name=lazy_pick(card.store_name_en, card.store_name_zh),
        self_operated=card.self_operated,
    )


def product_out(uow: UnitOfWork, detail: service.ProductDetail) -> ProductOut:
    product = detail.product
    levels = inventory.stock_levels(uow, [sku.id for sku in detail.skus])
    currency = product.currency
    return ProductOut(
        id=product.id,
        store=store_out(detail.store),
        category_id=product.category_id,
        category_path=[lazy_pick(c.name_en, c.name_zh) for c in detail.category_path],
        title_en=product.title_en,
        title_zh=product.title_zh,
        description_en=product.description_en,
        description_zh=product.description_zh,
        image_url=product.image_url,
        list_price=MoneyOut(amount=product.list_price, currency=currency),
        price_range=(
            MoneyOut(amount=product.min_price, currency=currency),
            MoneyOut(amount=product.max_price, currency=currency),
        ),
        status=product.status,
        sales_count=product.sales_count,
        weight_grams=product.weight_grams,
        created_at=product.created_at,
        skus=[
            SkuOut(
                id=sku.id,
                code=sku.code,
                colour=sku.colour,
                size=sku.size,
                attributes=sku.attributes,
                price=MoneyOut(amount=sku.price, currency=currency),
                stock=levels.get(sku.id, 0),
                active=sku.active,
            )
            for sku in detail.skus
        ],
    )


def _category_out(tree: service.CategoryTree, category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        slug=category.slug,
        name_en=category.name_en,
        name_zh=category.name_zh,
        parent_id=category.parent_id,
        children=[_category_out(tree, child) for child in tree.children.get(category.id, [])],
    )


@router.get("/categories", response_model=list[CategoryOut])
def categories(uow: Uow) -> list[CategoryOut]:
    tree = service.load_categories(uow)
    return [_category_out(tree, root) for root in tree.roots()]


@router.post("/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryOut)
def create_category(body: CategoryIn, actor: Actor, uow: Uow) -> CategoryOut:
    category = service.create_category(uow, actor=actor, data=body)
    return CategoryOut.model_validate(category, from_attributes=True)


@router.get("/stores", response_model=list[StoreOut])
def stores(uow: Uow) -> list[StoreOut]:
    return [store_out(s) for s in service.list_stores(uow)]


@router.get("/stores/{store_id}", response_model=StoreOut)
def store(store_id: uuid.UUID, uow: Uow) -> StoreOut:
    return store_out(service.get_store(uow, store_id))


@router.post("/stores", status_code=status.HTTP_201_CREATED, response_model=StoreOut)
def create_store(body: StoreIn, actor: Actor, uow: Uow) -> StoreOut:
    return store_out(service.create_store(uow, actor=actor, data=body))


@router.put("/operator/stores/{store_id}/status", response_model=StoreOut)
def store_status(store_id: uuid.UUID, body: UserStatusIn, actor: Actor, uow: Uow) -> StoreOut:
    status_ = "suspended" if body.status == "suspended" else "active"
    return store_out(service.set_store_status(uow, actor=actor, store_id=store_id, status=status_))


@router.post("/stores/{store_id}/staff", status_code=status.HTTP_204_NO_CONTENT)
def add_staff(store_id: uuid.UUID, body: StaffIn, actor: Actor, uow: Uow) -> None:
    service.add_staff(uow, actor=actor, store_id=store_id, user_id=body.user_id, role=body.role)


@router.get("/products", response_model=SearchOut)
def search(
    uow: Uow,
    actor: MaybeActor,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str | None, Query(max_length=60)] = None,
    colour: Annotated[str | None, Query(max_length=32)] = None,
    store: uuid.UUID | None = None,
    price_min: Annotated[int | None, Query(ge=0, le=MAX_PRICE, description="Minor units.")] = None,
    price_max: Annotated[int | None, Query(ge=0, le=MAX_PRICE, description="Minor units.")] = None,
    sort: Annotated[str, Query(pattern="^(relevance|price_asc|price_desc|sales|newest)$")] = (
        "relevance"
    ),
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    before: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 24,
    with_total: bool = False,
) -> SearchOut:
    """Search products in English or Chinese. Pages continue with ``next_cursor`` (as
    ``cursor``) and go back with ``prev_cursor`` (as ``before``); ``with_total`` counts every
    match (``total``) and those before the page (``offset``)."""
    if actor is not None and q and cursor is None and before is None:
        recommendations.record_event(actor.user_id, recommendations.SEARCH, query=q)
    page = service.search_products(
        uow,
        service.SearchParams(
            q=q,
            category=category,
            colour=colour,
            store_id=store,
            price_min=price_min,
            price_max=price_max,
            sort=sort,
            cursor=cursor,
            before=before,
            limit=limit,
            with_total=with_total,
        ),
    )
    return SearchOut(
        items=[card_out(c) for c in page.items],
        next_cursor=page.next_cursor,
        prev_cursor=page.prev_cursor,
        total=page.total,
        offset=page.offset,
    )


@router.get("/products/{product_id}", response_model=ProductOut)
def product(product_id: uuid.UUID, uow: Uow, actor: MaybeActor) -> ProductOut:
    detail = service.product_detail(uow, product_id, actor=actor)
    if actor is not None:
        recommendations.record_event(actor.user_id, recommendations.VIEW, product_id=product_id)
    return product_out(uow, detail)


@router.get("/stores/{store_id}/products", response_model=list[ProductOut])
def store_products(
    store_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ProductOut]:
    """The store's products in every status, for its staff."""
    rows, _ = service.store_products(
        uow, actor=actor, store_id=store_id, offset=offset, limit=limit
    )
    return [product_out(uow, service.product_detail(uow, p.id, actor=actor)) for p in rows]


@router.post(
    "/stores/{store_id}/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    responses={201: {"description": "Listed."}},
)
def create_product(
    store_id: uuid.UUID,
    body: ProductIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    def action() -> tuple[int, ProductOut]:
        detail = service.create_product(uow, actor=actor, store_id=store_id, data=body)
        inventory.set_stock(
            uow,
            actor=actor,
            levels={sku.id: item.stock for sku, item in zip(detail.skus, body.skus, strict=True)},
        )
        return status.HTTP_201_CREATED, product_out(uow, detail)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.patch("/products/{product_id}", response_model=ProductOut)
def update_product(product_id: uuid.UUID, body: ProductPatch, actor: Actor, uow: Uow) -> ProductOut:
    with uow:
        service.update_product(uow, actor=actor, product_id=product_id, patch=body)
    return product_out(uow, service.product_detail(uow, product_id, actor=actor))


@router.patch("/skus/{sku_id}", response_model=SkuOut)
def update_sku(sku_id: uuid.UUID, body: SkuPatch, actor: Actor, uow: Uow) -> SkuOut:
    with uow:
        sku = service.update_sku(uow, actor=actor, sku_id=sku_id, patch=body)
        if body.stock is not None:
            inventory.set_stock(uow, actor=actor, levels={sku_id: body.stock})
    level = inventory.stock_levels(uow, [sku_id])[sku_id]
    return SkuOut(
        id=sku.id,
        code=sku.code,
        colour=sku.colour,
        size=sku.size,
        attributes=sku.attributes,
        price=MoneyOut(amount=sku.price),
        stock=level,
        active=sku.active,
    )


# --- product images (staff of the product's store only) -----------------------------------------


def image_out(view: gallery.ImageView) -> ProductImageOut:
    return ProductImageOut(
        id=view.id,
        position=view.position,
        main=view.is_main,
        colour=view.colour,
        width=view.width,
        height=view.height,
        thumb_url=view.thumb,
        card_url=view.card,
        full_url=view.full,
    )


def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, or ``ImageTooLarge`` as soon as it passes ``limit``."""
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise media.ImageTooLarge()
    return data


@router.get("/products/{product_id}/images", response_model=list[ProductImageOut])
def product_images(
    product_id: uuid.UUID, actor: Actor, uow: Uow, storage: Media
) -> list[ProductImageOut]:
    """The product's uploaded images in order (the first is the main one), for its staff."""
    views = gallery.product_images(uow, actor=actor, storage=storage, product_id=product_id)
    return [image_out(v) for v in views]


@router.post(
    "/products/{product_id}/images",
    status_code=status.HTTP_201_CREATED,
    response_model=list[ProductImageOut],
    responses={
        413: {"description": "An image is larger than the limit (`image_too_large`)."},
        415: {"description": "A file is not a JPEG, PNG or WebP image (`not_an_image`)."},
    },
)
def upload_product_images(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    images: Annotated[list[UploadFile], File(description="JPEG, PNG or WebP files.")],
    colour: Annotated[str, Form(max_length=32)] = "",
) -> list[ProductImageOut]:
    """Add images after the product's others; all are checked before any is stored. With
    ``colour`` (one upload), the image shows that colour of the product's SKUs. Returns all
    the product's images."""
    settings = get_runtime(request).settings
    with uow.read() as session:
        service.access_product(session, actor, product_id)
    if len(images) > settings.media_images_per_product:
        raise TooManyImages()
    if colour and len(images) != 1:
        raise InvalidInput(
            "A colour goes with one picture at a time.",
            errors=[{"field": "colour", "message": "upload one picture with a colour"}],
        )
    processed = [
        media.process_image(
            read_upload(upload, settings.media_max_image_bytes),
            max_bytes=settings.media_max_image_bytes,
            max_pixels=settings.media_max_image_pixels,
        )
        for upload in images
    ]
    with uow:
        views = gallery.add_product_images(
            uow,
            actor=actor,
            storage=storage,
            product_id=product_id,
            images=processed,
            max_images=settings.media_images_per_product,
        )
        if colour:
            views = gallery.set_image_colour(
                uow,
                actor=actor,
                storage=storage,
                product_id=product_id,
                image_id=views[-1].id,
                colour=colour,
            )
    return [image_out(v) for v in views]


@router.patch("/products/{product_id}/images/{image_id}", response_model=list[ProductImageOut])
def update_product_image(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    body: ProductImagePatch,
    actor: Actor,
    uow: Uow,
    storage: Media,
) -> list[ProductImageOut]:
    """Make the image the main one, or tie it to a colour ('' unties it). Returns all images."""
    with uow:
        views = gallery.product_images(uow, actor=actor, storage=storage, product_id=product_id)
        if body.main:
            views = gallery.make_main_image(
                uow, actor=actor, storage=storage, product_id=product_id, image_id=image_id
            )
        if body.colour is not None:
            views = gallery.set_image_colour(
                uow,
                actor=actor,
                storage=storage,
                product_id=product_id,
                image_id=image_id,
                colour=body.colour or None,
            )
        if all(v.id != image_id for v in views):
            raise ImageNotFound()
    return [image_out(v) for v in views]


@router.delete("/products/{product_id}/images/{image_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product_image(
    product_id: uuid.UUID, image_id: uuid.UUID, actor: Actor, uow: Uow, storage: Media
) -> None:
    gallery.remove_product_image(
        uow, actor=actor, storage=storage, product_id=product_id, image_id=image_id
    )
