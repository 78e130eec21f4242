"""The demo's behaviour: the demo shoppers and generated ones consent and have weeks of events,
clustered by taste; purchases are exactly those of the demo's paid orders; seeding again adds
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import factories
from agora import catalog, ordering, privacy, recommendations
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.demo import behaviour
from agora.demo.seed import seed
from agora.identity import User

EVENT = recommendations.BehaviourEvent


def _user(uow: UnitOfWork, email: str) -> User:
    with uow.read() as session:
        user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def test_the_demo_shoppers_browse_by_taste_and_buy_what_they_ordered(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.demo_with(monkeypatch, "seed_behaviour")

    first = seed(uow)
    again = seed(uow)

    lin = _user(uow, "shopper@agora.demo")
    with uow.read() as session:
        total = session.scalar(select(func.count()).select_from(EVENT))
        per_user = dict(
            session.execute(select(EVENT.user_id, func.count()).group_by(EVENT.user_id)).all()
        )
        generated = session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.email.like(f"%@{behaviour.GENERATED_DOMAIN}"))
        )
        consenting = session.scalar(
            select(func.count())
            .select_from(privacy.Consent)
            .where(privacy.Consent.kind == privacy.PERSONALISED_RECOMMENDATIONS)
        )
        purchases = session.execute(
            select(EVENT.product_id, EVENT.amount).where(
                EVENT.user_id == lin.id, EVENT.kind == recommendations.PURCHASE
            )
        ).all()
        paid = session.execute(
            select(ordering.OrderLine.product_id, ordering.OrderLine.unit_price)
            .join(ordering.Order, ordering.Order.id == ordering.OrderLine.order_id)
            .where(ordering.Order.buyer_id == lin.id, ordering.Order.paid_at.is_not(None))
        ).all()
        oldest = session.scalar(select(func.min(EVENT.occurred_at)))
        profile = recommendations.profile_of(session, lin.id)
        coats = session.scalar(
            select(catalog.Category.id).where(catalog.Category.slug == "womens-coats")
        )

    assert first["behaviour_events"] == total and again["behaviour_events"] == 0
    assert generated == behaviour.GENERATED
    assert consenting == behaviour.GENERATED + len(behaviour.TASTES)
    assert len(per_user) == behaviour.GENERATED + len(behaviour.TASTES)
    assert per_user[lin.id] >= 500
    assert oldest is not None and oldest >= utcnow() - timedelta(days=behaviour.DAYS + 1)
    assert sorted(purchases) and sorted(set(purchases)) <= sorted(set(paid))
    assert {p for p, _ in purchases} == {p for p, _ in paid}
    # Lin Mei's taste shows: women's coats first, red among her colours
    assert profile.categories[0][0] == coats
    assert "red" in [colour for colour, _ in profile.colours[:2]]
    assert profile.price_levels
