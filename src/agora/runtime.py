"""What a running Agora process holds: settings, database, hub, relay and scheduler."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from agora.config import Settings
from agora.core.db import Database
from agora.core.events import OutboxRelay
from agora.core.gates import OPENED_TOPIC, PROCESS_GATES, Gates
from agora.core.jobs import Scheduler
from agora.core.realtime import LocalHub, Subscription, make_hub
from agora.core.uow import UnitOfWork
from agora.core.writer import Writer
from agora.identity.token_cache import PROCESS_TOKENS, REVOKED_TOPIC, TokenCache
from agora.identity.token_reader import TokenReader
from agora.media import Storage, open_storage

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    hub: LocalHub
    relay: OutboxRelay
    scheduler: Scheduler
    tokens: TokenCache = field(default_factory=lambda: PROCESS_TOKENS)
    gates: Gates = field(default_factory=lambda: PROCESS_GATES)
    writer: Writer = field(init=False)
    token_reader: TokenReader = field(init=False)
    media: Storage = field(init=False)
    loop: asyncio.AbstractEventLoop | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event | None = None
    notices: Subscription | None = None
    _outgoing: deque[tuple[str, dict[str, Any]]] = field(default_factory=deque, repr=False)
    _outgoing_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _drain_scheduled: bool = False

    def __post_init__(self) -> None:
        self.writer = Writer(
            self.db, make_uow=self._joined_uow, max_batch=self.settings.writer_max_batch
        )
        self.token_reader = TokenReader(self.db, self.tokens)
        self.media = open_storage(self.settings)

    @classmethod
    def build(cls, settings: Settings, *, db: Database | None = None) -> Runtime:
        database = db or Database(settings.database_url)
        hub = make_hub(settings.redis_url)
        relay = OutboxRelay(database, publish=hub.publish)
        owner = f"{socket.gethostname()}:{os.getpid()}"
        return cls(settings, database, hub, relay, Scheduler(database, owner=owner))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.db,
            on_events=self._wake_relay,
            publisher=self.publish_threadsafe,
            gates=self.gates,
        )

    def _joined_uow(self, session: Session) -> UnitOfWork:
        return UnitOfWork.joined(
            self.db,
            session,
            on_events=self._wake_relay,
            publisher=self.publish_threadsafe,
            gates=self.gates,
        )

    def _on_notice(self, topic: str, _data: str, event: dict[str, Any]) -> None:
        """What other processes (and this one, through the hub) say about shared memory."""
        if topic == REVOKED_TOPIC:
            self.tokens.forget_user(uuid.UUID(str(event["user_id"])))
        elif topic == OPENED_TOPIC:
            self.gates.on_opened(event)

    def publish_threadsafe(self, topic: str, event: dict[str, Any]) -> None:
        """Publish on the hub from any thread (services run in the thread pool and the writer).

        Publishes queue up and the loop is woken once for all that are waiting: a writer batch
        of a hundred chat messages or grabs is one wake-up of the loop, not a hundred.
        """
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        self._outgoing.append((topic, event))
        with self._outgoing_lock:
            if self._drain_scheduled:
                return
            self._drain_scheduled = True
        loop.call_soon_threadsafe(self._publish_waiting)

    def _publish_waiting(self) -> None:
        with self._outgoing_lock:
            self._drain_scheduled = False
        outgoing = self._outgoing
        while outgoing:
            topic, event = outgoing.popleft()
            # No task per publish: in one process the fan-out runs right here, on the loop.
            self.hub.publish_soon(topic, event)

    def _wake_relay(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.relay.wakeup.set)

    async def start(self, *, workers: bool) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        await self.hub.start()
        self.notices = await self.hub.subscribe(
            [REVOKED_TOPIC, OPENED_TOPIC], listener=self._on_notice
        )
        if workers:
            interval = self.settings.relay_interval_seconds
            self.tasks.append(asyncio.create_task(self.relay.run_forever(self.stop, interval)))
            tick = self.settings.scheduler_interval_seconds
            self.tasks.append(asyncio.create_task(self.scheduler.run_forever(self.stop, tick)))

    async def shutdown(self) -> None:
        if self.stop is not None:
            self.stop.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        await asyncio.to_thread(self.writer.stop)
        # One line the benches read back (statements per command) after stopping the server.
        log.info("writer stats %s", json.dumps(asdict(self.writer.stats)))
        if self.notices is not None:
            await self.notices.close()
            self.notices = None
        await self.hub.stop()
