"""Catalog use cases on a real database: stores and staff, categories, products and SKUs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

import factories
from agora import catalog, inventory
from agora.catalog import Product, Sku, Store, StoreStaff
from agora.catalog.schemas import CategoryIn, ProductIn, ProductPatch, SkuIn, SkuPatch, StoreIn
from agora.core import security
from agora.core.db import Database
from agora.core.errors import Forbidden, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _untangle_categories(db: Database) -> Iterator[None]:
    """Detach child categories after each test: on SQLite the self-referencing RESTRICT key makes
    the shared clean-up's single ``DELETE FROM categories`` fail when a parent goes first."""
    yield
    with db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()


def count(uow: UnitOfWork, model: Any, *where: Any) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def snapshot(uow: UnitOfWork, product_id: uuid.UUID) -> dict[str, Any]:
    """Every column of the product and its SKUs, to prove a refused change changed nothing."""
    with uow.read() as session:
        product = session.get(Product, product_id)
        assert product is not None
        skus = session.scalars(
            select(Sku).where(Sku.product_id == product_id).order_by(Sku.position)
        )
        return {
            "product": {c.key: getattr(product, c.key) for c in Product.__table__.columns},
            "skus": [{c.key: getattr(s, c.key) for c in Sku.__table__.columns} for s in skus],
        }


class World:
    """An operator, two stores each with an owner, a staff member of store A, a shopper."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.ops = factories.make_operator(uow)
        self.owner_a_user = factories.make_user(uow, name="Owner A")
        self.owner_b_user = factories.make_user(uow, name="Owner B")
        self.owner_a = factories.principal(self.owner_a_user)
        self.owner_b = factories.principal(self.owner_b_user)
        self.shopper = factories.principal(factories.make_user(uow, name="Shopper"))
        self.store_a = factories.make_store(uow, self.ops, self.owner_a_user, slug="store-a")
        self.store_b = factories.make_store(uow, self.ops, self.owner_b_user, slug="store-b")
        self.categories = factories.make_categories(uow, self.ops)


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return World(uow)


def product_in(world: World, **fields: Any) -> ProductIn:
    data: dict[str, Any] = {
        "category_id": world.categories["coats"].id,
        "title_en": "Wool Coat",
        "title_zh": "羊毛外套",
        "list_price": 39900,
        "skus": [
            SkuIn(colour="red", size="M", price=29900, stock=3),
            SkuIn(colour="red", size="L", price=34900, stock=0),
        ],
    }
    data.update(fields)
    return ProductIn(**data)


# --- stores and staff -------------------------------------------------------------------------


def test_an_operator_creates_a_store_with_an_owner(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    owner = factories.make_user(uow)

    store = catalog.create_store(
        uow,
        actor=ops,
        data=StoreIn(
            slug="tea-house",
            name_en="Tea House",
            name_zh="茶馆",
            self_operated=True,
            owner_user_id=owner.id,
        ),
    )

    stored = catalog.get_store(uow, store.id)
    assert (stored.slug, stored.name_en, stored.name_zh, stored.self_operated, stored.status) == (
        "tea-house",
        "Tea House",
        "茶馆",
        True,
        "active",
    )
    with uow.read() as session:
        staff = session.get(StoreStaff, (store.id, owner.id))
    assert staff is not None and staff.role == "owner"
    assert [s.id for s in catalog.stores_of(uow, owner.id)] == [store.id]


def test_only_operators_create_stores(uow: UnitOfWork) -> None:
    merchant = factories.principal(factories.make_user(uow))

    with pytest.raises(Forbidden):
        catalog.create_store(uow, actor=merchant, data=StoreIn(slug="mine", name_en="Mine"))

    assert count(uow, Store) == 0


def test_store_slugs_are_unique(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    factories.make_store(uow, ops, slug="tea-house")

    with pytest.raises(catalog.SlugTaken) as refused:
        factories.make_store(uow, ops, slug="tea-house")

    assert (refused.value.status, refused.value.code) == (409, "slug_taken")
    assert count(uow, Store) == 1


def test_a_store_with_an_unknown_owner_is_not_created(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)

    with pytest.raises(InvalidInput):
        catalog.create_store(
            uow, actor=ops, data=StoreIn(slug="ghost", name_en="Ghost", owner_user_id=uuid.uuid4())
        )

    assert count(uow, Store) == 0
    assert count(uow, StoreStaff) == 0


def test_the_owner_adds_staff(uow: UnitOfWork, world: World) -> None:
    clerk = factories.make_user(uow, name="Clerk")

    catalog.add_staff(
        uow, actor=world.owner_a, store_id=world.store_a.id, user_id=clerk.id, role="staff"
    )

    assert [s.id for s in catalog.stores_of(uow, clerk.id)] == [world.store_a.id]


def test_staff_cannot_add_staff(uow: UnitOfWork, world: World) -> None:
    clerk = factories.make_user(uow, name="Clerk")
    friend = factories.make_user(uow, name="Friend")
    catalog.add_staff(
        uow, actor=world.ops, store_id=world.store_a.id, user_id=clerk.id, role="staff"
    )

    with pytest.raises(Forbidden):
        catalog.add_staff(
            uow,
            actor=factories.principal(clerk),
            store_id=world.store_a.id,
            user_id=friend.id,
            role="owner",
        )

    assert catalog.stores_of(uow, friend.id) == []
    with uow.read() as session:
        staff = session.get(StoreStaff, (world.store_a.id, clerk.id))
    assert staff is not None and staff.role == "staff"


def test_a_stranger_cannot_tell_a_store_exists(uow: UnitOfWork, world: World) -> None:
    before = count(uow, StoreStaff)

    with pytest.raises(catalog.StoreNotFound) as refused:
        catalog.add_staff(
            uow,
            actor=world.owner_b,
            store_id=world.store_a.id,
            user_id=world.owner_b.user_id,
            role="owner",
        )
    with pytest.raises(catalog.StoreNotFound):
        catalog.add_staff(
            uow,
            actor=world.shopper,
            store_id=world.store_a.id,
            user_id=world.shopper.user_id,
            role="owner",
        )

    assert (refused.value.status, refused.value.code) == (404, "store_not_found")
    assert count(uow, StoreStaff) == before


def test_a_suspended_store_is_not_listed(uow: UnitOfWork, world: World) -> None:
    catalog.set_store_status(uow, actor=world.ops, store_id=world.store_b.id, status="suspended")

    assert [s.id for s in catalog.list_stores(uow)] == [world.store_a.id]
    with pytest.raises(catalog.StoreNotFound):
        catalog.get_store(uow, world.store_b.id)
    with pytest.raises(Forbidden):
        catalog.set_store_status(
            uow, actor=world.owner_b, store_id=world.store_b.id, status="active"
        )


# --- categories -------------------------------------------------------------------------------


def test_category_tree(uow: UnitOfWork, world: World) -> None:
    tree = catalog.load_categories(uow)
    cats = world.categories

    assert [c.slug for c in tree.roots()] == ["clothing", "electronics"]
    assert [c.slug for c in tree.path(cats["coats"].id)] == ["clothing", "coats"]
    assert sorted(tree.subtree_ids(cats["clothing"].id)) == sorted(
        [cats["clothing"].id, cats["coats"].id, cats["dresses"].id]
    )
    assert (tree.is_leaf(cats["coats"].id), tree.is_leaf(cats["clothing"].id)) == (True, False)


def test_only_operators_create_categories(uow: UnitOfWork, world: World) -> None:
    before = count(uow, catalog.Category)

    with pytest.raises(Forbidden):
        catalog.create_category(
            uow, actor=world.owner_a, data=CategoryIn(slug="shoes", name_en="Shoes")
        )
    with pytest.raises(InvalidInput):
        catalog.create_category(
            uow,
            actor=world.ops,
            data=CategoryIn(slug="shoes", name_en="Shoes", parent_id=uuid.uuid4()),
        )
    with pytest.raises(catalog.SlugTaken):
        catalog.create_category(
            uow, actor=world.ops, data=CategoryIn(slug="coats", name_en="Coats again")
        )

    assert count(uow, catalog.Category) == before


# --- products ---------------------------------------------------------------------------------


def test_staff_list_a_product_in_a_leaf_category(uow: UnitOfWork, world: World) -> None:
    detail = catalog.create_product(
        uow, actor=world.owner_a, store_id=world.store_a.id, data=product_in(world)
    )

    product = detail.product
    assert (product.store_id, product.title_en, product.title_zh, product.status) == (
        world.store_a.id,
        "Wool Coat",
        "羊毛外套",
        "active",
    )
    assert (product.list_price, product.min_price, product.max_price) == (39900, 29900, 34900)
    assert product.image_url == "/media/p/coat/red.svg"  # drawn after its category until set
    assert [c.slug for c in detail.category_path] == ["clothing", "coats"]
    assert [(s.colour, s.size, s.price, s.position) for s in detail.skus] == [
        ("red", "M", 29900, 0),
        ("red", "L", 34900, 1),
    ]
    # Stock belongs to inventory: listing alone leaves every SKU at zero.
    assert inventory.stock_levels(uow, [s.id for s in detail.skus]) == {
        detail.skus[0].id: 0,
        detail.skus[1].id: 0,
    }


def test_a_product_without_a_picture_gets_one_drawn_for_its_category(
    uow: UnitOfWork, world: World
) -> None:
    gifts = catalog.create_category(
        uow, actor=world.ops, data=CategoryIn(slug="gifts", name_en="Gifts")
    )

    def listed(category: catalog.Category, colour: str, image: str | None = None) -> str:
        data = product_in(
            world,
            category_id=category.id,
            image_url=image,
            skus=[SkuIn(colour=colour, price=100)],
            list_price=100,
        )
        detail = catalog.create_product(
            uow, actor=world.owner_a, store_id=world.store_a.id, data=data
        )
        return detail.product.image_url

    assert listed(world.categories["phones"], "silver") == "/media/p/phone/silver.svg"
    assert listed(world.categories["dresses"], "navy") == "/media/p/dress/navy.svg"
    assert listed(gifts, "gold") == "/media/p/snack/gold.svg"
    assert listed(gifts, "") == "/media/p/snack/grey.svg"
    assert listed(gifts, "red", "https://img.example.com/a.png") == "https://img.example.com/a.png"


def test_a_product_in_a_parent_category_is_refused(uow: UnitOfWork, world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        catalog.create_product(
            uow,
            actor=world.owner_a,
            store_id=world.store_a.id,
            data=product_in(world, category_id=world.categories["clothing"].id),
        )
    with pytest.raises(InvalidInput):
        catalog.create_product(
            uow,
            actor=world.owner_a,
            store_id=world.store_a.id,
            data=product_in(world, category_id=uuid.uuid4()),
        )

    assert refused.value.extra["errors"] == [
        {"field": "category_id", "message": "not a leaf category"}
    ]
    assert count(uow, Product) == 0
    assert count(uow, Sku) == 0


def test_no_product_in_someone_elses_store(uow: UnitOfWork, world: World) -> None:
    for actor in (world.owner_b, world.shopper):
        with pytest.raises(catalog.StoreNotFound):
            catalog.create_product(
                uow, actor=actor, store_id=world.store_a.id, data=product_in(world)
            )
    with pytest.raises(catalog.StoreNotFound):
        catalog.create_product(uow, actor=world.ops, store_id=uuid.uuid4(), data=product_in(world))

    assert count(uow, Product) == 0


def test_product_detail_hides_hidden_products_from_shoppers(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])
    product_id = detail.product.id
    catalog.update_product(
        uow, actor=world.owner_a, product_id=product_id, patch=ProductPatch(status="hidden")
    )

    for viewer in (None, world.shopper, world.owner_b):
        with pytest.raises(catalog.ProductNotFound) as refused:
            catalog.product_detail(uow, product_id, actor=viewer)
        assert (refused.value.status, refused.value.code) == (404, "product_not_found")
    for viewer in (world.owner_a, world.ops):
        assert catalog.product_detail(uow, product_id, actor=viewer).product.status == "hidden"


def test_product_detail_shows_active_products_to_everyone(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])

    seen = catalog.product_detail(uow, detail.product.id)

    assert seen.store.id == world.store_a.id
    assert [(s.colour, s.size) for s in seen.skus] == [("red", "M"), ("black", "M")]
    with pytest.raises(catalog.ProductNotFound):
        catalog.product_detail(uow, uuid.uuid4())


def test_products_of_a_suspended_store_are_hidden(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])
    catalog.set_store_status(uow, actor=world.ops, store_id=world.store_a.id, status="suspended")

    with pytest.raises(catalog.ProductNotFound):
        catalog.product_detail(uow, detail.product.id, actor=world.shopper)
    assert catalog.product_detail(uow, detail.product.id, actor=world.owner_a).store.status == (
        "suspended"
    )


def test_staff_update_their_product(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])

    with uow:
        catalog.update_product(
            uow,
            actor=world.owner_a,
            product_id=detail.product.id,
            patch=ProductPatch(
                title_en="Long Wool Coat",
                title_zh=None,
                list_price=49900,
                category_id=world.categories["dresses"].id,
            ),
        )

    product = catalog.product_detail(uow, detail.product.id).product
    assert (product.title_en, product.title_zh, product.list_price, product.category_id) == (
        "Long Wool Coat",
        None,
        49900,
        world.categories["dresses"].id,
    )


def test_a_patch_with_nulls_keeps_required_fields(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])
    before = snapshot(uow, detail.product.id)

    catalog.update_product(
        uow,
        actor=world.owner_a,
        product_id=detail.product.id,
        patch=ProductPatch.model_validate(
            {
                "title_en": None,
                "list_price": None,
                "category_id": None,
                "status": None,
                "description_en": None,
                "image_url": None,
            }
        ),
    )

    after = snapshot(uow, detail.product.id)
    assert after["product"].pop("updated_at") >= before["product"].pop("updated_at")
    assert after == before


def test_staff_of_another_store_cannot_update_a_product(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])
    before = snapshot(uow, detail.product.id)

    for actor in (world.owner_b, world.shopper):
        with pytest.raises(catalog.ProductNotFound) as refused:
            catalog.update_product(
                uow,
                actor=actor,
                product_id=detail.product.id,
                patch=ProductPatch(title_en="Stolen", status="hidden"),
            )
        assert refused.value.status == 404
        with pytest.raises(catalog.ProductNotFound):
            catalog.update_sku(
                uow, actor=actor, sku_id=detail.skus[0].id, patch=SkuPatch(price=100, active=False)
            )

    assert snapshot(uow, detail.product.id) == before


def test_update_unknown_product_or_sku_is_not_found(uow: UnitOfWork, world: World) -> None:
    with pytest.raises(catalog.ProductNotFound):
        catalog.update_product(
            uow, actor=world.ops, product_id=uuid.uuid4(), patch=ProductPatch(title_en="x")
        )
    with pytest.raises(catalog.ProductNotFound):
        catalog.update_sku(uow, actor=world.ops, sku_id=uuid.uuid4(), patch=SkuPatch(price=1))


def test_list_price_below_a_sku_price_is_refused(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(
        uow,
        world.owner_a,
        world.store_a,
        world.categories["coats"],
        skus=[("red", "M", 29900, 1), ("red", "L", 34900, 1)],
        list_price=39900,
    )
    before = snapshot(uow, detail.product.id)

    with pytest.raises(InvalidInput):
        catalog.update_product(
            uow,
            actor=world.owner_a,
            product_id=detail.product.id,
            patch=ProductPatch(list_price=34899, title_en="Cheap"),
        )
    with pytest.raises(InvalidInput):
        catalog.update_sku(
            uow, actor=world.owner_a, sku_id=detail.skus[0].id, patch=SkuPatch(price=39901)
        )
    with pytest.raises(InvalidInput):
        catalog.update_product(
            uow,
            actor=world.owner_a,
            product_id=detail.product.id,
            patch=ProductPatch(category_id=world.categories["clothing"].id),
        )

    assert snapshot(uow, detail.product.id) == before
    catalog.update_product(
        uow, actor=world.owner_a, product_id=detail.product.id, patch=ProductPatch(list_price=34900)
    )
    assert catalog.product_detail(uow, detail.product.id).product.list_price == 34900


def test_sku_price_changes_refresh_the_price_range(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(
        uow,
        world.owner_a,
        world.store_a,
        world.categories["coats"],
        skus=[("red", "M", 29900, 1), ("red", "L", 34900, 1), ("black", "M", 31900, 1)],
        list_price=39900,
    )
    medium, large, _black = detail.skus

    catalog.update_sku(uow, actor=world.owner_a, sku_id=medium.id, patch=SkuPatch(price=25900))
    product = catalog.product_detail(uow, detail.product.id).product
    assert (product.min_price, product.max_price) == (25900, 34900)

    catalog.update_sku(uow, actor=world.owner_a, sku_id=large.id, patch=SkuPatch(active=False))
    product = catalog.product_detail(uow, detail.product.id).product
    assert (product.min_price, product.max_price) == (25900, 31900)


def test_store_products_lists_every_status_for_staff_only(uow: UnitOfWork, world: World) -> None:
    coats = world.categories["coats"]
    first = factories.make_product(uow, world.owner_a, world.store_a, coats, title_en="Wool Coat")
    second = factories.make_product(uow, world.owner_a, world.store_a, coats, title_en="Down Coat")
    factories.make_product(uow, world.owner_b, world.store_b, coats, title_en="Other Coat")
    catalog.update_product(
        uow, actor=world.owner_a, product_id=first.product.id, patch=ProductPatch(status="hidden")
    )

    rows, total = catalog.store_products(uow, actor=world.owner_a, store_id=world.store_a.id)
    assert total == 2
    assert {r.id for r in rows} == {first.product.id, second.product.id}
    rows, total = catalog.store_products(
        uow, actor=world.owner_a, store_id=world.store_a.id, query="down"
    )
    assert ([r.id for r in rows], total) == ([second.product.id], 1)

    for stranger in (world.owner_b, world.shopper):
        with pytest.raises(catalog.StoreNotFound):
            catalog.store_products(uow, actor=stranger, store_id=world.store_a.id)


def test_access_helpers_answer_not_found_for_strangers(uow: UnitOfWork, world: World) -> None:
    detail = factories.make_product(uow, world.owner_a, world.store_a, world.categories["coats"])
    stranger: Principal = world.owner_b

    with uow.read() as session:
        assert catalog.access_product(session, world.owner_a, detail.product.id).id == (
            detail.product.id
        )
        assert catalog.access_sku(session, world.ops, detail.skus[0].id).id == detail.skus[0].id
        with pytest.raises(catalog.ProductNotFound):
            catalog.access_product(session, stranger, detail.product.id)
        with pytest.raises(catalog.ProductNotFound):
            catalog.access_sku(session, stranger, detail.skus[0].id)
        with pytest.raises(catalog.StoreNotFound):
            catalog.access_store(session, stranger, world.store_a.id)
