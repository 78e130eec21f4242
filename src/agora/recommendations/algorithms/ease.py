"""EASE (Steck, 2019): a dense item-to-item weight matrix learnt in closed form.

    P = (XᵀX + λI)⁻¹,  B = I − P · diag(1 / diag(P)),  so B_ij = −P_ij / P_jj and B_jj = 0.

The matrix is items x items and dense, so EASE suits catalogues of up to some tens of thousands
of items; :func:`~agora.recommendations.algorithms.choose.choose_model` skips it above that.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from agora.recommendations.algorithms.recommender import Arrays, Matrix, best_of_row


class EASE:
    """Scores ``X @ B``: each item the user has is a weighted vote for every other item."""

    name = "ease"

    def __init__(self, *, l2: float = 500.0) -> None:
        self.l2 = float(l2)
        self.weights = np.zeros((0, 0), dtype=np.float32)

    @property
    def params(self) -> dict[str, Any]:
        return {"l2": self.l2}

    def fit(self, interactions: Matrix) -> Self:
        n_items = interactions.shape[1]
        # The Gram matrix and its inverse in float64: λ is small next to popular items' counts, and
        # float32 loses the digits that set the weights of rare items.
        gram = (interactions.T @ interactions).toarray().astype(np.float64)
        gram[np.diag_indices(n_items)] += self.l2
        precision = np.linalg.inv(gram)
        weights = precision / -np.diag(precision)
        weights[np.diag_indices(n_items)] = 0.0
        self.weights = weights.astype(np.float32)
        return self

    def score(self, rows: Matrix) -> np.ndarray:
        return np.asarray(rows @ self.weights)

    def similar(self, item: int, n: int) -> list[tuple[int, float]]:
        # Row i: how much having item i raises each other item's score.
        return best_of_row(self.weights[item], n, skip=item)

    def to_arrays(self) -> Arrays:
        return {"weights": self.weights, "l2": np.array(self.l2)}

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> Self:
        model = cls(l2=float(arrays["l2"]))
        model.weights = np.asarray(arrays["weights"], dtype=np.float32)
        return model
