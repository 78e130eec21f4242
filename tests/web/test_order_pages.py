"""The buying pages through HTTP: cart, checkout, paying, the shopper's orders, and the merchant
console's orders and settlements; what they refuse, and that refused forms change nothing."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select

import factories
from agora import catalog, ledger, ordering, payments
from agora.core.uow import UnitOfWork
from agora.identity import User
from web.test_pages import HTML, csrf_of, shop, sign_in

ZH = {**HTML, "Accept-Language": "zh-CN,zh;q=0.9"}


def _shopper(client: TestClient, uow: UnitOfWork) -> User:
    user = factories.make_user(uow, name="Shopper")
    sign_in(client, user.email or "")
    return user


def _coat(data: dict[str, object]) -> catalog.ProductDetail:
    coat = data["coat"]
    assert isinstance(coat, catalog.ProductDetail)
    return coat


def _phone(data: dict[str, object]) -> catalog.ProductDetail:
    phone = data["phone"]
    assert isinstance(phone, catalog.ProductDetail)
    return phone


def _add(client: TestClient, token: str, sku_id: uuid.UUID, quantity: int = 1) -> None:
    response = client.post(
        "/cart/add",
        data={"csrf_token": token, "sku_id": str(sku_id), "quantity": str(quantity)},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/cart"


def _order_count(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(ordering.Order)) or 0)


def _checkout(client: TestClient, token: str) -> list[uuid.UUID]:
    response = client.post(
        "/checkout", data={"csrf_token": token}, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/pay"
    return [uuid.UUID(raw) for raw in parse_qs(location.query)["orders"][0].split(",")]


def _pay(client: TestClient, token: str, ids: list[uuid.UUID], method: str) -> str:
    response = client.post(
        "/pay",
        data={"csrf_token": token, "orders": ",".join(map(str, ids)), "method": method},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _status(uow: UnitOfWork, order_id: uuid.UUID) -> str:
    with uow.read() as session:
        order = session.get(ordering.Order, order_id)
        assert order is not None
        return order.status


def test_cart_add_change_and_remove(client: TestClient, uow: UnitOfWork) -> None:
    # given a shopper on a product page
    data = shop(uow)
    coat = _coat(data)
    shopper = _shopper(client, uow)
    page = client.get(f"/p/{coat.product.id}", headers=HTML)
    assert 'action="/cart/add"' in page.text and 'formaction="/checkout/now"' in page.text
    token = csrf_of(client, f"/p/{coat.product.id}")
    red = coat.skus[0]

    # when they add two red coats, then one more
    _add(client, token, red.id, 2)
    _add(client, token, red.id, 1)

    # then the cart shows three, with the price and the header count
    cart = client.get("/cart", headers=HTML)
    assert cart.status_code == 200
    assert "Red Wool Coat" in cart.text
    assert 'value="3"' in cart.text
    assert "¥897.00" in cart.text  # 3 × ¥299
    assert re.search(r'data-testid="nav-cart">Cart <span class="ord-badge"[^>]*>3<', cart.text)
    actor = factories.principal(shopper)
    assert [
        (line.sku_id, line.quantity) for line in ordering.view_cart(uow, actor=actor).lines
    ] == [(red.id, 3)]

    # when they press "+" (the button's value comes after the typed one)
    changed = client.post(
        "/cart/update",
        data={"csrf_token": token, "sku_id": str(red.id), "quantity": ["3", "4"]},
        headers=HTML,
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert ordering.view_cart(uow, actor=actor).lines[0].quantity == 4

    # a quantity out of range re-renders the cart with the message and changes nothing
    refused = client.post(
        "/cart/update",
        data={"csrf_token": token, "sku_id": str(red.id), "quantity": "100"},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert "The quantity must be between 1 and 99." in refused.text
    assert ordering.view_cart(uow, actor=actor).lines[0].quantity == 4

    # when they remove it, the cart is empty
    removed = client.post(
        "/cart/remove",
        data={"csrf_token": token, "sku_id": str(red.id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert ordering.view_cart(uow, actor=actor).lines == []
    assert "Your cart is empty" in client.get("/cart", headers=HTML).text


def test_checkout_from_two_stores_makes_two_orders_and_pays_from_the_wallet(
    client: TestClient, uow: UnitOfWork
) -> None:
    # given a cart with a coat from store A and a phone from store B, and ¥5,000 in the wallet
    data = shop(uow)
    coat, phone = _coat(data), _phone(data)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 500000)
    token = csrf_of(client, "/cart")
    _add(client, token, coat.skus[0].id, 2)
    _add(client, token, phone.skus[0].id, 1)

    # when they check out
    ids = _checkout(client, token)

    # then there is one order per store, the cart is empty, and the pay page shows both
    assert len(ids) == 2 and _order_count(uow) == 2
    with uow.read() as session:
        orders = [session.get(ordering.Order, i) for i in ids]
        assert {o.store_id for o in orders if o} == {
            data["store_a"].id,  # type: ignore[attr-defined]
            data["store_b"].id,  # type: ignore[attr-defined]
        }
        assert sorted(o.total for o in orders if o) == [59800, 199900]
    assert ordering.view_cart(uow, actor=factories.principal(shopper)).lines == []
    pay_page = client.get("/pay?orders=" + ",".join(map(str, ids)), headers=HTML)
    assert pay_page.status_code == 200
    assert "¥2,597.00" in pay_page.text
    assert "Balance ¥5,000.00" in pay_page.text
    assert "data-countdown" in pay_page.text

    # when they pay both from the wallet
    location = _pay(client, token, ids, "wallet")

    # then both are paid and the wallet holds the rest
    assert location == "/orders"
    assert [_status(uow, i) for i in ids] == ["paid", "paid"]
    wallet = payments.wallet_of(shopper.id)
    assert ledger.balance(uow, wallet) == 500000 - 259700
    listing = client.get("/orders", headers=HTML)
    assert listing.text.count('data-testid="order-card"') == 2
    assert "Paid · to ship" in listing.text
    # each card's link is named by text it holds (a hidden line before what shows), never by an
    # aria-label that would hide the product title a speech user reads out
    links = re.findall(
        r'<a class="ord-card-link"[^>]*>\s*<span class="visually-hidden">([^<]+)<', listing.text
    )
    assert [name.startswith("Order ") for name in links] == [True, True]
    assert sorted(re.findall(r"¥[\d,.]+", " ".join(links))) == ["¥1,999.00", "¥598.00"]
    assert not re.search(r'<a class="ord-card-link"[^>]*aria-label=', listing.text)


def test_paying_with_too_little_in_the_wallet_is_refused_and_changes_nothing(
    client: TestClient, uow: UnitOfWork
) -> None:
    data = shop(uow)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 1000)
    token = csrf_of(client, "/cart")
    _add(client, token, _coat(data).skus[0].id)
    ids = _checkout(client, token)

    response = client.post(
        "/pay",
        data={"csrf_token": token, "orders": str(ids[0]), "method": "wallet"},
        headers=HTML,
    )

    assert response.status_code == 409
    assert 'class="flash flash-error"' in response.text
    assert _status(uow, ids[0]) == "pending_payment"
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 1000


def test_paying_at_the_bank_goes_to_the_sandbox_bank(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 10000)
    token = csrf_of(client, "/cart")
    _add(client, token, _coat(data).skus[0].id)
    ids = _checkout(client, token)
    assert "Wallet + bank" in client.get(f"/pay?orders={ids[0]}", headers=HTML).text

    location = _pay(client, token, ids, "mixed")

    charge_id = uuid.UUID(location.rstrip("/").rsplit("/", 1)[-1])
    charge = payments.access_charge(uow, actor=factories.principal(shopper), charge_id=charge_id)
    assert charge.amount == 29900 - 10000
    assert charge.return_url == f"/orders/{ids[0]}"
    assert _status(uow, ids[0]) == "pending_payment"


def test_order_lifecycle_through_the_pages(client: TestClient, uow: UnitOfWork) -> None:
    # given a paid order for one coat from store A
    data = shop(uow)
    coat = _coat(data)
    owner_a = data["owner_a"]
    assert isinstance(owner_a, User)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 29900)
    token = csrf_of(client, f"/p/{coat.product.id}")
    bought = client.post(
        "/checkout/now",
        data={"csrf_token": token, "sku_id": str(coat.skus[0].id), "quantity": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert bought.status_code == 303
    order_id = uuid.UUID(parse_qs(urlsplit(bought.headers["location"]).query)["orders"][0])
    assert _pay(client, token, [order_id], "wallet") == f"/orders/{order_id}"

    # then the order page shows the lines, the payment and the timeline
    detail = client.get(f"/orders/{order_id}", headers=HTML)
    assert detail.status_code == 200
    assert "Red Wool Coat" in detail.text
    assert "Paid with Wallet" in detail.text
    timeline = detail.text.split('data-testid="order-timeline"')[1]
    assert timeline.index("Paid") < timeline.index("Order placed")  # newest first

    # when the merchant ships and delivers it
    merchant = TestClient(client.app, base_url="http://testserver")
    sign_in(merchant, owner_a.email or "")
    listing = merchant.get("/merchant/orders", headers=HTML)
    assert listing.status_code == 200 and str(order_id) in listing.text
    m_token = csrf_of(merchant, f"/merchant/orders/{order_id}")
    shipped = merchant.post(
        f"/merchant/orders/{order_id}/ship",
        data={"csrf_token": m_token, "tracking_number": "SF1234567890"},
        headers=HTML,
        follow_redirects=False,
    )
    assert shipped.status_code == 303
    delivered = merchant.post(
        f"/merchant/orders/{order_id}/deliver",
        data={"csrf_token": m_token},
        headers=HTML,
        follow_redirects=False,
    )
    assert delivered.status_code == 303
    assert _status(uow, order_id) == "delivered"

    # and the shopper confirms receipt
    page = client.get(f"/orders/{order_id}", headers=HTML)
    assert "SF1234567890" in page.text and 'data-testid="confirm"' in page.text
    confirmed = client.post(
        f"/orders/{order_id}/confirm",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert _status(uow, order_id) == "completed"

    # then the merchant's settlements show the net after 5% commission: 29900 − 1495
    settlements = merchant.get("/merchant/settlements", headers=HTML)
    assert settlements.status_code == 200
    assert re.search(r'data-testid="net">¥284\.05<', settlements.text)
    assert "Receipt confirmed" in client.get(f"/orders/{order_id}", headers=HTML).text


def test_refund_before_shipment_from_the_order_page(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 59800)
    token = csrf_of(client, "/cart")
    _add(client, token, _coat(data).skus[0].id, 2)
    ids = _checkout(client, token)
    _pay(client, token, ids, "wallet")
    page = client.get(f"/orders/{ids[0]}", headers=HTML)
    line_id = re.search(r'name="line_id" value="([^"]+)"', page.text)
    assert line_id

    response = client.post(
        f"/orders/{ids[0]}/refund",
        data={
            "csrf_token": token,
            "scope": "lines",
            "line_id": line_id.group(1),
            "line_qty": "1",
            "reason": "Bought one too many",
        },
        headers=HTML,
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 29900
    assert "Bought one too many" in client.get(f"/orders/{ids[0]}", headers=HTML).text


def test_pages_refuse_other_peoples_orders(client: TestClient, uow: UnitOfWork) -> None:
    # given store B's paid order of a shopper
    data = shop(uow)
    owner_a = data["owner_a"]
    assert isinstance(owner_a, User)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 199900)
    token = csrf_of(client, "/cart")
    _add(client, token, _phone(data).skus[0].id)
    ids = _checkout(client, token)
    _pay(client, token, ids, "wallet")

    # a shopper cannot open the merchant console's orders
    assert client.get("/merchant/orders", headers=HTML).status_code == 403
    assert client.get(f"/merchant/orders/{ids[0]}", headers=HTML).status_code == 404

    # another user cannot open the order nor pay for it
    other = TestClient(client.app, base_url="http://testserver")
    sign_in(other, factories.make_user(uow, name="Other").email or "")
    assert other.get(f"/orders/{ids[0]}", headers=HTML).status_code == 404
    assert other.get(f"/pay?orders={ids[0]}", headers=HTML).status_code == 404

    # store A's owner cannot ship store B's order
    merchant = TestClient(client.app, base_url="http://testserver")
    sign_in(merchant, owner_a.email or "")
    m_token = csrf_of(merchant, "/merchant/orders")
    refused = merchant.post(
        f"/merchant/orders/{ids[0]}/ship",
        data={"csrf_token": m_token, "tracking_number": "SF1"},
        headers=HTML,
    )
    assert refused.status_code == 404
    assert _status(uow, ids[0]) == "paid"
    assert str(ids[0]) not in merchant.get("/merchant/orders", headers=HTML).text


def test_forms_without_csrf_change_nothing(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    coat = _coat(data)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 29900)
    actor = factories.principal(shopper)

    added = client.post(
        "/cart/add", data={"sku_id": str(coat.skus[0].id), "quantity": "1"}, headers=HTML
    )
    assert added.status_code == 403
    assert ordering.view_cart(uow, actor=actor).lines == []

    token = csrf_of(client, "/cart")
    _add(client, token, coat.skus[0].id)
    assert client.post("/checkout", data={"csrf_token": "forged"}, headers=HTML).status_code == 403
    assert _order_count(uow) == 0

    ids = _checkout(client, token)
    paid = client.post("/pay", data={"orders": str(ids[0]), "method": "wallet"}, headers=HTML)
    assert paid.status_code == 403
    assert _status(uow, ids[0]) == "pending_payment"
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 29900
    cancelled = client.post(f"/orders/{ids[0]}/cancel", data={}, headers=HTML)
    assert cancelled.status_code == 403
    assert _status(uow, ids[0]) == "pending_payment"


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    coat = _coat(data)
    for path in ("/cart", "/orders", "/merchant/orders"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/signin?next={path}"
    token = csrf_of(client, f"/p/{coat.product.id}")
    response = client.post(
        "/cart/add",
        data={
            "csrf_token": token,
            "sku_id": str(coat.skus[0].id),
            "product_id": str(coat.product.id),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=%2Fp%2F{coat.product.id}"


def test_cart_and_orders_in_chinese(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    _shopper(client, uow)
    token = csrf_of(client, "/cart")
    _add(client, token, _coat(data).skus[0].id)
    cart = client.get("/cart", headers=ZH)
    assert "红色羊毛外套" in cart.text
    assert "购物车" in cart.text
    assert "结算" in cart.text
    assert "我的订单" in client.get("/orders", headers=ZH).text


def _form_key(html: str, action: str) -> str:
    """The one-time key rendered into the form that posts to ``action``."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form is not None, f"no form posting to {action}"
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', form.group(0))
    assert key is not None, f"the form posting to {action} carries no form key"
    return key.group(1)


def test_a_double_submitted_form_buys_and_pays_once(client: TestClient, uow: UnitOfWork) -> None:
    # given a coat in the cart and money in the wallet
    data = shop(uow)
    coat = _coat(data)
    shopper = _shopper(client, uow)
    factories.fund_wallet(uow, shopper, 500000)
    token = csrf_of(client, "/cart")
    _add(client, token, coat.skus[0].id, 1)

    # when the checkout form is submitted twice (a double click)
    key = _form_key(client.get("/cart", headers=HTML).text, "/checkout")
    answers = [
        client.post(
            "/checkout",
            data={"csrf_token": token, "form_key": key},
            headers=HTML,
            follow_redirects=False,
        )
        for _ in range(2)
    ]

    # then one order was placed and both answers lead to paying it
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _order_count(uow) == 1
    [order_id] = [
        uuid.UUID(raw)
        for raw in parse_qs(urlsplit(answers[0].headers["location"]).query)["orders"][0].split(",")
    ]

    # when the pay form is submitted twice
    pay_key = _form_key(client.get(answers[0].headers["location"], headers=HTML).text, "/pay")
    form = {"csrf_token": token, "orders": str(order_id), "method": "wallet", "form_key": pay_key}
    paid = [client.post("/pay", data=form, headers=HTML, follow_redirects=False) for _ in range(2)]

    # then it was paid once, and the repeat lands where the first did instead of an error
    assert [p.status_code for p in paid] == [303, 303]
    assert paid[0].headers["location"] == paid[1].headers["location"] == f"/orders/{order_id}"
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 500000 - 29900
    assert _status(uow, order_id) == "paid"

    # and a key sent again with another request is refused, changing nothing
    reused = client.post(
        "/pay",
        data={**form, "method": "bank"},
        headers=HTML,
        follow_redirects=False,
    )
    assert reused.status_code == 422
    assert ledger.balance(uow, payments.wallet_of(shopper.id)) == 500000 - 29900


def test_buy_now_twice_with_one_form_places_one_order(client: TestClient, uow: UnitOfWork) -> None:
    data = shop(uow)
    coat = _coat(data)
    _shopper(client, uow)
    url = f"/p/{coat.product.id}"
    token = csrf_of(client, url)
    key = _form_key(client.get(url, headers=HTML).text, "/cart/add")
    form = {"csrf_token": token, "sku_id": str(coat.skus[0].id), "quantity": "1", "form_key": key}
    answers = [
        client.post("/checkout/now", data=form, headers=HTML, follow_redirects=False)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _order_count(uow) == 1
