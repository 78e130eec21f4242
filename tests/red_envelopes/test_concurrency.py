"""Races with real threads against the real database (SQLite and PostgreSQL): 1,000 members
grabbing an envelope of 100 shares get exactly 100 shares, the shares sum to the total to the
fen, nobody grabs twice, and a refused grab moves no money.

Each thread runs its grab in its own unit of work (its own session), as concurrent requests do.
The pool is bounded and every wait has a timeout, so a deadlock fails the test instead of
hanging it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from agora import ledger, payments, red_envelopes
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from factories import race
from red_envelopes.world import World, crowd

TIMEOUT = 300
WORKERS = 32
GRABBERS = 1000
SHARES = 100
TOTAL = 100 * 888  # ¥888.00


def test_a_thousand_grabbers_on_a_hundred_shares_get_exactly_a_hundred(world: World) -> None:
    grabbers = crowd(world.uow.db, world.group, GRABBERS)
    alice_before = world.wallet("alice")
    envelope = world.send(total=TOTAL, shares=SHARES, greeting="恭喜发财")

    results = race(
        GRABBERS,
        lambda i: red_envelopes.grab(
            UnitOfWork(world.uow.db), actor=grabbers[i], envelope_id=envelope.id
        ),
        workers=WORKERS,
        timeout=TIMEOUT,
    )

    won = [r for r in results if isinstance(r, red_envelopes.GrabOutcome)]
    refused = Counter(r.code for r in results if isinstance(r, AgoraError))
    assert len(won) == SHARES
    assert refused == {"red_envelope_empty": GRABBERS - SHARES}
    assert sorted(r.position for r in won) == list(range(1, SHARES + 1))
    assert sum(r.amount for r in won) == TOTAL
    assert all(r.amount >= 1 for r in won)
    assert sorted(r.amount for r in won) == sorted(
        red_envelopes.share_amounts(world.uow, envelope.id)
    )

    with world.uow.read() as session:
        row = session.get(red_envelopes.RedEnvelope, envelope.id)
        assert row is not None
        assert (row.status, row.grabbed_count, row.grabbed_amount) == ("finished", SHARES, TOTAL)
        grabs = session.execute(
            select(func.count(), func.sum(red_envelopes.RedEnvelopeGrab.amount)).where(
                red_envelopes.RedEnvelopeGrab.envelope_id == envelope.id
            )
        ).one()
    assert (grabs[0], grabs[1]) == (SHARES, TOTAL)
    assert world.escrow() == 0
    assert world.wallet("alice") == alice_before - TOTAL
    wallets = ledger.balances(world.uow, [payments.wallet_of(p.user_id) for p in grabbers])
    assert sum(wallets.values()) == TOTAL
    assert sum(1 for v in wallets.values() if v > 0) == SHARES
    assert ledger.check(world.uow).ok


def test_one_member_grabbing_many_times_at_once_gets_one_share(world: World) -> None:
    envelope = world.send(total=3000, shares=3)
    bob_before = world.wallet("bob")

    results = race(
        64,
        lambda i: red_envelopes.grab(
            UnitOfWork(world.uow.db), actor=world.people["bob"], envelope_id=envelope.id
        ),
        workers=WORKERS,
        timeout=TIMEOUT,
    )

    won = [r for r in results if isinstance(r, red_envelopes.GrabOutcome)]
    refused = Counter(r.code for r in results if isinstance(r, AgoraError))
    assert len(won) == 1
    assert refused == {"red_envelope_already_grabbed": 63}
    assert world.wallet("bob") == bob_before + won[0].amount
