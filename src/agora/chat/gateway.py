"""The chat WebSocket gateway: one :class:`Connection` per socket (protocol in docs/api.md).

Exactly once, in order, across reconnects. The connection subscribes to its hub topics *before*
it reads anything from the database, so nothing committed after the read can be missed; it keeps
the last seq it delivered per conversation and drops hub events at or below it (duplicates, or
messages the backlog already carried); when an event skips ahead it first fetches the gap from the
database. Hub events wait in the subscription's queue until the client's first ``sync``, so a
backlog and live events never interleave.

Services are sync: they run in worker threads (``anyio.to_thread``), each call with its own unit
of work.

Fan-out is paid per delivery, so the common case costs no task hop and no parsing: the hub calls
:meth:`Connection.on_hub` during the publish with the event serialized (and parsed) once, and when
the event is the next seq of a conversation it is written to the socket right there
(:func:`_send_eagerly`). Anything else (a gap, a join, a removal, other event types, events that
arrive before the first ``sync`` or while a backlog is being read) waits in the connection's inbox
for the ``_pump`` task, which handles it under the connection's lock; the fast path stays off while
the inbox holds anything or the lock is held, so order is kept. Frames that cannot be written at
once wait in a bounded queue; a client that cannot keep up is disconnected with 1013 and resyncs
on reconnect.

What a client sends is not trusted: :meth:`Connection._admit` holds each frame to a size (close
1009; the server's own frame limit is far larger, and the test client has none), a per-connection
rate (a token bucket; over it one 429 answers the whole burst and the rest is dropped, so a flood
costs the server no more than the allowed rate, and no reconnect loop) and clean text (NUL or a
lone surrogate would break every page that shows it), before anything is dispatched. A bug while
handling a frame closes that connection with 1011 and is logged; the server and other connections
go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import types
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from agora.chat import conversations, domain, frames, messages, sending
from agora.chat.errors import ConversationNotFound
from agora.chat.views import MessageView, message_event
from agora.core import i18n, text
from agora.core.errors import AgoraError, InvalidInput, RateLimited
from agora.core.realtime import LocalHub, Subscription
from agora.core.uow import UnitOfWork
from agora.core.writer import Writer
from agora.identity import Principal

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 1013  # "try again later": reconnect and resync
CLOSE_TOO_BIG = 1009  # "message too big"
CLOSE_INTERNAL_ERROR = 1011
PAGE = domain.HISTORY_MAX
T = TypeVar("T")


class Close(Exception):
    """End the connection with a close code the client can act on."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class TooSlow(Close):
    """The client fell behind (its send queue or hub subscription overflowed)."""

    def __init__(self) -> None:
        super().__init__(CLOSE_TOO_SLOW, "too slow; resync")


def _dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str)


def _send_eagerly(
    coroutine: Coroutine[Any, Any, None],
) -> tuple[Coroutine[Any, Any, None], Any] | None:
    """Run ``coroutine`` until it first waits: ``None`` when it finished without waiting, else the
    coroutine and what it waits on (finish them with :func:`_finish`).

    A WebSocket send only waits when the socket's buffer is full, so in the common case this writes
    the frame with no task and no trip through the event loop (what Python 3.12 calls an eager
    task). Raises what the send raises.
    """
    try:
        waiting = coroutine.send(None)
    except StopIteration:
        return None
    return coroutine, waiting


@types.coroutine
def _finish(coroutine: Coroutine[Any, Any, None], waiting: Any) -> Generator[Any, Any, None]:
    """Await the rest of a coroutine :func:`_send_eagerly` started; it waits on ``waiting``."""
    while True:
        try:
            yield waiting
        except BaseException as exc:  # cancellation: hand it to the coroutine
            try:
                waiting = coroutine.throw(exc)
            except StopIteration:
                return
            continue
        try:
            waiting = coroutine.send(None)
        except StopIteration:
            return


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
        writer: Writer,
        actor: Principal,
        queue_size: int,
        locale: str,
        max_frame_chars: int,
        frame_burst: int,
        frames_per_second: float,
    ) -> None:
        self.ws = websocket
        self.hub = hub
        self.uow_factory = uow_factory
        self.writer = writer
        self.actor = actor
        self.me = str(actor.user_id)
        self.locale = locale
        self.queue_size = queue_size
        # Frames waiting for the socket while a send waits for room (bounded by queue_size).
        self.out: deque[str] = deque()
        self.writing: tuple[Coroutine[Any, Any, None], Any] | None = None
        self.write_wanted = asyncio.Event()
        # Hub events for the slow path, in arrival order (bounded by queue_size).
        self.inbox: deque[tuple[str, str, dict[str, Any]]] = deque()
        self.inbox_ready = asyncio.Event()
        self.broken: BaseException | None = None
        # Per conversation: the last seq this connection delivered, and the member's floor.
        self.delivered: dict[uuid.UUID, int] = {}
        self.floor: dict[uuid.UUID, int] = {}
        self.topic_ids: dict[str, uuid.UUID] = {}
        self.lock = asyncio.Lock()
        self.synced = asyncio.Event()
        self.subscription: Subscription | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.max_frame_chars = max_frame_chars
        self.budget = frames.FrameBudget(burst=frame_burst, per_second=frames_per_second)
        # Set while frames are being dropped over the rate, so one burst earns one error frame.
        self.throttled = False

    async def call(self, function: Callable[..., T], **kwargs: Any) -> T:
        """A service call in a worker thread, with a fresh unit of work."""
        uow = self.uow_factory()
        return await anyio.to_thread.run_sync(lambda: function(uow, actor=self.actor, **kwargs))

    def emit(self, frame: str) -> None:
        """Write ``frame`` now if the socket takes it, else queue it behind the waiting send.

        Raises TooSlow (the queue is full), WebSocketDisconnect or RuntimeError (client gone).
        """
        if self.writing is None and not self.out:
            self.writing = _send_eagerly(self.ws.send_text(frame))
            if self.writing is not None:
                self.write_wanted.set()
            return
        if len(self.out) >= self.queue_size:
            raise TooSlow()
        self.out.append(frame)

    def on_hub(self, topic: str, data: str, event: dict[str, Any]) -> None:
        """The hub's listener: deliver the next message of a conversation at once; queue the rest
        for :meth:`_pump`."""
        if self.broken is not None:
            return
        try:
            if (
                self.inbox
                or self.lock.locked()
                or not self.synced.is_set()
                or not self._deliver_next(topic, data, event)
            ):
                if len(self.inbox) >= self.queue_size:
                    raise TooSlow()
                self.inbox.append((topic, data, event))
                self.inbox_ready.set()
        except Exception as exc:
            self.broken = exc
            self.inbox_ready.set()

    def _deliver_next(self, topic: str, data: str, event: dict[str, Any]) -> bool:
        """Deliver (or drop, as a duplicate) a message that needs no database; False when it
        needs :meth:`_on_event`."""
        conversation_id = self.topic_ids.get(topic)
        if conversation_id is None or event.get("type") != "message":
            return False
        delivered = self.delivered.get(conversation_id)
        seq = event.get("seq")
        if delivered is None or not isinstance(seq, int) or seq > delivered + 1:
            return False
        if seq <= delivered:
            return True
        message = event.get("message") or {}
        # Only a system message can take someone out; a text costs no look inside its body.
        if message.get("kind") == domain.SYSTEM and _removes(message, self.me):
            return False
        self.emit(data)
        self.delivered[conversation_id] = seq
        return True

    # --- lifecycle ----------------------------------------------------------------------------

    async def serve(self) -> None:
        self.subscription = await self.hub.subscribe([f"user:{self.me}"], listener=self.on_hub)
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
                    await self.ws.close(code=self.close_code, reason=self.close_reason)
        finally:
            await self.subscription.close()

    async def _until_done(
        self, loop: Callable[[], Awaitable[None]], scope: anyio.CancelScope
    ) -> None:
        try:
            await loop()
        except Close as close:
            self._close_with(close.code, close.reason)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away (RuntimeError: sending on a closed socket)
        except Exception:
            # A bug ends this connection only: the client reconnects and resyncs.
            log.exception("chat socket of user %s failed", self.me)
            self._close_with(CLOSE_INTERNAL_ERROR, "internal error")
        finally:
            scope.cancel()

    def _close_with(self, code: int, reason: str) -> None:
        if self.close_code is None:  # the first loop to end says why
            self.close_code, self.close_reason = code, reason

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
            self.topic_ids.update({f"conv:{c}": c for c in new})
            followed |= new
        for conversation_id, (joined_seq, last_seq) in cursors.items():
            self.floor[conversation_id] = joined_seq
            self.delivered[conversation_id] = last_seq

    async def _write_loop(self) -> None:
        """Finish a send that had to wait for room, then the frames queued behind it."""
        try:
            while True:
                await self.write_wanted.wait()
                self.write_wanted.clear()
                if self.writing is None:
                    continue
                await _finish(*self.writing)
                while self.out:
                    await self.ws.send_text(self.out[0])
                    self.out.popleft()
                self.writing = None
        finally:
            if self.writing is not None:
                self.writing[0].close()

    async def _read_loop(self) -> None:
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
            frame = self._admit(message)
            if frame is None:
                continue
            kind = frame.get("type")
            if kind == "sync":
                await self._sync(frame.get("cursors"))
            elif kind == "send":
                await self._send(frame)
            elif kind == "read":
                await self._read(frame)
            elif kind == "ping":
                ping_id = frame.get("id")
                # Only a scalar is echoed: a nested one could be too deep to write back.
                if not isinstance(ping_id, str | int) or isinstance(ping_id, bool):
                    ping_id = None
                self.emit(_dumps({"type": "pong", "id": ping_id}))
            else:
                self._error(frames.client_id(frame), 400, "bad_frame", "Unknown frame type.")
            # Live events start with the first frame the client sends (normally its sync).
            self.synced.set()

    def _admit(self, message: Message) -> dict[str, Any] | None:
        """The received frame as a JSON object, or None when it was refused (answered with an
        error frame, or dropped over the rate). Every check is linear in the frame's size.

        Raises Close (1009) for a frame over the size limit.
        """
        raw: str | bytes | None = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        if len(raw) > self.max_frame_chars:
            raise Close(CLOSE_TOO_BIG, "frame too big")
        if not self.budget.take():
            if not self.throttled:
                self.throttled = True
                self._agora_error(None, RateLimited(retry_after=self.budget.retry_after()))
            return None
        self.throttled = False
        if isinstance(raw, bytes):
            self._error(None, 400, "bad_frame", "Frames must be JSON text.")
            return None
        try:
            frame = json.loads(raw, parse_constant=frames.no_constant)
            if not isinstance(frame, dict):
                raise ValueError("not an object")
            bad = text.first_bad_text(frame)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to read
            self._error(None, 400, "bad_frame", "The frame is not a JSON object.")
            return None
        if bad is not None:
            # As the HTTP guard answers: the field is a path of keys that are themselves clean.
            title = InvalidInput.title
            errors = [{"field": bad}]
            self._error(
                frames.client_id(frame), 422, "invalid_text", title, text.MESSAGE, errors=errors
            )
            return None
        return frame

    async def _pump(self) -> None:
        """The slow path: hub events :meth:`on_hub` could not deliver at once, in order."""
        await self.synced.wait()
        while True:
            await self.inbox_ready.wait()
            self.inbox_ready.clear()
            if self.broken is not None:
                raise self.broken
            async with self.lock:
                while self.inbox:
                    topic, data, event = self.inbox[0]
                    await self._on_event(topic, data, event)
                    self.inbox.popleft()
            if self.broken is not None:
                raise self.broken

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
        self.topic_ids[f"conv:{conversation_id}"] = conversation_id
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
                conversation_id, seq = frames.uuid_of(raw_id), frames.seq_of(raw_seq)
                if conversation_id is None or seq is None:
                    continue
                if conversation_id not in self.floor or conversation_id not in self.delivered:
                    continue  # not a conversation of mine: nothing to say about it
                self.delivered[conversation_id] = max(seq, self.floor[conversation_id])
                await self._catch_up(conversation_id)

    async def _send(self, frame: dict[str, Any]) -> None:
        client_id = frames.client_id(frame)
        conversation_id = frames.uuid_of(frame.get("conversation_id"))
        if conversation_id is None:
            self._error(
                client_id, 404, "conversation_not_found", "This conversation does not exist."
            )
            return
        kind = str(frame.get("kind") or "")
        given = frame.get("body")
        body: dict[str, Any] = given if isinstance(given, dict) else {}
        try:
            # A hot write: a command of the process's writer, batched with other sends.
            view = await self.writer.run(
                lambda uow: sending.send_message(
                    uow,
                    actor=self.actor,
                    conversation_id=conversation_id,
                    kind=kind,
                    body=body,
                    client_id=client_id or "",
                )
            )
        except AgoraError as error:
            self._agora_error(client_id, error)
            return
        self.emit(_dumps({"type": "ack", "client_id": client_id, "message": view.as_json()}))

    async def _read(self, frame: dict[str, Any]) -> None:
        conversation_id, seq = (
            frames.uuid_of(frame.get("conversation_id")),
            frames.seq_of(frame.get("seq", 0)),
        )
        if conversation_id is None or seq is None:
            self._error(None, 422, "invalid_input", "read needs conversation_id and seq.")
            return
        try:
            await self.call(messages.mark_read, conversation_id=conversation_id, seq=seq)
        except AgoraError as error:
            self._agora_error(None, error)

    def _agora_error(self, client_id: str | None, error: AgoraError) -> None:
        extra = {"retry_after": error.extra["retry_after"]} if "retry_after" in error.extra else {}
        self._error(client_id, error.status, error.code, error.title, error.detail, **extra)

    def _error(
        self,
        client_id: str | None,
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
