"""Offline evaluation: the MovieLens-100k quality floors, the report, and the demo's events."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from typer.testing import CliRunner

from agora import recommendations
from agora.core import clock
from agora.core.db import Database
from agora.recommendations.algorithms import Interactions
from agora.recommendations.algorithms.evaluate import (
    NotEnoughData,
    evaluate_dataset,
    format_report,
    run_evaluation,
)
from agora.recommendations.algorithms.movielens import load_movielens, movielens_path
from agora.recommendations.cli import demo_interactions, recs_app
from recommendations.behaviour_world import World

# A smaller grid than the command's, around the settings it picks, to keep the test quick.
QUICK_GRIDS = {
    "popularity": [{}],
    "item_knn": [
        {"k": 50, "shrink": 10.0, "alpha": 0.2},
        {"k": 25, "shrink": 10.0, "alpha": 0.5},
    ],
    "ease": [{"l2": 200.0}, {"l2": 500.0}],
}


def test_movielens_100k_is_read_from_the_recbole_wheel_without_importing_it() -> None:
    import sys

    data = load_movielens()
    assert movielens_path().name == "ml-100k.inter"
    assert (data.n_users, data.n_items, len(data)) == (943, 1682, 100_000)
    assert "recbole" not in sys.modules


def test_movielens_quality_meets_the_floors_on_the_random_split() -> None:
    report = evaluate_dataset(load_movielens(), grids=QUICK_GRIDS, seed=7)
    random = report["splits"]["random"]
    models = random["models"]
    assert (random["train"], random["test"], random["test_users"]) == (80_000, 20_000, 943)
    # The targets, Recall@20 as the EASE paper defines it (hits / min(20, test items))
    assert models["ease"]["recall"] >= 0.43
    assert models["item_knn"]["recall"] >= 0.39
    # RecBole's Recall@20 (hits / all test items) on the same lists
    assert models["ease"]["recall_all"] >= 0.35
    assert models["item_knn"]["recall_all"] >= 0.33
    assert models["ease"]["ndcg"] >= 0.42
    assert models["item_knn"]["ndcg"] >= 0.40
    assert models["popularity"]["recall"] < models["item_knn"]["recall"]
    # The temporal split is harder, and the models still beat popularity on it
    temporal = report["splits"]["temporal"]["models"]
    assert temporal["ease"]["recall"] < models["ease"]["recall"]
    assert temporal["item_knn"]["recall"] > temporal["popularity"]["recall"]


def _synthetic(users: int = 80) -> Interactions:
    rng = np.random.default_rng(3)
    rows, cols = [], []
    for user in range(users):
        taste = user % 4
        for item in rng.choice(10, size=6, replace=False):
            rows.append(user)
            cols.append(taste * 10 + int(item))
    return Interactions.from_log(np.array(rows), np.array(cols), np.arange(len(rows)))


def test_the_report_has_each_model_on_each_split_with_settings_sizes_and_timings() -> None:
    report = run_evaluation(["demo"], demo=_synthetic, grids=QUICK_GRIDS, seed=7)
    demo = report["datasets"]["demo"]
    assert (demo["users"], demo["items"], demo["interactions"]) == (80, 40, 480)
    assert set(demo["splits"]) == {"random", "temporal"}
    for part in demo["splits"].values():
        assert (part["train"], part["test"]) == (400, 80)
        assert set(part["models"]) == {"popularity", "item_knn", "ease"}
        for row in part["models"].values():
            assert set(row) >= {"recall", "ndcg", "recall_all", "params", "fit_seconds"}
        assert part["models"]["ease"]["params"]["l2"] in {200.0, 500.0}
    text = format_report(report)
    assert "demo: 80 users, 40 items, 480 interactions" in text
    assert "Recall@20" in text and "NDCG@20" in text


def test_a_data_set_too_small_or_absent_is_skipped_with_its_reason() -> None:
    report = run_evaluation(["demo"], demo=lambda: _synthetic(users=6))
    assert "6 users with two or more items" in report["datasets"]["demo"]["skipped"]

    def missing() -> Interactions:
        raise NotEnoughData("no behaviour events yet")

    assert run_evaluation(["demo"], demo=missing)["datasets"] == {
        "demo": {"skipped": "no behaviour events yet"}
    }
    assert "skipped" in format_report(run_evaluation(["demo"], demo=None))


def test_the_demo_events_become_interactions_without_dismissals_or_searches(
    db: Database, world: World
) -> None:
    # Given events in the table: repeats, a search and a dismissal among them
    start = clock.utcnow()
    coat, other = world.coats[0].product.id, world.coats[1].product.id
    phone = world.phones[0].product.id
    events = [
        (world.lin.id, "view", coat, None),
        (world.lin.id, "view", coat, None),
        (world.lin.id, "search", None, "coat"),
        (world.lin.id, "cart", other, None),
        (world.lin.id, "dismiss", phone, None),
        (world.wang.id, "like", phone, None),
        (world.wang.id, "purchase", coat, None),
    ]
    with db.write_session() as session:
        for minutes, (user, kind, product, query) in enumerate(events):
            session.add(
                recommendations.BehaviourEvent(
                    user_id=user,
                    kind=kind,
                    product_id=product,
                    query=query,
                    occurred_at=start + timedelta(minutes=minutes),
                )
            )
        session.commit()

    data = demo_interactions(db)

    # Then each shopper's distinct products, in the order they first happened
    users = sorted({str(world.lin.id), str(world.wang.id)})
    items = sorted({str(coat), str(other), str(phone)})
    pairs = sorted(
        (users[u], items[i], t)
        for u, i, t in zip(data.users.tolist(), data.items.tolist(), data.times, strict=True)
    )
    assert pairs == sorted(
        [
            (str(world.lin.id), str(coat), 0.0),
            (str(world.lin.id), str(other), 2.0),
            (str(world.wang.id), str(phone), 3.0),
            (str(world.wang.id), str(coat), 4.0),
        ]
    )


def test_evaluate_refuses_an_unknown_data_set() -> None:
    result = CliRunner().invoke(recs_app, ["evaluate", "--dataset", "netflix"])
    assert result.exit_code == 2
    assert "unknown dataset" in result.output
