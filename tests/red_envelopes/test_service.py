"""Sending and grabbing red envelopes through the use cases, on both backends: the money moves
sender → escrow → grabbers, the chat card is posted, the luckiest is named once every share is
taken; every refusal leaves every balance and row as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from agora import chat, red_envelopes, treasure
from agora.core.clock import clock, utcnow
from agora.core.errors import AgoraError
from agora.core.gates import Gates
from agora.core.models import Deadline
from agora.core.uow import UnitOfWork
from agora.red_envelopes.envelopes import ENVELOPE_GATE
from red_envelopes.world import FUNDS, World


def refused(world: World, fn: Callable[[], Any], status: int, code: str) -> None:
    """``fn`` is refused with ``status``/``code`` and nothing changed."""
    before = world.snapshot()
    with pytest.raises(AgoraError) as caught:
        fn()
    assert (caught.value.status, caught.value.code) == (status, code)
    assert world.snapshot() == before


def test_a_single_envelope_in_a_direct_chat_goes_to_the_other_person(world: World) -> None:
    envelope = world.send(where="direct", total=5200, greeting="  Happy   birthday ")

    assert (envelope.kind, envelope.shares, envelope.total, envelope.status) == (
        "single",
        1,
        5200,
        "open",
    )
    assert envelope.greeting == "Happy birthday"
    assert world.wallet("alice") == FUNDS - 5200
    assert world.escrow() == 5200
    card = world.messages(world.direct)[-1]
    assert card.kind == "red_envelope" and card.sender_id == world.people["alice"].user_id
    assert card.body == {
        "envelope_id": str(envelope.id),
        "greeting": "Happy birthday",
        "kind": "single",
        "shares": 1,
        "url": f"/red-envelopes/{envelope.id}",
    }
    assert envelope.message_id == card.id
    assert not envelope.can_grab  # the sender of a 1:1 envelope

    outcome = world.grab("bob", envelope.id)

    assert (outcome.position, outcome.amount) == (1, 5200)
    assert outcome.envelope.status == "finished" and outcome.envelope.mine == 5200
    assert outcome.envelope.luckiest_id is None  # no luck in a single envelope
    assert world.wallet("bob") == FUNDS + 5200
    assert world.escrow() == 0


def test_a_lucky_envelope_names_the_luckiest_only_once_every_share_is_taken(
    world: World,
) -> None:
    envelope = world.send(total=1000, shares=3)
    first = world.grab("bob", envelope.id)
    assert first.envelope.luckiest_id is None and first.envelope.status == "open"
    second = world.grab("alice", envelope.id)  # in a group the sender may grab too
    last = world.grab("carol", envelope.id)

    view = last.envelope
    amounts = [first.amount, second.amount, last.amount]
    assert sum(amounts) == 1000 and min(amounts) >= 1
    assert amounts == red_envelopes.share_amounts(world.uow, envelope.id)
    assert view.status == "finished" and view.grabbed_amount == 1000
    assert [g.display_name for g in view.grabs] == ["Bob", "Alice", "Carol"]
    best = amounts.index(max(amounts))
    assert view.luckiest_id == [world.people[n].user_id for n in ("bob", "alice", "carol")][best]
    assert [g.luckiest for g in view.grabs] == [i == best for i in range(3)]
    # The finished envelope's deadline is cancelled.
    with world.uow.read() as session:
        deadline = session.scalar(select(Deadline).where(Deadline.ref_id == envelope.id))
        assert deadline is not None and deadline.last_error == "cancelled"
    refused(world, lambda: world.grab("dave", envelope.id), 409, "red_envelope_empty")


def test_an_equal_envelope_gives_everyone_the_same(world: World) -> None:
    envelope = world.send(kind="equal", per_share=888, shares=4)
    assert envelope.total == 3552
    outcomes = [world.grab(n, envelope.id) for n in ("bob", "carol", "dave", "alice")]
    assert [o.amount for o in outcomes] == [888] * 4
    assert outcomes[-1].envelope.status == "finished"
    assert outcomes[-1].envelope.luckiest_id is None  # no luck in an equal split


def test_a_retry_with_the_same_client_id_sends_once(world: World) -> None:
    one = world.send(total=600, shares=2, client_id="tap-1")
    two = world.send(total=600, shares=2, client_id="tap-1")
    assert one.id == two.id
    assert world.wallet("alice") == FUNDS - 600
    assert [m.kind for m in world.messages(world.group)].count("red_envelope") == 1


def test_grabbing_twice_is_refused(world: World) -> None:
    envelope = world.send(total=1000, shares=3)
    world.grab("bob", envelope.id)
    refused(world, lambda: world.grab("bob", envelope.id), 409, "red_envelope_already_grabbed")


def test_someone_outside_the_group_cannot_see_or_grab_or_send(world: World) -> None:
    envelope = world.send(total=1000, shares=3)
    erin = world.people["erin"]
    refused(world, lambda: world.grab("erin", envelope.id), 404, "red_envelope_not_found")
    with pytest.raises(red_envelopes.EnvelopeNotFound):
        red_envelopes.envelope_view(world.uow, actor=erin, envelope_id=envelope.id)
    refused(world, lambda: world.send("erin"), 404, "conversation_not_found")
    # Carol is in the group but not in Alice and Bob's 1:1 chat.
    single = world.send(where="direct", total=100)
    refused(world, lambda: world.grab("carol", single.id), 404, "red_envelope_not_found")


def test_a_member_who_left_the_group_cannot_grab(world: World) -> None:
    envelope = world.send(total=1000, shares=3)
    chat.leave(world.uow, actor=world.people["dave"], conversation_id=world.group)
    refused(world, lambda: world.grab("dave", envelope.id), 404, "red_envelope_not_found")


def test_the_sender_cannot_open_their_own_direct_envelope(world: World) -> None:
    envelope = world.send(where="direct", total=100)
    refused(world, lambda: world.grab("alice", envelope.id), 409, "red_envelope_own")


@pytest.mark.parametrize(
    ("where", "fields", "status", "code"),
    [
        ("group", {"source": "credit"}, 422, "credit_orders_only"),
        ("direct", {"source": "credit"}, 422, "credit_orders_only"),
        ("group", {"source": "points"}, 422, "invalid_input"),
        ("direct", {"total": 20_001}, 422, "red_envelope_invalid"),  # over ¥200 a share
        ("group", {"total": 60_001, "shares": 3}, 422, "red_envelope_invalid"),
        ("group", {"total": 2, "shares": 3}, 422, "red_envelope_invalid"),  # under a fen each
        ("group", {"total": 101_000, "shares": 101}, 422, "red_envelope_invalid"),
        ("group", {"total": 5000, "shares": 5}, 422, "red_envelope_invalid"),  # 4 members
        ("group", {"total": 1000, "shares": 0}, 422, "red_envelope_invalid"),
        ("group", {"kind": "equal", "total": 1000, "shares": 3}, 422, "red_envelope_invalid"),
        ("group", {"kind": "single", "shares": 1}, 422, "red_envelope_invalid"),
        ("direct", {"kind": "lucky"}, 422, "red_envelope_invalid"),
        ("direct", {"kind": "single", "shares": 2}, 422, "red_envelope_invalid"),
        ("group", {"kind": "golden"}, 422, "red_envelope_invalid"),
        ("group", {"greeting": "x" * 41}, 422, "red_envelope_invalid"),
    ],
)
def test_envelopes_out_of_bounds_are_refused(
    world: World, where: str, fields: dict[str, Any], status: int, code: str
) -> None:
    refused(world, lambda: world.send(where=where, **fields), status, code)


def test_too_little_money_is_refused(world: World) -> None:
    world.send(total=80_000, shares=4)
    assert world.wallet("alice") == FUNDS - 80_000
    refused(
        world, lambda: world.send(total=FUNDS - 80_000 + 1, shares=2), 409, "insufficient_funds"
    )


def test_nobody_can_fake_an_envelope_card_through_chat(world: World) -> None:
    envelope = world.send(total=1000, shares=3)
    for body in ({"envelope_id": str(envelope.id)}, {"envelope_id": "nonsense"}, {}):
        refused(
            world,
            lambda body=body: chat.send_message(
                world.uow,
                actor=world.people["alice"],
                conversation_id=world.group,
                kind="red_envelope",
                body=body,
                client_id="fake",
            ),
            422,
            "invalid_input",
        )


def test_an_envelope_paid_from_the_treasure(world: World) -> None:
    treasure.deposit(world.uow, actor=world.people["alice"], amount=30_000)
    wallet_before = world.wallet("alice")

    envelope = world.send(total=12_000, shares=3, source="treasure")

    assert envelope.source == "treasure"
    assert treasure.treasure_balance(world.uow, world.people["alice"].user_id) == 18_000
    assert world.wallet("alice") == wallet_before
    assert world.escrow() == 12_000
    refused(
        world,
        lambda: world.send(total=20_000, shares=3, source="treasure"),
        409,
        "treasure_insufficient",
    )


def test_what_nobody_grabbed_goes_back_to_the_sender_after_a_day(world: World) -> None:
    treasure.deposit(world.uow, actor=world.people["alice"], amount=5_000)
    clock.freeze(utcnow())
    envelope = world.send(total=3000, shares=3, source="treasure")
    got = world.grab("bob", envelope.id).amount
    wallet_before = world.wallet("alice")

    clock.travel(timedelta(hours=23, minutes=59))
    assert world.sweep() == 0
    clock.travel(timedelta(minutes=1))
    assert (
        red_envelopes.envelope_view(
            world.uow, actor=world.people["carol"], envelope_id=envelope.id
        ).status
        == "expired"
    )  # shown as expired before the sweep returns the money
    refused(world, lambda: world.grab("carol", envelope.id), 409, "red_envelope_expired")
    assert world.sweep() == 1

    # Back to the wallet, though it came from the treasure.
    assert world.wallet("alice") == wallet_before + 3000 - got
    assert world.escrow() == 0
    view = red_envelopes.envelope_view(
        world.uow, actor=world.people["alice"], envelope_id=envelope.id
    )
    assert (view.status, view.refunded, view.grabbed_amount) == ("expired", 3000 - got, got)
    assert red_envelopes.expire_envelope(world.uow, envelope.id) is False
    assert world.sweep() == 0
    assert world.wallet("alice") == wallet_before + 3000 - got


def test_an_envelope_is_not_expired_early_and_a_finished_one_refunds_nothing(
    world: World,
) -> None:
    envelope = world.send(total=100, shares=1, kind="lucky")
    assert red_envelopes.expire_envelope(world.uow, envelope.id) is False  # not yet due
    world.grab("carol", envelope.id)
    clock.travel(timedelta(hours=25))
    assert red_envelopes.expire_envelope(world.uow, envelope.id) is False
    assert world.sweep() == 0


def test_a_grab_answers_with_the_envelope_as_a_fresh_read_shows_it(world: World) -> None:
    envelope = world.send(total=1000, shares=3)

    for who in ("bob", "alice", "carol"):
        outcome = world.grab(who, envelope.id)

        # Built from the rows the grab had in hand; a read afterwards sees the same envelope —
        # with every grab listed, where the answer lists only this one until the last.
        fresh = red_envelopes.envelope_view(
            world.uow, actor=world.people[who], envelope_id=envelope.id
        )
        if fresh.status == "finished":
            assert outcome.envelope == fresh
        else:
            assert outcome.envelope == replace(fresh, grabs=outcome.envelope.grabs)
            assert [g.user_id for g in outcome.envelope.grabs] == [world.people[who].user_id]
        assert outcome.envelope.mine == outcome.amount
        assert outcome.envelope.grabs[-1].position == outcome.position
    assert outcome.envelope.status == "finished" and outcome.envelope.finished_at is not None
    assert outcome.envelope.luckiest_id is not None
    assert len(outcome.envelope.grabs) == 3


def test_a_finished_envelope_is_refused_from_its_row_where_the_gate_is_open(
    world: World,
) -> None:
    # Given an envelope whose every share is taken, and a process that has not seen it close
    envelope = world.send(total=600, shares=2)
    world.grab("bob", envelope.id)
    world.grab("carol", envelope.id)
    elsewhere = UnitOfWork(world.uow.db, gates=Gates())

    # When a member grabs there, then they are told it is empty and nothing changed
    refused(
        world,
        lambda: red_envelopes.grab(elsewhere, actor=world.people["dave"], envelope_id=envelope.id),
        409,
        "red_envelope_empty",
    )
    # and that process now answers from memory.
    assert elsewhere.gates[ENVELOPE_GATE].is_closed(str(envelope.id))


def test_with_the_gate_closed_outsiders_still_get_404_and_the_sender_own(world: World) -> None:
    # Given a group envelope and a direct one, each finished, their gates closed here
    group = world.send(total=600, shares=2)
    world.grab("bob", group.id)
    world.grab("carol", group.id)
    direct = world.send(where="direct", total=100)
    world.grab("bob", direct.id)
    gate = world.uow.gates[ENVELOPE_GATE]
    assert gate.is_closed(str(group.id)) and gate.is_closed(str(direct.id))

    # Then the memory answer comes only after the access check
    refused(world, lambda: world.grab("erin", group.id), 404, "red_envelope_not_found")
    refused(world, lambda: world.grab("carol", direct.id), 404, "red_envelope_not_found")
    refused(world, lambda: world.grab("alice", direct.id), 409, "red_envelope_own")
    refused(world, lambda: world.grab("dave", group.id), 409, "red_envelope_empty")
