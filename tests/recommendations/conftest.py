"""Recommendation test fixtures: quick password hashing, an empty event buffer around each test
with no flusher thread (tests write the buffer with ``flush_events``), and the behaviour world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

import factories
from agora import recommendations
from agora.config import Settings
from agora.core import security
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from recommendations.behaviour_world import COAT_PRICES, PHONE_PRICES, World


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def empty_buffer() -> Iterator[None]:
    """Each test starts and ends with nothing waiting in the process's buffer."""
    recommendations.RECORDER.discard()
    yield
    recommendations.RECORDER.discard()


@pytest.fixture
def settings(db: Database) -> Settings:
    # No flusher thread: a test writes the buffer when it says so (flush_events).
    return Settings(
        database_url=db.url,
        embedded_workers=False,
        redis_url=None,
        serve_tuning=False,
        behaviour_flush_seconds=0,
    )


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    ops = factories.make_operator(uow)
    merchant = factories.make_user(uow, name="Merchant")
    store = factories.make_store(uow, ops, merchant, name_en="North Wind", name_zh="北风")
    categories = factories.make_categories(uow, ops)
    seller = factories.principal(merchant)
    colours = ["red", "black", "red", "beige", "red", "black", "navy", "red"]
    coats = [
        factories.make_product(
            uow,
            seller,
            store,
            categories["coats"],
            title_en=f"Coat {price // 100}",
            title_zh=f"外套 {price // 100}",
            skus=[(colour, "M", price, 50)],
        )
        for price, colour in zip(COAT_PRICES, colours, strict=True)
    ]
    phones = [
        factories.make_product(
            uow,
            seller,
            store,
            categories["phones"],
            title_en=f"Phone {price // 100}",
            title_zh=f"手机 {price // 100}",
            skus=[("silver", "128GB", price, 50)],
        )
        for price in PHONE_PRICES
    ]
    world = World(
        uow=uow,
        merchant=seller,
        categories=categories,
        coats=coats,
        phones=phones,
        lin=factories.make_user(uow, name="Lin Mei"),
        wang=factories.make_user(uow, name="Wang Lei"),
    )
    world.consent(world.lin)
    return world
