"""Reviews fixtures: the ordering world, with a clock put back after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from ordering.world import World, build_world


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    with clock.kept():
        yield build_world(uow, World)
