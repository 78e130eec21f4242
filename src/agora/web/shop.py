"""Shopper pages: home, search and category browse, product, store, product images."""

from __future__ import annotations

import json
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from agora import catalog, inventory, recommendations, reviews
from agora.catalog.images import COLOURS, render_product_svg
from agora.core.errors import N_, InvalidInput, NotFound
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.ids import parse_id
from agora.core.money import format_amount, parse_amount
from agora.http.deps import MaybeActor, Uow, get_runtime
from agora.web import feeds as feed_pages
from agora.web.render import render

router = APIRouter(include_in_schema=False)

SORT_LABELS = {
    "relevance": N_("Best match"),
    "sales": N_("Top sales"),
    "price_asc": N_("Price: low to high"),
    "price_desc": N_("Price: high to low"),
    "newest": N_("Newest"),
}


@router.get("/")
def home(request: Request, uow: Uow, actor: MaybeActor) -> Response:
    popular = catalog.search_products(uow, catalog.SearchParams(sort="sales", limit=20))
    newest = catalog.search_products(uow, catalog.SearchParams(sort="newest", limit=10))
    stores = catalog.list_stores(uow)
    return render(
        request,
        "shop/home.html",
        popular=popular.items,
        newest=newest.items,
        stores=stores,
        **feed_pages.home_rows(uow, actor),
    )


def _yuan(raw: str | None, field: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        amount = parse_amount(raw)
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(
            _("Enter a price such as 199 or 199.50."),
            errors=[{"field": field, "message": "not a price"}],
        ) from exc
    if amount < 0:
        raise InvalidInput(_("Prices cannot be negative."))
    return amount


@router.get("/search")
def search(
    request: Request,
    uow: Uow,
    actor: MaybeActor,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str | None, Query(max_length=60)] = None,
    colour: Annotated[str | None, Query(max_length=32)] = None,
    store: Annotated[str | None, Query(max_length=40)] = None,
    min: Annotated[str | None, Query(max_length=12)] = None,
    max: Annotated[str | None, Query(max_length=12)] = None,
    sort: Annotated[str, Query(max_length=20)] = "relevance",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    before: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    if sort not in SORT_LABELS:
        sort = "relevance"
    store_id = None
    if store:
        try:
            store_id = uuid.UUID(store)
        except ValueError:
            store_id = None
    price_min, price_max = _yuan(min, "min"), _yuan(max, "max")
    if actor is not None and q.strip() and cursor is None and before is None:
        recommendations.record_event(actor.user_id, recommendations.SEARCH, query=q)
    page = catalog.search_products(
        uow,
        catalog.SearchParams(
            q=q,
            category=category or None,
            colour=colour or None,
            store_id=store_id,
            price_min=price_min,
            price_max=price_max,
            sort=sort,
            cursor=cursor,
            before=before,
            with_total=True,
        ),
    )
    tree = catalog.load_categories(uow)
    current = tree.by_slug(category) if category else None
    skip = ("cursor", "before", "lang")
    params = {k: v for k, v in request.query_params.items() if k not in skip and v}
    here = request.url.path if request.url.path.startswith("/c/") else "/search"
    next_url = (
        f"{here}?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else None
    )
    prev_url = (
        f"{here}?{urlencode({**params, 'before': page.prev_cursor})}" if page.prev_cursor else None
    )
    per_page = catalog.SearchParams().limit
    total = page.total or 0
    sibling_root = tree.path(current.id)[0] if current else None
    return render(
        request,
        "shop/search.html",
        page=page,
        q=q,
        category=current,
        category_path=tree.path(current.id) if current else [],
        subcategories=tree.children.get(sibling_root.id, []) if sibling_root else [],
        colour=colour or "",
        colours=list(COLOURS.values()),
        price_min=min or "",
        price_max=max or "",
        sort=sort,
        sort_labels=SORT_LABELS,
        store_id=store or "",
        next_url=next_url,
        prev_url=prev_url,
        total=total,
        page_number=(page.offset or 0) // per_page + 1,
        page_count=(total + per_page - 1) // per_page or 1,
        base_params=params,
    )


@router.get("/c/{slug}")
def category_page(slug: str, request: Request, uow: Uow) -> Response:
    if catalog.load_categories(uow).by_slug(slug) is None:
        raise NotFound(_("This category does not exist."))
    return search(
        request,
        uow,
        None,  # browsing a category is no search to remember
        category=slug,
        sort=request.query_params.get("sort", "relevance"),
        cursor=request.query_params.get("cursor"),
        before=request.query_params.get("before"),
    )


REVIEW_FILTERS = ("", "images", "5", "4", "3", "2", "1")


@router.get("/p/{raw_id}")
def product_page(
    raw_id: str,
    request: Request,
    uow: Uow,
    actor: MaybeActor,
    review_filter: Annotated[str, Query(alias="reviews", max_length=8)] = "",
) -> Response:
    product_id = parse_id(raw_id)
    if product_id is None:
        raise catalog.ProductNotFound()
    detail = catalog.product_detail(uow, product_id, actor=actor)
    if actor is not None:
        recommendations.record_event(actor.user_id, recommendations.VIEW, product_id=product_id)
    gallery = catalog.product_gallery(uow, get_runtime(request).media, product_id)
    levels = inventory.stock_levels(uow, [sku.id for sku in detail.skus])
    active_skus = [sku for sku in detail.skus if sku.active]
    sku_data = [
        {
            "id": str(sku.id),
            "colour": sku.colour,
            "colour_name": lazy_pick(COLOURS[sku.colour].name_en, COLOURS[sku.colour].name_zh)
            if sku.colour in COLOURS
            else sku.colour,
            "colour_hex": COLOURS[sku.colour].hex if sku.colour in COLOURS else "#ccc",
            "size": sku.size,
            "price": sku.price,
            "price_text": format_amount(sku.price),
            "stock": levels.get(sku.id, 0),
            "image": sku.image_url,
        }
        for sku in active_skus
    ]
    colours = list(dict.fromkeys(sku.colour for sku in active_skus if sku.colour))
    sizes = list(dict.fromkeys(sku.size for sku in active_skus if sku.size))
    total_stock = sum(levels.get(sku.id, 0) for sku in active_skus)
    more = (
        catalog.search_products(
            uow,
            catalog.SearchParams(category=detail.category_path[-1].slug, sort="sales", limit=11),
        )
        if detail.category_path
        else None
    )
    if review_filter not in REVIEW_FILTERS:
        review_filter = ""
    rating = reviews.product_rating(uow, product_id)
    shown_reviews = reviews.product_reviews(
        uow,
        product_id,
        sort="images" if review_filter == "images" else "newest",
        stars=int(review_filter) if review_filter.isdigit() else None,
        limit=10,
    )
    return render(
        request,
        "shop/product.html",
        rating=rating,
        review_star_filters=[
            (str(n), f"{'★' * n} ({count})") for n, count in rating.by_stars.items()
        ],
        reviews=shown_reviews,
        review_filter=review_filter,
        detail=detail,
        gallery=gallery,
        product=detail.product,
        store=detail.store,
        skus=active_skus,
        sku_json=json.dumps(sku_data, ensure_ascii=False),
        colours=[COLOURS[c] for c in colours if c in COLOURS],
        sizes=sizes,
        total_stock=total_stock,
        related=[c for c in (more.items if more else []) if c.id != product_id][:10],
        **feed_pages.product_rows(uow, product_id),
    )


@router.get("/store/{store_id}")
def store_page(store_id: uuid.UUID, request: Request, uow: Uow) -> Response:
    store = catalog.get_store(uow, store_id)
    cursor = request.query_params.get("cursor")
    before = request.query_params.get("before")
    sort = request.query_params.get("sort", "sales")
    if sort not in SORT_LABELS:
        sort = "sales"
    query = catalog.SearchParams(
        store_id=store.id, sort=sort, cursor=cursor, before=before, with_total=True
    )
    page = catalog.search_products(uow, query)
    here = f"/store/{store.id}"
    next_url = (
        f"{here}?{urlencode({'sort': sort, 'cursor': page.next_cursor})}"
        if page.next_cursor
        else None
    )
    prev_url = (
        f"{here}?{urlencode({'sort': sort, 'before': page.prev_cursor})}"
        if page.prev_cursor
        else None
    )
    total = page.total or 0
    return render(
        request,
        "shop/store.html",
        store=store,
        page=page,
        next_url=next_url,
        prev_url=prev_url,
        page_number=(page.offset or 0) // query.limit + 1,
        page_count=(total + query.limit - 1) // query.limit or 1,
        sort=sort,
        sort_labels=SORT_LABELS,
    )


@router.get("/media/p/{shape}/{colour}.svg")
def product_image(shape: str, colour: str, v: Annotated[int, Query(ge=0, le=99)] = 0) -> Response:
    try:
        svg = render_product_svg(shape, colour, variant=v)
    except KeyError as exc:
        raise NotFound() from exc
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
