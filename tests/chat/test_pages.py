"""Chat pages through HTTP as a browser without JavaScript would use them: the list with unread
badges, a conversation with history and a send form that posts, groups, escaping of user text."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

import factories
from agora import chat
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from chat.conftest import Trio
from chat.world import product
from factories import HTML, csrf_of


def sign_in(client: TestClient, uow: UnitOfWork, who: Principal) -> None:
    with uow.read() as session:
        email = session.get(User, who.user_id).email  # type: ignore[union-attr]
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def say(uow: UnitOfWork, actor: Principal, conversation_id: uuid.UUID, words: str) -> None:
    chat.send_message(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    )


def seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'data-testid="chat-message" data-seq="(\d+)"', page)]


def test_the_list_shows_unread_badges_and_escapes_names(
    client: TestClient, uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    say(uow, trio.alice, conv.id, "<script>alert(1)</script>")
    say(uow, trio.alice, conv.id, "two")
    sign_in(client, uow, trio.bob)

    page = client.get("/chat", headers=HTML)

    assert page.status_code == 200
    assert 'data-testid="unread-badge" data-unread="2"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert f'href="/chat/{conv.id}"' in page.text


def test_a_conversation_page_shows_history_and_the_form_posts_without_javascript(
    client: TestClient, uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    say(uow, trio.alice, conv.id, "<img src=x onerror=alert(1)>")
    sign_in(client, uow, trio.bob)
    page = client.get(f"/chat/{conv.id}", headers=HTML)
    assert seqs(page.text) == [1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text
    client_id = re.search(r'name="client_id" value="([^"]+)"', page.text)
    assert client_id

    form = {
        "csrf_token": csrf_of(client, f"/chat/{conv.id}"),
        "text": "hi Alice",
        "client_id": client_id.group(1),
    }
    first = client.post(
        f"/chat/{conv.id}/messages", data=form, headers=HTML, follow_redirects=False
    )
    again = client.post(
        f"/chat/{conv.id}/messages", data=form, headers=HTML, follow_redirects=False
    )

    assert (first.status_code, first.headers["location"]) == (303, f"/chat/{conv.id}#composer")
    assert again.status_code == 303
    after = client.get(f"/chat/{conv.id}", headers=HTML)
    assert seqs(after.text) == [1, 2]  # the double submit sent once
    # Viewing the page read everything.
    assert chat.get_conversation(uow, actor=trio.bob, conversation_id=conv.id).unread == 0


def test_with_user_opens_the_direct_chat_and_cards_link_to_the_product(
    client: TestClient, uow: UnitOfWork, trio: Trio
) -> None:
    coat = product(uow)
    sign_in(client, uow, trio.alice)

    opened = client.get(f"/chat/with/{trio.bob.user_id}", headers=HTML, follow_redirects=False)
    conv_path = opened.headers["location"]
    csrf = csrf_of(client, conv_path)
    client.post(
        f"{conv_path}/messages",
        data={"csrf_token": csrf, "product_id": str(coat.product.id), "client_id": "card"},
        headers=HTML,
    )
    page = client.get(conv_path, headers=HTML)

    assert opened.status_code == 303 and conv_path.startswith("/chat/")
    assert f'href="/p/{coat.product.id}" data-testid="chat-product-card"' in page.text
    assert "Wool Coat" in page.text
    assert 'data-testid="chat-recall"' in page.text  # own recent message


def test_outsiders_get_not_found_and_refusals_show_on_the_page(
    client: TestClient, uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sign_in(client, uow, trio.carol)
    assert client.get(f"/chat/{conv.id}", headers=HTML).status_code == 404
    assert client.get(f"/chat/with/{trio.bob.user_id}", headers=HTML).status_code == 403

    sign_in(client, uow, trio.alice)
    csrf = csrf_of(client, f"/chat/{conv.id}")
    empty = client.post(
        f"/chat/{conv.id}/messages", data={"csrf_token": csrf, "text": "  "}, headers=HTML
    )
    forged = client.post(
        f"/chat/{conv.id}/messages", data={"csrf_token": "nope", "text": "x"}, headers=HTML
    )

    assert empty.status_code == 422 and 'data-testid="chat-error"' in empty.text
    assert forged.status_code == 403
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=conv.id).last_seq == 0


def test_groups_from_the_pages(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    sign_in(client, uow, trio.alice)
    csrf = csrf_of(client, "/chat")
    created = client.post(
        "/chat/groups",
        data={"csrf_token": csrf, "title": "Coat lovers", "member_ids": [str(trio.bob.user_id)]},
        headers=HTML,
        follow_redirects=False,
    )
    path = created.headers["location"]
    page = client.get(path, headers=HTML)
    assert 'data-testid="chat-invite-form"' in page.text  # Carol can still be invited

    client.post(
        f"{path}/members",
        data={"csrf_token": csrf, "user_ids": [str(trio.carol.user_id)]},
        headers=HTML,
    )
    client.post(
        f"{path}/members/{trio.carol.user_id}/remove", data={"csrf_token": csrf}, headers=HTML
    )
    client.post(f"{path}/mute", data={"csrf_token": csrf, "muted": "1"}, headers=HTML)
    page = client.get(path, headers=HTML)

    assert "Alice invited Carol" in page.text and "Alice removed Carol" in page.text
    assert seqs(page.text) == [1, 2, 3]
    group_id = uuid.UUID(path.rsplit("/", 1)[1])
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=group_id).muted is True
    left = client.post(
        f"{path}/leave", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert left.headers["location"] == "/chat"
