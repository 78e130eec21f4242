"""Reputation fixtures: the ordering world with stock for many orders, on a frozen clock that
is put back after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from ordering.world import World, build_world
from reputation.shop import START


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    with clock.kept():
        clock.freeze(START)
        yield build_world(uow, World, coat_stock=(500, 500), dress_stock=500)
