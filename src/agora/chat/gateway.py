"""The chat WebSocket gateway: one :class:`Connection` per socket (protocol in docs/api.md).

Exactly once, in order, across reconnects. The connection subscribes to its hub topics *before*
it reads anything from the database, so nothing committed after the read can be missed; it keeps
the last seq it delivered per conversation and drops hub events at or below it (duplicates, or
messages the backlog already carried); when an event skips ahead it first fetches the gap from the
database. Hub events wait in the subscription's queue until the client's first ``sync``, so a
backlog and live events never interleave.

Services are sync: they run in worker threads (``anyio.to_thread``), each call with its own unit
of work. Frames leave through a bounded queue; a client that cannot keep up (or whose hub
subscription was dropped for the same reason) is disconnected with 1013 and resyncs on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.websockets import WebSocket, WebSocketDisconnect

from agora.chat import conversations, domain, messages
from agora.chat.errors import ConversationNotFound
from agora.chat.views import MessageView, message_event
from agora.core import i18n
from agora.core.errors import AgoraError
from agora.core.realtime import LocalHub, Subscription
from agora.core.uow import UnitOfWork
from agora.identity import Principal

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 1013  # "try again later": reconnect and resync
PAGE = domain.HISTORY_MAX
T = TypeVar("T")


class TooSlow(Exception):
    """The client fell behind (its send queue or hub subscription overflowed)."""


def _dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str)


def _removes(view_json: dict[str, Any], user_id: str) -> bool:
    """A system message that takes ``user_id`` out of the conversation."""
    body = view_json.get("body") or {}
    return (
        view_json.get("kind") == domain.SYSTEM
        and body.get("event") in ("removed", "left")
        and user_id in (body.get("user_ids") or [])
    )


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        *,
        hub: LocalHub,
        uow_factory: Callable[[], UnitOfWork],
        actor: Principal,
        queue_size: int,
        locale: str,
    ) -> None:
        self.ws = websocket
        self.hub = hub
        self.uow_factory = uow_factory
        self.actor = actor
        self.me = str(actor.user_id)
        self.locale = locale
        self.out: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        # Per conversation: the last seq this connection delivered, and the member's floor.
        self.delivered: dict[uuid.UUID, int] = {}
        self.floor: dict[uuid.UUID, int] = {}
        self.lock = asyncio.Lock()
        self.synced = asyncio.Event()
        self.subscription: Subscription | None = None
        self.close_code: int | None = None

    async def call(self, function: Callable[..., T], **kwargs: Any) -> T:
        """A service call in a worker thread, with a fresh unit of work."""
        uow = self.uow_factory()
        return await anyio.to_thread.run_sync(lambda: function(uow, actor=self.actor, **kwargs))

    def emit(self, frame: str) -> None:
        try:
            self.out.put_nowait(frame)
        except asyncio.QueueFull as exc:
            raise TooSlow() from exc

    # --- lifecycle ----------------------------------------------------------------------------

    async def serve(self) -> None:
        self.subscription = await self.hub.subscribe([f"user:{self.me}"])
        try:
            await self._follow_my_conversations()
            self.emit(
                _dumps(
                    {
                        "type": "ready",
                        "user_id": self.me,
                        "conversations": {str(c): s for c, s in self.delivered.items()},
                    }
                )
            )
            # A task group (not bare tasks): when the client goes, or the server cancels the
            # connection, every loop of it ends with it.
            async with anyio.create_task_group() as group:
                for loop in (self._read_loop, self._pump, self._write_loop):
                    group.start_soon(self._until_done, loop, group.cancel_scope)
            if self.close_code is not None:
                with contextlib.suppress(Exception):
                    await self.ws.close(code=self.close_code, reason="too slow; resync")
        finally:
            await self.subscription.close()

    async def _until_done(
        self, loop: Callable[[], Awaitable[None]], scope: anyio.CancelScope
    ) -> None:
        try:
            await loop()
        except TooSlow:
            self.close_code = CLOSE_TOO_SLOW
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away (RuntimeError: sending on a closed socket)
        finally:
            scope.cancel()

    async def _follow_my_conversations(self) -> None:
        """Subscribe to each conversation's topic, then read where it stands (subscribe first:
        anything committed after the read arrives through the hub). Repeats while the list grows."""
        assert self.subscription is not None
        followed: set[uuid.UUID] = set()
        while True:
            cursors = await self.call(conversations.conversation_cursors)
            new = set(cursors) - followed
            if not new:
                break
            await self.hub.add_topics(self.subscription, [f"conv:{c}" for c in new])
            followed |= new
        for conversation_id, (joined_seq, last_seq) in cursors.items():
            self.floor[conversation_id] = joined_seq
            self.delivered[conversation_id] = last_seq

    async def _write_loop(self) -> None:
        while True:
            frame = await self.out.get()
            await self.ws.send_text(frame)

    async def _read_loop(self) -> None:
        while True:
            raw = await self.ws.receive_text()
            try:
                frame = json.loads(raw)
                if not isinstance(frame, dict):
                    raise ValueError("not an object")
            except ValueError:
                self._error(None, 400, "bad_frame", "The frame is not a JSON object.")
                continue
            kind = frame.get("type")
            if kind == "sync":
                await self._sync(frame.get("cursors"))
            elif kind == "send":
                await self._send(frame)
            elif kind == "read":
                await self._read(frame)
            elif kind == "ping":
                self.emit(_dumps({"type": "pong", "id": frame.get("id")}))
            else:
                self._error(frame.get("client_id"), 400, "bad_frame", "Unknown frame type.")
            # Live events start with the first frame the client sends (normally its sync).
            self.synced.set()

    async def _pump(self) -> None:
        assert self.subscription is not None
        await self.synced.wait()
        while True:
            item = await self.subscription.get_raw()
            if item is None:
                raise TooSlow()
            topic, data = item
            async with self.lock:
                await self._on_event(topic, data, json.loads(data))

    # --- hub events ---------------------------------------------------------------------------

    async def _on_event(self, topic: str, data: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if topic.startswith("user:"):
            if kind == "conversation_added":
                await self._join(uuid.UUID(event["conversation_id"]), data)
            else:
                self.emit(data)
            return
        conversation_id = uuid.UUID(event["conversation_id"])
        delivered = self.delivered.get(conversation_id)
        if delivered is None:
            return  # not (or no longer) a member
        if kind == "message":
            seq = int(event["seq"])
            if seq <= delivered:
                return
            if seq > delivered + 1:
                await self._catch_up(conversation_id, until=seq - 1)
            if conversation_id in self.delivered and seq > self.delivered[conversation_id]:
                self.emit(data)
                self.delivered[conversation_id] = seq
                if _removes(event.get("message") or {}, self.me):
                    del self.delivered[conversation_id]
        elif kind == "recalled":
            # A recall of something not yet delivered arrives with it, from the database.
            if int(event.get("seq", 0)) <= delivered:
                self.emit(data)
        else:
            self.emit(data)

    async def _join(self, conversation_id: uuid.UUID, data: str) -> None:
        assert self.subscription is not None
        if conversation_id in self.delivered:
            self.emit(data)
            return
        await self.hub.add_topics(self.subscription, [f"conv:{conversation_id}"])
        cursors = await self.call(conversations.conversation_cursors)
        if conversation_id not in cursors:
            return
        joined_seq = cursors[conversation_id][0]
        self.floor[conversation_id] = joined_seq
        self.delivered[conversation_id] = joined_seq
        self.emit(data)
        await self._catch_up(conversation_id)

    async def _catch_up(self, conversation_id: uuid.UUID, until: int | None = None) -> None:
        """Deliver what the database holds after the delivered seq (all of it, or up to at
        least ``until``), in order."""
        while conversation_id in self.delivered:
            after = self.delivered[conversation_id]
            try:
                page: list[MessageView] = await self.call(
                    messages.history, conversation_id=conversation_id, after=after, limit=PAGE
                )
            except ConversationNotFound:
                self.delivered.pop(conversation_id, None)
                return
            for view in page:
                if view.seq <= self.delivered.get(conversation_id, view.seq):
                    continue
                self.emit(_dumps(message_event(view)))
                self.delivered[conversation_id] = view.seq
                if view.kind == domain.SYSTEM and _removes(view.as_json(), self.me):
                    self.delivered.pop(conversation_id, None)
                    return
            if len(page) < PAGE or (until is not None and self.delivered[conversation_id] >= until):
                return

    # --- client frames ------------------------------------------------------------------------

    async def _sync(self, cursors: Any) -> None:
        if cursors is None:
            cursors = {}
        if not isinstance(cursors, dict):
            self._error(None, 422, "invalid_input", "cursors must map conversation ids to seqs.")
            return
        async with self.lock:
            for raw_id, raw_seq in cursors.items():
                try:
                    conversation_id, seq = uuid.UUID(str(raw_id)), int(raw_seq)
                except (TypeError, ValueError):
                    continue
                if conversation_id not in self.floor or conversation_id not in self.delivered:
                    continue  # not a conversation of mine: nothing to say about it
                self.delivered[conversation_id] = max(seq, self.floor[conversation_id])
                await self._catch_up(conversation_id)

    async def _send(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        try:
            conversation_id = uuid.UUID(str(frame.get("conversation_id")))
        except ValueError:
            self._error(
                client_id, 404, "conversation_not_found", "This conversation does not exist."
            )
            return
        try:
            view = await self.call(
                messages.send_message,
                conversation_id=conversation_id,
                kind=str(frame.get("kind") or ""),
                body=frame.get("body") if isinstance(frame.get("body"), dict) else {},
                client_id=client_id if isinstance(client_id, str) else "",
            )
        except AgoraError as error:
            self._agora_error(client_id, error)
            return
        self.emit(_dumps({"type": "ack", "client_id": client_id, "message": view.as_json()}))

    async def _read(self, frame: dict[str, Any]) -> None:
        try:
            conversation_id = uuid.UUID(str(frame.get("conversation_id")))
            seq = int(frame.get("seq", 0))
        except (TypeError, ValueError):
            self._error(None, 422, "invalid_input", "read needs conversation_id and seq.")
            return
        try:
            await self.call(messages.mark_read, conversation_id=conversation_id, seq=seq)
        except AgoraError as error:
            self._agora_error(None, error)

    def _agora_error(self, client_id: Any, error: AgoraError) -> None:
        extra = {"retry_after": error.extra["retry_after"]} if "retry_after" in error.extra else {}
        self._error(client_id, error.status, error.code, error.title, error.detail, **extra)

    def _error(
        self,
        client_id: Any,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        **extra: Any,
    ) -> None:
        token = i18n.set_locale(self.locale)
        try:
            frame: dict[str, Any] = {
                "type": "error",
                "client_id": client_id,
                "status": status,
                "code": code,
                "title": i18n.gettext(title),
                **extra,
            }
            if detail:
                frame["detail"] = i18n.gettext(detail)
        finally:
            i18n.reset_locale(token)
        self.emit(_dumps(frame))
