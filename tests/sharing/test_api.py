"""Sharing over HTTP: creating shares on every channel, my shares, the operators' report, sign-up
attribution through the register endpoint, and the refusals (with nothing changed)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

import factories
from agora import chat, sharing
from agora.chat.models import MessageRow
from agora.identity import User, sign_in
from factories import assert_problem
from sharing.world import World, befriend


def token(world: World, user: User) -> dict[str, str]:
    signed = sign_in(
        world.uow,
        identifier=user.email or "",
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def operator_user(world: World) -> User:
    with world.uow.read() as session:
        user = session.get(User, world.ops.user_id)
        assert user is not None
        return user


def _messages(world: World) -> int:
    with world.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def _share(client: TestClient, headers: dict[str, str], world: World, **fields: Any) -> Response:
    body = {"target_type": "product", "target_id": str(world.coat.product.id), **fields}
    return client.post("/api/v1/shares", json=body, headers=headers)


def test_an_external_share_returns_its_link_and_a_repeat_the_same(
    client: TestClient, world: World
) -> None:
    alice = token(world, world.alice)
    first = _share(client, alice, world, channel="external")
    again = _share(client, alice, world, channel="external")
    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert body["url"] == f"/s/{body['code']}" and again.json()["id"] == body["id"]
    assert (body["channel"], body["parent_id"], body["message"], body["moment_id"]) == (
        "external",
        None,
        None,
        None,
    )
    assert_problem(client.post("/api/v1/shares", json={}), 401, "unauthenticated")
    assert_problem(_share(client, alice, world, channel="fax"), 422, "invalid_input")
    assert world.count(sharing.Share) == 1


def test_a_share_into_a_conversation_not_mine_is_not_found(
    client: TestClient, world: World
) -> None:
    befriend(world.uow, world.bob, world.carol)
    theirs = chat.direct_conversation(
        world.uow, actor=factories.principal(world.bob), other_user_id=world.carol.id
    )
    before = _messages(world)
    response = _share(
        client,
        token(world, world.alice),
        world,
        channel="chat_direct",
        conversation_id=str(theirs.id),
    )
    assert_problem(response, 404, "conversation_not_found")
    assert world.count(sharing.Share) == 0 and _messages(world) == before


def test_a_share_into_my_chat_sends_the_card(client: TestClient, world: World) -> None:
    befriend(world.uow, world.alice, world.bob)
    mine = chat.direct_conversation(
        world.uow, actor=factories.principal(world.alice), other_user_id=world.bob.id
    )
    response = _share(
        client,
        token(world, world.alice),
        world,
        channel="chat_direct",
        conversation_id=str(mine.id),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["conversation_id"] == str(mine.id)
    assert body["message"]["kind"] == "share_link"
    assert body["message"]["body"]["url"] == f"/s/{body['code']}"


def test_a_moment_share_posts_a_moment_with_the_code(client: TestClient, world: World) -> None:
    response = _share(client, token(world, world.alice), world, channel="moments", text="Cosy")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["moment_id"] is not None
    listed = client.get("/api/v1/shares/mine", headers=token(world, world.alice)).json()["items"]
    assert [(s["code"], s["channel"], s["visits"]) for s in listed] == [
        (body["code"], "moments", 0)
    ]
    assert listed[0]["card"]["title_en"] == "Wool Coat"


def test_the_report_is_for_operators_only(client: TestClient, world: World) -> None:
    share = world.share(world.alice, channel="chat_group")
    visitor = world.visit(share)
    # a newcomer registers through the API from the browser that followed the link
    client.cookies.set(sharing.VISITOR_COOKIE, visitor)
    registered = client.post(
        "/api/v1/users",
        json={
            "identifier": "newcomer@example.com",
            "password": factories.PASSWORD,
            "display_name": "Newcomer",
        },
    )
    client.cookies.clear()
    assert registered.status_code == 201, registered.text

    ops = client.get(
        "/api/v1/operator/share-report?days=30", headers=token(world, operator_user(world))
    )
    assert ops.status_code == 200, ops.text
    channels = {row["key"]: row for row in ops.json()["channels"]}
    assert channels["chat_group"]["new_users"] == 1 and channels["chat_group"]["visits"] == 1
    assert ops.json()["sharers"][0]["label"] == "Alice"
    assert ops.json()["total"]["gmv"] == {"amount": 0, "currency": "CNY"}

    refused = client.get("/api/v1/operator/share-report", headers=token(world, world.alice))
    assert_problem(refused, 403, "forbidden")
    assert_problem(client.get("/api/v1/operator/share-report"), 401, "unauthenticated")
