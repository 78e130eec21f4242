"""Pages that answer what happened: a refused "Add to cart" goes back to the product with why; a
page address with a malformed id is a 404; paying says how much for how many orders."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

import factories
from agora import ledger, ordering, payments
from agora.core.uow import UnitOfWork
from factories import HTML, csrf_of
from web.test_order_pages import _add, _checkout, _coat, _order_count, _phone, _shopper
from web.test_pages import shop


def _cart_lines(uow: UnitOfWork, user: Any) -> list[Any]:
    return ordering.view_cart(uow, actor=factories.principal(user)).lines


@pytest.mark.parametrize(
    ("path", "quantity", "message"),
    [
        ("/cart/add", "0", "The quantity must be between 1 and 99."),
        ("/cart/add", "100", "The quantity must be between 1 and 99."),
        ("/cart/add", "lots", "The quantity must be between 1 and 99."),
        ("/checkout/now", "100", "The quantity must be between 1 and 99."),
    ],
)
def test_a_quantity_out_of_range_sends_the_shopper_back_to_the_product(
    client: TestClient, uow: UnitOfWork, path: str, quantity: str, message: str
) -> None:
    coat = _coat(shop(uow))
    shopper = _shopper(client, uow)
    token = csrf_of(client, f"/p/{coat.product.id}")

    response = client.post(
        path,
        data={
            "csrf_token": token,
            "sku_id": str(coat.skus[0].id),
            "quantity": quantity,
            "product_id": str(coat.product.id),
            "form_key": uuid.uuid4().hex,
        },
        headers=HTML,
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/p/{coat.product.id}"
    product = client.get(f"/p/{coat.product.id}", headers=HTML)
    assert product.status_code == 200 and message in product.text
    assert _cart_lines(uow, shopper) == [] and _order_count(uow) == 0


def test_a_refused_add_without_a_product_shows_the_cart_with_why(
    client: TestClient, uow: UnitOfWork
) -> None:
    coat = _coat(shop(uow))
    _shopper(client, uow)
    token = csrf_of(client, "/cart")

    response = client.post(
        "/cart/add",
        data={"csrf_token": token, "sku_id": str(coat.skus[0].id), "quantity": "0"},
        headers=HTML,
    )

    assert response.status_code == 422
    assert "The quantity must be between 1 and 99." in response.text
    assert 'data-testid="cart' in response.text or "cart" in response.text.lower()


def _page_routes_with_ids(client: TestClient) -> list[tuple[str, str]]:
    """Every page route (not the API) with an id in its path, the ids replaced by "xyz"."""
    routes = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.route
        if not isinstance(route, APIRoute) or context.path.startswith("/api/"):
            continue
        params = route.dependant.path_params
        if not any(p.field_info.annotation is uuid.UUID for p in params):
            continue
        path = context.path
        for p in params:
            path = path.replace("{" + p.name + "}", "xyz")
        routes.extend((method, path) for method in sorted(route.methods or ()))
    return routes


def test_every_page_address_with_a_malformed_id_is_not_found(
    client: TestClient, uow: UnitOfWork
) -> None:
    _shopper(client, uow)
    token = csrf_of(client, "/cart")
    routes = _page_routes_with_ids(client)
    assert ("GET", "/store/xyz") in routes and len(routes) > 20

    for method, path in routes:
        data = {"csrf_token": token} if method == "POST" else None
        page = client.request(method, path, data=data, headers=HTML, follow_redirects=False)
        assert page.status_code == 404, (method, path, page.status_code)
        assert "<html" in page.text

    # Without asking for HTML, the same 404 as problem+json; the API keeps its 422.
    factories.assert_problem(client.get("/store/xyz"), 404, "not_found")
    factories.assert_problem(client.get("/api/v1/orders/xyz"), 422, "invalid_input")


@pytest.mark.parametrize("stores", [1, 2])
def test_paying_says_how_much_for_how_many_orders(
    client: TestClient, uow: UnitOfWork, stores: int
) -> None:
    data = shop(uow)
    coat, phone = _coat(data), _phone(data)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 500000)
    token = csrf_of(client, "/cart")
    _add(client, token, coat.skus[0].id, 2)
    if stores == 2:
        _add(client, token, phone.skus[0].id, 1)
    ids = _checkout(client, token)

    paid = client.post(
        "/pay",
        data={"csrf_token": token, "orders": ",".join(map(str, ids)), "method": "wallet"},
        headers=HTML,
    )

    assert paid.status_code == 200
    if stores == 1:
        assert "Paid ¥598.00 for 1 order. The store will ship it soon." in paid.text
    else:
        assert "Paid ¥2,597.00 for 2 orders. Each store will ship its order soon." in paid.text
    spent = 59800 if stores == 1 else 259700
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 500000 - spent


def test_the_paid_message_in_chinese(client: TestClient, uow: UnitOfWork) -> None:
    coat = _coat(shop(uow))
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 500000)
    token = csrf_of(client, "/cart")
    _add(client, token, coat.skus[0].id, 2)
    ids = _checkout(client, token)

    paid = client.post(
        "/pay",
        data={"csrf_token": token, "orders": ",".join(map(str, ids)), "method": "wallet"},
        headers={**HTML, "Accept-Language": "zh-CN"},
    )

    assert paid.status_code == 200
    assert "已支付 ¥598.00，共 1 个订单" in paid.text
