"""Catalog use cases: stores and staff, categories, products and SKUs, search."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from agora.catalog import search as search_index
from agora.catalog import text as search_text
from agora.catalog.errors import ProductNotFound, SlugTaken, StoreNotFound
from agora.catalog.images import COLOURS, SHAPES, image_url
from agora.catalog.models import Category, Product, Sku, Store, StoreStaff
from agora.catalog.schemas import CategoryIn, ProductIn, ProductPatch, SkuIn, SkuPatch, StoreIn
from agora.core.clock import utcnow
from agora.core.errors import N_, Forbidden, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal, require_operator


@dataclass(frozen=True, slots=True)
class CategoryTree:
    """All categories loaded once; answers paths and subtrees without further queries."""

    by_id: dict[uuid.UUID, Category]
    children: dict[uuid.UUID | None, list[Category]]

    def roots(self) -> list[Category]:
        return self.children.get(None, [])

    def path(self, category_id: uuid.UUID) -> list[Category]:
        path: list[Category] = []
        current = self.by_id.get(category_id)
        while current is not None:
            path.append(current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return list(reversed(path))

    def subtree_ids(self, category_id: uuid.UUID) -> list[uuid.UUID]:
        ids, stack = [], [category_id]
        while stack:
            current = stack.pop()
            ids.append(current)
            stack.extend(child.id for child in self.children.get(current, []))
        return ids

    def by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.by_id.values() if c.slug == slug), None)

    def is_leaf(self, category_id: uuid.UUID) -> bool:
        return not self.children.get(category_id)


def category_tree(session: Session) -> CategoryTree:
    categories = session.scalars(
        select(Category).order_by(Category.position, Category.name_en)
    ).all()
    children: dict[uuid.UUID | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    return CategoryTree({c.id: c for c in categories}, children)


def load_categories(uow: UnitOfWork) -> CategoryTree:
    with uow.read() as session:
        return category_tree(session)


# --- stores and staff -------------------------------------------------------------------------


def access_store(session: Session, actor: Principal, store_id: uuid.UUID) -> Store:
    """The store if the actor is its staff or an operator; else not found (ids reveal nothing)."""
    store = session.get(Store, store_id)
    if store is None:
        raise StoreNotFound()
    if actor.is_operator:
        return store
    staff = session.get(StoreStaff, (store_id, actor.user_id))
    if staff is None:
        raise StoreNotFound()
    return store


def stores_of(uow: UnitOfWork, user_id: uuid.UUID) -> list[Store]:
    with uow.read() as session:
        return list(
            session.scalars(
                select(Store)
                .join(StoreStaff, StoreStaff.store_id == Store.id)
                .where(StoreStaff.user_id == user_id)
                .order_by(Store.name_en)
            )
        )


def on_sale() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The WHERE clauses of a product shoppers may see and buy: the product and its store are
    both active. The query joins ``Store`` on ``Product.store_id``."""
    return Product.status == "active", Store.status == "active"


def list_stores(uow: UnitOfWork, *, include_inactive: bool = False) -> list[Store]:
    stmt = select(Store).order_by(Store.self_operated.desc(), Store.name_en)
    if not include_inactive:
        stmt = stmt.where(Store.status == "active")
    with uow.read() as session:
        return list(session.scalars(stmt))


def get_store(uow: UnitOfWork, store_id: uuid.UUID) -> Store:
    with uow.read() as session:
        store = session.get(Store, store_id)
    if store is None or store.status != "active":
        raise StoreNotFound()
    return store


def create_store(uow: UnitOfWork, *, actor: Principal, data: StoreIn) -> Store:
    require_operator(actor)
    with uow:
        if uow.session.scalar(select(Store.id).where(Store.slug == data.slug)) is not None:
            raise SlugTaken()
        store = Store(
            slug=data.slug,
            name_en=data.name_en,
            name_zh=data.name_zh,
            description_en=data.description_en,
            description_zh=data.description_zh,
            self_operated=data.self_operated,
            created_at=utcnow(),
        )
        uow.session.add(store)
        uow.session.flush()
        if data.owner_user_id is not None:
            _add_staff(uow.session, store.id, data.owner_user_id, "owner")
        uow.emit("catalog.store_created", {"store_id": str(store.id)})
        return store


def set_store_status(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, status: str
) -> Store:
    require_operator(actor)
    if status not in ("active", "suspended"):
        raise InvalidInput(N_("Status must be active or suspended."))
    with uow:
        store = uow.session.get(Store, store_id)
        if store is None:
            raise StoreNotFound()
        store.status = status
        search_index.set_store_active(uow.session, store.id, status == "active")
        return store


def add_staff(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> None:
    """Operators and store owners may add staff; plain staff may not."""
    with uow:
        access_store(uow.session, actor, store_id)
        if not actor.is_operator:
            mine = uow.session.get(StoreStaff, (store_id, actor.user_id))
            if mine is None or mine.role != "owner":
                raise Forbidden(N_("Only the store owner can add staff."))
        _add_staff(uow.session, store_id, user_id, role)


def _add_staff(session: Session, store_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
    from agora.identity import User

    if session.get(User, user_id) is None:
        raise InvalidInput(N_("No such user."), errors=[{"field": "user_id", "message": "unknown"}])
    existing = session.get(StoreStaff, (store_id, user_id))
    if existing is None:
        session.add(StoreStaff(store_id=store_id, user_id=user_id, role=role, created_at=utcnow()))
    else:
        existing.role = role


# --- categories -------------------------------------------------------------------------------


def create_category(uow: UnitOfWork, *, actor: Principal, data: CategoryIn) -> Category:
    require_operator(actor)
    with uow:
        if uow.session.scalar(select(Category.id).where(Category.slug == data.slug)) is not None:
            raise SlugTaken()
        if data.parent_id is not None and uow.session.get(Category, data.parent_id) is None:
            raise InvalidInput(N_("The parent category does not exist."))
        category = Category(
            slug=data.slug,
            name_en=data.name_en,
            name_zh=data.name_zh,
            parent_id=data.parent_id,
            position=data.position,
        )
        uow.session.add(category)
        uow.session.flush()
        return category


# --- products ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductDetail:
    product: Product
    store: Store
    category_path: list[Category]
    skus: list[Sku]


def _reindex(session: Session, product: Product) -> None:
    """Rebuild the product's search entry from its texts, category path, colours and store."""
    tree = category_tree(session)
    store = session.get(Store, product.store_id)
    skus = session.scalars(select(Sku).where(Sku.product_id == product.id, Sku.active)).all()
    texts = [product.title_en, product.title_zh or ""]
    for category in tree.path(product.category_id):
        texts += [category.name_en, category.name_zh or ""]
    filters = []
    for colour_key in sorted({sku.colour for sku in skus if sku.colour}):
        colour = COLOURS[colour_key]
        texts += [colour.name_en, colour.name_zh]
        filters.append(search_text.colour_token(colour_key))
    texts += sorted({sku.size for sku in skus if sku.size})
    if store is not None:
        texts += [store.name_en, store.name_zh or ""]
    search_index.index_product(
        session,
        product,
        store_active=store is not None and store.status == "active",
        tokens=search_text.document(texts, filters),
    )


def _refresh_prices(session: Session, product: Product) -> None:
    prices = [
        price
        for price in session.scalars(
            select(Sku.price).where(Sku.product_id == product.id, Sku.active)
        )
    ]
    if prices:
        product.min_price, product.max_price = min(prices), max(prices)


def _leaf_category(session: Session, category_id: uuid.UUID) -> Category:
    tree = category_tree(session)
    category = tree.by_id.get(category_id)
    if category is None or not tree.is_leaf(category_id):
        raise InvalidInput(
            N_("Choose a category without subcategories."),
            errors=[{"field": "category_id", "message": "not a leaf category"}],
        )
    return category


# A plain package: the picture for a product whose category names no drawn shape.
_FALLBACK_SHAPE = "snack"


def drawn_image(tree: CategoryTree, category_id: uuid.UUID, colour: str) -> str:
    """The drawn picture a product shows until the merchant gives one: the shape its category
    (or the nearest parent) is named after, e.g. "coats" -> a coat, in the first SKU colour."""
    for category in reversed(tree.path(category_id)):
        slug = category.slug.replace("-", "_")
        for shape in (slug, search_text.singular(slug)):
            if shape in SHAPES:
                return image_url(shape, colour)
    return image_url(_FALLBACK_SHAPE, colour)


def create_product(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, data: ProductIn
) -> ProductDetail:
    """List a product with its SKUs in one of the actor's stores. Stock is set by inventory."""
    with uow:
        session = uow.session
        store = access_store(session, actor, store_id)
        _leaf_category(session, data.category_id)
        now = utcnow()
        prices = [sku.price for sku in data.skus]
        first_colour = next((sku.colour for sku in data.skus if sku.colour), "grey")
        tree = category_tree(session)
        product = Product(
            store_id=store.id,
            category_id=data.category_id,
            title_en=data.title_en,
            title_zh=data.title_zh or None,
            description_en=data.description_en,
            description_zh=data.description_zh or None,
            image_url=data.image_url or drawn_image(tree, data.category_id, first_colour),
            list_price=data.list_price,
            weight_grams=data.weight_grams,
            min_price=min(prices),
            max_price=max(prices),
            created_at=now,
            updated_at=now,
        )
        session.add(product)
        session.flush()
        skus = [
            Sku(
                product_id=product.id,
                code=sku.code,
                colour=sku.colour,
                size=sku.size,
                attributes=sku.attributes,
                price=sku.price,
                position=index,
            )
            for index, sku in enumerate(data.skus)
        ]
        session.add_all(skus)
        session.flush()
        _reindex(session, product)
        uow.emit(
            "catalog.product_listed", {"product_id": str(product.id), "store_id": str(store.id)}
        )
        return ProductDetail(product, store, category_tree(session).path(product.category_id), skus)


def access_product(session: Session, actor: Principal, product_id: uuid.UUID) -> Product:
    """A product the actor may edit (staff of its store, or an operator)."""
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotFound()
    try:
        access_store(session, actor, product.store_id)
    except StoreNotFound as exc:
        raise ProductNotFound() from exc
    return product


def update_product(
    uow: UnitOfWork, *, actor: Principal, product_id: uuid.UUID, patch: ProductPatch
) -> Product:
    with uow:
        session = uow.session
        product = access_product(session, actor, product_id)
        changes = patch.model_dump(exclude_unset=True)
        if "category_id" in changes and changes["category_id"] is not None:
            _leaf_category(session, changes["category_id"])
        if changes.get("list_price") is not None and changes["list_price"] < product.max_price:
            raise InvalidInput(N_("The list price cannot be below a SKU price."))
        for name, value in changes.items():
            # These columns are required: a null in the patch means "leave as is".
            if value is None and name in (
                "category_id",
                "title_en",
                "description_en",
                "list_price",
                "weight_grams",
                "status",
            ):
                continue
            if name == "image_url" and not value:
                continue
            setattr(product, name, value)
        product.updated_at = utcnow()
        session.flush()
        _reindex(session, product)
        return product


def access_sku(session: Session, actor: Principal, sku_id: uuid.UUID) -> Sku:
    sku = session.get(Sku, sku_id)
    if sku is None:
        raise ProductNotFound()
    access_product(session, actor, sku.product_id)
    return sku


def update_sku(uow: UnitOfWork, *, actor: Principal, sku_id: uuid.UUID, patch: SkuPatch) -> Sku:
    with uow:
        session = uow.session
        sku = access_sku(session, actor, sku_id)
        product = session.get(Product, sku.product_id)
        assert product is not None
        if patch.price is not None:
            if patch.price > product.list_price:
                raise InvalidInput(N_("A SKU price cannot be above the list price."))
            sku.price = patch.price
        if patch.active is not None:
            sku.active = patch.active
        session.flush()
        _refresh_prices(session, product)
        product.updated_at = utcnow()
        _reindex(session, product)
        return sku


def add_skus(
    uow: UnitOfWork, *, actor: Principal, product_id: uuid.UUID, skus: Sequence[SkuIn]
) -> list[Sku]:
    """Add variants to a listed product, after its others. Stock is set by inventory.

    Raises:
        InvalidInput: a colour and size the product already has (or two alike), or a price
            above the list price.
    """
    with uow:
        session = uow.session
        product = access_product(session, actor, product_id)
        existing = list(session.scalars(select(Sku).where(Sku.product_id == product.id)))
        seen = {(sku.colour, sku.size) for sku in existing}
        for item in skus:
            if (item.colour, item.size) in seen:
                raise InvalidInput(
                    N_("Two SKUs have the same colour and size."),
                    errors=[{"field": "skus", "message": "duplicate colour and size"}],
                )
            seen.add((item.colour, item.size))
            if item.price > product.list_price:
                raise InvalidInput(N_("A SKU price cannot be above the list price."))
        position = max((sku.position for sku in existing), default=-1) + 1
        added = [
            Sku(
                product_id=product.id,
                code=item.code,
                colour=item.colour,
                size=item.size,
                attributes=item.attributes,
                price=item.price,
                position=position + index,
            )
            for index, item in enumerate(skus)
        ]
        session.add_all(added)
        session.flush()
        _refresh_prices(session, product)
        product.updated_at = utcnow()
        _reindex(session, product)
        return added


def product_detail(
    uow: UnitOfWork, product_id: uuid.UUID, *, actor: Principal | None = None
) -> ProductDetail:
    """A product as a shopper sees it; hidden products only for its store's staff and operators."""
    with uow.read() as session:
        product = session.get(Product, product_id)
        if product is None:
            raise ProductNotFound()
        store = session.get(Store, product.store_id)
        assert store is not None
        if product.status != "active" or store.status != "active":
            if actor is None:
                raise ProductNotFound()
            access_product(session, actor, product_id)
        skus = list(
            session.scalars(select(Sku).where(Sku.product_id == product_id).order_by(Sku.position))
        )
        path = category_tree(session).path(product.category_id)
        return ProductDetail(product, store, path, skus)


def store_products(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    query: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Product], int]:
    """The merchant console's product table (all statuses), newest first."""
    from sqlalchemy import func

    with uow.read() as session:
        access_store(session, actor, store_id)
        stmt = select(Product).where(Product.store_id == store_id)
        if query:
            like = f"%{query.strip()}%"
            stmt = stmt.where(Product.title_en.ilike(like) | Product.title_zh.like(like))
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(
            stmt.order_by(Product.created_at.desc(), Product.id).offset(offset).limit(limit)
        ).all()
        return rows, total


# --- search -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    colour: str | None = None
    store_id: uuid.UUID | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "relevance"
    cursor: str | None = None
    before: str | None = None
    limit: int = 24
    with_total: bool = False


# The highest price a SKU may have (``schemas.Fen``); a price filter beyond it would only
# overflow the database's integer.
MAX_PRICE = 100_000_000_00


def search_products(uow: UnitOfWork, params: SearchParams) -> search_index.SearchPage:
    """Full-text search in English and Chinese with filters, sorts and keyset pages."""
    for name in ("price_min", "price_max"):
        value = getattr(params, name)
        if value is not None and not 0 <= value <= MAX_PRICE:
            raise InvalidInput(
                N_("The price filter is out of range."),
                errors=[{"field": name, "message": "range"}],
            )
    if params.colour and params.colour not in COLOURS:
        raise InvalidInput(
            N_("Unknown colour."), errors=[{"field": "colour", "message": "unknown"}]
        )
    if (
        params.price_min is not None
        and params.price_max is not None
        and params.price_min > params.price_max
    ):
        raise InvalidInput(N_("The minimum price is above the maximum price."))
    text_tokens = tuple(search_text.query(params.q)) if params.q else ()
    if params.q.strip() and not text_tokens:
        return search_index.SearchPage()
    filters = (search_text.colour_token(params.colour),) if params.colour else ()
    with uow.read() as session:
        category_ids: tuple[uuid.UUID, ...] | None = None
        if params.category:
            tree = category_tree(session)
            category = tree.by_slug(params.category)
            category_ids = tuple(tree.subtree_ids(category.id)) if category else ()
        return search_index.search(
            session,
            search_index.SearchQuery(
                text_tokens=text_tokens,
                filter_tokens=filters,
                category_ids=category_ids,
                store_id=params.store_id,
                price_min=params.price_min,
                price_max=params.price_max,
                sort=params.sort,
                cursor=params.cursor,
                before=params.before,
                limit=params.limit,
                with_total=params.with_total,
            ),
        )
