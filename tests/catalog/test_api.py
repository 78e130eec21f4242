"""Catalog over HTTP: search, product pages, merchant listing and editing, and every refusal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

import factories
from agora import catalog, inventory
from agora.catalog import Product, Sku
from agora.catalog.schemas import ProductPatch
from agora.core import security
from agora.core.db import Database
from agora.core.models import IdempotencyKey
from agora.core.uow import UnitOfWork
from agora.identity import Principal, sign_in
from factories import assert_problem


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


def snapshot(uow: UnitOfWork) -> dict[str, Any]:
    """Every product, SKU and stock row, to prove a refused request changed nothing."""
    with uow.read() as session:
        return {
            model.__tablename__: sorted(
                (
                    {c.key: getattr(row, c.key) for c in model.__table__.columns}
                    for row in session.scalars(select(model))
                ),
                key=repr,
            )
            for model in (Product, Sku, inventory.Stock)
        }


@dataclass
class Shop:
    ops: Principal
    merchant_a: Principal
    merchant_b: Principal
    store_a: catalog.Store
    store_b: catalog.Store
    categories: dict[str, catalog.Category]
    coat: catalog.ProductDetail  # store A
    dress: catalog.ProductDetail  # store B
    headers: dict[str, dict[str, str]]


def token(uow: UnitOfWork, user: Any) -> dict[str, str]:
    signed = sign_in(
        uow, identifier=user.email, password=factories.PASSWORD, client=factories.CLIENT, kind="api"
    )
    return {"Authorization": f"Bearer {signed.token}"}


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    ops = factories.make_operator(uow)
    a_user = factories.make_user(uow, name="Merchant A")
    b_user = factories.make_user(uow, name="Merchant B")
    shopper = factories.make_user(uow, name="Shopper")
    store_a = factories.make_store(
        uow, ops, a_user, slug="north-wind", name_en="North Wind", name_zh="北风"
    )
    store_b = factories.make_store(uow, ops, b_user, slug="east-lake", name_en="East Lake")
    categories = factories.make_categories(uow, ops)
    merchant_a, merchant_b = factories.principal(a_user), factories.principal(b_user)
    coat = factories.make_product(
        uow,
        merchant_a,
        store_a,
        categories["coats"],
        title_en="Red Wool Coat",
        title_zh="红色羊毛外套",
        skus=[("red", "M", 59900, 7), ("red", "L", 62900, 0)],
        list_price=69900,
    )
    dress = factories.make_product(
        uow,
        merchant_b,
        store_b,
        categories["dresses"],
        title_en="Red Silk Dress",
        title_zh="红色真丝连衣裙",
        skus=[("red", "S", 32900, 4)],
    )
    headers = {
        "a": token(uow, a_user),
        "b": token(uow, b_user),
        "shopper": token(uow, shopper),
        "anonymous": {},
    }
    return Shop(ops, merchant_a, merchant_b, store_a, store_b, categories, coat, dress, headers)


def new_product(shop: Shop, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category_id": str(shop.categories["coats"].id),
        "title_en": "Black Down Coat",
        "title_zh": "黑色羽绒服外套",
        "list_price": 99900,
        "skus": [
            {"colour": "black", "size": "M", "price": 89900, "stock": 12},
            {"colour": "black", "size": "L", "price": 92900, "stock": 3},
        ],
    }
    body.update(fields)
    return body


# --- search and product pages -----------------------------------------------------------------


def test_search_returns_product_cards(client: TestClient, shop: Shop) -> None:
    response = client.get("/api/v1/products", params={"q": "red coat"})

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": str(shop.coat.product.id),
                "title": "Red Wool Coat",
                "title_en": "Red Wool Coat",
                "title_zh": "红色羊毛外套",
                "image_url": "/media/p/coat/red.svg",
                "price": {"amount": 59900, "currency": "CNY"},
                "list_price": {"amount": 69900, "currency": "CNY"},
                "sales_count": 0,
                "store_id": str(shop.store_a.id),
                "store_name": "North Wind",
                "self_operated": False,
            }
        ],
        "next_cursor": None,
        "prev_cursor": None,
        "total": None,
        "offset": None,
    }


def test_search_in_chinese_answers_in_chinese(client: TestClient, shop: Shop) -> None:
    response = client.get("/api/v1/products", params={"q": "红色外套", "lang": "zh"})

    [card] = response.json()["items"]
    assert (card["title"], card["store_name"]) == ("红色羊毛外套", "北风")
    assert response.headers["content-language"] == "zh-CN"


def test_search_filters_and_pages(client: TestClient, shop: Shop) -> None:
    first = client.get("/api/v1/products", params={"q": "red", "sort": "price_asc", "limit": 1})
    assert [c["id"] for c in first.json()["items"]] == [str(shop.dress.product.id)]
    cursor = first.json()["next_cursor"]
    assert cursor is not None

    second = client.get(
        "/api/v1/products", params={"q": "red", "sort": "price_asc", "limit": 1, "cursor": cursor}
    )

    assert [c["id"] for c in second.json()["items"]] == [str(shop.coat.product.id)]
    assert second.json()["next_cursor"] is None
    back = client.get(
        "/api/v1/products",
        params={
            "q": "red",
            "sort": "price_asc",
            "limit": 1,
            "before": second.json()["prev_cursor"],
            "with_total": True,
        },
    )
    assert [c["id"] for c in back.json()["items"]] == [str(shop.dress.product.id)]
    assert (back.json()["prev_cursor"], back.json()["total"], back.json()["offset"]) == (None, 2, 0)
    assert back.json()["next_cursor"] is not None
    assert (first.json()["prev_cursor"], first.json()["total"]) == (None, None)  # not asked
    by_store = client.get("/api/v1/products", params={"store": str(shop.store_b.id)})
    assert [c["id"] for c in by_store.json()["items"]] == [str(shop.dress.product.id)]
    by_category = client.get(
        "/api/v1/products", params={"category": "clothing", "colour": "red", "price_max": 40000}
    )
    assert [c["id"] for c in by_category.json()["items"]] == [str(shop.dress.product.id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1000}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"sort": "bogus"}, "query.sort"),
        ({"price_min": -1}, "query.price_min"),
        ({"price_max": "cheap"}, "query.price_max"),
        ({"price_min": 10**30}, "query.price_min"),
        ({"store": "store-a"}, "query.store"),
        ({"q": "x" * 201}, "query.q"),
    ],
)
def test_bad_search_parameters(
    client: TestClient, shop: Shop, params: dict[str, Any], field: str
) -> None:
    body = assert_problem(client.get("/api/v1/products", params=params), 422, "invalid_input")

    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    "params",
    [
        {"colour": "ultraviolet"},
        {"price_min": 500, "price_max": 100},
        {"cursor": "forged"},
        {"before": "forged"},
    ],
)
def test_search_refusals_from_the_service(
    client: TestClient, shop: Shop, params: dict[str, Any]
) -> None:
    assert_problem(client.get("/api/v1/products", params=params), 422, "invalid_input")


def test_a_cursor_of_another_sort_is_refused(client: TestClient, shop: Shop) -> None:
    cursor = client.get("/api/v1/products", params={"sort": "price_asc", "limit": 1}).json()[
        "next_cursor"
    ]

    response = client.get("/api/v1/products", params={"sort": "newest", "cursor": cursor})

    assert_problem(response, 422, "invalid_input")


def test_product_page_with_skus_and_stock(client: TestClient, shop: Shop) -> None:
    response = client.get(f"/api/v1/products/{shop.coat.product.id}")

    assert response.status_code == 200
    body = response.json()
    assert (body["title_en"], body["status"], body["category_path"]) == (
        "Red Wool Coat",
        "active",
        ["Clothing", "Coats"],
    )
    assert body["store"]["id"] == str(shop.store_a.id)
    assert body["list_price"] == {"amount": 69900, "currency": "CNY"}
    assert body["price_range"] == [
        {"amount": 59900, "currency": "CNY"},
        {"amount": 62900, "currency": "CNY"},
    ]
    assert [
        (s["id"], s["colour"], s["size"], s["price"], s["stock"], s["active"]) for s in body["skus"]
    ] == [
        (str(shop.coat.skus[0].id), "red", "M", {"amount": 59900, "currency": "CNY"}, 7, True),
        (str(shop.coat.skus[1].id), "red", "L", {"amount": 62900, "currency": "CNY"}, 0, True),
    ]


def test_a_hidden_product_is_shown_to_its_staff_only(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    catalog.update_product(
        uow,
        actor=shop.merchant_a,
        product_id=shop.coat.product.id,
        patch=ProductPatch(status="hidden"),
    )
    url = f"/api/v1/products/{shop.coat.product.id}"

    for who in ("anonymous", "shopper", "b"):
        assert_problem(client.get(url, headers=shop.headers[who]), 404, "product_not_found")
    assert client.get(url, headers=shop.headers["a"]).json()["status"] == "hidden"
    assert client.get("/api/v1/products", params={"q": "coat"}).json()["items"] == []


def test_unknown_and_malformed_product_ids(client: TestClient, shop: Shop) -> None:
    assert_problem(client.get(f"/api/v1/products/{uuid.uuid4()}"), 404, "product_not_found")
    body = assert_problem(client.get("/api/v1/products/not-a-uuid"), 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["path.product_id"]
    assert_problem(client.get("/api/v1/products/1"), 422, "invalid_input")


# --- listing a product ------------------------------------------------------------------------


def test_staff_list_a_product_with_stock(client: TestClient, shop: Shop, uow: UnitOfWork) -> None:
    response = client.post(
        f"/api/v1/stores/{shop.store_a.id}/products",
        json=new_product(shop),
        headers=shop.headers["a"],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["title_en"], body["title_zh"], body["store"]["id"]) == (
        "Black Down Coat",
        "黑色羽绒服外套",
        str(shop.store_a.id),
    )
    assert [(s["colour"], s["size"], s["price"]["amount"], s["stock"]) for s in body["skus"]] == [
        ("black", "M", 89900, 12),
        ("black", "L", 92900, 3),
    ]
    assert "idempotent-replayed" not in response.headers
    product_id = uuid.UUID(body["id"])
    assert count(uow, Product, Product.store_id == shop.store_a.id) == 2
    page = client.get(f"/api/v1/products/{product_id}").json()
    assert [s["stock"] for s in page["skus"]] == [12, 3]
    found = client.get("/api/v1/products", params={"q": "羽绒服"}).json()["items"]
    assert [c["id"] for c in found] == [str(product_id)]


def test_the_same_idempotent_request_lists_one_product(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    url = f"/api/v1/stores/{shop.store_a.id}/products"
    headers = {**shop.headers["a"], "Idempotency-Key": "listing-42"}

    first = client.post(url, json=new_product(shop), headers=headers)
    second = client.post(url, json=new_product(shop), headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert count(uow, Product, Product.title_en == "Black Down Coat") == 1
    assert count(uow, IdempotencyKey) == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    url = f"/api/v1/stores/{shop.store_a.id}/products"
    headers = {**shop.headers["a"], "Idempotency-Key": "listing-42"}
    assert client.post(url, json=new_product(shop), headers=headers).status_code == 201
    before = snapshot(uow)

    response = client.post(url, json=new_product(shop, title_en="Other Coat"), headers=headers)

    assert_problem(response, 422, "idempotency_key_reused")
    assert snapshot(uow) == before
    assert count(uow, Product, Product.title_en.in_(["Black Down Coat", "Other Coat"])) == 1


def test_idempotency_keys_belong_to_their_user(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    body = new_product(shop)
    first = client.post(
        f"/api/v1/stores/{shop.store_a.id}/products",
        json=body,
        headers={**shop.headers["a"], "Idempotency-Key": "k"},
    )
    second = client.post(
        f"/api/v1/stores/{shop.store_b.id}/products",
        json=body,
        headers={**shop.headers["b"], "Idempotency-Key": "k"},
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert "idempotent-replayed" not in second.headers


def test_a_refused_idempotent_request_can_be_retried(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    url = f"/api/v1/stores/{shop.store_a.id}/products"
    headers = {**shop.headers["a"], "Idempotency-Key": "retry-me"}
    parent = new_product(shop, category_id=str(shop.categories["clothing"].id))

    assert_problem(client.post(url, json=parent, headers=headers), 422, "invalid_input")
    assert count(uow, IdempotencyKey) == 0

    response = client.post(url, json=new_product(shop), headers=headers)
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


def test_an_overlong_idempotency_key_is_refused(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    response = client.post(
        f"/api/v1/stores/{shop.store_a.id}/products",
        json=new_product(shop),
        headers={**shop.headers["a"], "Idempotency-Key": "k" * 256},
    )

    assert_problem(response, 422, "invalid_input")
    assert snapshot(uow) == before


# --- refusals: other people's stores and products ---------------------------------------------


def test_a_merchant_cannot_list_into_another_store(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    response = client.post(
        f"/api/v1/stores/{shop.store_b.id}/products",
        json=new_product(shop),
        headers=shop.headers["a"],
    )

    assert_problem(response, 404, "store_not_found")
    assert snapshot(uow) == before


def test_a_shopper_cannot_see_or_fill_a_store_console(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)
    url = f"/api/v1/stores/{shop.store_a.id}/products"

    assert_problem(
        client.post(url, json=new_product(shop), headers=shop.headers["shopper"]),
        404,
        "store_not_found",
    )
    assert_problem(client.get(url, headers=shop.headers["shopper"]), 404, "store_not_found")
    assert_problem(client.get(url, headers=shop.headers["b"]), 404, "store_not_found")
    assert_problem(
        client.post(
            f"/api/v1/stores/{uuid.uuid4()}/products",
            json=new_product(shop),
            headers=shop.headers["a"],
        ),
        404,
        "store_not_found",
    )
    assert snapshot(uow) == before


def test_the_store_console_lists_every_status(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    catalog.update_product(
        uow,
        actor=shop.merchant_a,
        product_id=shop.coat.product.id,
        patch=ProductPatch(status="hidden"),
    )

    response = client.get(f"/api/v1/stores/{shop.store_a.id}/products", headers=shop.headers["a"])

    assert response.status_code == 200
    assert [(p["id"], p["status"]) for p in response.json()] == [
        (str(shop.coat.product.id), "hidden")
    ]


def test_anonymous_requests_must_sign_in(client: TestClient, shop: Shop, uow: UnitOfWork) -> None:
    before = snapshot(uow)

    assert_problem(
        client.post(f"/api/v1/stores/{shop.store_a.id}/products", json=new_product(shop)),
        401,
        "unauthenticated",
    )
    assert_problem(
        client.patch(f"/api/v1/products/{shop.coat.product.id}", json={"title_en": "x"}),
        401,
        "unauthenticated",
    )
    assert_problem(
        client.patch(f"/api/v1/skus/{shop.coat.skus[0].id}", json={"price": 1}),
        401,
        "unauthenticated",
    )
    assert_problem(client.get(f"/api/v1/stores/{shop.store_a.id}/products"), 401, "unauthenticated")
    assert snapshot(uow) == before


def test_a_merchant_cannot_edit_another_stores_product(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    response = client.patch(
        f"/api/v1/products/{shop.dress.product.id}",
        json={"title_en": "Mine now", "status": "hidden", "list_price": 100000},
        headers=shop.headers["a"],
    )

    assert_problem(response, 404, "product_not_found")
    assert snapshot(uow) == before


def test_a_merchant_cannot_edit_another_stores_sku(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    for change in ({"price": 100}, {"stock": 999}, {"active": False}):
        response = client.patch(
            f"/api/v1/skus/{shop.dress.skus[0].id}", json=change, headers=shop.headers["a"]
        )
        assert_problem(response, 404, "product_not_found")
    assert_problem(
        client.patch(f"/api/v1/skus/{uuid.uuid4()}", json={"price": 1}, headers=shop.headers["a"]),
        404,
        "product_not_found",
    )
    assert snapshot(uow) == before


def test_a_shopper_cannot_edit_anything(client: TestClient, shop: Shop, uow: UnitOfWork) -> None:
    before = snapshot(uow)

    assert_problem(
        client.patch(
            f"/api/v1/products/{shop.coat.product.id}",
            json={"title_en": "x"},
            headers=shop.headers["shopper"],
        ),
        404,
        "product_not_found",
    )
    assert_problem(
        client.patch(
            f"/api/v1/skus/{shop.coat.skus[0].id}",
            json={"stock": 0},
            headers=shop.headers["shopper"],
        ),
        404,
        "product_not_found",
    )
    assert snapshot(uow) == before


# --- editing one's own products ---------------------------------------------------------------


def test_staff_edit_their_product(client: TestClient, shop: Shop) -> None:
    response = client.patch(
        f"/api/v1/products/{shop.coat.product.id}",
        json={"title_en": "Long Red Wool Coat", "description_en": None, "list_price": 79900},
        headers=shop.headers["a"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title_en"], body["description_en"], body["list_price"]["amount"]) == (
        "Long Red Wool Coat",
        "",
        79900,
    )
    found = client.get("/api/v1/products", params={"q": "long coat"}).json()["items"]
    assert [c["id"] for c in found] == [str(shop.coat.product.id)]


def test_staff_edit_a_sku_and_its_stock(client: TestClient, shop: Shop) -> None:
    sku = shop.coat.skus[1]

    response = client.patch(
        f"/api/v1/skus/{sku.id}", json={"price": 49900, "stock": 25}, headers=shop.headers["a"]
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": str(sku.id),
        "code": None,
        "colour": "red",
        "size": "L",
        "attributes": {},
        "price": {"amount": 49900, "currency": "CNY"},
        "stock": 25,
        "active": True,
    }
    page = client.get(f"/api/v1/products/{shop.coat.product.id}").json()
    assert page["price_range"][0]["amount"] == 49900


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        ("product", {"list_price": 59000}, 422, "invalid_input"),  # below the L SKU's 629 yuan
        ("product", {"list_price": -1}, 422, "invalid_input"),
        ("product", {"status": "deleted"}, 422, "invalid_input"),
        ("product", {"title_en": ""}, 422, "invalid_input"),
        ("product", {"image_url": "javascript:alert(1)"}, 422, "invalid_input"),
        ("product", {"category_id": "coats"}, 422, "invalid_input"),
        ("product", {"store_id": "x"}, 422, "invalid_input"),
        ("sku", {"price": 70000}, 422, "invalid_input"),  # above the list price
        ("sku", {"price": 0}, 422, "invalid_input"),
        ("sku", {"stock": -1}, 422, "invalid_input"),
        ("sku", {"colour": "blue"}, 422, "invalid_input"),
    ],
)
def test_bad_edits_change_nothing(
    client: TestClient,
    shop: Shop,
    uow: UnitOfWork,
    url: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = snapshot(uow)
    path = (
        f"/api/v1/products/{shop.coat.product.id}"
        if url == "product"
        else f"/api/v1/skus/{shop.coat.skus[0].id}"
    )

    assert_problem(client.patch(path, json=body, headers=shop.headers["a"]), status, code)

    assert snapshot(uow) == before


def test_moving_to_a_parent_category_is_refused(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    response = client.patch(
        f"/api/v1/products/{shop.coat.product.id}",
        json={"category_id": str(shop.categories["clothing"].id)},
        headers=shop.headers["a"],
    )

    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"] == [{"field": "category_id", "message": "not a leaf category"}]
    assert snapshot(uow) == before


# --- bad listings -----------------------------------------------------------------------------


def _sku(**fields: Any) -> dict[str, Any]:
    return {"colour": "black", "size": "M", "price": 89900, "stock": 1, **fields}


BAD_LISTINGS: list[tuple[str, dict[str, Any]]] = [
    ("negative price", {"skus": [_sku(price=-100)]}),
    ("zero price", {"skus": [_sku(price=0)]}),
    ("negative stock", {"skus": [_sku(stock=-1)]}),
    ("unknown colour", {"skus": [_sku(colour="ultraviolet")]}),
    ("duplicate variant", {"skus": [_sku(), _sku(price=80000)]}),
    ("no SKUs", {"skus": []}),
    ("missing title", {"title_en": None}),
    ("blank title", {"title_en": "   "}),
    ("long title", {"title_en": "x" * 121}),
    ("price above list price", {"list_price": 89899}),
    ("list price as text", {"list_price": "lots"}),
    ("fractional price", {"skus": [_sku(price=899.5)]}),
    ("non-UUID category", {"category_id": "coats"}),
    ("unsafe image", {"image_url": "http://tracker.example.com/p.gif"}),
    ("unknown field", {"sales_count": 1_000_000}),
]


@pytest.mark.parametrize(("case", "change"), BAD_LISTINGS, ids=[c for c, _ in BAD_LISTINGS])
def test_bad_listings_are_refused_and_create_nothing(
    client: TestClient, shop: Shop, uow: UnitOfWork, case: str, change: dict[str, Any]
) -> None:
    body = new_product(shop, **change)
    if change.get("title_en", "") is None:
        del body["title_en"]
    before = snapshot(uow)

    response = client.post(
        f"/api/v1/stores/{shop.store_a.id}/products",
        json=body,
        headers={**shop.headers["a"], "Idempotency-Key": case},
    )

    problem = assert_problem(response, 422, "invalid_input")
    assert problem["errors"], case
    assert snapshot(uow) == before
    assert count(uow, IdempotencyKey) == 0


def test_listing_in_a_parent_category_is_refused(
    client: TestClient, shop: Shop, uow: UnitOfWork
) -> None:
    before = snapshot(uow)

    response = client.post(
        f"/api/v1/stores/{shop.store_a.id}/products",
        json=new_product(shop, category_id=str(shop.categories["clothing"].id)),
        headers=shop.headers["a"],
    )

    assert_problem(response, 422, "invalid_input")
    assert snapshot(uow) == before


def test_a_non_uuid_store_id_is_invalid(client: TestClient, shop: Shop, uow: UnitOfWork) -> None:
    before = snapshot(uow)

    response = client.post(
        "/api/v1/stores/north-wind/products", json=new_product(shop), headers=shop.headers["a"]
    )

    body = assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["path.store_id"]
    assert snapshot(uow) == before
