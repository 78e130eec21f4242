"""Sharing use cases against the real database: shares, visits, first- and last-touch credit,
re-share parents, the report. Time moves with the clock, never with sleeps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import factories
from agora import catalog, sharing
from agora.core.clock import clock
from agora.core.errors import Forbidden, InvalidInput
from agora.core.events import Event, OutboxRelay
from agora.core.models import OutboxEvent
from agora.sharing.domain import new_visitor_id
from agora.sharing.handlers import credit_paid_order
from sharing.world import World

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_a_share_has_a_short_code_and_a_double_click_makes_one_share(world: World) -> None:
    clock.freeze(START)
    first = world.share(world.alice)
    again = world.share(world.alice)
    clock.travel(timedelta(seconds=61))
    later = world.share(world.alice)
    elsewhere = world.share(world.alice, channel="moments")

    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", first.code)
    assert first.url == f"/s/{first.code}"
    assert again.id == first.id
    assert len({first.id, later.id, elsewhere.id}) == 3
    assert world.count(sharing.Share) == 3
    assert (first.sharer_id, first.target_type, first.channel, first.parent_id) == (
        world.alice.id,
        "product",
        "external",
        None,
    )


def test_refused_shares_create_nothing(world: World) -> None:
    alice = factories.principal(world.alice)
    product_id = world.coat.product.id
    with pytest.raises(InvalidInput):
        sharing.create_share(
            world.uow, actor=alice, target_type="product", target_id=product_id, channel="fax"
        )
    with pytest.raises(InvalidInput):
        sharing.create_share(
            world.uow,
            actor=alice,
            target_type="spaceship",
            target_id=product_id,
            channel="external",
        )
    with world.uow:
        world.uow.session.execute(
            update(catalog.Product).where(catalog.Product.id == product_id).values(status="hidden")
        )
    with pytest.raises(sharing.TargetNotFound):
        world.share(world.alice)
    assert world.count(sharing.Share) == 0


def test_a_visit_is_recorded_and_lands_on_the_target(world: World) -> None:
    share = world.share(world.alice)
    visitor = new_visitor_id()
    landing = sharing.record_visit(
        world.uow, code=share.code, visitor_id=visitor, user_id=world.bob.id, ip_hash="h"
    )
    assert landing == f"/p/{world.coat.product.id}"
    with world.uow.read() as session:
        [visit] = session.scalars(select(sharing.ShareVisit)).all()
    assert (visit.share_id, visit.visitor_id, visit.user_id, visit.ip_hash) == (
        share.id,
        visitor,
        world.bob.id,
        "h",
    )
    with pytest.raises(sharing.ShareNotFound):
        sharing.record_visit(world.uow, code="nope1234", visitor_id=visitor, user_id=None)
    assert world.count(sharing.ShareVisit) == 1


def test_first_touch_credits_the_earliest_visit_within_30_days(world: World) -> None:
    clock.freeze(START)
    alices, bobs, carols = (
        world.share(world.alice),
        world.share(world.bob),
        world.share(world.carol),
    )
    visitor = world.visit(alices)  # 31 days before sign-up: too old
    clock.travel(timedelta(days=11))
    world.visit(bobs, visitor=visitor)  # 20 days before: the first touch
    clock.travel(timedelta(days=10))
    world.visit(carols, visitor=visitor)  # 10 days before
    clock.travel(timedelta(days=10))

    newcomer = world.sign_up(visitor)

    assert world.attributions("signup") == [
        (newcomer.id, bobs.code, "external", world.bob.id, newcomer.id, 0)
    ]
    # and the browser's anonymous visits are now the newcomer's
    with world.uow.read() as session:
        owners = set(session.scalars(select(sharing.ShareVisit.user_id)))
    assert owners == {newcomer.id}


def test_a_sign_up_after_only_old_visits_is_not_credited(world: World) -> None:
    clock.freeze(START)
    visitor = world.visit(world.share(world.alice))
    clock.travel(timedelta(days=30, seconds=1))
    world.sign_up(visitor)
    world.sign_up(None, name="No cookie")
    assert world.attributions("signup") == []


def test_last_touch_credits_the_latest_visit_within_7_days(world: World) -> None:
    clock.freeze(START)
    alices = world.share(world.alice, channel="moments")
    bobs = world.share(world.bob, channel="chat_group")
    carols = world.share(world.carol, channel="chat_direct")
    buyer = factories.make_user(world.uow, name="Dave")
    world.visit(alices, user=buyer)  # 8 days before paying: outside
    clock.travel(timedelta(days=3))
    world.visit(bobs, user=buyer)  # 5 days before
    clock.travel(timedelta(days=4))
    # 1 day before, signed out: counted once Dave signs in with that browser
    anonymous = world.visit(carols)
    sharing.link_visitor(world.uow, user_id=buyer.id, visitor_id=anonymous)
    clock.travel(timedelta(days=1))

    order = world.buy(buyer)

    assert world.attributions("order") == [
        (order.id, carols.code, "chat_direct", world.carol.id, buyer.id, 29900)
    ]


def test_an_order_after_only_old_visits_is_not_credited(world: World) -> None:
    clock.freeze(START)
    buyer = factories.make_user(world.uow, name="Dave")
    world.visit(world.share(world.alice), user=buyer)
    clock.travel(timedelta(days=7, seconds=1))
    world.buy(buyer)
    assert world.attributions("order") == []


def test_a_sharer_buying_through_their_own_share_is_not_credited(world: World) -> None:
    clock.freeze(START)
    world.visit(world.share(world.alice), user=world.alice)
    clock.travel(timedelta(hours=1))
    world.buy(world.alice)
    assert world.attributions("order") == []

    # a friend's earlier share still counts when the last click was on her own link
    bobs = world.share(world.bob)
    world.visit(bobs, user=world.alice)
    clock.travel(timedelta(hours=1))
    world.visit(world.share(world.alice, channel="moments"), user=world.alice)
    second = world.buy(world.alice)
    assert world.attributions("order") == [
        (second.id, bobs.code, "external", world.bob.id, world.alice.id, 29900)
    ]


def test_last_touch_counts_a_visit_exactly_7_days_old_and_the_later_of_one_instant(
    world: World,
) -> None:
    clock.freeze(START)
    buyer = factories.make_user(world.uow, name="Dave")
    alices = world.share(world.alice)
    world.visit(alices, user=buyer)
    clock.travel(timedelta(days=7))
    first = world.buy(buyer)

    bobs, carols = world.share(world.bob), world.share(world.carol)
    world.visit(bobs, user=buyer)
    world.visit(carols, user=buyer)  # the same instant, recorded after Bob's
    second = world.buy(buyer)

    assert world.attributions("order") == [
        (first.id, alices.code, "external", world.alice.id, buyer.id, 29900),
        (second.id, carols.code, "external", world.carol.id, buyer.id, 29900),
    ]


def test_a_visit_signed_in_as_someone_else_on_the_buyers_browser_is_not_theirs(
    world: World,
) -> None:
    clock.freeze(START)
    buyer = factories.make_user(world.uow, name="Dave")
    shared_laptop = world.visit(world.share(world.alice), user=world.bob)
    sharing.link_visitor(world.uow, user_id=buyer.id, visitor_id=shared_laptop)
    clock.travel(timedelta(hours=1))

    world.buy(buyer)

    assert world.attributions("order") == []


def test_a_redelivered_order_event_credits_once(world: World) -> None:
    buyer = factories.make_user(world.uow, name="Dave")
    world.visit(world.share(world.alice), user=buyer)
    order = world.buy(buyer)
    assert len(world.attributions("order")) == 1
    with world.uow.read() as session:
        row = session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "ordering.order_paid",
                OutboxEvent.payload["order_id"].as_string() == str(order.id),
            )
        )
        assert row is not None
    event = Event(row.id, row.event_type, dict(row.payload), tuple(row.topics), row.created_at)
    assert event.payload["buyer_id"] == str(buyer.id) and event.payload["total"] == 29900

    # when the relay delivers it again, and when the handler runs again without the relay's guard
    assert OutboxRelay(world.uow.db).handle(event)
    credit_paid_order(world.uow, event)

    assert len(world.attributions("order")) == 1


def test_a_re_share_remembers_whose_share_brought_the_sharer(world: World) -> None:
    clock.freeze(START)
    alices = world.share(world.alice)
    world.visit(alices, user=world.bob)
    clock.travel(timedelta(minutes=5))
    world.visit(world.share(world.bob), user=world.bob)  # his own earlier share is no parent
    clock.travel(timedelta(minutes=5))
    bobs = world.share(world.bob, channel="moments")
    assert bobs.parent_id == alices.id

    # Carol clicked Bob's share signed out, then signed in on that browser
    visitor = world.visit(bobs)
    sharing.link_visitor(world.uow, user_id=world.carol.id, visitor_id=visitor)
    carols = world.share(world.carol, channel="chat_group")
    assert carols.parent_id == bobs.id
    assert world.share(world.alice, channel="partner").parent_id is None


def test_my_shares_list_what_each_brought(world: World) -> None:
    first = world.share(world.alice)
    second = world.share(world.alice, channel="moments")
    world.share(world.bob)
    visitor = world.visit(first)
    world.visit(first)
    newcomer = world.sign_up(visitor)
    world.visit(second, user=newcomer)
    world.buy(newcomer)

    mine = sharing.list_my_shares(world.uow, actor=factories.principal(world.alice))

    assert [(m.share.id, m.visits, m.signups, m.orders, m.gmv) for m in mine] == [
        (second.id, 1, 0, 1, 29900),
        (first.id, 2, 1, 0, 0),
    ]
    assert mine[0].card is not None and mine[0].card.title_en == "Wool Coat"
    older = sharing.list_my_shares(
        world.uow, actor=factories.principal(world.alice), before=second.id
    )
    assert [m.share.id for m in older] == [first.id]


def test_the_report_sums_per_channel_and_per_sharer_for_operators_only(world: World) -> None:
    clock.freeze(START)
    old = world.share(world.carol, channel="chat_group")
    old_buyer = factories.make_user(world.uow, name="Old buyer")
    world.visit(old, user=old_buyer)
    world.buy(old_buyer)  # 40 days before the report: outside its 30 days
    clock.travel(timedelta(days=40))
    direct = world.share(world.alice, channel="chat_direct")
    moment = world.share(world.bob, channel="moments")
    visitor = world.visit(direct)
    newcomer = world.sign_up(visitor)
    world.buy(newcomer, quantity=2)
    world.visit(moment, user=world.carol)
    world.buy(world.carol)

    report = sharing.share_report(world.uow, actor=world.ops, days=30)

    by_channel = {
        r.key: (r.shares, r.visits, r.new_users, r.orders, r.gmv) for r in report.channels
    }
    assert by_channel == {
        "chat_direct": (1, 1, 1, 1, 59800),
        "chat_group": (0, 0, 0, 0, 0),
        "moments": (1, 1, 0, 1, 29900),
        "partner": (0, 0, 0, 0, 0),
        "external": (0, 0, 0, 0, 0),
    }
    assert [(r.label, r.new_users, r.orders, r.gmv) for r in report.sharers] == [
        ("Alice", 1, 1, 59800),
        ("Bob", 0, 1, 29900),
    ]
    assert (report.total.new_users, report.total.orders, report.total.gmv) == (1, 2, 89700)
    assert report.share_of_new_users("chat_direct") == 1.0
    wider = sharing.share_report(world.uow, actor=world.ops, days=60)
    assert wider.total.orders == 3

    with pytest.raises(Forbidden):
        sharing.share_report(world.uow, actor=factories.principal(world.alice))
    with pytest.raises(InvalidInput):
        sharing.share_report(world.uow, actor=world.ops, days=0)
