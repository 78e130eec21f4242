"""Customer service pages as a browser without JavaScript uses them: "Contact store" on the
product, store and order pages, the shopper's conversation (the store's name on its answers, the
order picker, order cards escaped), and the merchant console's inbox."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

import factories
from agora import catalog, chat, customer_service
from agora.chat.models import MessageRow
from agora.identity import Principal, User
from customer_service.conftest import ServiceWorld
from factories import HTML, browser_sign_in, csrf_of
from ordering.world import buy


def _sign_in(client: TestClient, world: ServiceWorld, who: Principal, landing: str = "/") -> str:
    with world.uow.read() as session:
        user = session.get(User, who.user_id)
        assert user is not None
    return browser_sign_in(client, user, landing)


def _say(world: ServiceWorld, actor: Principal, cid: uuid.UUID, text: str) -> None:
    chat.send_message(
        world.uow,
        actor=actor,
        conversation_id=cid,
        kind="text",
        body={"text": text},
        client_id=uuid.uuid4().hex,
    )


def _messages(world: ServiceWorld) -> int:
    with world.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def test_contact_store_from_the_product_page_opens_one_conversation(
    client: TestClient, world: ServiceWorld
) -> None:
    csrf = _sign_in(client, world, world.buyer, f"/p/{world.coat.product.id}")
    page = client.get(f"/p/{world.coat.product.id}", headers=HTML).text
    store_page = client.get(f"/store/{world.store_a.id}", headers=HTML).text
    assert f'action="/stores/{world.store_a.id}/contact"' in page
    assert f'action="/stores/{world.store_a.id}/contact"' in store_page

    first = client.post(
        f"/stores/{world.store_a.id}/contact",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    again = client.post(
        f"/stores/{world.store_a.id}/contact",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert first.headers["location"].startswith("/chat/")
    listing = client.get("/chat", headers=HTML).text
    assert listing.count('data-testid="chat-conversation"') == 1 and "North Wind" in listing


def test_the_shopper_sees_the_store_answer_and_an_escaped_order_card(
    client: TestClient, world: ServiceWorld
) -> None:
    evil = factories.make_product(
        world.uow,
        world.merchant_a,
        world.store_a,
        _category(world),
        title_en="<img src=x onerror=alert(1)>",
        title_zh=None,
        skus=[("red", "M", 1000, 5)],
    )
    order = buy(world, evil.skus[0].id, quantity=3)
    cid = customer_service.open_store_chat(
        world.uow, actor=world.buyer, store_id=world.store_a.id
    ).id
    _say(world, world.merchant_a, cid, "<b>Hello</b> from the store")
    customer_service.send_order_card(
        world.uow, actor=world.merchant_a, conversation_id=cid, order_id=order.id, client_id="c1"
    )
    _sign_in(client, world, world.buyer)

    page = client.get(f"/chat/{cid}", headers=HTML).text

    assert "<img src=x onerror" not in page and "<b>Hello</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Hello&lt;/b&gt; from the store" in page
    # The staff member's messages carry the store's name, never theirs.
    senders = re.findall(r'<span class="chat-sender"[^>]*>([^<]*)</span>', page)
    assert senders == ["North Wind", "North Wind"] and "Merchant A" not in page
    card = re.search(r'<a class="chat-card chat-order-card" href="([^"]+)"', page)
    assert card is not None and card.group(1) == f"/orders/{order.id}"
    assert f"Order No. {order.number}" in page and "3 items" in page
    assert 'data-testid="order-card-form"' in page  # the picker, for the shopper too


def test_order_page_contact_preselects_the_order_and_the_card_is_sent(
    client: TestClient, world: ServiceWorld
) -> None:
    older = buy(world, world.black_coat)
    order = buy(world, world.red_coat)
    csrf = _sign_in(client, world, world.buyer, f"/orders/{order.id}")
    assert 'data-testid="contact-store"' in client.get(f"/orders/{order.id}", headers=HTML).text

    opened = client.post(
        f"/stores/{world.store_a.id}/contact",
        data={"csrf_token": csrf, "order_id": str(older.id)},
        headers=HTML,
        follow_redirects=False,
    )
    target = opened.headers["location"]
    page = client.get(target.split("#")[0], headers=HTML).text
    checked = re.search(r'value="([0-9a-f-]+)" required checked', page)
    assert checked is not None and checked.group(1) == str(older.id)

    cid = target.split("/chat/")[1].split("?")[0]
    sent = client.post(
        f"/chat/{cid}/order-cards",
        data={"csrf_token": csrf, "order_id": str(older.id), "client_id": "p1"},
        headers=HTML,
        follow_redirects=False,
    )
    foreign = client.post(
        f"/chat/{cid}/order-cards",
        data={"csrf_token": csrf, "order_id": str(uuid.uuid4()), "client_id": "p2"},
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == foreign.status_code == 303
    assert _messages(world) == 1


def test_the_merchant_inbox_lists_reads_and_answers_as_the_store(
    client: TestClient, world: ServiceWorld
) -> None:
    cid = customer_service.open_store_chat(
        world.uow, actor=world.buyer, store_id=world.store_a.id
    ).id
    _say(world, world.buyer, cid, "<script>x()</script> where is my coat?")
    _sign_in(client, world, world.merchant_a)

    inbox = client.get("/merchant/inbox", headers=HTML).text
    assert 'href="/merchant/inbox"' in inbox and 'data-testid="inbox-badge"' in inbox
    assert 'data-testid="inbox-conversation"' in inbox and 'data-unread="1"' in inbox
    assert "<script>x()" not in inbox

    page = client.get(f"/merchant/inbox/{cid}", headers=HTML).text
    assert "&lt;script&gt;x()&lt;/script&gt; where is my coat?" in page
    after = client.get("/merchant/inbox", headers=HTML).text
    assert 'data-unread="0"' in after and 'data-testid="inbox-badge"' not in after

    csrf = csrf_of(client, f"/merchant/inbox/{cid}")
    answer = client.post(
        f"/merchant/inbox/{cid}/messages",
        data={"csrf_token": csrf, "text": "On its way!", "client_id": "m1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    [last] = chat.history(world.uow, actor=world.buyer, conversation_id=cid, after=1)
    assert (last.sender_id, last.body) == (world.merchant_a.user_id, {"text": "On its way!"})


def test_another_stores_merchant_gets_404_in_the_inbox_and_changes_nothing(
    client: TestClient, world: ServiceWorld
) -> None:
    cid = customer_service.open_store_chat(
        world.uow, actor=world.buyer, store_id=world.store_a.id
    ).id
    _say(world, world.buyer, cid, "hello A")
    csrf = _sign_in(client, world, world.merchant_b, "/merchant/inbox")

    assert client.get(f"/merchant/inbox/{cid}", headers=HTML).status_code == 404
    posted = client.post(
        f"/merchant/inbox/{cid}/messages",
        data={"csrf_token": csrf, "text": "I am B", "client_id": "b1"},
        headers=HTML,
    )
    assert posted.status_code == 404
    assert "hello A" not in client.get("/merchant/inbox", headers=HTML).text
    assert _messages(world) == 1


def _category(world: ServiceWorld) -> catalog.Category:
    with world.uow.read() as session:
        found = session.scalar(select(catalog.Category).where(catalog.Category.slug == "coats"))
    assert found is not None
    return found
