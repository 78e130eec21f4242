"""Top-n lists and their quality: Recall@K and NDCG@K over all items, seen items excluded.

Recall@K = hits in the top K / the user's test items (RecBole's definition, which does not cap the
denominator at K); NDCG@K uses binary relevance with the ideal DCG over min(K, test items). Both
are averaged over the users with at least one test item.

Capped recall divides by min(K, test items) instead, as Liang et al. (2018, "Variational
Autoencoders for Collaborative Filtering") and Steck (2019, EASE) define Recall@R: a user with 60
test items can score 1 with 20 hits. Published EASE and item-kNN figures on MovieLens mostly use
that one, so both are reported; they differ a lot on data where users have many test items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agora.recommendations.algorithms.recommender import Matrix, Recommender, as_matrix

# Users scored at once: bounds the dense users x items score block.
BATCH_CELLS = 8_000_000


@dataclass(frozen=True)
class Quality:
    """Recall@k, NDCG@k and RecBole's Recall@k averaged over ``users`` users.

    ``recall`` divides a user's hits by min(k, their test items), as Liang et al. (2018) and
    Steck (2019, EASE) define Recall@k: a perfect list scores 1 however many items were held out.
    ``recall_all`` divides by all their test items (RecBole's definition); on MovieLens-100k's
    80/20 split a quarter of the users hold out 30 or more, so even a perfect list scores 0.84.
    """

    k: int
    recall: float
    ndcg: float
    recall_all: float
    users: int


def top_n(scores: np.ndarray, exclude: Matrix | None, n: int) -> np.ndarray:
    """Indices of the n best-scored items per row (best first), skipping ``exclude``'s items.

    ``scores`` is one row (1-D) or a rows x items block; ``exclude`` has the same rows. When a
    row has fewer than n items left, its list ends with excluded ones (scored minus infinity).
    """
    single = scores.ndim == 1
    block = np.array(scores, dtype=np.float32, ndmin=2, copy=True)
    if exclude is not None:
        seen = as_matrix(exclude).tocoo()
        block[seen.row, seen.col] = -np.inf
    n = max(0, min(n, block.shape[1]))
    best = np.zeros((block.shape[0], n), dtype=np.int64)
    if n > 0:
        # Row by row: numpy's partition along axis 1 of a wide block is several times slower than
        # a loop over its rows, and slower still on rows of mostly equal scores (zeros).
        for index, row in enumerate(block):
            negated = -row
            part = np.argpartition(negated, n - 1)[:n]
            best[index] = part[np.lexsort((part, negated[part]))]  # ties: lower item first
    return best[0] if single else best


def evaluate(model: Recommender, train: Matrix, test: Matrix, *, k: int = 20) -> Quality:
    """Rank all items for each user with test items, train items excluded; Recall@k, NDCG@k."""
    train, test = as_matrix(train), as_matrix(test)
    test_counts = np.diff(test.indptr)
    users = np.flatnonzero(test_counts > 0)
    if users.size == 0:
        return Quality(k=k, recall=0.0, ndcg=0.0, recall_all=0.0, users=0)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)
    recall_sum = ndcg_sum = all_sum = 0.0
    batch = max(1, BATCH_CELLS // max(1, train.shape[1]))
    for start in range(0, users.size, batch):
        chunk = users[start : start + batch]
        best = top_n(model.score(train[chunk]), train[chunk], k)
        # A hit matrix chunk x k: is the item at each rank one of the user's test items?
        hits = np.take_along_axis(test[chunk].toarray() > 0, best, axis=1).astype(np.float64)
        counts = test_counts[chunk]
        recall_sum += float((hits.sum(axis=1) / np.minimum(counts, k)).sum())
        all_sum += float((hits.sum(axis=1) / counts).sum())
        ideal_dcg = ideal[np.minimum(counts, k) - 1]
        ndcg_sum += float(((hits * discounts[: hits.shape[1]]).sum(axis=1) / ideal_dcg).sum())
    return Quality(
        k=k,
        recall=recall_sum / users.size,
        ndcg=ndcg_sum / users.size,
        recall_all=all_sum / users.size,
        users=int(users.size),
    )
