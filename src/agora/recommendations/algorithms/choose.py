"""Choosing a recommender by validation: a small grid per model, the best Recall@20 wins.

Hyper-parameters are always picked on interactions held out of the data the caller trains on,
never on a test part; the winner is then refitted on all of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agora.recommendations.algorithms.ease import EASE
from agora.recommendations.algorithms.item_knn import ItemKNN
from agora.recommendations.algorithms.metrics import evaluate
from agora.recommendations.algorithms.popularity import Popularity
from agora.recommendations.algorithms.recommender import Matrix, Recommender, as_matrix
from agora.recommendations.algorithms.splits import RANDOM, Interactions, split

Progress = Callable[[int, int], None]
Grid = Sequence[Mapping[str, Any]]

# The grids searched by default. EASE's λ spans the range where MovieLens-sized data peaks (the
# demo's few hundred shoppers want its low end); kNN's neighbourhood size and shrink, and the
# plain cosine (α 0.5) against asymmetric ones that discount popular neighbours more and more.
GRIDS: dict[str, Grid] = {
    Popularity.name: [{}],
    ItemKNN.name: [
        {"k": k, "shrink": shrink, "alpha": alpha}
        for k in (25, 50, 100)
        for shrink in (0.0, 10.0, 50.0)
        for alpha in (0.1, 0.2, 0.35, 0.5)
    ],
    EASE.name: [
        {"l2": l2} for l2 in (50.0, 100.0, 200.0, 350.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0)
    ],
}

# Above this many items EASE's dense items x items inverse costs minutes and gigabytes.
MAX_EASE_ITEMS = 10_000


def build(name: str, params: Mapping[str, Any]) -> Recommender:
    """An untrained model of the named kind."""
    if name == Popularity.name:
        return Popularity()
    if name == ItemKNN.name:
        return ItemKNN(**params)
    if name == EASE.name:
        return EASE(**params)
    raise ValueError(f"unknown model {name!r}")


@dataclass(frozen=True)
class Trial:
    """One model with one setting, scored on a validation part."""

    name: str
    params: dict[str, Any]
    recall: float
    ndcg: float
    seconds: float


@dataclass(frozen=True)
class Choice:
    """The chosen model, refitted on everything; ``validation``: each model's best Recall@20."""

    name: str
    model: Recommender
    params: dict[str, Any]
    validation: dict[str, float]
    trials: tuple[Trial, ...] = field(default=())


def tune(
    name: str,
    fit_part: Matrix,
    held_out: Matrix,
    grid: Grid,
    *,
    k: int = 20,
    progress: Callable[[], None] | None = None,
) -> list[Trial]:
    """Fit each setting of the grid on ``fit_part`` and score it on ``held_out``."""
    trials = []
    for params in grid:
        started = time.perf_counter()
        model = build(name, params).fit(fit_part)
        quality = evaluate(model, fit_part, held_out, k=k)
        trials.append(
            Trial(
                name=name,
                params=dict(model.params),
                recall=quality.recall,
                ndcg=quality.ndcg,
                seconds=time.perf_counter() - started,
            )
        )
        if progress is not None:
            progress()
    return trials


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The trial with the highest recall (the first of equals, so smaller grids' order decides)."""
    return max(trials, key=lambda trial: trial.recall)


def choose_model(
    interactions: Matrix,
    *,
    seed: int = 7,
    progress: Progress | None = None,
    max_ease_items: int = MAX_EASE_ITEMS,
    grids: Mapping[str, Grid] | None = None,
) -> Choice:
    """Pick the model and settings with the best validation Recall@20, refitted on all the data.

    A seeded fifth of each user's interactions is held out for validation. EASE is left out when
    the matrix has more than ``max_ease_items`` items. ``progress(done, total)`` is called after
    each fit.
    """
    matrix = as_matrix(interactions)
    grids = dict(GRIDS if grids is None else grids)
    if matrix.shape[1] > max_ease_items:
        grids.pop(EASE.name, None)
    fit_part, held_out = split(Interactions.from_matrix(matrix), kind=RANDOM, seed=seed)
    total = sum(len(grid) for grid in grids.values()) + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    trials: list[Trial] = []
    for name, grid in grids.items():
        trials.extend(tune(name, fit_part.matrix(), held_out.matrix(), grid, progress=step))
    winner = best_trial(trials)
    model = build(winner.name, winner.params).fit(matrix)
    step()
    validation = {
        name: best_trial([t for t in trials if t.name == name]).recall
        for name in grids
        if any(t.name == name for t in trials)
    }
    return Choice(
        name=winner.name,
        model=model,
        params=winner.params,
        validation=validation,
        trials=tuple(trials),
    )
