"""Training: interactions in, one model file out, which the in-memory store loads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from agora.core.clock import clock
from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.recommendations.retrain import RETRAIN, RETRAINER
from agora.recommendations.serving import STORE, read_snapshot
from agora.recommendations.training import train
from recommendations.feeds_world import NOW, World, build


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    clock.freeze(NOW)
    yield build(uow)
    STORE.close()


def test_training_picks_a_model_and_writes_one_file_that_loads(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "recs" / "model.npz"

    report = train(world.uow, path, top_n=20)

    assert report.path == path and path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]  # no temporary file left
    assert report.model in ("popularity", "item_knn", "ease")
    assert report.validation is not None and 0.0 <= report.validation <= 1.0
    assert report.trained_at == NOW
    snapshot = read_snapshot(path)
    assert snapshot.trained_at == NOW
    assert snapshot.model == report.model
    assert snapshot.user_top.shape == (report.users, 20)


def test_only_consenting_shoppers_get_rows_but_every_paid_order_counts_as_popularity(
    world: World, tmp_path: Path
) -> None:
    snapshot = read_snapshot(train(world.uow, tmp_path / "model.npz").path)

    assert world.users["zed"].id not in snapshot.user_row
    assert {world.users[k].id for k in ("ann", "ben", "cai", "dan", "eve")} <= set(
        snapshot.user_row
    )
    popular = [snapshot.item_ids[i] for i in snapshot.popular.tolist()]
    # Zed's phones count, consent or not, as aggregate sales: behind what Ben and Cai bought.
    assert popular[:3] == [world.id("coat-0"), world.id("dress-2"), world.id("phone-0")]
    assert world.id("phone-1") in popular
    assert world.id("phone-2") not in popular  # nobody touched it


def test_bought_together_counts_one_buyers_purchases_within_the_window(
    world: World, tmp_path: Path
) -> None:
    world.paid_order("dan", "coat-5", at=NOW - timedelta(days=30))
    world.paid_order("dan", "dress-5", at=NOW - timedelta(days=2))  # 28 days later: not together
    snapshot = read_snapshot(train(world.uow, tmp_path / "model.npz").path)

    def together(key: str) -> dict[str, float]:
        others, counts = snapshot.together_of(snapshot.item_row[world.id(key)])
        names = {world.id(k): k for k in world.products}
        return {names[snapshot.item_ids[o]]: c for o, c in zip(others, counts, strict=True)}

    assert together("coat-0") == {"dress-2": 2.0}  # Ben and Cai, one order each
    assert together("phone-0") == {"phone-1": 1.0}  # Zed's two orders count once
    assert together("coat-5") == {}


def test_a_dismissed_item_is_no_interaction_and_never_picked(world: World, tmp_path: Path) -> None:
    world.events("ann", "dismiss", "coat-2")
    world.paid_order("ann", "coat-4")
    snapshot = read_snapshot(train(world.uow, tmp_path / "model.npz").path)

    row = snapshot.user_row[world.users["ann"].id]
    picked = {snapshot.item_ids[i] for i in snapshot.user_top[row].tolist() if i >= 0}
    assert world.id("coat-2") not in picked
    assert world.id("coat-4") not in picked  # bought already
    assert world.id("coat-1") in picked  # only looked at: still a likely next purchase


def test_the_retrain_job_trains_in_a_thread_only_where_a_server_enabled_it(
    world: World, tmp_path: Path
) -> None:
    job = registry.periodic[RETRAIN]
    assert job.interval == timedelta(hours=6)
    path = tmp_path / "model.npz"

    assert RETRAINER.start(world.uow.db) is None  # a test ticking the scheduler trains nothing
    RETRAINER.enable(path, top_n=10)
    try:
        thread = RETRAINER.start(world.uow.db)
        assert thread is not None
        thread.join(timeout=120)
        assert read_snapshot(path).user_top.shape[1] == 10
        assert RETRAINER.start(world.uow.db) is None  # the file is fresh: nothing to do yet
    finally:
        RETRAINER.disable()
