"""The recommenders, metrics and splits on tiny matrices whose answers are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from agora.recommendations.algorithms import (
    EASE,
    RANDOM,
    TEMPORAL,
    Interactions,
    ItemKNN,
    Popularity,
    as_matrix,
    choose_model,
    evaluate,
    load_model,
    save_model,
    split,
    top_n,
)
from agora.recommendations.algorithms import item_knn as item_knn_module


def _matrix(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    """Users x items with a 1 for each item listed on a user's row."""
    dense = np.zeros((len(rows), n_items), dtype=np.float32)
    for user, items in enumerate(rows):
        dense[user, items] = 1.0
    return as_matrix(dense)


def _random_matrix(users: int, items: int, density: float, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    return as_matrix((rng.random((users, items)) < density).astype(np.float32))


class Fixed:
    """A stand-in model whose scores are given."""

    name = "fixed"

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores
        self.params: dict[str, object] = {}

    def score(self, rows: sp.csr_matrix) -> np.ndarray:
        return self.scores[: rows.shape[0]]


# --- EASE -------------------------------------------------------------------------------------


def test_ease_weights_are_the_closed_form_of_each_items_ridge_regression() -> None:
    # Given a small random matrix and λ = 3
    x = _random_matrix(30, 8, 0.35, seed=1)
    model = EASE(l2=3.0).fit(x)
    gram = (x.T @ x).toarray().astype(np.float64)
    # Then column j is the ridge regression of item j on every other item (its own weight 0)
    for j in range(8):
        others = [i for i in range(8) if i != j]
        direct = np.linalg.solve(gram[np.ix_(others, others)] + 3.0 * np.eye(7), gram[others, j])
        assert model.weights[j, j] == 0.0
        np.testing.assert_allclose(model.weights[others, j], direct, rtol=1e-4, atol=1e-6)


def test_ease_scores_are_the_users_rows_times_the_weights() -> None:
    x = _random_matrix(12, 6, 0.4, seed=2)
    model = EASE(l2=1.0).fit(x)
    np.testing.assert_allclose(model.score(x[:4]), x[:4].toarray() @ model.weights, rtol=1e-5)
    assert model.params == {"l2": 1.0}
    assert model.name == "ease"


def test_ease_similar_items_follow_the_items_row_and_leave_it_out() -> None:
    # Items 0 and 1 always come together; item 2 with 0 once; item 3 alone
    x = _matrix([[0, 1], [0, 1], [0, 1, 2], [3], [2]], 4)
    similar = EASE(l2=0.5).fit(x).similar(0, 3)
    items = [item for item, _ in similar]
    assert items[:1] == [1]
    assert 0 not in items
    assert len(items) == 3


# --- item-kNN ---------------------------------------------------------------------------------


def test_item_knn_cosine_similarity_with_shrink_is_worked_out_by_hand() -> None:
    # Item 0 is had by users 0-3, item 1 by users 0-2, item 2 by users 3-4
    x = _matrix([[0, 1], [0, 1], [0, 1], [0, 2], [2]], 3)
    model = ItemKNN(k=5, shrink=1.0, alpha=0.5).fit(x)
    # s(0, 1) = 3 / (sqrt(4 * 3) + 1); s(0, 2) = 1 / (sqrt(4 * 2) + 1); items 1 and 2 share no one
    assert model.similar(0, 5) == [
        (1, pytest.approx(3 / (np.sqrt(12) + 1), rel=1e-6)),
        (2, pytest.approx(1 / (np.sqrt(8) + 1), rel=1e-6)),
    ]
    assert model.similar(1, 5) == [(0, pytest.approx(3 / (np.sqrt(12) + 1), rel=1e-6))]


def test_item_knn_asymmetric_cosine_discounts_the_popular_neighbour() -> None:
    x = _matrix([[0, 1], [0, 1], [0, 1], [0, 2], [2]], 3)
    model = ItemKNN(k=5, shrink=0.0, alpha=0.2).fit(x)
    # s(j, i) = c / (n_j^0.2 · n_i^0.8): item 2's neighbour 0 (four users) weighs 1 / (2^0.2 4^0.8)
    [(neighbour, weight)] = model.similar(2, 5)
    assert neighbour == 0
    assert weight == pytest.approx(1 / (2**0.2 * 4**0.8), rel=1e-6)


def test_item_knn_keeps_k_neighbours_and_scores_with_them() -> None:
    x = _random_matrix(40, 15, 0.3, seed=3)
    model = ItemKNN(k=2, shrink=0.0).fit(x)
    counts = np.diff(model.neighbours.indptr)
    assert counts.max() <= 2
    assert all(item != 4 for item, _ in model.similar(4, 10))
    # A user's score for item j: the similarities of j's neighbours the user has
    expected = x[:5].toarray() @ model.neighbours.toarray().T
    np.testing.assert_allclose(model.score(x[:5]), expected, rtol=1e-5)


def test_item_knn_block_by_block_sparse_and_dense_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _random_matrix(60, 40, 0.2, seed=4)
    dense = ItemKNN(k=40, shrink=5.0, alpha=0.3).fit(x)
    monkeypatch.setattr(item_knn_module, "DENSE_CELLS", 0)
    monkeypatch.setattr(item_knn_module, "BLOCK_ITEMS", 7)
    sparse = ItemKNN(k=40, shrink=5.0, alpha=0.3).fit(x)
    np.testing.assert_allclose(sparse.neighbours.toarray(), dense.neighbours.toarray(), rtol=1e-6)


def test_item_knn_normalised_neighbourhoods_sum_to_one() -> None:
    x = _random_matrix(40, 12, 0.3, seed=5)
    model = ItemKNN(k=4, normalize=True).fit(x)
    sums = np.asarray(model.neighbours.sum(axis=1)).ravel()
    np.testing.assert_allclose(sums[sums > 0], 1.0, rtol=1e-5)


def test_item_knn_fits_100000_sparse_items_without_a_dense_items_matrix() -> None:
    rng = np.random.default_rng(6)
    users, items = rng.integers(0, 3000, 30_000), rng.integers(0, 100_000, 30_000)
    x = Interactions.from_log(users, items, n_users=3000, n_items=100_000).matrix()
    model = ItemKNN(k=20).fit(x)
    assert model.neighbours.shape == (100_000, 100_000)
    assert np.diff(model.neighbours.indptr).max() <= 20
    assert model.score(x[:3]).shape == (3, 100_000)


# --- popularity -------------------------------------------------------------------------------


def test_popularity_scores_every_user_by_the_items_counts() -> None:
    x = _matrix([[0, 1], [1], [1, 2]], 4)
    model = Popularity().fit(x)
    np.testing.assert_array_equal(model.score(x[:2]), [[1, 3, 1, 0], [1, 3, 1, 0]])
    assert model.similar(1, 2) == [(0, 1.0), (2, 1.0)]


# --- top-n and metrics ------------------------------------------------------------------------


def test_top_n_ranks_best_first_skips_excluded_items_and_breaks_ties_by_item() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.9, 0.2], [1.0, 0.0, 0.0, 0.0, 2.0]])
    exclude = _matrix([[1], [4]], 5)
    np.testing.assert_array_equal(top_n(scores, exclude, 3), [[3, 2, 4], [0, 1, 2]])
    np.testing.assert_array_equal(top_n(scores[0], None, 2), [1, 3])
    assert top_n(scores, None, 0).shape == (2, 0)
    assert top_n(scores, None, 99).shape == (2, 5)


def test_recall_and_ndcg_are_worked_out_by_hand() -> None:
    # Given two users over six items, user 0 has item 5 in training (excluded from the ranking)
    train = _matrix([[5], [4]], 6)
    test = _matrix([[0, 2, 3], [1]], 6)
    scores = np.array(
        [
            [0.9, 0.8, 0.7, 0.1, 0.2, 1.0],  # ranking without item 5: 0, 1, 2 | 4, 3
            [0.1, 0.2, 0.9, 0.8, 1.0, 0.0],  # ranking without item 4: 2, 3, 1
        ]
    )
    quality = evaluate(Fixed(scores), train, test, k=3)  # type: ignore[arg-type]
    # User 0: hits at ranks 1 and 3 of 3 test items; user 1: its one test item at rank 3
    recall = (2 / 3 + 1 / 1) / 2
    d1, d3 = 1.0, 1 / np.log2(4)
    ndcg_0 = (d1 + d3) / (1 + 1 / np.log2(3) + 1 / np.log2(4))
    ndcg_1 = d3 / 1.0
    assert quality.users == 2
    assert quality.recall == pytest.approx(recall)
    assert quality.ndcg == pytest.approx((ndcg_0 + ndcg_1) / 2)
    assert quality.recall_all == pytest.approx(recall)


def test_recall_divides_by_at_most_k_test_items_and_recall_all_by_every_one() -> None:
    train = _matrix([[0]], 6)
    test = _matrix([[1, 2, 3, 4, 5]], 6)
    scores = np.array([[0.0, 5.0, 4.0, 0.1, 0.2, 0.3]])
    quality = evaluate(Fixed(scores), train, test, k=2)  # type: ignore[arg-type]
    assert quality.recall == pytest.approx(1.0)
    assert quality.recall_all == pytest.approx(2 / 5)
    assert quality.ndcg == pytest.approx(1.0)


def test_users_without_test_items_are_not_averaged() -> None:
    train = _matrix([[0], [1]], 3)
    test = _matrix([[2], []], 3)
    scores = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    quality = evaluate(Fixed(scores), train, test, k=1)  # type: ignore[arg-type]
    assert (quality.users, quality.recall) == (1, 1.0)


# --- splits -----------------------------------------------------------------------------------


def _log() -> Interactions:
    # User u has 10 * (u + 1) items, at times that run backwards from item order
    users, items, times = [], [], []
    for user in range(3):
        for item in range(10 * (user + 1)):
            users.append(user)
            items.append(item)
            times.append(1000.0 - item)
    users.append(3)  # a user with a single interaction
    items.append(0)
    times.append(0.0)
    return Interactions.from_log(np.array(users), np.array(items), np.array(times))


@pytest.mark.parametrize("kind", [RANDOM, TEMPORAL])
def test_a_split_holds_out_a_fifth_of_each_user_disjoint_and_complete(kind: str) -> None:
    log = _log()
    train, test = split(log, kind=kind, seed=3)
    assert np.bincount(test.users, minlength=4).tolist() == [2, 4, 6, 0]
    assert np.bincount(train.users, minlength=4).tolist() == [8, 16, 24, 1]
    pairs = {(int(u), int(i)) for u, i in zip(log.users, log.items, strict=True)}
    train_pairs = {(int(u), int(i)) for u, i in zip(train.users, train.items, strict=True)}
    test_pairs = {(int(u), int(i)) for u, i in zip(test.users, test.items, strict=True)}
    assert not train_pairs & test_pairs
    assert train_pairs | test_pairs == pairs


def test_a_random_split_is_the_same_for_a_seed_and_differs_across_seeds() -> None:
    log = _log()
    first, again, other = (split(log, seed=s)[1] for s in (11, 11, 12))
    assert np.array_equal(first.items, again.items) and np.array_equal(first.users, again.users)
    assert not np.array_equal(first.items, other.items)


def test_a_temporal_split_tests_each_users_latest_interactions() -> None:
    train, test = split(_log(), kind=TEMPORAL, seed=3)
    for user in range(3):
        latest_train = train.times[train.users == user].max()
        earliest_test = test.times[test.users == user].min()
        assert latest_train < earliest_test
    # Times run backwards from item order: the latest are the lowest item numbers
    assert sorted(test.items[test.users == 0].tolist()) == [0, 1]


def test_a_log_keeps_each_pair_once_at_its_first_time() -> None:
    log = Interactions.from_log(
        np.array([0, 0, 0, 1]), np.array([2, 2, 1, 2]), np.array([5, 3, 4, 1])
    )
    assert list(zip(log.users.tolist(), log.items.tolist(), log.times.tolist(), strict=True)) == [
        (0, 1, 4.0),
        (0, 2, 3.0),
        (1, 2, 1.0),
    ]
    assert log.matrix().toarray().tolist() == [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]


# --- choosing, saving -------------------------------------------------------------------------


def _clustered(seed: int = 9) -> sp.csr_matrix:
    """Four tastes, each a block of 15 items; every user takes 8 items of one block."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(160):
        block = user % 4
        rows.append((block * 15 + rng.choice(15, size=8, replace=False)).tolist())
    return _matrix(rows, 60)


def test_choose_model_picks_a_model_that_learns_the_tastes_over_popularity() -> None:
    calls: list[tuple[int, int]] = []
    grids = {
        "popularity": [{}],
        "item_knn": [{"k": 10, "shrink": 0.0, "alpha": 0.5}],
        "ease": [{"l2": 10.0}, {"l2": 50.0}],
    }
    choice = choose_model(
        _clustered(), seed=7, progress=lambda done, total: calls.append((done, total)), grids=grids
    )
    assert choice.name in {"item_knn", "ease"}
    assert choice.validation[choice.name] == max(choice.validation.values())
    assert choice.validation[choice.name] > choice.validation["popularity"] + 0.2
    assert choice.params == choice.model.params
    assert calls == [(done, 5) for done in range(1, 6)]
    # Refitted on everything: a user's recommendations stay inside their taste's block
    best = top_n(choice.model.score(_clustered()[:1]), _clustered()[:1], 5)
    assert all(0 <= item < 15 for item in best[0])


def test_choose_model_leaves_ease_out_above_the_item_limit() -> None:
    grids = {"item_knn": [{"k": 10}], "ease": [{"l2": 10.0}]}
    choice = choose_model(_clustered(), grids=grids, max_ease_items=50)
    assert choice.name == "item_knn"
    assert set(choice.validation) == {"item_knn"}


@pytest.mark.parametrize(
    "model", [Popularity(), ItemKNN(k=5, shrink=2.0, alpha=0.3, normalize=True), EASE(l2=20.0)]
)
def test_a_saved_model_reads_back_with_the_same_scores(
    model: Popularity | ItemKNN | EASE, tmp_path: Path
) -> None:
    x = _clustered()
    model.fit(x)
    path = tmp_path / "recs" / "model.npz"
    save_model(path, model, meta={"trained_at": "2026-12-07T12:00:00+00:00"})
    loaded, meta = load_model(path)
    assert meta == {"trained_at": "2026-12-07T12:00:00+00:00"}
    assert (loaded.name, loaded.params) == (model.name, model.params)
    np.testing.assert_array_equal(loaded.score(x[:10]), model.score(x[:10]))
    assert loaded.similar(3, 4) == model.similar(3, 4)
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]
