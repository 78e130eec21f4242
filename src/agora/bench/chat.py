"""``agora bench chat-fanout``: many WebSocket clients in groups, senders posting, one real server.

Setup writes people, API tokens and groups straight into a fresh database (the scenario measures
fan-out, not sign-ups). Then every client connects to ``/ws`` of a real ``agora serve`` (one
process) on a loopback port and syncs. One sender per group then posts ``messages`` texts over its
socket, one after another as soon as the previous one is acknowledged (the fastest the send path
takes them, all groups at once); ``interval_ms`` > 0 paces them instead. Each text carries the
wall-clock moment its frame was written.

What is measured:
- ``deliveries``: message frames received, counted by every member (the sender included) per seq;
  a seq missing at the end is ``lost``, a seq seen twice is ``duplicated`` (both must be 0).
- ``elapsed_s``: from the first send to the last delivery; ``deliveries_per_s`` is
  ``deliveries / elapsed_s`` (so the send path is inside the window, not left out of it).
- ``latency``: for every delivery, the moment the receiving client read the frame minus the moment
  the sender wrote it (same machine, same clock): send path, commit, fan-out and the client's own
  queueing, all included.
- ``sends_per_s``: messages / time from first to last send; ``server_cpu_s`` and ``client_cpu_s``:
  CPU time the server process and this load generator used over the window (they share the
  machine, so both are reported), and from them ``loadgen_cpu_cores`` (``loadgen_ok`` below
  ``bench.loadgen.LOADGEN_CPU_LIMIT``) and the server's CPU per message sent and per delivery.

The load generator is one asyncio loop: each client is a bare protocol around the sans-I/O
``websockets`` client (no task per client) for the handshake and the sync, then reads the
storm's frames itself (``Client._read_frames``); a message frame is recognised by its prefix and
only its seq and timestamp are read, other frames are parsed as JSON.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import insert
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

from agora.bench import loadgen
from agora.bench.fresh import fresh_database, insert_api_tokens
from agora.bench.server import DEFAULT_REDIS_URL, start_bench_server
from agora.bench.stats import summary_ms
from agora.chat.models import ConversationRow, MemberRow
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.identity import User

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
        insert_api_tokens(session, people, now)
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


class Client(asyncio.Protocol):
    """One member's socket: counts message seqs of its group and their latencies."""

    def __init__(self, token: str, group: uuid.UUID, expected: int) -> None:
        self.token = token
        self.group = str(group)
        self.prefix = b'{"type":"message","conversation_id":"' + self.group.encode() + b'",'
        self.expected = expected
        self.seqs: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.last_at = 0.0
        self.transport: asyncio.Transport | None = None
        self.ws: ClientProtocol | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.others: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acked: asyncio.Event = asyncio.Event()
        # Once synced, frames are read by _read_frames, not by the websockets protocol.
        self.fast = False
        self.pending = b""

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        assert self.ws is not None
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        assert self.ws is not None
        if self.fast:
            self._read_frames(data, time.time())
            return
        self.ws.receive_data(data)
        now = time.time()
        for event in self.ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self._on_text(bytes(event.data), now)
            elif not self.opened.done():
                if self.ws.handshake_exc is not None:
                    self.opened.set_exception(self.ws.handshake_exc)
                else:
                    self.opened.set_result(None)
        self._flush()  # pongs, close replies

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))

    # --- frames -------------------------------------------------------------------------------

    def _read_frames(self, data: bytes, now: float) -> None:
        """The server's frames during the storm, read here: a server's frames are never masked
        and, with no extension negotiated, never compressed, so a frame is a header and its
        payload. Reading 20,000 of them a second through the general protocol cost the load
        generator half a core; this keeps it well under (``loadgen_cpu_cores``)."""
        buffer = self.pending + data if self.pending else data
        at, end = 0, len(buffer)
        while end - at >= 2:
            opcode, length = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            start = at + 2
            if length == 126:
                if end - at < 4:
                    break
                length, start = int.from_bytes(buffer[at + 2 : at + 4], "big"), at + 4
            elif length == 127:
                if end - at < 10:
                    break
                length, start = int.from_bytes(buffer[at + 2 : at + 10], "big"), at + 10
            if end - start < length:
                break
            payload = buffer[start : start + length]
            at = start + length
            if opcode == 0x1:  # text (the server never fragments its frames)
                self._on_text(payload, now)
            elif opcode == 0x9 and self.ws is not None and self.transport is not None:  # ping
                self.ws.send_pong(payload)
                self._flush()
        self.pending = buffer[at:]

    def _on_text(self, payload: bytes, now: float) -> None:
        if payload.startswith(self.prefix):
            start = payload.index(b'"seq":', len(self.prefix)) + 6
            seq = int(payload[start : payload.index(b",", start)])
            self.seqs[seq] += 1
            stamp = payload.find(b" t=", start)
            if stamp > 0:
                self.latencies.append(now - float(payload[stamp + 3 : payload.index(b'"', stamp)]))
            self.last_at = now
            if len(self.seqs) >= self.expected and not self.done.done():
                self.done.set_result(None)
            return
        frame = json.loads(payload)
        if frame.get("type") == "ack":
            self.acked.set()
        else:
            self.others.put_nowait(frame)

    def _flush(self) -> None:
        assert self.ws is not None and self.transport is not None
        out = b"".join(self.ws.data_to_send())
        if out:
            self.transport.write(out)

    def send(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send_text(json.dumps(frame).encode())
        self._flush()

    async def _next_other(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.others.get(), 60)

    # --- scenario -----------------------------------------------------------------------------

    async def connect(self, host: str, port: int) -> None:
        self.ws = ClientProtocol(parse_uri(f"ws://{host}:{port}/ws?token={self.token}"))
        await asyncio.get_running_loop().create_connection(lambda: self, host, port)
        await asyncio.wait_for(self.opened, 60)
        ready = await self._next_other()
        assert ready["type"] == "ready", ready
        self.send({"type": "sync", "cursors": {self.group: 0}})
        self.send({"type": "ping"})
        while (await self._next_other())["type"] != "pong":
            pass
        # Synced, and nothing more is coming before the storm: from here frames are read here.
        self.fast = True

    async def send_all(self, messages: int, interval: float) -> None:
        for n in range(messages):
            self.acked.clear()
            self.send(
                {
                    "type": "send",
                    "conversation_id": self.group,
                    "client_id": f"bench-{n}",
                    "kind": "text",
                    "body": {"text": f"#{n} t={time.time():.6f}"},
                }
            )
            await self.acked.wait()
            if interval:
                await asyncio.sleep(interval)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _run(
    url: str,
    server_pids: list[int],
    people: list[tuple[str, uuid.UUID]],
    groups: int,
    messages: int,
    interval: float,
) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    clients = [Client(token, group, messages) for token, group in people]
    for first in range(0, len(clients), 100):  # connect in waves, not 1,000 handshakes at once
        await asyncio.gather(*(c.connect(host, port) for c in clients[first : first + 100]))
    senders = clients[:groups]  # the first client of each group owns it
    window = loadgen.CpuWindow(server_pids)
    started = time.time()
    sending = [asyncio.create_task(s.send_all(messages, interval)) for s in senders]
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(*sending), DEADLINE_S)
        sent_at = time.time()
        await asyncio.wait_for(
            asyncio.gather(*(c.done for c in clients)), max(1.0, DEADLINE_S - (sent_at - started))
        )
    except TimeoutError:
        timed_out = True
        sent_at = time.time()
    usage = window.close()
    finished = max([c.last_at for c in clients] + [started])
    for task in sending:
        task.cancel()
    for c in clients:
        c.close()
    elapsed = finished - started
    expected = set(range(1, messages + 1))
    delivered = sum(sum(c.seqs.values()) for c in clients)
    lost = sum(len(expected - set(c.seqs)) for c in clients)
    duplicated = sum(n - 1 for c in clients for n in c.seqs.values() if n > 1)
    latencies = [value for c in clients for value in c.latencies]
    return {
        "elapsed_s": round(elapsed, 3),
        "deliveries": delivered,
        "deliveries_per_s": round(delivered / elapsed, 1) if elapsed > 0 else 0.0,
        "messages_sent": groups * messages,
        "sends_per_s": round(groups * messages / (sent_at - started), 1),
        "lost": lost,
        "duplicated": duplicated,
        "timed_out": timed_out,
        "latency": summary_ms(latencies),
        "server_cpu_s": round(usage.server_cpu_s, 2),
        "client_cpu_s": round(usage.loadgen_cpu_s, 2),
        "loadgen_cpu_cores": round(usage.loadgen_cores, 3),
        "loadgen_ok": usage.loadgen_cores < loadgen.LOADGEN_CPU_LIMIT,
        "server_cpu_ms_per_message": round(usage.server_cpu_s * 1000 / (groups * messages), 3),
        "server_cpu_us_per_delivery": round(usage.server_cpu_s * 1e6 / delivered, 1)
        if delivered
        else 0.0,
    }


def run_chat_fanout(
    *,
    clients: int = 1000,
    groups: int = 50,
    messages: int = 100,
    interval_ms: float = 0.0,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    **_: Any,
) -> dict[str, Any]:
    if clients < groups or groups < 1:
        raise ValueError("need at least one client per group")
    with fresh_database(database_url) as database, tempfile.TemporaryDirectory() as folder:
        people = _setup(database, clients, groups)
        server = start_bench_server(
            database.url,
            Path(folder),
            shape=shape,
            processes=processes,
            redis_url=redis_url,
            extra_env={"AGORA_CHAT_SEND_LIMIT": "1000000"},
        )
        try:
            result = loadgen.run(
                _run(
                    server.base_url,
                    server.pids,
                    people,
                    groups,
                    messages,
                    interval_ms / 1000,
                )
            )
        finally:
            server.stop()
        writer = server.writer_report()
    return {
        "scenario": "chat-fanout",
        "database": database.dialect,
        "clients": clients,
        "groups": groups,
        "messages_per_group": messages,
        "shape": shape,
        "server_processes": processes,
        **result,
        **writer,
    }
