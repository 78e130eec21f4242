"""What every recommender offers, and one .npz file per trained model.

A model is trained on a users x items matrix and afterwards holds only numpy arrays (its state),
so the trainer writes it with ``np.savez`` and the feeds read it back without pickle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, Self, TypeAlias

import numpy as np
import scipy.sparse as sp

Matrix: TypeAlias = sp.csr_matrix
Arrays = dict[str, np.ndarray]


class Recommender(Protocol):
    """Scores every item for users given their interaction rows."""

    name: str

    @property
    def params(self) -> dict[str, Any]: ...

    def fit(self, interactions: Matrix) -> Self: ...

    def score(self, rows: Matrix) -> np.ndarray: ...

    def similar(self, item: int, n: int) -> list[tuple[int, float]]: ...

    def to_arrays(self) -> Arrays: ...

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> Self: ...


def as_matrix(interactions: Any) -> Matrix:
    """The matrix as float32 CSR with sorted indices, which every model below expects."""
    matrix = sp.csr_matrix(interactions, dtype=np.float32)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def best_of_row(values: np.ndarray, n: int, *, skip: int | None = None) -> list[tuple[int, float]]:
    """The n largest entries of one dense row as (index, value), largest first."""
    row = np.asarray(values, dtype=np.float64).copy()
    if skip is not None:
        row[skip] = -np.inf
    n = max(0, min(n, row.size - (skip is not None)))
    if n == 0:
        return []
    top = np.argpartition(-row, n - 1)[:n]
    top = top[np.lexsort((top, -row[top]))]  # ties: lower index first
    return [(int(index), float(row[index])) for index in top if np.isfinite(row[index])]


def save_model(path: Path, model: Recommender, *, meta: Mapping[str, str] | None = None) -> None:
    """Write the model (and string metadata such as its training date) to one .npz file."""
    from agora.recommendations.algorithms.registry import MODELS

    if model.name not in MODELS:
        raise ValueError(f"unknown model {model.name!r}")
    header = {"name": model.name, "params": model.params, "meta": dict(meta or {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary name then a rename: a reader never sees half a model.
    partial = path.with_name(path.name + ".partial.npz")
    # Typed loosely: numpy's stub reads a ``**`` of arrays as its allow_pickle keyword.
    arrays: dict[str, Any] = {"__header__": np.array(json.dumps(header)), **model.to_arrays()}
    np.savez(partial, **arrays)
    partial.replace(path)


def load_model(path: Path) -> tuple[Recommender, dict[str, str]]:
    """Read a model written by :func:`save_model`: the model and its metadata."""
    from agora.recommendations.algorithms.registry import MODELS

    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    header = json.loads(str(arrays.pop("__header__")))
    model = MODELS[header["name"]].from_arrays(arrays)
    return model, dict(header["meta"])
