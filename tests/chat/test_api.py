"""Chat over HTTP: conversations, members, messages, read cursors, and refusals as problem+json
with nothing changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from agora import social
from agora.config import get_settings
from agora.core.uow import UnitOfWork
from chat.conftest import Trio
from chat.world import auth, product

API = "/api/v1/conversations"


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def send(
    client: TestClient, headers: dict[str, str], conv: str, words: str, client_id: str
) -> Response:
    return client.post(
        f"{API}/{conv}/messages",
        json={"client_id": client_id, "kind": "text", "body": {"text": words}},
        headers=headers,
    )


def test_a_direct_chat_over_http(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    alice, bob = auth(uow, trio.alice), auth(uow, trio.bob)
    conv = ok(client.post(f"{API}/direct", json={"user_id": str(trio.bob.user_id)}, headers=alice))
    assert (conv["kind"], conv["name"], conv["last_seq"]) == ("direct", "Bob", 0)

    first = ok(send(client, alice, conv["id"], "hello <b>Bob</b>", "c1"), 201)
    again = ok(send(client, alice, conv["id"], "hello <b>Bob</b>", "c1"), 201)
    ok(send(client, bob, conv["id"], "hi", "c1"), 201)

    assert again == first
    assert set(first) == {
        "id",
        "conversation_id",
        "seq",
        "sender_id",
        "kind",
        "body",
        "client_id",
        "created_at",
        "recalled",
    }
    listed = ok(client.get(API, headers=bob))
    assert [(c["id"], c["unread"], c["last_message"]["seq"]) for c in listed] == [
        (conv["id"], 0, 2)
    ]
    assert ok(client.get(API, headers=alice))[0]["unread"] == 1
    page = ok(client.get(f"{API}/{conv['id']}/messages", headers=bob))
    assert [m["body"]["text"] for m in page["items"]] == ["hello <b>Bob</b>", "hi"]
    assert page["next_before"] is None
    assert ok(client.put(f"{API}/{conv['id']}/read", json={"seq": 2}, headers=alice)) == {
        "read_seq": 2
    }
    assert ok(client.get(API, headers=alice))[0]["unread"] == 0
    recalled = ok(client.post(f"{API}/{conv['id']}/messages/1/recall", headers=alice))
    assert (recalled["recalled"], recalled["body"]) == (True, {})


def test_history_pages_with_cursors(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    alice = auth(uow, trio.alice)
    conv = ok(client.post(f"{API}/direct", json={"user_id": str(trio.bob.user_id)}, headers=alice))
    for n in range(5):
        ok(send(client, alice, conv["id"], f"m{n}", f"c{n}"), 201)

    newest = ok(client.get(f"{API}/{conv['id']}/messages?limit=2", headers=alice))
    older = ok(
        client.get(
            f"{API}/{conv['id']}/messages?limit=2&before={newest['next_before']}", headers=alice
        )
    )
    after = ok(client.get(f"{API}/{conv['id']}/messages?limit=2&after=1", headers=alice))

    assert [m["seq"] for m in newest["items"]] == [4, 5]
    assert [m["seq"] for m in older["items"]] == [2, 3]
    assert older["next_before"] == 2
    assert ([m["seq"] for m in after["items"]], after["next_after"]) == ([2, 3], 3)
    problem(
        client.get(f"{API}/{conv['id']}/messages?limit=101", headers=alice), 422, "invalid_input"
    )


def test_groups_over_http(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    alice, bob = auth(uow, trio.alice), auth(uow, trio.bob)
    group = ok(
        client.post(
            API, json={"title": "Coats", "member_ids": [str(trio.bob.user_id)]}, headers=alice
        ),
        201,
    )
    gid = group["id"]

    ok(
        client.post(
            f"{API}/{gid}/members", json={"user_ids": [str(trio.carol.user_id)]}, headers=alice
        )
    )
    ok(
        client.put(
            f"{API}/{gid}/members/{trio.bob.user_id}/role", json={"role": "admin"}, headers=alice
        ),
        204,
    )
    ok(client.patch(f"{API}/{gid}", json={"title": "Coats & more"}, headers=bob))
    ok(client.put(f"{API}/{gid}/mute", json={"muted": True}, headers=bob), 204)
    ok(client.delete(f"{API}/{gid}/members/{trio.carol.user_id}", headers=bob), 204)
    ok(client.post(f"{API}/{gid}/leave", headers=alice), 204)

    seen = ok(client.get(f"{API}/{gid}", headers=bob))
    assert (seen["name"], seen["muted"], seen["my_role"]) == ("Coats & more", True, "owner")
    assert [m["display_name"] for m in seen["members"]] == ["Bob"]
    events = [
        m["body"]["event"] for m in ok(client.get(f"{API}/{gid}/messages", headers=bob))["items"]
    ]
    assert events == ["created", "invited", "role", "renamed", "removed", "left"]


def test_refusals_over_http_change_nothing(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    alice, bob, carol = auth(uow, trio.alice), auth(uow, trio.bob), auth(uow, trio.carol)
    conv = ok(client.post(f"{API}/direct", json={"user_id": str(trio.bob.user_id)}, headers=alice))
    ok(send(client, alice, conv["id"], "hi", "c1"), 201)

    problem(client.get(f"{API}/{conv['id']}", headers=carol), 404, "conversation_not_found")
    problem(
        client.get(f"{API}/{conv['id']}/messages", headers=carol), 404, "conversation_not_found"
    )
    problem(send(client, carol, conv["id"], "let me in", "x"), 404, "conversation_not_found")
    problem(
        client.post(f"{API}/{conv['id']}/messages/1/recall", headers=bob), 403, "not_your_message"
    )
    problem(
        client.post(f"{API}/direct", json={"user_id": str(trio.carol.user_id)}, headers=bob),
        403,
        "not_friends",
    )
    problem(
        client.post(API, json={"title": "G", "member_ids": [str(trio.carol.user_id)]}, headers=bob),
        403,
        "not_friends",
    )
    problem(
        client.post(
            f"{API}/{conv['id']}/messages",
            json={"client_id": "k", "kind": "voice", "body": {}},
            headers=alice,
        ),
        422,
        "unknown_message_kind",
    )
    problem(client.get(API), 401, "unauthenticated")
    social.block_user(uow, actor=trio.bob, user_id=trio.alice.user_id)
    problem(send(client, alice, conv["id"], "still there?", "c2"), 403, "chat_blocked")

    page = ok(client.get(f"{API}/{conv['id']}/messages", headers=bob))
    assert [(m["seq"], m["body"]) for m in page["items"]] == [(1, {"text": "hi"})]
    assert ok(client.get(API, headers=carol)) == []


def test_rate_limit_answers_429_with_retry_after(
    client: TestClient, uow: UnitOfWork, trio: Trio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "chat_send_limit", 2)
    alice = auth(uow, trio.alice)
    conv = ok(client.post(f"{API}/direct", json={"user_id": str(trio.bob.user_id)}, headers=alice))
    ok(send(client, alice, conv["id"], "1", "c1"), 201)
    ok(send(client, alice, conv["id"], "2", "c2"), 201)

    limited = send(client, alice, conv["id"], "3", "c3")

    body = problem(limited, 429, "chat_rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert body["retry_after"] == int(limited.headers["Retry-After"])
    assert ok(client.get(f"{API}/{conv['id']}", headers=alice))["last_seq"] == 2
    # A retry of a stored message is not a new send: it is answered, not limited.
    assert ok(send(client, alice, conv["id"], "2", "c2"), 201)["seq"] == 2


def test_product_cards_over_http(client: TestClient, uow: UnitOfWork, trio: Trio) -> None:
    coat = product(uow)
    alice = auth(uow, trio.alice)
    conv = ok(client.post(f"{API}/direct", json={"user_id": str(trio.bob.user_id)}, headers=alice))

    card = ok(
        client.post(
            f"{API}/{conv['id']}/messages",
            json={
                "client_id": "p1",
                "kind": "product_card",
                "body": {"product_id": str(coat.product.id)},
            },
            headers=alice,
        ),
        201,
    )
    missing = client.post(
        f"{API}/{conv['id']}/messages",
        json={"client_id": "p2", "kind": "product_card", "body": {"product_id": str(uuid.uuid4())}},
        headers=alice,
    )

    assert card["body"]["title_en"] == "Wool Coat"
    problem(missing, 422, "invalid_input")
