"""Customer service over HTTP: open a store conversation, the store's inbox, order cards, and the
refusals (another store's merchant, another shopper, a foreign order) that change nothing."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.core.uow import UnitOfWork
from chat.world import auth
from customer_service.conftest import ServiceWorld
from factories import assert_problem
from ordering.world import buy

API = "/api/v1"


def _rows(uow: UnitOfWork) -> dict[str, Any]:
    with uow.read() as session:
        return {
            "conversations": session.scalar(select(func.count()).select_from(ConversationRow)),
            "members": sorted(
                (str(m.conversation_id), str(m.user_id), m.read_seq)
                for m in session.scalars(select(MemberRow))
            ),
            "messages": sorted(
                (m.seq, m.kind, str(m.body)) for m in session.scalars(select(MessageRow))
            ),
        }


def _open(client: TestClient, headers: dict[str, str], store_id: uuid.UUID) -> dict[str, Any]:
    response = client.post(f"{API}/store-chats", json={"store_id": str(store_id)}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _say(client: TestClient, headers: dict[str, str], cid: str, text: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/conversations/{cid}/messages",
        json={"client_id": uuid.uuid4().hex, "kind": "text", "body": {"text": text}},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _inbox(client: TestClient, headers: dict[str, str], store_id: uuid.UUID) -> dict[str, Any]:
    response = client.get(f"{API}/store-inbox/{store_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_open_twice_is_one_conversation_named_after_the_store(
    client: TestClient, world: ServiceWorld
) -> None:
    buyer = auth(world.uow, world.buyer)
    first = _open(client, buyer, world.store_a.id)
    second = _open(client, buyer, world.store_a.id)

    assert second["id"] == first["id"]
    assert (first["kind"], first["name"]) == ("store", "North Wind")
    assert [m["display_name"] for m in first["members"]] == ["Buyer"]
    listed = client.get(f"{API}/conversations", headers=buyer).json()
    assert [c["id"] for c in listed] == [first["id"]]


def test_opening_refusals(client: TestClient, world: ServiceWorld) -> None:
    own = client.post(
        f"{API}/store-chats",
        json={"store_id": str(world.store_a.id)},
        headers=auth(world.uow, world.merchant_a),
    )
    unknown = client.post(
        f"{API}/store-chats",
        json={"store_id": str(uuid.uuid4())},
        headers=auth(world.uow, world.buyer),
    )

    assert_problem(own, 422, "own_store")
    assert_problem(unknown, 404, "store_not_found")
    assert _rows(world.uow)["conversations"] == 0


def test_staff_share_the_inbox_and_its_unread_counts(
    client: TestClient, world: ServiceWorld
) -> None:
    assert world.helper is not None
    buyer, owner, helper = (
        auth(world.uow, who) for who in (world.buyer, world.merchant_a, world.helper)
    )
    cid = _open(client, buyer, world.store_a.id)["id"]
    _say(client, buyer, cid, "Do you ship to Hangzhou?")

    inbox = _inbox(client, helper, world.store_a.id)
    assert inbox["unread_total"] == 1
    [line] = inbox["items"]
    assert (line["conversation_id"], line["unread"]) == (cid, 1)
    assert line["shopper"]["display_name"] == "Buyer"
    assert line["last_message"]["body"] == {"text": "Do you ship to Hangzhou?"}

    # The owner answers through chat's own API: the store has read it.
    reply = _say(client, owner, cid, "Yes, in two days.")
    assert reply["sender_id"] == str(world.merchant_a.user_id)
    assert _inbox(client, helper, world.store_a.id)["unread_total"] == 0
    staff_view = client.get(f"{API}/store-chats/{cid}", headers=helper).json()
    assert staff_view["name"] == "Buyer" and staff_view["my_role"] == "staff"
    [mine] = client.get(f"{API}/conversations", headers=buyer).json()
    assert mine["unread"] == 1
    history = client.get(f"{API}/conversations/{cid}/messages", headers=buyer).json()
    assert [m["body"]["text"] for m in history["items"]] == [
        "Do you ship to Hangzhou?",
        "Yes, in two days.",
    ]


def test_a_merchant_of_another_store_is_refused_by_id_and_nothing_changes(
    client: TestClient, world: ServiceWorld
) -> None:
    buyer, stranger = auth(world.uow, world.buyer), auth(world.uow, world.merchant_b)
    cid = _open(client, buyer, world.store_a.id)["id"]
    _say(client, buyer, cid, "For store A only")
    order = buy(world, world.red_coat)
    before = _rows(world.uow)

    answers = [
        client.get(f"{API}/store-chats/{cid}", headers=stranger),
        client.get(f"{API}/conversations/{cid}/messages", headers=stranger),
        client.post(
            f"{API}/conversations/{cid}/messages",
            json={"client_id": "x", "kind": "text", "body": {"text": "I am store B"}},
            headers=stranger,
        ),
        client.put(f"{API}/conversations/{cid}/read", json={"seq": 1}, headers=stranger),
        client.get(f"{API}/store-chats/{cid}/orders", headers=stranger),
        client.post(
            f"{API}/store-chats/{cid}/order-cards",
            json={"order_id": str(order.id), "client_id": "y"},
            headers=stranger,
        ),
    ]
    inbox = client.get(f"{API}/store-inbox/{world.store_a.id}", headers=stranger)

    for answer in answers:
        assert_problem(answer, 404, "conversation_not_found")
    assert_problem(inbox, 404, "store_not_found")
    assert _rows(world.uow) == before


def test_a_shopper_cannot_read_another_shoppers_store_conversation(
    client: TestClient, world: ServiceWorld
) -> None:
    cid = _open(client, auth(world.uow, world.buyer), world.store_a.id)["id"]
    other = auth(world.uow, world.other)
    before = _rows(world.uow)

    for answer in (
        client.get(f"{API}/store-chats/{cid}", headers=other),
        client.get(f"{API}/conversations/{cid}/messages", headers=other),
        client.get(f"{API}/conversations/{cid}", headers=other),
    ):
        assert_problem(answer, 404, "conversation_not_found")
    assert _rows(world.uow) == before


def _card(client: TestClient, who: dict[str, str], cid: str, order_id: uuid.UUID, key: str) -> Any:
    return client.post(
        f"{API}/store-chats/{cid}/order-cards",
        json={"order_id": str(order_id), "client_id": key},
        headers=who,
    )


def test_order_cards_for_an_order_between_them_only(
    client: TestClient, world: ServiceWorld
) -> None:
    buyer, owner = auth(world.uow, world.buyer), auth(world.uow, world.merchant_a)
    at_a = buy(world, world.red_coat)
    at_b = buy(world, world.dress_sku)
    cid = _open(client, buyer, world.store_a.id)["id"]
    before = _rows(world.uow)

    foreign = _card(client, owner, cid, at_b.id, "k1")
    forged = client.post(
        f"{API}/conversations/{cid}/messages",
        json={"client_id": "k2", "kind": "order_card", "body": {"order_id": str(at_a.id)}},
        headers=buyer,
    )
    assert_problem(foreign, 404, "order_not_found")
    assert_problem(forged, 422, "order_card_refused")
    assert _rows(world.uow) == before

    choices = client.get(f"{API}/store-chats/{cid}/orders", headers=owner).json()
    sent = _card(client, owner, cid, at_a.id, "k3")
    assert [c["order_id"] for c in choices] == [str(at_a.id)]
    assert choices[0]["total"] == {"amount": 29900, "currency": "CNY"}
    assert sent.status_code == 201, sent.text
    card = sent.json()
    assert card["kind"] == "order_card" and card["body"]["order_id"] == str(at_a.id)
    assert (card["body"]["item_count"], card["body"]["status"]) == (1, "pending_payment")
