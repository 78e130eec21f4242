"""The feeds' card cache: a card read lately answers from memory, and a change to a product
shows within ``FRESH_SECONDS``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from agora.core.clock import clock
from agora.core.prepared import STATEMENTS
from agora.core.uow import UnitOfWork
from agora.recommendations.cards import FRESH_SECONDS, CardCache
from recommendations.feeds_world import NOW, World, build


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    clock.freeze(NOW)
    yield build(uow)


def _read(world: World, cache: CardCache, *keys: str) -> dict[str, bool]:
    """Which of ``keys`` have a card, and whether each can be bought; the statements sent."""
    with world.uow.read() as session:
        found = cache.of(session, [world.id(key) for key in keys])
    names = {world.id(key): key for key in keys}
    return {names[product_id]: available for product_id, (_, available) in found.items()}


def _statements(world: World, cache: CardCache, *keys: str) -> int:
    """How many statements reading ``keys`` sent, beyond opening the read."""
    with world.uow.read() as session:
        session.connection()
        before = STATEMENTS.count
        cache.of(session, [world.id(key) for key in keys])
        return STATEMENTS.count - before


def test_a_card_read_lately_costs_no_statement(world: World) -> None:
    cache = CardCache()

    assert _statements(world, cache, "coat-0", "dress-2") == 1
    clock.travel(timedelta(seconds=FRESH_SECONDS - 1))
    assert _statements(world, cache, "coat-0", "dress-2") == 0
    assert _statements(world, cache, "coat-0", "phone-0") == 1  # only phone-0 is read


def test_a_product_sold_out_or_delisted_shows_so_once_its_card_is_old(world: World) -> None:
    cache = CardCache()
    assert _read(world, cache, "phone-0", "phone-1") == {"phone-0": True, "phone-1": True}

    world.sell_out("phone-0")
    world.delist("phone-1")
    clock.travel(timedelta(seconds=FRESH_SECONDS + 1))

    assert _read(world, cache, "phone-0", "phone-1") == {"phone-0": False, "phone-1": False}


def test_a_clock_set_back_reads_the_card_again(world: World) -> None:
    cache = CardCache()
    clock.travel(timedelta(hours=1))
    _read(world, cache, "coat-0")
    clock.freeze(NOW)

    assert _statements(world, cache, "coat-0") == 1


def test_the_cache_keeps_at_most_its_size(world: World) -> None:
    cache = CardCache(size=2)

    _read(world, cache, "coat-0", "dress-2", "phone-0")

    assert _statements(world, cache, "phone-0") == 0  # read last, kept
    assert _statements(world, cache, "coat-0", "dress-2") == 1  # one of them was let go
