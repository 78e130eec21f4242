"""Real-time fan-out: ``publish(topic, event)`` / ``subscribe(topics)``.

``LocalHub`` serves one process. ``RedisHub`` carries every publish through Redis pub/sub, so a
subscriber connected to any process receives events published by any other; locally it fans out
exactly like ``LocalHub``. Each event is serialized once (and parsed back once, for listeners),
whatever the number of subscribers. A subscription either has a bounded queue (a subscriber that
falls behind is dropped and resyncs) or a listener, called on the hub's loop during the publish: the
gateway uses one to write the common case straight to its socket, with no task hop per delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "agora:"

# ``(topic, data, event)``: the serialized event and the same event parsed back, shared by every
# listener of the publish (read it, never change it). Called on the hub's loop; must not block.
Listener = Callable[[str, str, dict[str, Any]], None]


def _dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), default=str)


class Subscription:
    def __init__(
        self,
        hub: LocalHub,
        topics: Iterable[str],
        maxsize: int,
        listener: Listener | None = None,
    ) -> None:
        self.hub = hub
        self.topics = set(topics)
        self.queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue(maxsize=maxsize)
        self.listener = listener
        self.dropped = False

    def offer(self, topic: str, data: str) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait((topic, data))
        except asyncio.QueueFull:
            # Too slow to keep up: stop feeding it; the client resyncs by sequence on reconnect.
            self.dropped = True
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.get_nowait()
                self.queue.put_nowait(None)

    async def get(self, timeout: float | None = None) -> tuple[str, dict[str, Any]] | None:
        """The next event as ``(topic, event)``; ``None`` when dropped or on timeout."""
        try:
            item = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        if item is None:
            return None
        return item[0], json.loads(item[1])

    async def get_raw(self) -> tuple[str, str] | None:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        while True:
            item = await self.get()
            if item is None:
                return
            yield item

    async def close(self) -> None:
        await self.hub.unsubscribe(self)


class LocalHub:
    """In-process fan-out. Subscribing and publishing must happen on the hub's event loop."""

    def __init__(self, *, queue_size: int = 1000) -> None:
        self._by_topic: dict[str, set[Subscription]] = defaultdict(set)
        self.queue_size = queue_size

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        self.publish_soon(topic, event)

    def publish_soon(self, topic: str, event: dict[str, Any]) -> None:
        """Publish from the hub's loop without awaiting: local subscribers get it right now."""
        # Most of the relay's events (an order paid) have no one listening in this process:
        # written as JSON for nobody, they cost the event loop more than the relay's reads.
        if self._by_topic.get(topic):
            self.deliver(topic, _dumps(event))

    def deliver(self, topic: str, data: str) -> None:
        subscribers = self._by_topic.get(topic)
        if not subscribers:
            return
        event: dict[str, Any] | None = None
        for subscription in tuple(subscribers):
            listener = subscription.listener
            if listener is None:
                subscription.offer(topic, data)
                continue
            if event is None:
                event = json.loads(data)  # once per publish, not once per subscriber
            try:
                listener(topic, data, event)
            except Exception:  # one broken listener must not stop the fan-out to the others
                log.exception("hub listener failed on %s", topic)

    async def subscribe(
        self, topics: Iterable[str], *, listener: Listener | None = None
    ) -> Subscription:
        """Subscribe with a bounded queue, or with a ``listener`` called for each event."""
        subscription = Subscription(self, topics, self.queue_size, listener)
        for topic in subscription.topics:
            self._by_topic[topic].add(subscription)
        await self._on_topics_added(subscription.topics)
        return subscription

    async def add_topics(self, subscription: Subscription, topics: Iterable[str]) -> None:
        new = set(topics) - subscription.topics
        subscription.topics |= new
        for topic in new:
            self._by_topic[topic].add(subscription)
        await self._on_topics_added(new)

    async def unsubscribe(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            subscribers = self._by_topic.get(topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._by_topic[topic]

    async def _on_topics_added(self, topics: set[str]) -> None:
        return None


class RedisHub(LocalHub):
    """Cross-process fan-out through one Redis pattern subscription per process."""

    def __init__(self, url: str, *, queue_size: int = 1000) -> None:
        super().__init__(queue_size=queue_size)
        self.url = url
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        # The loop keeps only weak references to tasks: hold each publish until it is done.
        self._publishing: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.url)
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(CHANNEL_PREFIX + "*")
        self._listener = asyncio.create_task(self._listen(pubsub))
        self._ready.set()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        await self._redis.publish(CHANNEL_PREFIX + topic, _dumps(event))

    def publish_soon(self, topic: str, event: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self.publish(topic, event))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"].decode()
                    data = message["data"]
                    self.deliver(
                        channel[len(CHANNEL_PREFIX) :],
                        data.decode() if isinstance(data, bytes) else data,
                    )
            except asyncio.CancelledError:
                await pubsub.aclose()
                raise
            except Exception:  # pragma: no cover - reconnect after a Redis hiccup
                log.exception("redis hub listener failed; reconnecting")
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await pubsub.psubscribe(CHANNEL_PREFIX + "*")


def make_hub(redis_url: str | None) -> LocalHub:
    return RedisHub(redis_url) if redis_url else LocalHub()
