"""Live rooms' likes and viewers: counted in memory, one aggregate per room per flush.

The Redis tests (two presences on one Redis, as two processes would have) need
``AGORA_TEST_REDIS_URL``; the others run on local memory.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from agora.core.errors import InvalidInput
from agora.core.realtime import LocalHub, RedisHub, Subscription
from agora.live.presence import KEY_PREFIX, MAX_TAPS_PER_CALL, Presence, Totals, room_topic
from conftest import REDIS_URL

INTERVAL = 0.05  # the flush interval in these tests
QUIET = INTERVAL * 4  # how long to wait before concluding that nothing more is coming
needs_redis = pytest.mark.skipif(
    REDIS_URL is None, reason="AGORA_TEST_REDIS_URL is not set (no Redis server)"
)


def new_room() -> str:
    return f"test-{secrets.token_hex(6)}"


async def received(subscription: Subscription, *, quiet: float = QUIET) -> list[dict[str, Any]]:
    """Every event that arrives until nothing has come for ``quiet`` seconds."""
    events: list[dict[str, Any]] = []
    while (item := await subscription.get(timeout=quiet)) is not None:
        events.append(item[1])
    return events


async def wait_for(
    subscription: Subscription, wanted: Callable[[dict[str, Any]], bool], *, timeout: float = 5
) -> list[dict[str, Any]]:
    """Events up to and including the first one ``wanted`` accepts (fails after ``timeout``)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            item = await subscription.get()
            assert item is not None, "the subscription was dropped"
            events.append(item[1])
            if wanted(item[1]):
                return events


def counts(likes: int, viewers: int) -> Callable[[dict[str, Any]], bool]:
    return lambda event: (event["likes"], event["viewers"]) == (likes, viewers)


# -- one process, no Redis -------------------------------------------------------------------


def test_a_thousand_taps_from_many_tasks_in_one_window_are_one_message() -> None:
    room = new_room()

    async def scenario() -> list[dict[str, Any]]:
        hub = LocalHub()
        presence = Presence(hub, interval=INTERVAL)
        subscription = await hub.subscribe([room_topic(room)])
        await presence.start()

        async def viewer() -> None:
            for _ in range(10):
                presence.tap(room)

        try:
            await asyncio.gather(*(viewer() for _ in range(100)))
            return await received(subscription)
        finally:
            await presence.stop()

    events = asyncio.run(scenario())

    assert events == [{"type": "live.counts", "room_id": room, "likes": 1000, "viewers": 0}]


def test_taps_across_windows_add_up_and_each_window_is_one_message() -> None:
    room = uuid.uuid4()  # a UUID or its text: one room either way

    async def scenario() -> tuple[list[dict[str, Any]], Totals]:
        hub = LocalHub()
        presence = Presence(hub, interval=60)  # flushed by hand: the windows are the test's
        subscription = await hub.subscribe([room_topic(room)])
        for _ in range(250):
            presence.tap(room)
        await presence.flush()
        presence.tap(str(room), 40)
        presence.tap(room, 2)
        await presence.flush()
        await presence.flush()  # nothing new: nothing sent
        return await received(subscription), presence.totals(room)

    events, totals = asyncio.run(scenario())

    assert [event["likes"] for event in events] == [250, 292]
    assert {event["room_id"] for event in events} == {str(room)}
    assert totals == Totals(likes=292, viewers=0, peak_viewers=0)


def test_nothing_is_published_for_a_room_without_changes() -> None:
    busy, quiet = new_room(), new_room()

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        hub = LocalHub()
        presence = Presence(hub, interval=INTERVAL)
        presence.join(quiet, "connection-1", "user-1")
        await presence.flush()  # the quiet room's one viewer, counted before anyone listens
        on_busy = await hub.subscribe([room_topic(busy)])
        on_quiet = await hub.subscribe([room_topic(quiet)])
        await presence.start()
        try:
            presence.tap(busy, 5)
            return await received(on_busy, quiet=QUIET * 2), await received(on_quiet)
        finally:
            await presence.stop()

    busy_events, quiet_events = asyncio.run(scenario())

    assert busy_events == [{"type": "live.counts", "room_id": busy, "likes": 5, "viewers": 0}]
    assert quiet_events == []


def test_viewers_count_each_user_once_and_each_anonymous_connection_once() -> None:
    room = new_room()

    async def scenario() -> list[Totals]:
        presence = Presence(LocalHub(), interval=60)
        seen: list[Totals] = []

        async def flushed() -> None:
            await presence.flush()
            seen.append(presence.totals(room))

        presence.join(room, "tab-1", "user-1")
        presence.join(room, "tab-2", "user-1")  # the same user in a second tab
        presence.join(room, "tab-2", "user-1")  # the same connection joining again
        presence.join(room, "anonymous-1")
        presence.join(room, "anonymous-2")
        presence.join(room, "host", "merchant-1", counted=False)  # told, not counted
        await flushed()  # 3: user-1 and two anonymous connections
        presence.leave(room, "tab-1")
        await flushed()  # user-1 still watches in tab-2
        presence.leave(room, "tab-2")
        presence.leave(room, "anonymous-1")
        presence.leave(room, "never-joined")
        presence.leave(new_room(), "tab-1")
        await flushed()
        return seen

    assert asyncio.run(scenario()) == [
        Totals(likes=0, viewers=3, peak_viewers=3),
        Totals(likes=0, viewers=3, peak_viewers=3),
        Totals(likes=0, viewers=1, peak_viewers=3),  # the peak is kept
    ]


def test_joins_and_leaves_are_published_as_the_viewer_count() -> None:
    room = new_room()

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        hub = LocalHub()
        presence = Presence(hub, interval=INTERVAL)
        subscription = await hub.subscribe([room_topic(room)])
        await presence.start()
        try:
            for n in range(4):
                presence.join(room, f"connection-{n}", f"user-{n}")
            presence.tap(room, 3)
            first = await wait_for(subscription, counts(3, 4))
            presence.leave(room, "connection-0")
            presence.leave(room, "connection-1")
            presence.join(room, "connection-9", "user-9")
            events = first + await wait_for(subscription, counts(3, 3))
            events += await received(subscription)
            return events, presence.snapshot(room)
        finally:
            await presence.stop()

    events, snapshot = asyncio.run(scenario())

    assert [(event["likes"], event["viewers"]) for event in events] == [(3, 4), (3, 3)]
    assert snapshot == {"type": "live.counts", "room_id": room, "likes": 3, "viewers": 3}


def test_stopping_flushes_the_last_taps() -> None:
    room = new_room()

    async def scenario() -> tuple[list[dict[str, Any]], Totals]:
        hub = LocalHub()
        presence = Presence(hub, interval=60)
        subscription = await hub.subscribe([room_topic(room)])
        await presence.start()
        presence.tap(room, 7)
        await presence.stop()
        return await received(subscription), await presence.read_totals(room)

    events, totals = asyncio.run(scenario())

    assert [event["likes"] for event in events] == [7]
    assert totals == Totals(likes=7, viewers=0, peak_viewers=0)


@pytest.mark.parametrize("count", [0, -1, MAX_TAPS_PER_CALL + 1, True, "3", 2.0])
def test_a_tap_count_out_of_bounds_is_refused(count: Any) -> None:
    room = new_room()
    presence = Presence(LocalHub())

    with pytest.raises(InvalidInput):
        presence.tap(room, count)
    presence.tap(room, MAX_TAPS_PER_CALL)

    asyncio.run(presence.flush())
    assert presence.totals(room).likes == MAX_TAPS_PER_CALL


def test_an_unknown_room_has_no_counts_and_a_forgotten_room_is_dropped() -> None:
    room = new_room()
    presence = Presence(LocalHub())
    presence.tap(room, 4)
    asyncio.run(presence.flush())

    presence.forget(room)

    assert presence.totals(room) == Totals(0, 0, 0)
    assert presence.totals(new_room()) == Totals(0, 0, 0)


# -- two processes on one Redis --------------------------------------------------------------


async def clean(room: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await client.delete(f"{KEY_PREFIX}{room}:counts", f"{KEY_PREFIX}{room}:viewers")
    finally:
        await client.aclose()


@needs_redis
def test_two_processes_count_each_tap_once_and_sum_their_viewers() -> None:
    room = new_room()

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], Totals]:
        hub_a, hub_b = RedisHub(REDIS_URL or ""), RedisHub(REDIS_URL or "")
        await hub_a.start()
        await hub_b.start()
        a = Presence(hub_a, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=2)
        b = Presence(hub_b, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=2)
        on_a = await hub_a.subscribe([room_topic(room)])
        on_b = await hub_b.subscribe([room_topic(room)])
        await a.start()
        await b.start()
        try:
            for n in range(2):
                a.join(room, f"a-{n}", f"user-a{n}")
            for n in range(3):
                b.join(room, f"b-{n}", f"user-b{n}")
            a.join(room, "host", "merchant", counted=False)

            async def viewer(presence: Presence, taps: int) -> None:
                for _ in range(taps):
                    presence.tap(room)
                    await asyncio.sleep(0)

            await asyncio.gather(
                *(viewer(a, 30) for _ in range(10)), *(viewer(b, 20) for _ in range(10))
            )
            seen_a = await wait_for(on_a, counts(500, 5))
            seen_b = await wait_for(on_b, counts(500, 5))
            seen_a += await received(on_a)
            seen_b += await received(on_b)
            return seen_a, seen_b, await b.read_totals(room)
        finally:
            await a.stop()
            await b.stop()
            await hub_a.stop()
            await hub_b.stop()
            await clean(room)

    seen_a, seen_b, totals = asyncio.run(scenario())

    for seen in (seen_a, seen_b):
        # Each process ends on the same totals, each one once: its own subscribers only, never
        # a second copy relayed through Redis by the other process.
        assert seen[-1] == {"type": "live.counts", "room_id": room, "likes": 500, "viewers": 5}
        assert [(event["likes"], event["viewers"]) for event in seen].count((500, 5)) == 1
        assert all(event["likes"] <= 500 and event["viewers"] <= 5 for event in seen)
    assert totals == Totals(likes=500, viewers=5, peak_viewers=5)


@needs_redis
def test_a_crashed_process_viewers_drop_out_after_the_expiry_and_the_peak_is_kept() -> None:
    room = new_room()

    async def scenario() -> tuple[float, Totals, Totals]:
        loop = asyncio.get_running_loop()
        hub_a, hub_b = LocalHub(), LocalHub()
        a = Presence(hub_a, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=0.4)
        b = Presence(hub_b, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=0.4)
        on_a = await hub_a.subscribe([room_topic(room)])
        await a.start()
        await b.start()
        try:
            a.join(room, "a-0", "user-a0")
            for n in range(3):
                b.join(room, f"b-{n}", f"user-b{n}")
            b.tap(room, 9)
            await wait_for(on_a, counts(9, 4))
            crashed_at = loop.time()
            await b.stop(withdraw=False)  # no goodbye: its field has to expire
            await wait_for(on_a, counts(9, 1))
            gone_after = loop.time() - crashed_at
            return gone_after, a.totals(room), await a.read_totals(room)
        finally:
            await a.stop()
            await clean(room)

    gone_after, totals, read = asyncio.run(scenario())

    assert 0.25 < gone_after < 3
    assert totals == Totals(likes=9, viewers=1, peak_viewers=4)
    assert read == Totals(likes=9, viewers=1, peak_viewers=4)


@needs_redis
def test_a_process_that_stops_cleanly_withdraws_its_viewers_at_once() -> None:
    room = new_room()

    async def scenario() -> tuple[float, Totals]:
        loop = asyncio.get_running_loop()
        hub_a, hub_b = LocalHub(), LocalHub()
        a = Presence(hub_a, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=30)
        b = Presence(hub_b, redis_url=REDIS_URL, interval=INTERVAL, viewer_ttl=30)
        on_a = await hub_a.subscribe([room_topic(room)])
        await a.start()
        await b.start()
        try:
            a.join(room, "a-0", "user-a0")
            b.join(room, "b-0", "user-b0")
            b.join(room, "b-1")
            await wait_for(on_a, counts(0, 3))
            b.tap(room, 2)  # taken just before the stop: still counted
            stopped_at = loop.time()
            await b.stop()
            await wait_for(on_a, counts(2, 1))
            return loop.time() - stopped_at, await a.read_totals(room)
        finally:
            await a.stop()
            await clean(room)

    gone_after, totals = asyncio.run(scenario())

    assert gone_after < 2  # well before the 30 s expiry
    assert totals == Totals(likes=2, viewers=1, peak_viewers=3)


@needs_redis
def test_any_process_reads_a_room_summary_from_redis() -> None:
    room = new_room()

    async def scenario() -> Totals:
        a = Presence(LocalHub(), redis_url=REDIS_URL, interval=INTERVAL)
        elsewhere = Presence(LocalHub(), redis_url=REDIS_URL, interval=INTERVAL)
        await a.start()
        await elsewhere.start()
        try:
            a.join(room, "a-0", "user-a0")
            a.join(room, "a-1", "user-a1")
            a.tap(room, 11)
            await a.flush()
            return await elsewhere.read_totals(room)  # no viewers of the room there
        finally:
            await a.stop()
            await elsewhere.stop()
            await clean(room)

    assert asyncio.run(scenario()) == Totals(likes=11, viewers=2, peak_viewers=2)


@needs_redis
def test_taps_are_kept_when_redis_has_lost_the_script() -> None:
    """After a Redis restart the script is gone: that flush fails, keeps its taps, loads the
    script again, and the next flush counts them once."""
    from redis.exceptions import NoScriptError

    room = new_room()

    async def scenario() -> tuple[Totals, Totals]:
        presence = Presence(LocalHub(), redis_url=REDIS_URL, interval=60, viewer_ttl=600)
        await presence.start()
        try:
            presence.tap(room, 6)
            presence._script_sha = "0" * 40  # as if Redis had restarted since it was loaded
            with pytest.raises(NoScriptError):
                await presence.flush()
            before = presence.totals(room)
            await presence.flush()
            return before, await presence.read_totals(room)
        finally:
            await presence.stop()
            await clean(room)

    before, after = asyncio.run(scenario())

    assert before == Totals(0, 0, 0)
    assert after == Totals(likes=6, viewers=0, peak_viewers=0)
