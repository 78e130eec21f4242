"""Pure ledger rules: account naming, sharding, and what a valid transfer is."""

from __future__ import annotations

import uuid

import pytest

from agora.core.errors import InvalidInput
from agora.ledger import SHARDS, AccountRef, Leg, platform_account, shard_of
from agora.ledger.domain import net_legs

ALICE = AccountRef("user", uuid.UUID(int=1), "wallet")
BOB = AccountRef("user", uuid.UUID(int=2), "wallet")
CAROL = AccountRef("user", uuid.UUID(int=3), "wallet")


def test_an_account_id_follows_from_what_the_account_is() -> None:
    assert ALICE.id == AccountRef("user", uuid.UUID(int=1), "wallet").id
    assert ALICE.id != BOB.id
    assert ALICE.id != AccountRef("user", uuid.UUID(int=1), "wallet", currency="USD").id
    assert ALICE.id != AccountRef("user", uuid.UUID(int=1), "points").id


def test_platform_accounts_spread_over_shards_stably() -> None:
    keys = [uuid.UUID(int=n * 7919) for n in range(400)]
    shards = {shard_of(key) for key in keys}
    assert shards == set(range(SHARDS))
    order = keys[0]
    assert platform_account("escrow", shard_key=order) == platform_account(
        "escrow", shard_key=order
    )
    assert platform_account("escrow", shard_key=order).lower_bound == 0
    assert platform_account("gateway:sandbox", bounded=False).lower_bound is None


def test_legs_are_netted_per_account() -> None:
    net = net_legs([Leg(ALICE, -300), Leg(BOB, 200), Leg(CAROL, 100)])
    assert net == {ALICE: -300, BOB: 200, CAROL: 100}
    assert net_legs([Leg(ALICE, -300), Leg(BOB, 500), Leg(BOB, -200)]) == {ALICE: -300, BOB: 300}


@pytest.mark.parametrize(
    ("legs", "reason"),
    [
        ([Leg(ALICE, -300), Leg(BOB, 200)], "sum to zero"),
        ([Leg(ALICE, 0), Leg(BOB, 0)], "non-zero"),
        ([Leg(ALICE, -100)], "sum to zero"),
        ([Leg(ALICE, -100), Leg(ALICE, 100)], "at least two accounts"),
        (
            [Leg(ALICE, -100), Leg(AccountRef("user", uuid.UUID(int=2), "wallet", "USD"), 100)],
            "one currency",
        ),
        ([Leg(ALICE, True), Leg(BOB, -1)], "non-zero whole number"),  # type: ignore[arg-type]
    ],
)
def test_unbalanced_or_empty_legs_are_refused(legs: list[Leg], reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        net_legs(legs)
