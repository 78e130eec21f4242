"""A room's life: scheduled with its store's products, live (early is fine), a product pinned,
ended — each by the store's staff only; everyone else is told the room does not exist, and
nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agora import catalog, live
from agora.core.clock import clock, utcnow
from agora.core.errors import InvalidInput
from agora.core.models import OutboxEvent
from live.world import STREAM, World


def _draft(world: World, **changes: object) -> live.RoomDraft:
    values: dict[str, object] = {
        "title": "Spring sale",
        "stream_url": STREAM,
        "starts_at": utcnow(),
        "product_ids": [world.coat.product.id],
    }
    values.update(changes)
    return live.RoomDraft(**values)  # type: ignore[arg-type]


def test_a_scheduled_room_lists_its_products_in_order(world: World) -> None:
    room = world.room
    assert (room.status, room.title, room.stream_url) == ("scheduled", "Winter coats, live", STREAM)
    assert [c.id for c in room.products] == [world.coat.product.id, world.scarf.product.id]
    assert [c.price for c in room.products] == [25900, 5900]  # each product's lowest SKU price
    assert room.pinned is None and room.deal is None
    assert (room.orders, room.gmv, room.started_at, room.ended_at) == (0, 0, None, None)


def test_the_room_goes_live_early_pins_and_ends(world: World) -> None:
    started = live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    assert started.status == "live" and started.started_at == utcnow()
    pinned = live.pin_product(
        world.uow, actor=world.merchant, room_id=world.room.id, product_id=world.scarf.product.id
    )
    assert pinned.pinned is not None and pinned.pinned.id == world.scarf.product.id
    ended = live.end_room(world.uow, actor=world.merchant, room_id=world.room.id)
    assert ended.status == "ended" and ended.ended_at is not None
    # the replay keeps the stream and the pinned product
    shown = live.room_detail(world.uow, actor=None, room_id=world.room.id)
    assert (shown.stream_url, shown.pinned and shown.pinned.id) == (STREAM, world.scarf.product.id)


def test_going_live_tells_the_followers_through_the_outbox(world: World) -> None:
    live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    with world.uow.read() as session:
        event = session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "live.room_started")
        )
    assert event is not None
    assert event.payload == {
        "room_id": str(world.room.id),
        "store_id": str(world.store.id),
        "title": "Winter coats, live",
    }
    assert sorted(event.topics) == sorted([f"store:{world.store.id}", f"live:{world.room.id}"])


def test_status_moves_only_forward(world: World) -> None:
    with pytest.raises(live.RoomStateConflict):
        live.end_room(world.uow, actor=world.merchant, room_id=world.room.id)
    live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    with pytest.raises(live.RoomStateConflict):
        live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    live.end_room(world.uow, actor=world.merchant, room_id=world.room.id)
    before = world.snapshot()
    for move in (live.go_live, live.end_room):
        with pytest.raises(live.RoomStateConflict):
            move(world.uow, actor=world.merchant, room_id=world.room.id)
    with pytest.raises(live.RoomNotLive):
        live.pin_product(
            world.uow, actor=world.merchant, room_id=world.room.id, product_id=world.coat.product.id
        )
    assert world.snapshot() == before


def test_pinning_needs_a_live_room_and_one_of_its_products(world: World) -> None:
    with pytest.raises(live.RoomNotLive):
        live.pin_product(
            world.uow, actor=world.merchant, room_id=world.room.id, product_id=world.coat.product.id
        )
    live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    before = world.snapshot()
    for product in (world.boots, world.dress):
        with pytest.raises(InvalidInput) as refused:
            live.pin_product(
                world.uow,
                actor=world.merchant,
                room_id=world.room.id,
                product_id=product.product.id,
            )
        assert refused.value.extra["errors"] == [
            {"field": "product_id", "message": "not a product of this room"}
        ]
    assert world.snapshot() == before


def test_another_stores_merchant_and_a_shopper_cannot_run_the_room(world: World) -> None:
    before = world.snapshot()
    for outsider in (world.other_merchant, world.people["amy"]):
        with pytest.raises(catalog.StoreNotFound):
            live.schedule_room(
                world.uow, actor=outsider, store_id=world.store.id, draft=_draft(world)
            )
        with pytest.raises(live.RoomNotFound):
            live.go_live(world.uow, actor=outsider, room_id=world.room.id)
        with pytest.raises(live.RoomNotFound):
            live.end_room(world.uow, actor=outsider, room_id=world.room.id)
        with pytest.raises(live.RoomNotFound):
            live.pin_product(
                world.uow, actor=outsider, room_id=world.room.id, product_id=world.coat.product.id
            )
    assert world.snapshot() == before
    # an operator may (support)
    assert live.go_live(world.uow, actor=world.ops, room_id=world.room.id).status == "live"


def test_a_room_sells_only_its_own_stores_products(world: World) -> None:
    before = world.snapshot()
    with pytest.raises(InvalidInput) as refused:
        live.schedule_room(
            world.uow,
            actor=world.merchant,
            store_id=world.store.id,
            draft=_draft(world, product_ids=[world.coat.product.id, world.dress.product.id]),
        )
    assert refused.value.extra["errors"] == [
        {"field": "product_ids", "message": "not a product of this store"}
    ]
    assert world.snapshot() == before


def test_bad_details_are_refused_each_named(world: World) -> None:
    before = world.snapshot()
    with pytest.raises(InvalidInput) as refused:
        live.schedule_room(
            world.uow,
            actor=world.merchant,
            store_id=world.store.id,
            draft=_draft(
                world,
                title="x" * 81,
                stream_url="rtmp://streams.example.com/x",
                cover_url="javascript:alert(1)",
                starts_at=utcnow() - timedelta(minutes=5),
                product_ids=[],
            ),
        )
    assert {e["field"] for e in refused.value.extra["errors"]} == {
        "title",
        "stream_url",
        "cover_url",
        "starts_at",
        "product_ids",
    }
    assert world.snapshot() == before


def test_the_public_list_is_newest_first_by_status(world: World) -> None:
    clock.travel(timedelta(seconds=1))
    second = live.schedule_room(
        world.uow, actor=world.merchant, store_id=world.store.id, draft=_draft(world)
    )
    live.go_live(world.uow, actor=world.merchant, room_id=second.id)
    assert [r.id for r in live.list_rooms(world.uow)] == [second.id, world.room.id]
    assert [r.id for r in live.list_rooms(world.uow, status="live")] == [second.id]
    assert [r.id for r in live.list_rooms(world.uow, status="scheduled")] == [world.room.id]
    assert live.list_rooms(world.uow, status="ended") == []
