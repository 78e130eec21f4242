"""Referral rewards against the real database: sharing's real links and sign-ups, ordering's real
orders taken to completed, and the relay delivering ``ordering.order_settled``. Time moves with
the clock, never with sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import factories
from agora import ledger, referrals, sharing
from agora.core.clock import clock
from agora.core.errors import Forbidden, InvalidInput
from agora.core.events import Event, OutboxRelay
from agora.core.models import OutboxEvent
from agora.referrals.handlers import reward_referrer
from referrals.world import World

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
REWARD = 500


def test_a_referred_newcomers_first_completed_order_rewards_the_sharer_once(
    world: World,
) -> None:
    # Given a newcomer who signed up through Alice's link
    newcomer = world.referred("Dora")

    # When their first order is paid, nothing yet; when it completes, Alice is rewarded
    first = world.paid_order(newcomer)
    world.deliver()
    assert world.rewards() == []
    world.complete(first)

    assert world.rewards() == [(newcomer.id, world.alice.id, first.id, REWARD, "granted", [])]
    assert world.points(world.alice) == REWARD

    # And a second completed order adds nothing
    world.buy(newcomer)
    assert len(world.rewards()) == 1
    assert world.points(world.alice) == REWARD
    assert ledger.check(world.uow).ok


def test_no_reward_without_a_credited_sign_up(world: World) -> None:
    # Given Bob, who signed up without any share, and Carol, who clicked only her own link
    world.buy(world.bob)
    carol = world.sign_up(None, "Carol")
    world.click(world.share(carol), user=carol)
    world.buy(carol)

    assert world.rewards() == []
    assert world.points(world.alice) == 0


def test_a_sign_up_in_the_sharers_own_browser_is_withheld_as_self_referral(world: World) -> None:
    # Given Alice's browser (she signed in with it) clicking her own link, signed out, and a
    # new account made there
    browser = sharing.domain.new_visitor_id()
    sharing.link_visitor(world.uow, user_id=world.alice.id, visitor_id=browser)
    other = world.sign_up(world.click(world.share(world.alice), visitor=browser), "Alias")

    order = world.buy(other)

    assert world.rewards() == [
        (other.id, world.alice.id, order.id, REWARD, "withheld", ["self_referral"])
    ]
    assert world.points(world.alice) == 0


def test_the_sharers_own_address_is_self_referral(world: World) -> None:
    # Given Alice's earlier click on Bob's link, signed in, from one address
    world.click(world.share(world.bob), user=world.alice, ip="addr-alice-home")
    # When a newcomer from another browser but that address signs up through Alice's link
    newcomer = world.referred("Alias", ip="addr-alice-home")
    world.buy(newcomer)

    [(_referee, _referrer, _order, _points, status, reasons)] = world.rewards()
    assert (status, reasons) == ("withheld", ["self_referral"])
    assert world.points(world.alice) == 0


def test_a_referee_later_signing_in_on_the_sharers_browser_is_self_referral(
    world: World,
) -> None:
    browser = sharing.domain.new_visitor_id()
    sharing.link_visitor(world.uow, user_id=world.alice.id, visitor_id=browser)
    alias = world.referred("Alias")
    # (a later click from Alice's address is no signal: many people share an address)
    world.click(world.share(world.bob), user=world.alice, ip="addr-office")
    world.click(world.share(world.bob), user=alias, ip="addr-office")
    friend = world.referred("Friend")
    world.click(world.share(world.bob), user=friend, ip="addr-office")
    # when the alias signs in with Alice's browser before its first order completes
    sharing.link_visitor(world.uow, user_id=alias.id, visitor_id=browser)
    world.buy(alias)
    world.buy(friend)

    statuses = {referee: (status, reasons) for referee, _, _, _, status, reasons in world.rewards()}
    assert statuses == {alias.id: ("withheld", ["self_referral"]), friend.id: ("granted", [])}


def test_three_sign_ups_from_one_browser_are_a_device_cluster(world: World) -> None:
    clock.freeze(START)
    share = world.share(world.alice)
    browser = world.click(share, ip="addr-1")
    accounts = []
    for n in range(3):
        clock.travel(timedelta(days=2))
        accounts.append(world.sign_up(browser, f"Farm {n}"))
    # (each sign-up came through the browser's first click, from its one address)
    world.buy(accounts[0])

    [(referee, _referrer, _order, _points, status, reasons)] = world.rewards()
    assert (referee, status) == (accounts[0].id, "withheld")
    assert reasons == ["device_cluster", "ip_cluster"]
    assert world.points(world.alice) == 0


def test_three_sign_ups_from_one_address_are_an_address_cluster(world: World) -> None:
    accounts = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(accounts[2])

    [(referee, _referrer, _order, _points, status, reasons)] = world.rewards()
    assert (referee, status, reasons) == (accounts[2].id, "withheld", ["ip_cluster"])


def test_two_sign_ups_from_one_browser_or_sign_ups_a_window_apart_are_no_cluster(
    world: World,
) -> None:
    # Given a shared family computer: two accounts (below the cluster size of 3) ...
    clock.freeze(START)
    browser = world.click(world.share(world.alice), ip="addr-family")
    mother = world.sign_up(browser, "Mother")
    # ... and, 31 days later, two more people from that address (the first sign-up is then
    # outside the 30-day window of the last)
    clock.travel(timedelta(days=20))
    father = world.referred("Father", ip="addr-family")
    clock.travel(timedelta(days=11))
    son = world.referred("Son", ip="addr-family")

    world.buy(son)
    world.buy(mother)

    rewards = {referee: (status, reasons) for referee, _, _, _, status, reasons in world.rewards()}
    # the son sees father and himself at the address within 30 days: 2, no cluster;
    # the mother sees herself in her browser (1), and father at her address (2): no cluster
    assert rewards == {son.id: ("granted", []), mother.id: ("granted", [])}
    assert world.points(world.alice) == 2 * REWARD
    assert father.id not in rewards


def test_an_operator_releases_a_withheld_reward_once(world: World) -> None:
    clock.freeze(START)
    accounts = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(accounts[0])
    reward_id = world.reward_id(accounts[0])
    clock.travel(timedelta(hours=1))

    released = referrals.release_reward(world.uow, actor=world.ops, reward_id=reward_id)

    assert (released.status, released.points, released.reasons) == (
        "released",
        REWARD,
        ("ip_cluster",),
    )
    assert released.decided_at == START + timedelta(hours=1)
    assert released.decided_by == world.ops.user_id and released.decided_by_name == "Operator"
    assert (released.referrer_name, released.referee_name) == ("Alice", "Farm 0")
    assert world.points(world.alice) == REWARD

    # released again: refused, and no second payment
    with pytest.raises(referrals.RewardNotWithheld):
        referrals.release_reward(world.uow, actor=world.ops, reward_id=reward_id)
    assert world.points(world.alice) == REWARD
    assert [r[4] for r in world.rewards()] == ["released"]


def test_a_granted_reward_cannot_be_released_and_unknown_ones_are_not_found(world: World) -> None:
    newcomer = world.referred()
    world.buy(newcomer)
    with pytest.raises(referrals.RewardNotWithheld):
        referrals.release_reward(world.uow, actor=world.ops, reward_id=world.reward_id(newcomer))
    with pytest.raises(referrals.RewardNotFound):
        referrals.release_reward(world.uow, actor=world.ops, reward_id=world.alice.id)
    assert world.points(world.alice) == REWARD


def test_shoppers_can_neither_release_nor_list_rewards(world: World) -> None:
    accounts = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(accounts[0])
    reward_id = world.reward_id(accounts[0])

    for shopper in (world.alice, world.bob):
        with pytest.raises(Forbidden):
            referrals.release_reward(
                world.uow, actor=factories.principal(shopper), reward_id=reward_id
            )
        with pytest.raises(Forbidden):
            referrals.list_rewards(world.uow, actor=factories.principal(shopper))

    assert [r[4] for r in world.rewards()] == ["withheld"]
    assert world.points(world.alice) == 0


def test_operators_list_rewards_by_status_with_names_and_reasons(world: World) -> None:
    clean = world.referred("Dora")
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(clean)
    world.buy(farm[1])

    everything = referrals.list_rewards(world.uow, actor=world.ops)
    withheld = referrals.list_rewards(world.uow, actor=world.ops, status="withheld")
    granted = referrals.list_rewards(world.uow, actor=world.ops, status="granted")

    assert [(v.referee_name, v.status) for v in everything] == [
        ("Farm 1", "withheld"),
        ("Dora", "granted"),
    ]
    assert [(v.referrer_name, v.referee_name, v.reasons) for v in withheld] == [
        ("Alice", "Farm 1", ("ip_cluster",))
    ]
    assert [v.referee_id for v in granted] == [clean.id]
    assert referrals.withheld_count(world.uow, actor=world.ops) == 1
    older = referrals.list_rewards(world.uow, actor=world.ops, before=everything[0].id)
    assert [v.referee_name for v in older] == ["Dora"]
    with pytest.raises(InvalidInput):
        referrals.list_rewards(world.uow, actor=world.ops, status="paid")


def test_a_redelivered_settled_event_changes_nothing(world: World) -> None:
    newcomer = world.referred()
    order = world.buy(newcomer)
    with world.uow.read() as session:
        row = session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "ordering.order_settled",
                OutboxEvent.payload["order_id"].as_string() == str(order.id),
            )
        )
        assert row is not None
    event = Event(row.id, row.event_type, dict(row.payload), tuple(row.topics), row.created_at)
    before = world.count(OutboxEvent)

    # when the relay delivers it again, and when the handler runs again without the relay's guard
    assert OutboxRelay(world.uow.db).handle(event)
    with world.uow:
        reward_referrer(world.uow, event)

    assert len(world.rewards()) == 1
    assert world.points(world.alice) == REWARD
    assert world.count(OutboxEvent) == before


def test_an_event_without_a_buyer_is_ignored(world: World) -> None:
    newcomer = world.referred()
    order = world.paid_order(newcomer)
    event = Event(order.id, "ordering.order_settled", {"order_id": str(order.id)}, (), START)
    with world.uow:
        reward_referrer(world.uow, event)
    assert world.rewards() == []


def test_the_referrer_sees_the_friends_they_brought_and_no_one_else_does(world: World) -> None:
    clock.freeze(START)
    waiting = world.referred("Eve")
    clock.travel(timedelta(minutes=1))
    rewarded = world.referred("Dora")
    clock.travel(timedelta(minutes=1))
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(rewarded)
    world.buy(farm[0])
    alice = factories.principal(world.alice)

    mine = referrals.my_referrals(world.uow, actor=alice)

    assert [(m.referee_name, m.status, m.points) for m in mine] == [
        ("Farm 2", "waiting", 0),
        ("Farm 1", "waiting", 0),
        ("Farm 0", "under_review", 0),
        ("Dora", "rewarded", REWARD),
        ("Eve", "waiting", 0),
    ]
    assert mine[3].rewarded_at is not None and mine[0].channel == "external"
    assert mine[0].referee_id == farm[2].id and waiting.id == mine[4].referee_id
    page = referrals.my_referrals(world.uow, actor=alice, before=mine[2].cursor, limit=1)
    assert [m.referee_name for m in page] == ["Dora"]
    summary = referrals.my_summary(world.uow, actor=alice)
    assert (summary.friends, summary.rewarded, summary.under_review, summary.points) == (
        5,
        1,
        1,
        REWARD,
    )
    bob = factories.principal(world.bob)
    assert referrals.my_referrals(world.uow, actor=bob) == []
    assert referrals.my_summary(world.uow, actor=bob) == referrals.ReferralSummary(0, 0, 0, 0)
