"""The WebSocket gateway through the ASGI app: sign-in, sync, live delivery, acks and errors,
gaps filled from the database, the reconnect test (exactly once, in order), slow clients."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from agora import chat
from agora.config import get_settings
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.runtime import Runtime
from chat.conftest import Trio
from chat.world import WAIT, bearer, recv


def until(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    while True:
        frame = recv(ws)
        if frame["type"] == kind:
            return frame


def runtime(client: TestClient) -> Runtime:
    rt: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return rt


def say(client: TestClient, actor: Principal, conversation_id: uuid.UUID, words: str) -> int:
    """Send through the running app's unit of work, so the hub hears of it after commit."""
    return chat.send_message(
        runtime(client).uow(),
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    ).seq


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "chat_send_limit", 100_000)


@pytest.fixture
def direct(uow: UnitOfWork, trio: Trio) -> uuid.UUID:
    return chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id).id


@pytest.fixture
def bob_ws(
    client: TestClient, uow: UnitOfWork, trio: Trio, direct: uuid.UUID
) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect(f"/ws?token={bearer(uow, trio.bob)}") as ws:
        yield ws


def test_without_sign_in_the_socket_is_closed_with_4401(client: TestClient) -> None:
    for url in ("/ws", "/ws?token=not-a-token"):
        with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
            recv(ws)
        assert closed.value.code == 4401


def test_a_session_cookie_signs_in_but_not_from_another_site(
    client: TestClient, uow: UnitOfWork, trio: Trio
) -> None:
    from agora.identity import User, sign_in
    from factories import CLIENT, PASSWORD

    with uow.read() as session:
        email = session.get(User, trio.bob.user_id).email  # type: ignore[union-attr]
    cookie = sign_in(
        uow, identifier=email or "", password=PASSWORD, client=CLIENT, kind="web"
    ).token
    client.cookies.set("agora_session", cookie)
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert recv(ws)["user_id"] == str(trio.bob.user_id)
    with (
        client.websocket_connect("/ws", headers={"origin": "https://evil.example"}) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        recv(ws)
    assert closed.value.code == 4403


def test_sync_then_live_messages_acks_and_errors(
    client: TestClient, uow: UnitOfWork, trio: Trio, direct: uuid.UUID
) -> None:
    say(client, trio.alice, direct, "before Bob connected")
    with client.websocket_connect(f"/ws?token={bearer(uow, trio.bob)}") as ws:
        sync_live_ack_and_errors(client, ws, trio, direct)


def sync_live_ack_and_errors(
    client: TestClient, bob_ws: WebSocketTestSession, trio: Trio, direct: uuid.UUID
) -> None:
    ready = recv(bob_ws)
    assert ready == {
        "type": "ready",
        "user_id": str(trio.bob.user_id),
        "conversations": {str(direct): 1},
    }

    bob_ws.send_json({"type": "sync", "cursors": {str(direct): 0}})
    backlog = recv(bob_ws)
    assert (backlog["type"], backlog["seq"], backlog["message"]["body"]) == (
        "message",
        1,
        {"text": "before Bob connected"},
    )

    say(client, trio.alice, direct, "live")
    live = recv(bob_ws)
    assert (live["seq"], live["message"]["body"]["text"]) == (2, "live")
    bob_ws.send_json({"type": "read", "conversation_id": str(direct), "seq": 2})
    bob_ws.send_json({"type": "ping", "id": 7})
    frames = [recv(bob_ws), recv(bob_ws)]
    assert {"type": "pong", "id": 7} in frames
    assert {
        "type": "read",
        "conversation_id": str(direct),
        "user_id": str(trio.bob.user_id),
        "read_seq": 2,
    } in frames

    bob_ws.send_json(
        {
            "type": "send",
            "conversation_id": str(direct),
            "client_id": "b-1",
            "kind": "text",
            "body": {"text": "yo"},
        }
    )
    frames = [recv(bob_ws), recv(bob_ws)]
    ack = next(f for f in frames if f["type"] == "ack")
    echoed = next(f for f in frames if f["type"] == "message")
    assert (ack["client_id"], ack["message"]["seq"], echoed["seq"]) == ("b-1", 3, 3)

    bob_ws.send_json(
        {
            "type": "send",
            "conversation_id": str(uuid.uuid4()),
            "client_id": "b-2",
            "kind": "text",
            "body": {"text": "?"},
        }
    )
    assert recv(bob_ws) == {
        "type": "error",
        "client_id": "b-2",
        "status": 404,
        "code": "conversation_not_found",
        "title": "This conversation does not exist.",
    }


def test_a_gap_in_hub_events_is_filled_from_the_database(
    client: TestClient, bob_ws: WebSocketTestSession, uow: UnitOfWork, trio: Trio, direct: uuid.UUID
) -> None:
    recv(bob_ws)
    bob_ws.send_json({"type": "sync", "cursors": {}})
    # A message the hub never heard of (a bare unit of work publishes nothing), then one it did.
    chat.send_message(
        uow,
        actor=trio.alice,
        conversation_id=direct,
        kind="text",
        body={"text": "unpublished"},
        client_id="u",
    )
    say(client, trio.alice, direct, "published")

    first, second = recv(bob_ws), recv(bob_ws)

    assert [(f["seq"], f["message"]["body"]["text"]) for f in (first, second)] == [
        (1, "unpublished"),
        (2, "published"),
    ]


def test_being_added_to_a_group_brings_its_messages(
    client: TestClient, bob_ws: WebSocketTestSession, trio: Trio
) -> None:
    recv(bob_ws)
    bob_ws.send_json({"type": "sync"})
    group = chat.create_group(
        runtime(client).uow(), actor=trio.alice, title="New", member_ids=[trio.bob.user_id]
    )
    say(client, trio.alice, group.id, "welcome")

    added = until(bob_ws, "conversation_added")
    created, welcome = recv(bob_ws), recv(bob_ws)

    assert added["conversation_id"] == str(group.id)
    assert (created["seq"], created["message"]["kind"]) == (1, "system")
    assert (welcome["seq"], welcome["message"]["body"]["text"]) == (2, "welcome")


def test_reconnect_resumes_after_the_last_seq_exactly_once_in_order(
    client: TestClient, uow: UnitOfWork, trio: Trio, direct: uuid.UUID
) -> None:
    total, dropped_after = 120, 15
    token = bearer(uow, trio.bob)
    seen: list[int] = []

    def keep_sending(start: int, stop: int) -> None:
        for n in range(start, stop):
            say(client, trio.alice, direct, f"m{n}")

    # given Bob connected and receiving while Alice sends
    first = client.websocket_connect(f"/ws?token={token}")
    with first as ws:
        recv(ws)
        ws.send_json({"type": "sync", "cursors": {str(direct): 0}})
        sender = threading.Thread(target=keep_sending, args=(1, 61))
        sender.start()
        while len(seen) < dropped_after:
            seen.append(recv(ws)["seq"])
        # when his connection drops mid-stream (the rest of this socket's frames are lost)
    sender.join()
    # and messages keep arriving while he is away and while he reconnects
    sender = threading.Thread(target=keep_sending, args=(61, total + 1))
    sender.start()
    with client.websocket_connect(f"/ws?token={token}") as ws:
        recv(ws)
        ws.send_json({"type": "sync", "cursors": {str(direct): seen[-1]}})
        while seen[-1] < total:
            frame = recv(ws)
            if frame["type"] == "message":
                seen.append(frame["seq"])
        sender.join()
        # then nothing more comes after the last message: a ping is answered next
        ws.send_json({"type": "ping"})
        assert recv(ws)["type"] == "pong"

    # then he has every message exactly once, in order
    assert seen == list(range(1, total + 1))


def test_a_client_that_falls_behind_is_closed_to_resync(
    client: TestClient, bob_ws: WebSocketTestSession, trio: Trio, direct: uuid.UUID
) -> None:
    recv(bob_ws)  # ready; no sync yet, so hub events wait in the connection's inbox
    hub = runtime(client).hub
    [subscription] = [s for s in hub._by_topic[f"conv:{direct}"]]
    connection = subscription.listener.__self__  # type: ignore[union-attr]
    connection.queue_size = 2
    for n in range(4):
        say(client, trio.alice, direct, f"m{n}")

    async def dropped() -> None:
        with anyio.fail_after(WAIT):
            while connection.broken is None:
                await anyio.sleep(0)

    bob_ws.portal.call(dropped)
    bob_ws.send_json({"type": "sync", "cursors": {}})

    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            recv(bob_ws)
    assert closed.value.code == 1013
