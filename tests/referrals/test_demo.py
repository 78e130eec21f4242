"""The demo's referral rewards: Lin Mei rewarded for a friend's first completed order, a
sign-up cluster withheld for the operators — and a second seeding that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import points, referrals
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo import seed as seeding
from agora.demo.seed import seed
from agora.demo.trading import SHOPPER
from agora.identity import Principal, User


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing, and only the demo products the trading buys (they include the
    product the referral demo's newcomers buy). The group-deal and bargain demos stand apart
    from referrals (as their packages do) and want products of their own: left out here."""
    for part in ("seed_groupbuy", "seed_bargain"):
        monkeypatch.setattr(seeding, part, lambda uow, **_: {})
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    monkeypatch.setattr(seeding, "demo_products", seeding.products_in_play)


def _user(uow: UnitOfWork, email: str) -> User:
    with uow.read() as session:
        user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _rewards(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(referrals.ReferralReward)) or 0)


def test_the_demo_rewards_a_friend_and_withholds_a_cluster_once(uow: UnitOfWork) -> None:
    first = seed(uow)
    lin = _user(uow, SHOPPER)
    lin_points = points.summary(uow, user_id=lin.id).active
    before = _rewards(uow)
    second = seed(uow)

    assert first["referral_steps"] == first["referral_steps_run"] > 0
    assert second["referral_steps_run"] == 0
    ops = _user(uow, "operator@agora.demo")
    rewards = referrals.list_rewards(
        uow, actor=Principal(user_id=ops.id, display_name="Ops", is_operator=True)
    )
    mine = {
        (r.referrer_name, r.referee_name): (r.status, r.reasons, r.points)
        for r in rewards
        if r.referee_name.startswith(("Sun Li", "Lucky Star"))
    }
    assert mine == {
        ("Lin Mei 林梅", "Sun Li 孙丽"): ("granted", (), 500),
        ("Zhao Yu 赵宇", "Lucky Star 3 幸运星3"): (
            "withheld",
            ("device_cluster", "ip_cluster"),
            500,
        ),
    }
    assert lin_points >= 500
    assert points.summary(uow, user_id=lin.id).active == lin_points
    assert _rewards(uow) == before == len(rewards)
