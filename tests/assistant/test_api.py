"""The assistant over HTTP: my panel of a conversation as sends arrive through the API (read on
the assistant's own thread), removing a part, forgetting; the switch is the privacy consent;
refusals as problem+json with nothing changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from agora.assistant import hook
from agora.core import security
from agora.core.db import Database
from agora.core.events import OutboxRelay
from agora.core.uow import UnitOfWork
from assistant.coats import Shop, open_shop, states
from chat.world import auth, bearer, recv
from factories import assert_problem

API = "/api/v1/conversations"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    return open_shop(uow)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def consent(client: TestClient, headers: dict[str, str], granted: bool) -> None:
    ok(client.put("/api/v1/me/consents/chat_assistant", json={"granted": granted}, headers=headers))


def say(client: TestClient, headers: dict[str, str], conversation: uuid.UUID, words: str) -> None:
    ok(
        client.post(
            f"{API}/{conversation}/messages",
            json={"client_id": uuid.uuid4().hex, "kind": "text", "body": {"text": words}},
            headers=headers,
        ),
        201,
    )
    runner = hook.current()
    assert runner is not None and not runner.inline
    runner.wait_idle()  # read on the assistant's thread, after the send answered


def panel(client: TestClient, headers: dict[str, str], conversation: uuid.UUID) -> Any:
    return ok(client.get(f"{API}/{conversation}/assistant", headers=headers))


def keys(body: Any) -> list[str]:
    return [part["key"] for part in body["parts"]]


def test_my_panel_follows_what_i_write(client: TestClient, uow: UnitOfWork, shop: Shop) -> None:
    alice = auth(uow, shop.alice)
    off = panel(client, alice, shop.direct)
    assert off == {
        "conversation_id": str(shop.direct),
        "enabled": False,
        "parts": [],
        "cards": [],
        "usual_max": None,
    }
    consent(client, alice, True)

    say(client, alice, shop.direct, "I want to buy a coat")
    body = panel(client, alice, shop.direct)
    assert keys(body) == ["category"]
    assert body["parts"][0]["label"] == {"en": "Coats", "zh": "外套"}
    assert len(body["cards"]) == 6
    assert all(card["url"] == f"/p/{card['product_id']}" for card in body["cards"])

    say(client, alice, shop.direct, "我喜欢红色")
    body = panel(client, alice, shop.direct)
    assert keys(body) == ["category", "colour:red"]
    assert {card["colour"] for card in body["cards"]} == {"red"}
    before = max(card["price"] for card in body["cards"])

    say(client, alice, shop.direct, "too expensive")
    body = panel(client, alice, shop.direct)
    assert keys(body) == ["category", "colour:red", "max_price"]
    assert max(card["price"] for card in body["cards"]) < before

    body = ok(client.delete(f"{API}/{shop.direct}/assistant/parts/colour:red", headers=alice))
    assert keys(body) == ["category", "max_price"]
    assert len({card["colour"] for card in body["cards"]}) > 1
    assert keys(panel(client, alice, shop.direct)) == ["category", "max_price"]

    body = ok(client.delete(f"{API}/{shop.direct}/assistant", headers=alice))
    assert (body["enabled"], body["parts"], body["cards"]) == (True, [], [])
    assert states(uow.db) == 0


def test_unknown_parts_are_refused(client: TestClient, uow: UnitOfWork, shop: Shop) -> None:
    alice = auth(uow, shop.alice)
    consent(client, alice, True)
    say(client, alice, shop.direct, "I want a red coat")
    before = panel(client, alice, shop.direct)

    for part in ("colour:blue", "size", "not:red"):
        response = client.delete(f"{API}/{shop.direct}/assistant/parts/{part}", headers=alice)
        assert_problem(response, 422, "assistant_unknown_part")
    response = client.delete(f"{API}/{shop.direct}/assistant/parts/Colour;red", headers=alice)
    assert response.status_code == 422

    assert panel(client, alice, shop.direct) == before


def test_nobody_reads_or_changes_another_shoppers_inferences(
    client: TestClient, uow: UnitOfWork, shop: Shop
) -> None:
    alice, bob, carol = auth(uow, shop.alice), auth(uow, shop.bob), auth(uow, shop.carol)
    consent(client, alice, True)
    consent(client, carol, True)
    say(client, alice, shop.direct, "I want to buy a red coat")
    before = panel(client, alice, shop.direct)

    # Carol is not in Alice and Bob's chat: it does not exist for her.
    for response in (
        client.get(f"{API}/{shop.direct}/assistant", headers=carol),
        client.delete(f"{API}/{shop.direct}/assistant/parts/colour:red", headers=carol),
        client.delete(f"{API}/{shop.direct}/assistant", headers=carol),
        client.get(f"{API}/{uuid.uuid4()}/assistant", headers=alice),
    ):
        assert_problem(response, 404, "conversation_not_found")
    # Bob is in it, and sees only his own panel: off, nothing of Alice's.
    assert panel(client, bob, shop.direct)["parts"] == []
    assert panel(client, bob, shop.direct)["enabled"] is False
    # Nor does any assistant endpoint take a user id to ask about someone else.
    paths = ok(client.get("/api/openapi.json"))["paths"]
    assistant_paths = [path for path in paths if "assistant" in path]
    assert assistant_paths and not any("user" in path for path in assistant_paths)

    assert panel(client, alice, shop.direct) == before
    assert states(uow.db) == 1


def test_withdrawing_the_consent_deletes_every_inference(
    client: TestClient, db: Database, uow: UnitOfWork, shop: Shop
) -> None:
    alice = auth(uow, shop.alice)
    consent(client, alice, True)
    say(client, alice, shop.direct, "I want to buy a coat")
    say(client, alice, shop.group, "我想买连衣裙")
    assert states(db) == 2

    consent(client, alice, False)
    # At once, nothing is shown; the consent's event deletes the rows.
    assert panel(client, alice, shop.direct)["enabled"] is False
    OutboxRelay(db).run_sync_until_idle()
    assert states(db) == 0

    say(client, alice, shop.direct, "I like red")
    assert states(db) == 0


def frames_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    """Every frame up to and including the first of ``kind``."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["type"] != kind:
        seen.append(recv(ws))
    return seen


def test_the_cards_reach_the_writers_socket_and_not_the_friends(
    client: TestClient, uow: UnitOfWork, shop: Shop
) -> None:
    alice = auth(uow, shop.alice)
    consent(client, alice, True)
    with (
        client.websocket_connect(f"/ws?token={bearer(uow, shop.alice)}") as mine,
        client.websocket_connect(f"/ws?token={bearer(uow, shop.bob)}") as friends,
    ):
        for ws in (mine, friends):
            frames_until(ws, "ready")
            ws.send_json({"type": "sync", "cursors": {}})
        mine.send_json(
            {
                "type": "send",
                "conversation_id": str(shop.direct),
                "client_id": "c1",
                "kind": "text",
                "body": {"text": "I want to buy a red coat"},
            }
        )

        event = frames_until(mine, "assistant")[-1]
        assert event["conversation_id"] == str(shop.direct)
        assert [part["key"] for part in event["parts"]] == ["category", "colour:red"]
        assert {card["colour"] for card in event["cards"]} == {"red"}

        # Bob has the message; by the answer to a ping sent after it, nothing of the assistant.
        frames_until(friends, "message")
        friends.send_json({"type": "ping", "id": "after"})
        assert [f["type"] for f in frames_until(friends, "pong")] == ["pong"]
