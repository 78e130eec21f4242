"""Real-time fan-out: LocalHub in one process, RedisHub across processes."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import pytest

from agora.core.realtime import LocalHub, RedisHub, Subscription, make_hub
from conftest import REDIS_URL

QUIET = 0.02  # how long to wait before concluding that nothing more is coming


async def drain(subscription: Subscription) -> list[tuple[str, dict[str, Any]] | None]:
    """Everything already queued, then stop."""
    items: list[tuple[str, dict[str, Any]] | None] = []
    while not subscription.queue.empty():
        items.append(await subscription.get(timeout=1))
    return items


def test_a_subscriber_receives_events_on_its_topics_only() -> None:
    async def scenario() -> tuple[list[Any], list[Any]]:
        hub = LocalHub()
        alice = await hub.subscribe(["user:1", "conv:7"])
        bob = await hub.subscribe(["user:2"])

        await hub.publish("user:1", {"type": "hello", "n": 1})
        await hub.publish("conv:7", {"type": "message", "text": "你好"})
        await hub.publish("user:3", {"type": "elsewhere"})
        return await drain(alice), await drain(bob)

    alice, bob = asyncio.run(scenario())

    assert alice == [
        ("user:1", {"type": "hello", "n": 1}),
        ("conv:7", {"type": "message", "text": "你好"}),
    ]
    assert bob == []


def test_publishing_to_a_topic_nobody_follows_is_harmless() -> None:
    async def scenario() -> None:
        await LocalHub().publish("room:404", {"type": "like"})

    asyncio.run(scenario())


def test_unsubscribe_stops_delivery_and_forgets_empty_topics() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any]]:
        hub = LocalHub()
        leaving = await hub.subscribe(["room:1"])
        staying = await hub.subscribe(["room:1"])
        await hub.publish("room:1", {"n": 1})

        await leaving.close()
        await hub.publish("room:1", {"n": 2})
        got = await drain(leaving), await drain(staying)

        await staying.close()
        return *got, list(hub._by_topic)

    leaving, staying, topics = asyncio.run(scenario())

    assert leaving == [("room:1", {"n": 1})]
    assert staying == [("room:1", {"n": 1}), ("room:1", {"n": 2})]
    assert topics == []


def test_add_topics_extends_a_subscription() -> None:
    async def scenario() -> tuple[list[Any], set[str]]:
        hub = LocalHub()
        subscription = await hub.subscribe(["user:1"])
        await hub.publish("conv:9", {"n": 0})

        await hub.add_topics(subscription, ["conv:9", "user:1"])
        await hub.publish("conv:9", {"n": 1})
        await hub.publish("user:1", {"n": 2})
        return await drain(subscription), subscription.topics

    received, topics = asyncio.run(scenario())

    assert received == [("conv:9", {"n": 1}), ("user:1", {"n": 2})]
    assert topics == {"user:1", "conv:9"}


def test_one_serialized_payload_reaches_every_subscriber() -> None:
    async def scenario() -> list[tuple[str, str] | None]:
        hub = LocalHub()
        subscriptions = [await hub.subscribe(["room:1"]) for _ in range(50)]
        await hub.publish("room:1", {"type": "likes", "count": 12})
        return [await s.get_raw() for s in subscriptions]

    raw = asyncio.run(scenario())

    assert len(raw) == 50
    assert raw[0] == ("room:1", '{"type":"likes","count":12}')
    # Serialized once: every subscriber holds the very same string object.
    assert all(item is not None and item[1] is raw[0][1] for item in raw)


def test_values_json_cannot_encode_are_sent_as_text() -> None:
    import uuid
    from datetime import UTC, datetime

    ident = uuid.UUID("0190f3d2-7c1a-7000-8000-000000000001")

    async def scenario() -> Any:
        hub = LocalHub()
        subscription = await hub.subscribe(["t"])
        await hub.publish("t", {"id": ident, "at": datetime(2025, 3, 1, tzinfo=UTC)})
        return await subscription.get(timeout=1)

    assert asyncio.run(scenario()) == (
        "t",
        {"id": "0190f3d2-7c1a-7000-8000-000000000001", "at": "2025-03-01 00:00:00+00:00"},
    )


def test_a_subscriber_that_falls_behind_is_dropped_while_others_keep_receiving() -> None:
    async def scenario() -> tuple[list[Any], list[Any], bool, bool]:
        hub = LocalHub(queue_size=2)
        slow = await hub.subscribe(["room:1"])
        fast = await hub.subscribe(["room:1"])
        fast_received: list[Any] = []

        for n in range(1, 6):
            await hub.publish("room:1", {"n": n})
            fast_received.append(await fast.get(timeout=1))

        slow_received = [await slow.get(timeout=1) for _ in range(2)]
        # Dropped for good: nothing more arrives, even once its queue has room again
        await hub.publish("room:1", {"n": 6})
        fast_received.append(await fast.get(timeout=1))
        slow_received.append(await slow.get(timeout=QUIET))
        return slow_received, fast_received, slow.dropped, fast.dropped

    slow, fast, slow_dropped, fast_dropped = asyncio.run(scenario())

    assert (slow_dropped, fast_dropped) == (True, False)
    # The queue ends with the drop marker, so a reader learns it must resync.
    assert slow == [("room:1", {"n": 2}), None, None]
    assert fast == [("room:1", {"n": n}) for n in range(1, 7)]


def test_iterating_a_dropped_subscription_ends() -> None:
    async def scenario() -> list[Any]:
        hub = LocalHub(queue_size=1)
        subscription = await hub.subscribe(["t"])
        for n in range(3):
            await hub.publish("t", {"n": n})
        return [item async for item in subscription]

    assert asyncio.run(scenario()) == []


def test_get_times_out_with_none_when_nothing_arrives() -> None:
    async def scenario() -> Any:
        subscription = await LocalHub().subscribe(["t"])
        return await subscription.get(timeout=QUIET)

    assert asyncio.run(scenario()) is None


def test_make_hub_chooses_by_configuration() -> None:
    assert type(make_hub(None)) is LocalHub
    assert type(make_hub("")) is LocalHub
    hub = make_hub("redis://127.0.0.1:6379/0")
    assert type(hub) is RedisHub
    assert hub.url == "redis://127.0.0.1:6379/0"


@pytest.mark.skipif(REDIS_URL is None, reason="AGORA_TEST_REDIS_URL is not set (no Redis server)")
def test_an_event_published_in_one_process_reaches_a_subscriber_in_another() -> None:
    assert REDIS_URL is not None
    run = secrets.token_hex(6)
    topic = f"conv:test-{run}"
    warmup_topic = f"warmup:test-{run}"

    async def wait_until_connected(publisher: RedisHub, listener: RedisHub) -> None:
        # PSUBSCRIBE and PUBLISH travel on different connections: ping until the listener hears.
        probe = await listener.subscribe([warmup_topic])
        try:
            async with asyncio.timeout(10):
                while await probe.get(timeout=0.05) is None:
                    await publisher.publish(warmup_topic, {"type": "ping"})
        finally:
            await probe.close()

    async def scenario() -> tuple[list[Any], list[Any], list[Any]]:
        hub_a, hub_b = RedisHub(REDIS_URL), RedisHub(REDIS_URL)
        await hub_a.start()
        await hub_b.start()
        try:
            await wait_until_connected(hub_a, hub_b)
            await wait_until_connected(hub_b, hub_a)
            on_b = await hub_b.subscribe([topic])
            on_a = await hub_a.subscribe([topic])
            elsewhere = await hub_b.subscribe([f"{topic}-other"])

            await hub_a.publish(topic, {"type": "message.sent", "seq": 1, "text": "你好"})

            received_b = [await on_b.get(timeout=5), await on_b.get(timeout=QUIET * 5)]
            received_a = [await on_a.get(timeout=5), await on_a.get(timeout=QUIET * 5)]
            other = [await elsewhere.get(timeout=QUIET)]
            return received_b, received_a, other
        finally:
            await hub_a.stop()
            await hub_b.stop()

    received_b, received_a, other = asyncio.run(scenario())

    event = (topic, {"type": "message.sent", "seq": 1, "text": "你好"})
    assert received_b == [event, None]  # exactly once
    assert received_a == [event, None]  # the publishing process's own subscribers too
    assert other == [None]


@pytest.mark.skipif(REDIS_URL is None, reason="AGORA_TEST_REDIS_URL is not set (no Redis server)")
def test_redis_hub_sends_the_payload_as_compact_json() -> None:
    assert REDIS_URL is not None
    topic = f"room:test-{secrets.token_hex(6)}"

    async def scenario() -> Any:
        import redis.asyncio as aioredis

        client = aioredis.from_url(REDIS_URL)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(f"agora:{topic}")
        hub = RedisHub(REDIS_URL)
        await hub.start()
        try:
            async with asyncio.timeout(10):
                while True:
                    await hub.publish(topic, {"type": "likes", "count": 3})
                    message = await pubsub.get_message(timeout=0.05)
                    if message is not None:
                        return message["data"]
        finally:
            await hub.stop()
            await pubsub.aclose()
            await client.aclose()

    data = asyncio.run(scenario())

    assert data == b'{"type":"likes","count":3}'
    assert json.loads(data) == {"type": "likes", "count": 3}


def test_a_service_thread_publishes_through_the_runtime_after_commit(db: Any) -> None:
    """Services run in worker threads; their units of work reach the hub on the event loop."""
    from agora.config import Settings
    from agora.runtime import Runtime

    runtime = Runtime.build(Settings(database_url=db.url, redis_url=None), db=db)

    async def scenario() -> list[Any]:
        await runtime.start(workers=False)
        subscription = await runtime.hub.subscribe(["conv:9"])

        def service() -> None:
            with runtime.uow() as uow:
                uow.publish("conv:9", {"seq": 1})

        await asyncio.to_thread(service)
        try:
            return [await subscription.get(timeout=2)]
        finally:
            await runtime.shutdown()

    assert asyncio.run(scenario()) == [("conv:9", {"seq": 1})]


def test_listeners_are_called_during_the_publish_with_one_parsed_event() -> None:
    async def scenario() -> list[tuple[str, str, dict[str, Any]]]:
        hub = LocalHub()
        calls: list[tuple[str, str, dict[str, Any]]] = []
        for _ in range(3):
            await hub.subscribe(["conv:1"], listener=lambda *call: calls.append(call))
        hub.publish_soon("conv:1", {"type": "message", "seq": 1})
        return calls  # no await in between: delivered within the publish itself

    calls = asyncio.run(scenario())

    assert [(topic, data) for topic, data, _ in calls] == [
        ("conv:1", '{"type":"message","seq":1}')
    ] * 3
    assert calls[0][2] == {"type": "message", "seq": 1}
    # Serialized and parsed once: every listener holds the very same objects.
    assert all(c[1] is calls[0][1] and c[2] is calls[0][2] for c in calls)


def test_a_failing_listener_does_not_stop_the_fan_out() -> None:
    def broken(topic: str, data: str, event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    async def scenario() -> list[Any]:
        hub = LocalHub()
        await hub.subscribe(["room:1"], listener=broken)
        queued = await hub.subscribe(["room:1"])
        await hub.publish("room:1", {"n": 1})
        return [await queued.get(timeout=1)]

    assert asyncio.run(scenario()) == [("room:1", {"n": 1})]
