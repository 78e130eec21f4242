"""Interaction logs and the two ways to hold part of each user's interactions out.

Random: a seeded 20% of each user's interactions. Temporal: each user's last 20% by time, ties
broken by the same seeded order. A user keeps at least one interaction in the training part, so a
user with a single interaction is never tested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from agora.recommendations.algorithms.recommender import Matrix, as_matrix

RANDOM = "random"
TEMPORAL = "temporal"
SPLITS = (RANDOM, TEMPORAL)


@dataclass(frozen=True)
class Interactions:
    """A log of distinct (user, item) pairs as parallel arrays: when each happened, its weight."""

    users: np.ndarray
    items: np.ndarray
    times: np.ndarray
    values: np.ndarray
    n_users: int
    n_items: int

    @classmethod
    def from_log(
        cls,
        users: np.ndarray,
        items: np.ndarray,
        times: np.ndarray | None = None,
        values: np.ndarray | None = None,
        *,
        n_users: int | None = None,
        n_items: int | None = None,
    ) -> Interactions:
        """Distinct pairs of a log, each at the first time it happened (repeats say no more)."""
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        times = np.zeros(users.size) if times is None else np.asarray(times, dtype=np.float64)
        values = (
            np.ones(users.size, np.float32) if values is None else np.asarray(values, np.float32)
        )
        order = np.lexsort((times, items, users))
        users, items, times, values = users[order], items[order], times[order], values[order]
        first = np.r_[True, (users[1:] != users[:-1]) | (items[1:] != items[:-1])]
        return cls(
            users=users[first],
            items=items[first],
            times=times[first],
            values=values[first],
            n_users=int(n_users if n_users is not None else users.max(initial=-1) + 1),
            n_items=int(n_items if n_items is not None else items.max(initial=-1) + 1),
        )

    @classmethod
    def from_matrix(cls, matrix: Matrix) -> Interactions:
        """The matrix's nonzero cells (their values the weights) as a log with no times."""
        coo = as_matrix(matrix).tocoo()
        return cls.from_log(
            coo.row, coo.col, values=coo.data, n_users=coo.shape[0], n_items=coo.shape[1]
        )

    def __len__(self) -> int:
        return int(self.users.size)

    def matrix(self) -> Matrix:
        """Users x items, each interaction's weight in its cell."""
        return as_matrix(
            sp.csr_matrix(
                (self.values, (self.users, self.items)),
                shape=(self.n_users, self.n_items),
            )
        )

    def subset(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            users=self.users[mask],
            items=self.items[mask],
            times=self.times[mask],
            values=self.values[mask],
            n_users=self.n_users,
            n_items=self.n_items,
        )


def split(
    log: Interactions, *, kind: str = RANDOM, fraction: float = 0.2, seed: int = 7
) -> tuple[Interactions, Interactions]:
    """(train, test): per user, ``fraction`` of the interactions (rounded) held out for the test.

    ``kind`` is :data:`RANDOM` (a seeded draw) or :data:`TEMPORAL` (the latest ones).
    """
    if kind not in SPLITS:
        raise ValueError(f"unknown split {kind!r}")
    draw = np.random.default_rng(seed).random(len(log))
    keys = (draw, log.users) if kind == RANDOM else (draw, log.times, log.users)
    order = np.lexsort(keys)
    users = log.users[order]
    counts = np.bincount(log.users, minlength=log.n_users)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rank = np.arange(users.size) - starts[users]
    held = np.minimum(np.floor(counts * fraction + 0.5), np.maximum(counts - 1, 0)).astype(np.int64)
    # Random: the first ``held`` of the shuffled order; temporal: the last ``held`` in time.
    is_test = rank < held[users] if kind == RANDOM else rank >= counts[users] - held[users]
    test = np.zeros(len(log), dtype=bool)
    test[order] = is_test
    return log.subset(~test), log.subset(test)
