"""Dispute pages through HTTP: the buyer escalates on the order page, the store answers on its
order page, the operator decides from the queue; refused forms change nothing."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from agora.identity import get_user
from agora.ordering import mark_delivered, reject_return, request_refund, ship_order
from factories import HTML, csrf_of
from ordering.world import World, buy, pay_wallet
from web.test_pages import sign_in

COAT = 29900


def _as(client: TestClient, world: World, user_id: uuid.UUID) -> str:
    client.cookies.clear()
    user = get_user(world.uow, user_id)
    assert user is not None
    sign_in(client, user.email or "")
    return csrf_of(client, "/orders")


def _rejected(world: World) -> tuple[uuid.UUID, uuid.UUID]:
    world.fund(world.buyer_user, COAT)
    order = buy(world, world.red_coat)
    pay_wallet(world, order)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id, reason="torn")
    reject_return(world.uow, actor=world.merchant_a, refund_id=asked.id, note="worn")
    return order.id, asked.id


def _post(client: TestClient, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_escalated_answered_and_decided_through_the_pages(client: TestClient, world: World) -> None:
    order_id, refund_id = _rejected(world)

    # The buyer sees the rejection and asks Agora to decide.
    token = _as(client, world, world.buyer.user_id)
    page = client.get(f"/orders/{order_id}", headers=HTML)
    assert f'action="/orders/{order_id}/refunds/{refund_id}/escalate"' in page.text
    assert 'data-testid="complaint-form"' in page.text  # delivered: a complaint is open too
    location = _post(
        client,
        f"/orders/{order_id}/refunds/{refund_id}/escalate",
        {
            "csrf_token": token,
            "text": "Torn <b>seam</b> on arrival.",
            "image_links": "https://img.example.com/seam.jpg",
        },
    )
    assert location == f"/orders/{order_id}#disputes"
    page = client.get(f"/orders/{order_id}", headers=HTML)
    assert "Torn &lt;b&gt;seam&lt;/b&gt; on arrival." in page.text
    assert "Agora is deciding your dispute" in page.text
    [dispute_id] = re.findall(r'data-dispute="([0-9a-f-]{36})"', page.text)

    # The store answers from its order page.
    token = _as(client, world, world.merchant_a.user_id)
    page = client.get(f"/merchant/orders/{order_id}", headers=HTML)
    assert "Torn &lt;b&gt;seam&lt;/b&gt; on arrival." in page.text
    _post(
        client,
        f"/merchant/orders/{order_id}/disputes/{dispute_id}/evidence",
        {"csrf_token": token, "text": "Packed whole, see photo.", "image_links": ""},
    )

    # The operator reads both sides in the queue and refunds a part.
    token = _as(client, world, world.ops.user_id)
    queue = client.get("/operator/disputes", headers=HTML)
    assert f"/operator/disputes/{dispute_id}" in queue.text
    assert 'href="/operator/disputes"' in client.get("/operator", headers=HTML).text
    page = client.get(f"/operator/disputes/{dispute_id}", headers=HTML)
    assert "Torn &lt;b&gt;seam&lt;/b&gt; on arrival." in page.text
    assert "Packed whole, see photo." in page.text
    form_key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert form_key
    decision = {
        "csrf_token": token,
        "outcome": "refund_partial",
        "amount": "120.50",
        "note": "Part for the seam.",
        "form_key": form_key[1],
    }
    _post(client, f"/operator/disputes/{dispute_id}/decide", decision)
    _post(client, f"/operator/disputes/{dispute_id}/decide", decision)  # a double click

    assert world.wallet(world.buyer.user_id) == 12050
    assert world.escrow() == COAT - 12050
    page = client.get(f"/operator/disputes/{dispute_id}", headers=HTML)
    assert 'data-outcome="refund_partial"' in page.text
    assert 'data-testid="decision-form"' not in page.text

    _as(client, world, world.buyer.user_id)
    page = client.get(f"/orders/{order_id}", headers=HTML)
    assert "Agora refunded a part" in page.text and "¥120.50" in page.text


def test_refused_dispute_forms_change_nothing(client: TestClient, world: World) -> None:
    order_id, refund_id = _rejected(world)
    token = _as(client, world, world.buyer.user_id)
    _post(
        client,
        f"/orders/{order_id}/refunds/{refund_id}/escalate",
        {"csrf_token": token, "text": "Torn."},
    )
    page = client.get(f"/orders/{order_id}", headers=HTML)
    [dispute_id] = re.findall(r'data-dispute="([0-9a-f-]{36})"', page.text)
    # Escalating twice re-renders the order page with the reason.
    again = client.post(
        f"/orders/{order_id}/refunds/{refund_id}/escalate",
        data={"csrf_token": token, "text": "Again."},
        headers=HTML,
    )
    assert again.status_code == 409
    before = world.snapshot()

    # The buyer is not an operator.
    decided = client.post(
        f"/operator/disputes/{dispute_id}/decide",
        data={"csrf_token": token, "outcome": "refund_full"},
        headers=HTML,
    )
    assert decided.status_code == 403

    # Another store's merchant cannot answer it, another shopper cannot see it.
    token = _as(client, world, world.merchant_b.user_id)
    answer = client.post(
        f"/merchant/orders/{order_id}/disputes/{dispute_id}/evidence",
        data={"csrf_token": token, "text": "Not ours."},
        headers=HTML,
    )
    assert answer.status_code == 404
    _as(client, world, world.other.user_id)
    assert client.get(f"/orders/{order_id}", headers=HTML).status_code == 404

    # The operator asks for more than is left to refund.
    token = _as(client, world, world.ops.user_id)
    too_much = client.post(
        f"/operator/disputes/{dispute_id}/decide",
        data={"csrf_token": token, "outcome": "refund_partial", "amount": "299.01"},
        headers=HTML,
    )
    assert too_much.status_code == 409
    assert "more than what is left to refund" in too_much.text

    assert world.snapshot() == before
