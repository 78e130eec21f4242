"""The shopper profile: pure rules (decay, weights, price percentiles) without a database, then
``profile_of`` over recorded events against the catalog's real prices."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

import factories
from agora import recommendations
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from agora.recommendations import domain
from agora.recommendations.domain import PriceLevel, Signal
from recommendations.behaviour_world import COAT_PRICES, World

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
COATS, PHONES = uuid.UUID(int=1), uuid.UUID(int=2)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# --- pure rules -------------------------------------------------------------------------------


def test_an_event_loses_half_its_weight_every_half_life() -> None:
    assert domain.decay(0, 30) == 1.0
    assert domain.decay(30, 30) == pytest.approx(0.5)
    assert domain.decay(60, 30) == pytest.approx(0.25)
    assert domain.decay(-1, 30) == 1.0  # a clock a little ahead is not a bonus


def test_a_purchase_outweighs_a_cart_a_like_and_a_view_and_a_dismissal_counts_against() -> None:
    weights = domain.KIND_WEIGHTS
    assert weights["purchase"] > weights["cart"] > weights["like"] == weights["share"]
    assert weights["like"] > weights["view"] > 0 > weights["dismiss"]


def test_affinities_sum_decayed_weights_and_keep_positive_totals_strongest_first() -> None:
    signals = [
        Signal("view", ago(0), COATS, ("red",)),
        Signal("view", ago(30), COATS, ("red", "black")),
        Signal("purchase", ago(60), PHONES, ("silver",)),
        Signal("view", ago(0), uuid.UUID(int=3), ("green",)),
        Signal("dismiss", ago(0), uuid.UUID(int=3), ("green",)),
        Signal("search", ago(0), None, ()),
    ]

    categories, colours = domain.affinities(signals, now=NOW, half_life_days=30)

    # coats 1 + 0.5; phones 5 × 0.25; the dismissed category nets 1 - 3 < 0 and is dropped
    assert categories == [(COATS, 1.5), (PHONES, 1.25)]
    # a product in two colours shares its weight between them
    assert colours == [("red", 1.25), ("silver", 1.25), ("black", 0.25)]


def test_the_percentile_is_the_share_of_prices_at_or_below_the_median_paid() -> None:
    prices = sorted(COAT_PRICES)  # 199 .. 899, eight prices
    assert domain.percentile_of(39900, prices) == 3 / 8
    assert domain.percentile_of(10000, prices) == 0.0
    assert domain.percentile_of(99900, prices) == 1.0
    assert domain.median([49900, 29900, 39900, 89900]) == 39900  # the lower middle


def test_a_price_level_reaches_a_little_above_the_median_and_never_below_the_most_paid() -> None:
    prices = sorted(COAT_PRICES)

    level = domain.price_level([29900, 39900, 49900], prices)

    # median ¥399 sits at 3/8; +15% → 0.525 → the 5th of 8 prices (nearest rank) = ¥599
    assert level == PriceLevel(percentile=0.375, typical_max=59900, basis=3, low=29900, high=49900)
    splurge = domain.price_level([19900, 19900, 89900], prices)
    assert splurge is not None and splurge.typical_max == 89900  # the most they paid
    assert domain.price_level([], prices) is None
    lone = domain.price_level([12345], [])
    assert lone == PriceLevel(1.0, 12345, 1, 12345, 12345)


def test_the_overall_typical_max_follows_the_level_with_most_purchases() -> None:
    levels = [PriceLevel(0.5, 40000, 3, 1, 2), PriceLevel(0.9, 300000, 1, 1, 2)]
    assert domain.overall_typical_max(levels) == 40000
    assert domain.overall_typical_max([]) is None


# --- over recorded events ---------------------------------------------------------------------


def test_the_profile_ranks_categories_and_colours_and_prices_what_was_paid(
    world: World, uow: UnitOfWork
) -> None:
    clock.freeze(NOW - timedelta(days=40))
    for coat in world.coats[4:]:  # four dearer coats viewed long ago
        recommendations.record_event(world.lin.id, "view", product_id=coat.product.id)
    clock.freeze(NOW)
    red_coats = [world.coats[0], world.coats[2]]
    for coat in red_coats:
        recommendations.record_event(world.lin.id, "view", product_id=coat.product.id)
    recommendations.record_event(world.lin.id, "view", product_id=world.phones[0].product.id)
    recommendations.flush_events(uow.db)
    world.buy(world.lin, world.coats[2])  # ¥399, red

    with uow.read() as session:
        profile = recommendations.profile_of(session, world.lin.id)
        lone = recommendations.price_level_for(session, world.lin.id, world.categories["coats"].id)
        none = recommendations.price_level_for(session, world.lin.id, world.categories["phones"].id)

    coats, phones = world.categories["coats"].id, world.categories["phones"].id
    assert [category for category, _ in profile.categories] == [coats, phones]
    assert profile.colours[0][0] == "red"
    assert profile.price_levels == {
        coats: PriceLevel(percentile=0.375, typical_max=59900, basis=1, low=39900, high=39900)
    }
    assert lone == profile.price_levels[coats]
    assert none is None
    assert profile.overall_typical_max == 59900
    assert profile.events == 8


def test_a_shopper_with_nothing_recorded_has_an_empty_profile(
    world: World, uow: UnitOfWork
) -> None:
    with uow.read() as session:
        profile = recommendations.profile_of(session, world.wang.id)
    assert profile.empty and profile.overall_typical_max is None and profile.events == 0


def test_price_levels_of_many_shoppers_match_one_by_one_in_two_statements(
    world: World, uow: UnitOfWork
) -> None:
    world.consent(world.wang)
    world.buy(world.lin, world.coats[2])
    world.buy(world.lin, world.coats[5])
    world.buy(world.lin, world.phones[0])
    world.buy(world.wang, world.coats[0])
    nobody = factories.make_user(uow, name="Nobody")

    with uow.read() as session:
        sent: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            sent.append(statement)

        event.listen(uow.db.engine, "before_cursor_execute", seen)
        try:
            levels = recommendations.price_levels_of(
                session, [world.lin.id, world.wang.id, nobody.id]
            )
        finally:
            event.remove(uow.db.engine, "before_cursor_execute", seen)
        one_by_one = {
            user.id: {
                category.id: recommendations.price_level_for(session, user.id, category.id)
                for category in world.categories.values()
            }
            for user in (world.lin, world.wang)
        }

    assert len([sql for sql in sent if sql.lstrip().startswith("SELECT")]) == 2
    assert set(levels) == {world.lin.id, world.wang.id}  # no purchases, no entry
    for user_id, by_category in one_by_one.items():
        assert levels[user_id] == {c: level for c, level in by_category.items() if level}
