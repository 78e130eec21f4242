"""A store conversation over the socket, as any chat: the shopper's message reaches a staff
member live (through the hub), a staff member's answer reaches the shopper, and a reconnect
resumes after the last seq seen — nothing lost, nothing twice."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from agora import chat, customer_service
from agora.identity import Principal
from agora.runtime import Runtime
from chat.world import bearer, recv
from customer_service.conftest import ServiceWorld


def _say(client: TestClient, actor: Principal, cid: uuid.UUID, words: str) -> int:
    """Through the running app's unit of work, so the hub hears of it after commit."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return chat.send_message(
        runtime.uow(),
        actor=actor,
        conversation_id=cid,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    ).seq


def _next_message(ws: WebSocketTestSession) -> dict[str, Any]:
    while True:
        frame = recv(ws)
        if frame["type"] == "message":
            return frame


def test_staff_and_shopper_hear_each_other_live_and_resume_by_seq(
    client: TestClient, world: ServiceWorld
) -> None:
    assert world.helper is not None
    cid = customer_service.open_store_chat(
        world.uow, actor=world.buyer, store_id=world.store_a.id
    ).id
    _say(client, world.buyer, cid, "one")

    with client.websocket_connect(f"/ws?token={bearer(world.uow, world.helper)}") as staff:
        ready = recv(staff)
        assert ready["conversations"] == {str(cid): 1}
        staff.send_json({"type": "sync", "cursors": {str(cid): 0}})
        assert _next_message(staff)["message"]["body"] == {"text": "one"}
        _say(client, world.buyer, cid, "two")
        live = _next_message(staff)
        assert (live["seq"], live["message"]["body"]["text"]) == (2, "two")

    with client.websocket_connect(f"/ws?token={bearer(world.uow, world.buyer)}") as shopper:
        recv(shopper)
        shopper.send_json({"type": "sync", "cursors": {str(cid): 2}})
        _say(client, world.merchant_a, cid, "three, from the store")
        frame = _next_message(shopper)
        assert (frame["seq"], frame["message"]["sender_id"]) == (3, str(world.merchant_a.user_id))

    # The helper was away for seq 3: the resume sends exactly it.
    with client.websocket_connect(f"/ws?token={bearer(world.uow, world.helper)}") as staff:
        recv(staff)
        staff.send_json({"type": "sync", "cursors": {str(cid): 2}})
        resumed = _next_message(staff)
        assert resumed["seq"] == 3
        staff.send_json({"type": "ping", "id": 1})
        assert recv(staff) == {"type": "pong", "id": 1}
