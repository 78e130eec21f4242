"""The collector set for a server: start-up frozen, young cycles collected in larger passes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from agora.core import collector


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored")
def test_tuning_freezes_what_is_alive_and_raises_the_thresholds() -> None:
    collector.tune_for_serving()

    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (
        collector.YOUNG_THRESHOLD,
        collector.MIDDLE_THRESHOLD,
        collector.OLD_THRESHOLD,
    )


@pytest.mark.usefixtures("restored")
def test_cycles_made_after_tuning_are_still_collected() -> None:
    collector.tune_for_serving()

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b

    assert gc.collect() >= 2
