"""The pages, through HTTP: they render, they refuse what they must, and forms are protected."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

import factories
from agora import catalog, inventory
from agora.core.uow import UnitOfWork
from factories import HTML, csrf_of


def sign_in(client: TestClient, email: str) -> None:
    token = csrf_of(client)
    response = client.post(
        "/signin",
        data={
            "identifier": email,
            "password": factories.PASSWORD,
            "csrf_token": token,
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def shop(uow: UnitOfWork) -> dict[str, object]:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner_a = factories.make_user(uow, name="Owner A")
    owner_b = factories.make_user(uow, name="Owner B")
    store_a = factories.make_store(uow, ops, owner_a)
    store_b = factories.make_store(uow, ops, owner_b)
    coat = factories.make_product(
        uow, ops, store_a, cats["coats"], title_en="Red Wool Coat", title_zh="红色羊毛外套"
    )
    phone = factories.make_product(
        uow,
        ops,
        store_b,
        cats["phones"],
        title_en="Pocket Phone",
        title_zh="口袋手机",
        skus=[("black", "128GB", 199900, 4)],
    )
    return {
        "ops": ops,
        "cats": cats,
        "owner_a": owner_a,
        "owner_b": owner_b,
        "store_a": store_a,
        "store_b": store_b,
        "coat": coat,
        "phone": phone,
    }


def test_shop_pages_render_in_both_languages(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    coat = data["coat"]
    assert isinstance(coat, catalog.ProductDetail)
    home = client.get("/", headers=HTML)
    assert home.status_code == 200
    assert "Red Wool Coat" in home.text
    zh = client.get("/search?q=红色+外套", headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text
    assert "红色羊毛外套" in zh.text
    assert "口袋手机" not in zh.text
    product = client.get(f"/p/{coat.product.id}", headers=HTML)
    assert product.status_code == 200
    assert "data-sku-picker" in product.text
    assert client.get("/p/not-an-id", headers=HTML).status_code == 404


def test_user_text_is_escaped_on_pages(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    store = data["store_a"]
    ops = data["ops"]
    assert isinstance(store, catalog.Store) and isinstance(ops, factories.Principal)
    detail = factories.make_product(
        uow,
        ops,
        store,
        data["cats"]["coats"],  # type: ignore[index]
        title_en="<script>alert(1)</script> Coat",
        title_zh=None,
    )
    page = client.get(f"/p/{detail.product.id}", headers=HTML)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Coat" in page.text


def test_signup_and_signin_need_the_forms_csrf_token(client: TestClient, uow: UnitOfWork) -> None:
    refused = client.post(
        "/signup",
        data={"identifier": "x@example.com", "password": "long enough", "display_name": "X"},
        headers=HTML,
    )
    assert refused.status_code == 403
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(factories.User)) == 0

    token = csrf_of(client, "/signup")
    created = client.post(
        "/signup",
        data={
            "identifier": "x@example.com",
            "password": "long enough",
            "display_name": "X",
            "csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert client.get("/account", headers=HTML).status_code == 200


def test_signup_with_bad_input_shows_field_errors_and_creates_nobody(
    client: TestClient, uow: UnitOfWork
) -> None:
    token = csrf_of(client, "/signup")
    response = client.post(
        "/signup",
        data={
            "identifier": "not-an-email",
            "password": "short",
            "display_name": "",
            "csrf_token": token,
        },
        headers=HTML,
    )
    assert response.status_code == 422
    assert "Enter a valid email or mobile number." in response.text
    assert "Password must be at least 8 characters." in response.text
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(factories.User)) == 0


def test_a_shopper_cannot_reach_the_merchant_or_operator_console(
    client: TestClient, uow: UnitOfWork
) -> None:
    data = shop(uow)
    shopper = factories.make_user(uow, name="Shopper")
    sign_in(client, shopper.email or "")
    store_a = data["store_a"]
    assert isinstance(store_a, catalog.Store)
    assert client.get("/merchant", headers=HTML).status_code == 403
    assert client.get(f"/merchant/stores/{store_a.id}", headers=HTML).status_code == 404
    assert client.get("/operator", headers=HTML).status_code == 403
    assert client.get("/operator/users", headers=HTML).status_code == 403


def test_anonymous_console_visits_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/merchant", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/merchant"


def test_merchant_edits_own_stock_but_not_another_stores(
    client: TestClient, uow: UnitOfWork
) -> None:
    data = shop(uow)
    owner_a, coat, phone = data["owner_a"], data["coat"], data["phone"]
    assert isinstance(coat, catalog.ProductDetail) and isinstance(phone, catalog.ProductDetail)
    sign_in(client, owner_a.email)  # type: ignore[attr-defined]
    token = csrf_of(client, f"/merchant/products/{coat.product.id}")

    sku_ids = [str(s.id) for s in coat.skus]
    saved = client.post(
        f"/merchant/products/{coat.product.id}/skus",
        data={
            "csrf_token": token,
            "sku_id": sku_ids,
            "sku_price": ["279", "289.5"],
            "sku_stock": ["7", "0"],
            "sku_active": sku_ids,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    levels = inventory.stock_levels(uow, [s.id for s in coat.skus])
    assert [levels[s.id] for s in coat.skus] == [7, 0]

    phone_sku = phone.skus[0]
    refused = client.post(
        f"/merchant/products/{phone.product.id}/skus",
        data={
            "csrf_token": token,
            "sku_id": [str(phone_sku.id)],
            "sku_price": ["1"],
            "sku_stock": ["999"],
            "sku_active": [str(phone_sku.id)],
        },
        headers=HTML,
    )
    assert refused.status_code == 404
    assert inventory.stock_levels(uow, [phone_sku.id])[phone_sku.id] == 4
    with uow.read() as session:
        assert session.get(catalog.Sku, phone_sku.id).price == 199900  # type: ignore[union-attr]
    assert client.get(f"/merchant/products/{phone.product.id}", headers=HTML).status_code == 404


def test_merchant_lists_a_product_from_the_console(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    owner_a, store_a, cats = data["owner_a"], data["store_a"], data["cats"]
    assert isinstance(store_a, catalog.Store)
    sign_in(client, owner_a.email)  # type: ignore[attr-defined]
    path = f"/merchant/stores/{store_a.id}/products/new"
    token = csrf_of(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "category_id": str(cats["dresses"].id),  # type: ignore[index]
            "title_en": "Linen Summer Dress",
            "title_zh": "亚麻夏季连衣裙",
            "list_price": "399",
            "sku_colour": ["white", "beige", ""],
            "sku_size": ["S", "M", ""],
            "sku_price": ["299", "309.90", ""],
            "sku_stock": ["5", "8", ""],
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = catalog.search_products(uow, catalog.SearchParams(q="亚麻 连衣裙"))
    assert [c.title_en for c in found.items] == ["Linen Summer Dress"]
    assert found.items[0].min_price == 29900


def test_merchant_form_with_bad_prices_lists_nothing(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    owner_a, store_a, cats = data["owner_a"], data["store_a"], data["cats"]
    assert isinstance(store_a, catalog.Store)
    sign_in(client, owner_a.email)  # type: ignore[attr-defined]
    path = f"/merchant/stores/{store_a.id}/products/new"
    token = csrf_of(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "category_id": str(cats["dresses"].id),  # type: ignore[index]
            "title_en": "Bad Dress",
            "list_price": "abc",
            "sku_colour": ["white"],
            "sku_size": ["S"],
            "sku_price": ["-5"],
            "sku_stock": ["1"],
        },
        headers=HTML,
    )
    assert response.status_code == 422
    assert "form-error" in response.text
    with uow.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(catalog.Product)
                .where(catalog.Product.title_en == "Bad Dress")
            )
            == 0
        )


def test_operator_suspends_a_store_and_its_products_leave_search(
    client: TestClient, uow: UnitOfWork
) -> None:
    data = shop(uow)
    ops, store_a = data["ops"], data["store_a"]
    assert isinstance(store_a, catalog.Store)
    with uow.read() as session:
        operator_user = session.get(factories.User, ops.user_id)  # type: ignore[attr-defined]
        assert operator_user is not None
        email = operator_user.email
    sign_in(client, email or "")
    token = csrf_of(client, "/operator")
    response = client.post(
        f"/operator/stores/{store_a.id}/status",
        data={"csrf_token": token, "status": "suspended"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert catalog.search_products(uow, catalog.SearchParams(q="coat")).items == []
