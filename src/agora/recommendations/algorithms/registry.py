"""Each model class by its name, for reading a saved model back."""

from __future__ import annotations

from agora.recommendations.algorithms.ease import EASE
from agora.recommendations.algorithms.item_knn import ItemKNN
from agora.recommendations.algorithms.popularity import Popularity
from agora.recommendations.algorithms.recommender import Recommender

MODELS: dict[str, type[Recommender]] = {
    Popularity.name: Popularity,
    ItemKNN.name: ItemKNN,
    EASE.name: EASE,
}
