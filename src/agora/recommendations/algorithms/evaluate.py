"""Offline evaluation: Recall@20 and NDCG@20 of each recommender on two splits of a data set.

For each split (random, temporal) the test part is set aside first; each model's settings are
chosen on a validation part carved out of the training part the same way (never on the test
part), the chosen setting is refitted on the whole training part and scored on the test part.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from agora.recommendations.algorithms.choose import GRIDS, Grid, best_trial, build, tune
from agora.recommendations.algorithms.metrics import evaluate
from agora.recommendations.algorithms.movielens import DatasetMissing, load_movielens
from agora.recommendations.algorithms.splits import SPLITS, Interactions, split

DATASETS = ("movielens", "demo")
K = 20

Log = Callable[[str], None]


class NotEnoughData(LookupError):
    """Too few users or interactions for the figures to mean anything."""


# Below these a data set is skipped: a handful of users gives figures that swing on one of them.
MIN_USERS = 10
MIN_INTERACTIONS = 100


def run_evaluation(
    datasets: Sequence[str],
    *,
    demo: Callable[[], Interactions] | None = None,
    grids: Mapping[str, Grid] | None = None,
    seed: int = 7,
    log: Log | None = None,
) -> dict[str, Any]:
    """Evaluate every model on each named data set; one JSON-friendly report.

    ``demo`` reads the demo's behaviour events (the caller owns the database); a data set that
    is not installed or too small is reported as skipped, with the reason.
    """
    report: dict[str, Any] = {"k": K, "seed": seed, "datasets": {}}
    for name in datasets:
        started = time.perf_counter()
        try:
            data = _load(name, demo)
        except (DatasetMissing, NotEnoughData) as exc:
            report["datasets"][name] = {"skipped": str(exc)}
            if log is not None:
                log(f"{name}: skipped — {exc}")
            continue
        if log is not None:
            log(
                f"{name}: {data.n_users:,} users, {data.n_items:,} items,"
                f" {len(data):,} interactions"
            )
        body = evaluate_dataset(data, grids=grids, seed=seed, log=log)
        body["seconds"] = round(time.perf_counter() - started, 1)
        report["datasets"][name] = body
    return report


def _load(name: str, demo: Callable[[], Interactions] | None) -> Interactions:
    if name == "movielens":
        return load_movielens()
    if name != "demo":
        raise ValueError(f"unknown data set {name!r}")
    if demo is None:
        raise NotEnoughData("no reader for the demo's events was given")
    data = demo()
    active = int((np.bincount(data.users, minlength=data.n_users) >= 2).sum())
    if active < MIN_USERS or len(data) < MIN_INTERACTIONS:
        raise NotEnoughData(
            f"{active} users with two or more items and {len(data)} interactions; at least"
            f" {MIN_USERS} and {MIN_INTERACTIONS} are needed (run the demo and browse it)"
        )
    return data


def evaluate_dataset(
    data: Interactions,
    *,
    grids: Mapping[str, Grid] | None = None,
    seed: int = 7,
    log: Log | None = None,
) -> dict[str, Any]:
    """Every model on both splits: test figures, chosen settings, sizes and timings."""
    grids = GRIDS if grids is None else grids
    report: dict[str, Any] = {
        "users": data.n_users,
        "items": data.n_items,
        "interactions": len(data),
        "splits": {},
    }
    for kind in SPLITS:
        train, test = split(data, kind=kind, seed=seed)
        # The validation part is cut from the training part as the test part was from the whole.
        fit_part, held_out = split(train, kind=kind, seed=seed + 1)
        train_matrix, test_matrix = train.matrix(), test.matrix()
        fit_matrix, held_matrix = fit_part.matrix(), held_out.matrix()
        models: dict[str, Any] = {}
        for name, grid in grids.items():
            started = time.perf_counter()
            trials = tune(name, fit_matrix, held_matrix, grid, k=K)
            chosen = best_trial(trials)
            tuned = time.perf_counter()
            model = build(name, chosen.params).fit(train_matrix)
            fitted = time.perf_counter()
            quality = evaluate(model, train_matrix, test_matrix, k=K)
            scored = time.perf_counter()
            models[name] = {
                "recall": round(quality.recall, 4),
                "ndcg": round(quality.ndcg, 4),
                "recall_all": round(quality.recall_all, 4),
                "params": chosen.params,
                "validation_recall": round(chosen.recall, 4),
                "settings_tried": len(trials),
                "tuning_seconds": round(tuned - started, 2),
                "fit_seconds": round(fitted - tuned, 3),
                "scoring_seconds": round(scored - fitted, 3),
            }
            if log is not None:
                log(
                    f"  {kind:<8} {name:<10} Recall@{K} {quality.recall:.4f}"
                    f"  NDCG@{K} {quality.ndcg:.4f}  ({len(trials)} settings, "
                    f"{scored - started:.1f} s)"
                )
        report["splits"][kind] = {
            "train": len(train),
            "validation": len(held_out),
            "test": len(test),
            "test_users": quality.users,
            "models": models,
        }
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """The report as plain-text tables, one per data set."""
    lines: list[str] = []
    for name, body in report["datasets"].items():
        if "skipped" in body:
            lines.append(f"{name}: skipped — {body['skipped']}")
            continue
        lines.append(
            f"{name}: {body['users']:,} users, {body['items']:,} items, "
            f"{body['interactions']:,} interactions ({body['seconds']:.1f} s)"
        )
        lines.append(
            f"  {'split':<9}{'model':<11}{'Recall@20':>10}{'NDCG@20':>9}{'R@20 all':>10}"
            f"{'tune s':>8}{'fit s':>7}  chosen settings"
        )
        for kind, part in body["splits"].items():
            for model, row in part["models"].items():
                settings = ", ".join(f"{key}={value}" for key, value in row["params"].items())
                lines.append(
                    f"  {kind:<9}{model:<11}{row['recall']:>10.4f}{row['ndcg']:>9.4f}"
                    f"{row['recall_all']:>10.4f}{row['tuning_seconds']:>8.1f}"
                    f"{row['fit_seconds']:>7.2f}  {settings or '-'}"
                )
            lines.append(
                f"  {kind}: train {part['train']:,} (validation {part['validation']:,} of it),"
                f" test {part['test']:,} over {part['test_users']:,} users"
            )
        lines.append("")
    lines.append(
        f"Recall@{K} = hits / min({K}, the user's test items) (Liang et al. 2018, Steck 2019);"
        f" R@{K} all = hits / all test items (RecBole). All items ranked, seen excluded."
    )
    return "\n".join(lines)
