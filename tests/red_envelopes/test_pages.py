"""The red-envelope pages: the form from the chat, sending, the card in the chat, opening."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from factories import HTML, PASSWORD, csrf_of
from red_envelopes.world import FUNDS, World


def sign_in(client: TestClient, world: World, who: str) -> None:
    from agora.identity import User

    with world.uow.read() as session:
        user = session.get(User, world.people[who].user_id)
        assert user is not None
        email = user.email
    token = csrf_of(client)
    answer = client.post(
        "/signin",
        data={"csrf_token": token, "identifier": email, "password": PASSWORD},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_send_from_the_chat_and_open_on_the_envelope_page(client: TestClient, world: World) -> None:
    sign_in(client, world, "alice")
    chat_page = client.get(f"/chat/{world.group}", headers=HTML)
    assert 'data-testid="red-envelope-link"' in chat_page.text
    form = client.get(f"/chat/{world.group}/red-envelopes/new", headers=HTML)
    assert form.status_code == 200
    assert 'data-testid="kind-lucky"' in form.text and "¥1,000.00" in form.text
    token = csrf_of(client, f"/chat/{world.group}/red-envelopes/new")

    refused = client.post(
        f"/chat/{world.group}/red-envelopes",
        data={
            "csrf_token": token,
            "kind": "lucky",
            "amount": "0.02",
            "shares": "3",
            "source": "wallet",
            "form_key": _form_key(form.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert 'data-testid="envelope-error"' in refused.text
    assert world.wallet("alice") == FUNDS

    sent = client.post(
        f"/chat/{world.group}/red-envelopes",
        data={
            "csrf_token": token,
            "kind": "equal",
            "amount": "2.50",
            "shares": "2",
            "greeting": "<b>Cheers</b>",
            "source": "wallet",
            "form_key": _form_key(form.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/chat/{world.group}"
    assert world.wallet("alice") == FUNDS - 500
    chat_page = client.get(f"/chat/{world.group}", headers=HTML)
    assert 'data-testid="chat-envelope-card"' in chat_page.text
    assert "&lt;b&gt;Cheers&lt;/b&gt;" in chat_page.text
    envelope_id = re.search(r'data-envelope-id="([^"]+)"', chat_page.text)
    assert envelope_id

    client.cookies.clear()
    sign_in(client, world, "bob")
    page = client.get(f"/red-envelopes/{envelope_id.group(1)}", headers=HTML)
    assert 'data-testid="envelope-open"' in page.text
    token = csrf_of(client, f"/red-envelopes/{envelope_id.group(1)}")
    opened = client.post(
        f"/red-envelopes/{envelope_id.group(1)}/open",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert opened.status_code == 303
    page = client.get(f"/red-envelopes/{envelope_id.group(1)}", headers=HTML)
    assert 'data-testid="my-share"' in page.text and "¥2.50" in page.text
    again = client.post(
        f"/red-envelopes/{envelope_id.group(1)}/open",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert again.status_code == 409
    assert world.wallet("bob") == FUNDS + 250


def test_an_outsider_gets_404_on_the_envelope_page(client: TestClient, world: World) -> None:
    envelope = world.send(total=300, shares=3)
    sign_in(client, world, "erin")
    assert client.get(f"/red-envelopes/{envelope.id}", headers=HTML).status_code == 404
    assert client.get(f"/chat/{world.group}/red-envelopes/new", headers=HTML).status_code == 404


def test_card_states_say_what_each_viewer_sees(world: World) -> None:
    from agora import chat
    from agora.web.red_envelopes import card_states

    envelope = world.send(total=300, shares=1, kind="lucky")
    world.grab("bob", envelope.id)
    messages = chat.history(world.uow, actor=world.people["carol"], conversation_id=world.group)
    carol = card_states(world.uow, world.people["carol"], messages)
    bob = card_states(world.uow, world.people["bob"], messages)
    assert carol[str(envelope.id)]["label"] == "All taken"
    assert bob[str(envelope.id)]["label"] == "Opened · ¥3.00"
    assert card_states(world.uow, world.people["erin"], messages) == {}


def test_the_chat_list_previews_an_envelope_by_its_kind_and_greeting(
    client: TestClient, world: World
) -> None:
    world.send("alice", where="direct", greeting="Best wishes")
    sign_in(client, world, "bob")

    english = client.get("/chat", headers=HTML).text
    chinese = client.get("/chat", headers={**HTML, "Accept-Language": "zh-CN"}).text

    assert '[Red envelope] <span translate="no">Best wishes</span>' in english
    assert '[红包] <span translate="no">Best wishes</span>' in chinese
    assert "…</span>" not in english
