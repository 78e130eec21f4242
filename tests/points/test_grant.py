"""Granting points (what referral rewards use) and expiring them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agora import points
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from points.world import World


def test_a_grant_is_active_at_once_in_a_lot_that_expires_in_twelve_months(world: World) -> None:
    clock.freeze(datetime(2025, 1, 31, 9, 30, tzinfo=UTC))

    granted = points.grant(
        world.uow, user_id=world.buyer.user_id, amount=500, key="referral:1", reason="Referral"
    )

    assert granted is True
    assert world.active(world.buyer.user_id) == 500
    assert world.lots(world.buyer.user_id) == [("grant", 500, 500, 0)]
    mine = points.summary(world.uow, user_id=world.buyer.user_id)
    assert (mine.active, mine.pending, mine.expiring_amount) == (500, 0, 500)
    assert mine.expiring_at == datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert mine.worth == 500


def test_the_same_key_grants_once(world: World) -> None:
    first = points.grant(world.uow, user_id=world.buyer.user_id, amount=500, key="k", reason="r")
    again = points.grant(world.uow, user_id=world.buyer.user_id, amount=500, key="k", reason="r")
    other = points.grant(world.uow, user_id=world.other.user_id, amount=300, key="k2", reason="r")

    assert (first, again, other) == (True, False, True)
    assert world.active(world.buyer.user_id) == 500
    assert world.lots(world.buyer.user_id) == [("grant", 500, 500, 0)]
    assert world.active(world.other.user_id) == 300


@pytest.mark.parametrize("amount", [0, -5])
def test_a_grant_of_nothing_is_refused(world: World, amount: int) -> None:
    before = world.snapshot()
    with pytest.raises(points.PointsAmountInvalid):
        points.grant(world.uow, user_id=world.buyer.user_id, amount=amount, key="x", reason="")
    with pytest.raises(InvalidInput):
        points.grant(world.uow, user_id=world.buyer.user_id, amount=5, key="", reason="")
    assert world.snapshot() == before


def test_only_the_lot_past_its_date_expires(world: World) -> None:
    user = world.buyer.user_id
    clock.freeze(datetime(2025, 3, 1, tzinfo=UTC))
    points.grant(world.uow, user_id=user, amount=200, key="old", reason="r")
    clock.travel(timedelta(days=40))
    points.grant(world.uow, user_id=user, amount=300, key="new", reason="r")

    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC) - timedelta(seconds=1))
    assert points.expire_due(world.uow) == 0
    clock.travel(timedelta(seconds=1))
    assert points.summary(world.uow, user_id=user).active == 300  # usable before the sweep
    assert points.expire_due(world.uow) == 1
    assert points.expire_due(world.uow) == 0  # idempotent

    assert world.active(user) == 300
    assert world.lots(user) == [("grant", 200, 0, 200), ("grant", 300, 300, 0)]
    assert world.platform("points_expired") == 200
    mine = points.summary(world.uow, user_id=user)
    assert (mine.active, mine.expiring_amount) == (300, 300)
    assert mine.expiring_at == datetime(2026, 4, 10, tzinfo=UTC)
