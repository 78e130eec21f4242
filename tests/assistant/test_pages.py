"""The assistant's panel on the conversation page, as a browser without JavaScript uses it: the
offer to switch on, what was understood with its cards after a send through the page's form,
a chip removed, the conversation forgotten, the switch off; the friend's page shows none of it."""

from __future__ import annotations

import re
import uuid

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from agora.assistant import hook
from agora.core import security
from agora.core.uow import UnitOfWork
from assistant.coats import Shop, open_shop, states
from chat.test_pages import sign_in
from factories import HTML


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    return open_shop(uow)


def page(client: TestClient, conversation: uuid.UUID) -> str:
    response = client.get(f"/chat/{conversation}", headers=HTML)
    assert response.status_code == 200, response.text
    return response.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def shown(html: str, testid: str) -> bool:
    """Whether the block with ``testid`` is on the page and not hidden."""
    found = re.search(rf'<div class="assistant-body" data-testid="{testid}"[^>]*>', html)
    return found is not None and " hidden" not in found.group(0)


def chips(html: str) -> list[str]:
    return re.findall(r'data-testid="assistant-part" data-key="([^"]+)"', html)


def card_colours(html: str) -> list[str]:
    return re.findall(r'data-testid="assistant-card" data-price="\d+" data-colour="(\w+)"', html)


def post(client: TestClient, path: str, html: str, **fields: str) -> None:
    response = client.post(
        path, data={"csrf_token": csrf(html), **fields}, headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def say(client: TestClient, conversation: uuid.UUID, words: str) -> None:
    html = page(client, conversation)
    post(client, f"/chat/{conversation}/messages", html, text=words, client_id=uuid.uuid4().hex)
    runner = hook.current()
    assert runner is not None
    runner.wait_idle()


def test_the_panel_through_a_conversation(client: TestClient, uow: UnitOfWork, shop: Shop) -> None:
    sign_in(client, uow, shop.alice)
    html = page(client, shop.direct)
    assert shown(html, "assistant-offer") and not shown(html, "assistant-panel")
    assert 'src="/static/js/assistant.js"' in html

    post(client, f"/chat/{shop.direct}/assistant/switch", html, enabled="1")
    html = page(client, shop.direct)
    assert shown(html, "assistant-panel") and not shown(html, "assistant-offer")
    assert chips(html) == []

    say(client, shop.direct, "I want to buy a coat")
    say(client, shop.direct, "I like red")
    html = page(client, shop.direct)
    assert chips(html) == ["category", "colour:red"]
    assert card_colours(html) == ["red"] * 6
    assert ">Coats<" in html and ">red<" in html

    post(client, f"/chat/{shop.direct}/assistant/parts/colour:red/remove", html)
    html = page(client, shop.direct)
    assert chips(html) == ["category"]
    assert len(set(card_colours(html))) > 1

    post(client, f"/chat/{shop.direct}/assistant/forget", html)
    html = page(client, shop.direct)
    assert shown(html, "assistant-panel") and chips(html) == [] and card_colours(html) == []

    say(client, shop.direct, "我想买件外套")
    assert states(uow.db) == 1
    html = page(client, shop.direct)
    post(client, f"/chat/{shop.direct}/assistant/switch", html, enabled="0")
    html = page(client, shop.direct)
    assert shown(html, "assistant-offer") and not shown(html, "assistant-panel")
    assert chips(html) == [] and card_colours(html) == []
    assert states(uow.db) == 0


def test_the_panels_actions_answer_json_for_the_script(
    client: TestClient, uow: UnitOfWork, shop: Shop
) -> None:
    sign_in(client, uow, shop.alice)
    html = page(client, shop.direct)
    post(client, f"/chat/{shop.direct}/assistant/switch", html, enabled="1")
    say(client, shop.direct, "a red coat please")

    response = client.post(
        f"/chat/{shop.direct}/assistant/parts/colour:red/remove",
        data={"csrf_token": csrf(html)},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["type"], body["enabled"]) == ("assistant", True)
    assert [part["key"] for part in body["parts"]] == ["category"]


def test_the_friend_sees_no_panel_of_the_shopper(
    client: TestClient, uow: UnitOfWork, shop: Shop
) -> None:
    sign_in(client, uow, shop.alice)
    post(client, f"/chat/{shop.direct}/assistant/switch", page(client, shop.direct), enabled="1")
    say(client, shop.direct, "I want to buy a red coat")

    sign_in(client, uow, shop.bob)
    html = page(client, shop.direct)
    assert not shown(html, "assistant-panel")
    assert chips(html) == [] and card_colours(html) == []


def test_the_panel_refuses_other_conversations_and_old_forms(
    client: TestClient, uow: UnitOfWork, shop: Shop
) -> None:
    sign_in(client, uow, shop.alice)
    html = page(client, shop.direct)
    post(client, f"/chat/{shop.direct}/assistant/switch", html, enabled="1")
    say(client, shop.direct, "I want to buy a red coat")

    sign_in(client, uow, shop.carol)
    carol_html = page(client, shop.group)
    for path in (
        f"/chat/{shop.direct}/assistant/forget",
        f"/chat/{shop.direct}/assistant/parts/colour:red/remove",
        f"/chat/{shop.direct}/assistant/switch",
        "/chat/not-an-id/assistant/forget",
    ):
        response = client.post(path, data={"csrf_token": csrf(carol_html)}, headers=HTML)
        assert response.status_code == 404, path
    response = client.post(
        f"/chat/{shop.group}/assistant/forget", data={"csrf_token": "stale"}, headers=HTML
    )
    assert response.status_code == 403
    assert states(uow.db) == 1
