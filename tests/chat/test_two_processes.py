"""Two real ``agora serve`` processes on one database and one Redis: a message sent through
process A reaches a WebSocket client connected to process B.

Needs Redis (``AGORA_TEST_REDIS_URL``); uses PostgreSQL from ``AGORA_TEST_DATABASE_URL`` when set,
else a SQLite file both processes open.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from agora import chat
from agora.bench.server import ServerProcess
from agora.core.uow import UnitOfWork
from chat.world import bearer, befriend, person


def ws_url(server: ServerProcess, token: str) -> str:
    return server.base_url.replace("http://", "ws://") + f"/ws?token={token}"


def test_a_message_sent_through_one_process_reaches_a_socket_on_the_other(
    two_servers: tuple[UnitOfWork, ServerProcess, ServerProcess],
) -> None:
    from websockets.sync.client import connect

    uow, a, b = two_servers
    alice, bob = person(uow, "Alice"), person(uow, "Bob")
    befriend(uow, alice, bob)
    conv = chat.direct_conversation(uow, actor=alice, other_user_id=bob.user_id)

    with connect(ws_url(b, bearer(uow, bob)), open_timeout=10) as ws:

        def frame() -> dict[str, Any]:
            data: dict[str, Any] = json.loads(ws.recv(timeout=10))
            return data

        assert frame()["type"] == "ready"
        ws.send(json.dumps({"type": "sync", "cursors": {str(conv.id): 0}}))
        ws.send(json.dumps({"type": "ping"}))
        assert frame()["type"] == "pong"  # the sync is done: what follows is live

        sent = httpx.post(
            f"{a.base_url}/api/v1/conversations/{conv.id}/messages",
            json={"client_id": str(uuid.uuid4()), "kind": "text", "body": {"text": "via A"}},
            headers={"Authorization": f"Bearer {bearer(uow, alice)}"},
            timeout=10,
        )
        assert sent.status_code == 201, sent.text

        received = frame()

    assert received["type"] == "message"
    assert (received["seq"], received["message"]["body"]) == (1, {"text": "via A"})
    assert received["message"]["id"] == sent.json()["id"]
