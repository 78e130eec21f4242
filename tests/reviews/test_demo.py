"""The demo's reviews: delivered lines reviewed by their buyers, some with the store's reply,
ratings on the product pages — and a second seeding that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import reviews
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.reviews import seed_reviews
from agora.demo.seed import seed
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_reviews")


def test_the_demo_has_reviews_with_replies_and_seeds_them_once(uow: UnitOfWork) -> None:
    seed(uow)
    with uow.read() as session:
        shoppers = {u.email: u for u in session.scalars(select(User)) if u.email}
        written = session.scalar(select(func.count()).select_from(reviews.Review))
        replied = session.scalar(
            select(func.count())
            .select_from(reviews.Review)
            .where(reviews.Review.reply_text.is_not(None))
        )
        product_id = session.scalar(select(reviews.Review.product_id).limit(1))

    assert seed_reviews(uow, shoppers=shoppers, stores={}, password="") == {
        "reviews": 0,
        "review_replies": 0,
    }
    assert written and written >= 2 and replied and replied >= 1
    assert product_id is not None
    assert reviews.product_rating(uow, product_id).count >= 1
