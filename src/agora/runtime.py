"""What a running Agora process holds: settings, database, hub, relay and scheduler."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from dataclasses import dataclass, field
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
    loop: asyncio.AbstractEventLoop | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event | None = None
    notices: Subscription | None = None

    def __post_init__(self) -> None:
        self.writer = Writer(
            self.db, make_uow=self._joined_uow, max_batch=self.settings.writer_max_batch
        )
        self.token_reader = TokenReader(self.db, self.tokens)

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
        """Publish on the hub from any thread (services run in the thread pool)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._publish_now, topic, event)

    def _publish_now(self, topic: str, event: dict[str, Any]) -> None:
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
        if self.notices is not None:
            await self.notices.close()
            self.notices = None
        await self.hub.stop()
