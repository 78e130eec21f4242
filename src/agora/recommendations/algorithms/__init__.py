"""Recommender algorithms (popularity, item-kNN, EASE), their metrics, splits and model choice.

Pure numpy/scipy over a users x items interaction matrix: no database, no web. The trainer and
the feeds build the matrix from behaviour events; ``agora recs evaluate`` runs the same code on
MovieLens-100k.
"""

from agora.recommendations.algorithms.choose import (
    GRIDS,
    MAX_EASE_ITEMS,
    Choice,
    Trial,
    build,
    choose_model,
    tune,
)
from agora.recommendations.algorithms.ease import EASE
from agora.recommendations.algorithms.item_knn import ItemKNN
from agora.recommendations.algorithms.metrics import Quality, evaluate, top_n
from agora.recommendations.algorithms.popularity import Popularity
from agora.recommendations.algorithms.recommender import (
    Recommender,
    as_matrix,
    load_model,
    save_model,
)
from agora.recommendations.algorithms.splits import RANDOM, TEMPORAL, Interactions, split

__all__ = [
    "EASE",
    "GRIDS",
    "MAX_EASE_ITEMS",
    "RANDOM",
    "TEMPORAL",
    "Choice",
    "Interactions",
    "ItemKNN",
    "Popularity",
    "Quality",
    "Recommender",
    "Trial",
    "as_matrix",
    "build",
    "choose_model",
    "evaluate",
    "load_model",
    "save_model",
    "split",
    "top_n",
    "tune",
]
