"""The merchant console: a store's products, listing products with SKUs, price and stock."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from agora import catalog, inventory
from agora.catalog.images import COLOURS
from agora.catalog.schemas import ProductIn, ProductPatch, SkuIn, SkuPatch
from agora.core.errors import AgoraError, Forbidden, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.money import format_amount, parse_amount
from agora.http.deps import Actor, Media, Uow, get_runtime
from agora.web.merchant_images import ACCEPT, UploadRefused, Uploads, prepare, size_limit
from agora.web.render import check_csrf, redirect, render

router = APIRouter(prefix="/merchant", include_in_schema=False)
PAGE = 25
# SKU rows a new product's form shows (the SKU editor adds and removes rows where JS runs).
SKU_ROWS = 6

Text = Annotated[str, Form(max_length=5000)]
Texts = Annotated[list[str], Form()]


def _nav(stores: list[catalog.Store], current: uuid.UUID | None) -> list[tuple[str, str, bool]]:
    nav = [
        (f"/merchant/stores/{s.id}", lazy_pick(s.name_en, s.name_zh), s.id == current)
        for s in stores
    ]
    if current is not None:
        nav.append((f"/merchant/stores/{current}/products/new", _("List a product"), False))
        nav.append((f"/merchant/stores/{current}/shipping", _("Shipping promise"), False))
    nav.append(("/merchant/orders", _("Orders"), False))
    nav.append(("/merchant/inbox", _("Inbox"), False))
    nav.append(("/merchant/settlements", _("Settlements"), False))
    nav.append(("/merchant/payouts", _("Payouts"), False))
    nav.append(("/merchant/reviews", _("Reviews"), False))
    return nav


def _leaf_options(uow: Any) -> list[tuple[str, str]]:
    tree = catalog.load_categories(uow)
    options = []
    for root in tree.roots():
        root_name = lazy_pick(root.name_en, root.name_zh)
        for leaf in tree.children.get(root.id, []):
            options.append((str(leaf.id), f"{root_name} › {lazy_pick(leaf.name_en, leaf.name_zh)}"))
    return options


@router.get("")
def console_home(request: Request, actor: Actor, uow: Uow) -> Response:
    stores = catalog.stores_of(uow, actor.user_id)
    if not stores:
        raise Forbidden(
            _("The merchant console is for store staff. Ask your store owner to add you.")
        )
    return redirect(request, f"/merchant/stores/{stores[0].id}")


@router.get("/stores/{store_id}")
def store_products(
    store_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    rows, total = catalog.store_products(
        uow, actor=actor, store_id=store_id, query=q or None, offset=(page - 1) * PAGE, limit=PAGE
    )
    store = next(s for s in _stores(uow, actor, store_id) if s.id == store_id)
    sku_stock = _stock_by_product(uow, [p.id for p in rows])
    return render(
        request,
        "merchant/products.html",
        console_nav=_nav(_stores(uow, actor, store_id), store_id),
        store=store,
        products=rows,
        stock=sku_stock,
        total=total,
        page=page,
        q=q,
        pages=max(1, -(-total // PAGE)),
    )


def _stores(uow: Any, actor: Any, store_id: uuid.UUID) -> list[catalog.Store]:
    stores = catalog.stores_of(uow, actor.user_id)
    if actor.is_operator and all(s.id != store_id for s in stores):
        with uow.read() as session:
            stores.append(catalog.access_store(session, actor, store_id))
    return stores


def _stock_by_product(uow: Any, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    from sqlalchemy import select

    if not product_ids:
        return {}
    with uow.read() as session:
        pairs = session.execute(
            select(catalog.Sku.id, catalog.Sku.product_id).where(
                catalog.Sku.product_id.in_(product_ids)
            )
        ).all()
    levels = inventory.stock_levels(uow, [sku_id for sku_id, _ in pairs])
    totals: dict[uuid.UUID, int] = dict.fromkeys(product_ids, 0)
    for sku_id, product_id in pairs:
        totals[product_id] += levels.get(sku_id, 0)
    return totals


def _form_page(
    request: Request, uow: Any, actor: Any, store_id: uuid.UUID, **extra: Any
) -> Response:
    store = next(s for s in _stores(uow, actor, store_id) if s.id == store_id)
    defaults: dict[str, Any] = {
        "values": {},
        "skus": [{}] * SKU_ROWS,
        "errors": {},
        "error": None,
    }
    defaults.update(extra)
    return render(
        request,
        "merchant/product_form.html",
        console_nav=_nav(_stores(uow, actor, store_id), None),
        store=store,
        categories=_leaf_options(uow),
        colours=_colour_options(),
        accept=ACCEPT,
        max_size=size_limit(get_runtime(request).settings),
        **defaults,
    )


def _colour_options() -> list[tuple[str, str]]:
    return [("", _("No colour"))] + [
        (c.key, lazy_pick(c.name_en, c.name_zh)) for c in COLOURS.values()
    ]


@router.get("/stores/{store_id}/products/new")
def new_product(store_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    with uow.read() as session:
        catalog.access_store(session, actor, store_id)
    return _form_page(request, uow, actor, store_id)


def _yuan(raw: str) -> int:
    try:
        return parse_amount(raw)
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(_("Enter prices such as 199 or 199.50.")) from exc


@router.post("/stores/{store_id}/products/new")
def create_product(
    store_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    csrf_token: Text = "",
    category_id: Text = "",
    title_en: Text = "",
    title_zh: Text = "",
    description_en: Text = "",
    description_zh: Text = "",
    list_price: Text = "",
    weight_grams: Text = "500",
    sku_colour: Texts = [],  # noqa: B006 - FastAPI copies defaults per request
    sku_size: Texts = [],  # noqa: B006
    sku_price: Texts = [],  # noqa: B006
    sku_stock: Texts = [],  # noqa: B006
    images: Uploads = [],  # noqa: B006
) -> Response:
    check_csrf(request, csrf_token)
    settings = get_runtime(request).settings
    with uow.read() as session:
        catalog.access_store(session, actor, store_id)
    values = {
        "category_id": category_id,
        "title_en": title_en,
        "title_zh": title_zh,
        "description_en": description_en,
        "description_zh": description_zh,
        "list_price": list_price,
        "weight_grams": weight_grams,
    }
    rows = [
        {"colour": c, "size": s, "price": p, "stock": q}
        for c, s, p, q in zip(sku_colour, sku_size, sku_price, sku_stock, strict=False)
    ]
    filled = [r for r in rows if r["price"].strip()]
    padded = filled + [{}] * max(0, SKU_ROWS - len(filled))
    try:
        processed = prepare(request, images)
    except UploadRefused as refused:
        return _form_page(
            request,
            uow,
            actor,
            store_id,
            values=values,
            skus=padded,
            errors={"images": refused.message},
            status_code=refused.status,
        )
    try:
        data = ProductIn(
            category_id=uuid.UUID(category_id) if category_id else uuid.UUID(int=0),
            title_en=title_en,
            title_zh=title_zh or None,
            description_en=description_en,
            description_zh=description_zh or None,
            list_price=_yuan(list_price) if list_price.strip() else 0,
            weight_grams=_grams(weight_grams),
            skus=[
                SkuIn(
                    colour=r["colour"],
                    size=r["size"],
                    price=_yuan(r["price"]),
                    stock=int(r["stock"] or 0),
                )
                for r in filled
            ],
        )
        with uow:
            detail = catalog.create_product(uow, actor=actor, store_id=store_id, data=data)
            inventory.set_stock(
                uow,
                actor=actor,
                levels={
                    sku.id: item.stock for sku, item in zip(detail.skus, data.skus, strict=True)
                },
            )
            if processed:
                catalog.add_product_images(
                    uow,
                    actor=actor,
                    storage=storage,
                    product_id=detail.product.id,
                    images=processed,
                    max_images=settings.media_images_per_product,
                )
    except (ValidationError, AgoraError, ValueError) as error:
        message = _describe(error)
        return _form_page(
            request,
            uow,
            actor,
            store_id,
            values=values,
            skus=padded,
            error=message,
            status_code=422,
        )
    return redirect(
        request,
        f"/merchant/products/{detail.product.id}",
        flash=_("Listed “{title}”.").format(
            title=lazy_pick(detail.product.title_en, detail.product.title_zh)
        ),
    )


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"])
            parts.append(f"{where}: {item['msg']}" if where else item["msg"])
        return "; ".join(parts)
    if isinstance(error, AgoraError):
        return _(error.detail or error.title)
    return _("Check the numbers: stock must be a whole number.")


@router.get("/products/{product_id}")
def edit_product(product_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return edit_page(request, uow, actor, product_id)


def edit_page(
    request: Request,
    uow: Any,
    actor: Any,
    product_id: uuid.UUID,
    *,
    image_error: str | None = None,
    sku_error: str | None = None,
    new_skus: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    """The product's edit page; an upload or SKU refusal is shown beside its field."""
    with uow.read() as session:
        product = catalog.access_product(session, actor, product_id)
    detail = catalog.product_detail(uow, product.id, actor=actor)
    levels = inventory.stock_levels(uow, [s.id for s in detail.skus])
    images = catalog.product_gallery(uow, get_runtime(request).media, product.id)
    product_colours = [
        COLOURS[c] for c in dict.fromkeys(s.colour for s in detail.skus) if c in COLOURS
    ]
    return render(
        request,
        "merchant/product_edit.html",
        status_code=status,
        images=images,
        image_error=image_error,
        sku_error=sku_error,
        new_skus=new_skus or [{}, {}],
        accept=ACCEPT,
        max_size=size_limit(get_runtime(request).settings),
        product_colours=product_colours,
        colour_options=_colour_options(),
        console_nav=_nav(_stores(uow, actor, product.store_id), product.store_id),
        detail=detail,
        product=detail.product,
        store=detail.store,
        levels=levels,
        categories=_leaf_options(uow),
        colours=COLOURS,
        yuan=lambda a: format_amount(a)[1:].replace(",", ""),
    )


def _grams(raw: str) -> int:
    """A weight typed in grams ("500", "1 200")."""
    try:
        return int(raw.replace(" ", "").replace(",", "") or "500")
    except ValueError as exc:
        raise ValueError(_("Enter the weight in whole grams.")) from exc


@router.post("/products/{product_id}")
def update_product(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    category_id: Text = "",
    title_en: Text = "",
    title_zh: Text = "",
    description_en: Text = "",
    description_zh: Text = "",
    list_price: Text = "",
    weight_grams: Text = "",
    status: Text = "active",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        patch = ProductPatch(
            category_id=uuid.UUID(category_id) if category_id else None,
            title_en=title_en,
            title_zh=title_zh or None,
            description_en=description_en,
            description_zh=description_zh or None,
            list_price=_yuan(list_price),
            weight_grams=_grams(weight_grams) if weight_grams.strip() else None,
            status=status,
        )
        catalog.update_product(uow, actor=actor, product_id=product_id, patch=patch)
    except (ValidationError, ValueError) as error:
        raise InvalidInput(_describe(error)) from error
    return redirect(request, f"/merchant/products/{product_id}", flash=_("Saved."))


@router.post("/products/{product_id}/skus")
def update_skus(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    sku_id: Texts = [],  # noqa: B006
    sku_price: Texts = [],  # noqa: B006
    sku_stock: Texts = [],  # noqa: B006
    sku_active: Texts = [],  # noqa: B006
    new_colour: Texts = [],  # noqa: B006
    new_size: Texts = [],  # noqa: B006
    new_price: Texts = [],  # noqa: B006
    new_stock: Texts = [],  # noqa: B006
) -> Response:
    """Save every SKU row of the product, and add the new rows with a price, in one
    transaction: all rows or none. A SKU is never deleted (orders name it): it stops selling."""
    check_csrf(request, csrf_token)
    active = set(sku_active)
    added = [
        {"colour": c, "size": z, "price": p, "stock": q}
        for c, z, p, q in zip(new_colour, new_size, new_price, new_stock, strict=False)
    ]
    filled = [row for row in added if row["price"].strip()]
    try:
        with uow:
            product = catalog.access_product(uow.session, actor, product_id)
            levels: dict[uuid.UUID, int] = {}
            for raw_id, price, stock in zip(sku_id, sku_price, sku_stock, strict=True):
                sku = catalog.access_sku(uow.session, actor, uuid.UUID(raw_id))
                if sku.product_id != product.id:
                    raise InvalidInput(_("A SKU does not belong to this product."))
                catalog.update_sku(
                    uow,
                    actor=actor,
                    sku_id=sku.id,
                    patch=SkuPatch(price=_yuan(price), active=raw_id in active),
                )
                levels[sku.id] = _count(stock)
            if filled:
                new = [
                    SkuIn(colour=r["colour"], size=r["size"], price=_yuan(r["price"]))
                    for r in filled
                ]
                skus = catalog.add_skus(uow, actor=actor, product_id=product.id, skus=new)
                levels.update(
                    {sku.id: _count(r["stock"]) for sku, r in zip(skus, filled, strict=True)}
                )
            inventory.set_stock(uow, actor=actor, levels=levels)
    except (ValidationError, ValueError, InvalidInput) as error:
        return edit_page(
            request,
            uow,
            actor,
            product_id,
            sku_error=_describe(error),
            new_skus=filled or None,
            status=422,
        )
    return redirect(request, f"/merchant/products/{product_id}", flash=_("Prices and stock saved."))


def _count(raw: str) -> int:
    try:
        return int(raw.strip() or "0")
    except ValueError as exc:
        raise ValueError(_("Check the numbers: stock must be a whole number.")) from exc
