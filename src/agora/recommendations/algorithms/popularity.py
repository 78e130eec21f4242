"""Popularity: every user gets the most interacted-with items (the cold-start fallback)."""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from agora.recommendations.algorithms.recommender import Arrays, Matrix, best_of_row


class Popularity:
    """Scores an item by how many users interacted with it (weights summed)."""

    name = "popularity"

    def __init__(self) -> None:
        self.counts = np.zeros(0, dtype=np.float32)

    @property
    def params(self) -> dict[str, Any]:
        return {}

    def fit(self, interactions: Matrix) -> Self:
        self.counts = np.asarray(interactions.sum(axis=0), dtype=np.float32).ravel()
        return self

    def score(self, rows: Matrix) -> np.ndarray:
        return np.tile(self.counts, (rows.shape[0], 1))

    def similar(self, item: int, n: int) -> list[tuple[int, float]]:
        # Popularity knows nothing of likeness: the best sellers stand in for "similar".
        return best_of_row(self.counts, n, skip=item)

    def to_arrays(self) -> Arrays:
        return {"counts": self.counts}

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> Self:
        model = cls()
        model.counts = np.asarray(arrays["counts"], dtype=np.float32)
        return model
