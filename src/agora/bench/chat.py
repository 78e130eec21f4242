"""``agora bench chat-fanout``: many WebSocket clients in groups, senders posting, one real server.

Setup writes people, API tokens and groups straight into a fresh database (the scenario measures
fan-out, not sign-ups). Then every client connects to ``/ws`` of a real ``agora serve`` on a
loopback port and syncs; one sender per group posts ``messages`` texts over the socket, each
carrying the moment it was sent. Each client counts what it receives per group by seq: a seq
missing at the end is lost, a seq seen twice is duplicated (both must be 0). Latency is from the
send to each delivery (same machine, same clock).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from agora.bench.fresh import fresh_database
from agora.bench.server import start_server
from agora.bench.stats import summary_ms
from agora.chat.models import ConversationRow, MemberRow
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.security import token_digest
from agora.identity import AuthSession, User

DEADLINE_S = 120.0  # the whole run, connected to drained


def _setup(database: Database, clients: int, groups: int) -> list[tuple[str, uuid.UUID]]:
    """``clients`` people spread over ``groups`` groups; returns (token, group id) per client."""
    now = utcnow()
    people = [(new_id(), secrets.token_urlsafe(32)) for _ in range(clients)]
    group_ids = [new_id() for _ in range(groups)]
    with database.write_session() as session:
        session.execute(
            insert(User),
            [
                {"id": uid, "display_name": f"Chatter {n}", "created_at": now}
                for n, (uid, _) in enumerate(people)
            ],
        )
        session.execute(
            insert(AuthSession),
            [
                {
                    "id": new_id(),
                    "user_id": uid,
                    "token_hash": token_digest(token),
                    "kind": "api",
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
                for uid, token in people
            ],
        )
        session.execute(
            insert(ConversationRow),
            [
                {
                    "id": gid,
                    "kind": "group",
                    "title": f"Group {n}",
                    "owner_id": people[n][0],
                    "last_seq": 0,
                    "created_at": now,
                    "last_activity_at": now,
                }
                for n, gid in enumerate(group_ids)
            ],
        )
        session.execute(
            insert(MemberRow),
            [
                {
                    "conversation_id": group_ids[n % groups],
                    "user_id": uid,
                    "role": "owner" if n < groups else "member",
                    "joined_at": now,
                    "joined_seq": 0,
                    "read_seq": 0,
                    "muted": False,
                }
                for n, (uid, _) in enumerate(people)
            ],
        )
        session.commit()
    return [(token, group_ids[n % groups]) for n, (_, token) in enumerate(people)]


class Client:
    def __init__(self, token: str, group: uuid.UUID) -> None:
        self.token = token
        self.group = str(group)
        self.seqs: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.ws: Any = None

    async def connect(self, url: str) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            f"{url}/ws?token={self.token}", open_timeout=60, max_queue=None, compression=None
        )
        ready = json.loads(await self.ws.recv())
        assert ready["type"] == "ready", ready
        await self.ws.send(json.dumps({"type": "sync", "cursors": {self.group: 0}}))
        await self.ws.send(json.dumps({"type": "ping"}))
        while json.loads(await self.ws.recv())["type"] != "pong":
            pass

    async def listen(self, expected: int) -> None:
        while len(self.seqs) < expected:
            frame = json.loads(await self.ws.recv())
            if frame.get("type") != "message" or frame.get("conversation_id") != self.group:
                continue
            now = time.time()
            self.seqs[int(frame["seq"])] += 1
            body = frame["message"]["body"]
            if "t" in body.get("text", ""):
                self.latencies.append(now - float(body["text"].split("t=", 1)[1]))

    async def send_all(self, messages: int, interval: float) -> None:
        for n in range(messages):
            text = f"#{n} t={time.time():.6f}"
            await self.ws.send(
                json.dumps(
                    {
                        "type": "send",
                        "conversation_id": self.group,
                        "client_id": f"bench-{n}",
                        "kind": "text",
                        "body": {"text": text},
                    }
                )
            )
            await asyncio.sleep(interval)


async def _run(
    url: str, people: list[tuple[str, uuid.UUID]], groups: int, messages: int, interval: float
) -> dict[str, Any]:
    clients = [Client(token, group) for token, group in people]
    for first in range(0, len(clients), 100):  # connect in waves, not 1,000 handshakes at once
        await asyncio.gather(*(c.connect(url) for c in clients[first : first + 100]))
    senders = clients[:groups]  # the first client of each group owns it
    started = time.perf_counter()
    listening = [asyncio.create_task(c.listen(messages)) for c in clients]
    sending = [asyncio.create_task(s.send_all(messages, interval)) for s in senders]
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(*sending, *listening), DEADLINE_S)
    except TimeoutError:
        timed_out = True
    elapsed = time.perf_counter() - started
    for task in listening + sending:
        task.cancel()
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    expected = set(range(1, messages + 1))
    delivered = sum(sum(c.seqs.values()) for c in clients)
    lost = sum(len(expected - set(c.seqs)) for c in clients)
    duplicated = sum(n - 1 for c in clients for n in c.seqs.values() if n > 1)
    latencies = [value for c in clients for value in c.latencies]
    return {
        "elapsed_s": round(elapsed, 3),
        "deliveries": delivered,
        "deliveries_per_s": round(delivered / elapsed, 1) if elapsed else 0.0,
        "messages_sent": groups * messages,
        "lost": lost,
        "duplicated": duplicated,
        "timed_out": timed_out,
        "latency": summary_ms(latencies),
    }


def run_chat_fanout(
    *,
    clients: int = 1000,
    groups: int = 50,
    messages: int = 20,
    interval_ms: float = 50.0,
    database_url: str = "",
    **_: Any,
) -> dict[str, Any]:
    if clients < groups or groups < 1:
        raise ValueError("need at least one client per group")
    with fresh_database(database_url) as database, tempfile.TemporaryDirectory() as folder:
        people = _setup(database, clients, groups)
        server = start_server(
            database.url,
            Path(folder) / "server.log",
            workers=False,
            extra_env={"AGORA_CHAT_SEND_LIMIT": "1000000", "AGORA_LOG_LEVEL": "WARNING"},
        )
        try:
            result = asyncio.run(
                _run(
                    server.base_url.replace("http://", "ws://"),
                    people,
                    groups,
                    messages,
                    interval_ms / 1000,
                )
            )
        finally:
            server.stop()
    return {
        "scenario": "chat-fanout",
        "database": database.dialect,
        "clients": clients,
        "groups": groups,
        "messages_per_group": messages,
        **result,
    }
