"""Item-kNN: each item keeps its k most similar items; an item scores by those the user has.

Similarity of item j to item i from the users they share (co-counts c_ji, or weighted dot products
when the matrix holds weights), with n_i an item's own squared norm (its count, for 0/1 data):

    s(j, i) = c_ji / (n_j^α · n_i^(1−α) + shrink)

α = 0.5 is the cosine; a smaller α is the asymmetric cosine, under which a popular neighbour
counts for less: on MovieLens it is what brings item-kNN close to EASE. The shrink term pulls
similarities resting on few shared users toward zero.

Item j keeps its k most similar items, and a user's score for j is the sum of s(j, i) over the
items i among them that the user has (a neighbourhood per candidate item, which validates better
than letting each of the user's items vote for its own k neighbours). The neighbours are a sparse
matrix computed a block of items at a time, so 100,000 items with sparse data never need a dense
items x items matrix.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from agora.recommendations.algorithms.recommender import Arrays, Matrix, as_matrix

# Items per block of the similarity computation: bounds the memory of one block's co-counts.
BLOCK_ITEMS = 2048
# Up to this many items x items cells the co-counts are worked on dense (up to 2,000 items), which
# is several times faster when most pairs share a user.
DENSE_CELLS = 4_000_000


class ItemKNN:
    """Scores item j for a user as the summed similarity of j to the user's items near it."""

    name = "item_knn"

    def __init__(
        self,
        *,
        k: int = 50,
        shrink: float = 10.0,
        alpha: float = 0.2,
        normalize: bool = False,
    ) -> None:
        self.k = int(k)
        self.shrink = float(shrink)
        self.alpha = float(alpha)
        self.normalize = bool(normalize)
        # Row j: the neighbours of item j and their similarities (items x items, k per row).
        self.neighbours: Matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        # Its transpose, kept so scoring is one sparse product: row i, the items i votes for.
        self.votes: Matrix = sp.csr_matrix((0, 0), dtype=np.float32)

    @property
    def params(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "shrink": self.shrink,
            "alpha": self.alpha,
            "normalize": self.normalize,
        }

    def fit(self, interactions: Matrix) -> Self:
        matrix = as_matrix(interactions)
        n_items = matrix.shape[1]
        by_item = matrix.T.tocsr()
        norms = np.asarray(matrix.multiply(matrix).sum(axis=0), dtype=np.float64).ravel()
        # A small catalogue (MovieLens) in one dense block; a large one in sparse blocks, which
        # are faster as well as smaller once most pairs of items share no user.
        dense = n_items * n_items <= DENSE_CELLS
        step = max(n_items, 1) if dense else BLOCK_ITEMS
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for start in range(0, n_items, step):
            shared = by_item[start : start + step] @ matrix
            find = self._dense_top if dense else self._sparse_top
            row, col, similarity = find(shared, start, norms)
            rows.append(row)
            cols.append(col)
            values.append(similarity)
        neighbours = sp.csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0),
                (
                    np.concatenate(rows) if rows else np.zeros(0, np.int64),
                    np.concatenate(cols) if cols else np.zeros(0, np.int64),
                ),
            ),
            shape=(n_items, n_items),
            dtype=np.float32,
        )
        if self.normalize:
            # Each item's neighbour weights sum to one: an item with many close neighbours does
            # not outscore one whose neighbourhood is looser.
            totals = np.asarray(neighbours.sum(axis=1), dtype=np.float64).ravel()
            totals[totals == 0] = 1.0
            neighbours = sp.csr_matrix(sp.diags(1.0 / totals) @ neighbours, dtype=np.float32)
        self._set(neighbours)
        return self

    def _similarity(self, shared: np.ndarray, norm_j: np.ndarray, norm_i: np.ndarray) -> np.ndarray:
        scale = norm_j**self.alpha * norm_i ** (1.0 - self.alpha) + self.shrink
        similarity: np.ndarray = np.divide(
            shared, scale, out=np.zeros_like(shared), where=scale > 0
        )
        return similarity

    def _sparse_top(
        self, shared: Matrix, start: int, norms: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = shared.tocoo()
        row, col = block.row.astype(np.int64) + start, block.col.astype(np.int64)
        keep = row != col
        row, col, counts = row[keep], col[keep], block.data[keep].astype(np.float64)
        similarity = self._similarity(counts, norms[row], norms[col])
        return _top_per_row(row, col, similarity, self.k)

    def _dense_top(
        self, shared: Matrix, start: int, norms: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts = shared.toarray().astype(np.float64)
        items = np.arange(start, start + counts.shape[0])
        similarity = self._similarity(counts, norms[items, None], norms[None, :])
        similarity[np.arange(items.size), items] = 0.0
        k = min(self.k, counts.shape[1] - 1)
        if k <= 0:
            empty = np.zeros(0, np.int64)
            return empty, empty, np.zeros(0)
        top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        best = np.take_along_axis(similarity, top, axis=1).ravel()
        row, col = np.repeat(items, k), top.ravel().astype(np.int64)
        keep = best > 0
        return row[keep], col[keep], best[keep]

    def _set(self, neighbours: Matrix) -> None:
        neighbours.sort_indices()
        self.neighbours = neighbours
        self.votes = sp.csr_matrix(neighbours.T, dtype=np.float32)
        self.votes.sort_indices()

    def score(self, rows: Matrix) -> np.ndarray:
        return np.asarray((as_matrix(rows) @ self.votes).toarray())

    def similar(self, item: int, n: int) -> list[tuple[int, float]]:
        start, end = self.neighbours.indptr[item], self.neighbours.indptr[item + 1]
        order = np.argsort(-self.neighbours.data[start:end], kind="stable")[: max(n, 0)]
        return [
            (int(self.neighbours.indices[start + i]), float(self.neighbours.data[start + i]))
            for i in order
        ]

    def to_arrays(self) -> Arrays:
        return {
            "data": self.neighbours.data,
            "indices": self.neighbours.indices,
            "indptr": self.neighbours.indptr,
            "shape": np.array(self.neighbours.shape, dtype=np.int64),
            "k": np.array(self.k),
            "shrink": np.array(self.shrink),
            "alpha": np.array(self.alpha),
            "normalize": np.array(self.normalize),
        }

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> Self:
        model = cls(
            k=int(arrays["k"]),
            shrink=float(arrays["shrink"]),
            alpha=float(arrays["alpha"]),
            normalize=bool(arrays["normalize"]),
        )
        shape = tuple(int(size) for size in arrays["shape"])
        model._set(
            sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape, dtype=np.float32
            )
        )
        return model


def _top_per_row(
    row: np.ndarray, col: np.ndarray, value: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of entries (row, col, value), the k largest values of each row (ties: lower col first)."""
    order = np.lexsort((col, -value, row))
    row, col, value = row[order], col[order], value[order]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if row.size else np.zeros(0, int)
    first_of_row = np.repeat(starts, np.diff(np.r_[starts, row.size]))
    keep = (np.arange(row.size) - first_of_row < k) & (value > 0)
    return row[keep], col[keep], value[keep]
