"""Training the feeds: interactions in, one model file out (``agora recs train``, the retrain job).

What goes in: behaviour events of shoppers who gave the personalised-recommendations consent,
weighted by kind (a dismiss removes the pair), and the items of paid orders. Only consenting
shoppers get a row of their own; everyone's paid orders count towards popularity and
bought-together, as aggregate counts that name nobody.

What comes out, precomputed so that serving is a few array look-ups: each consenting shopper's
top-N with the item of their history that explains each pick, each item's similar items and
bought-together items, popularity overall and per category (the cold start), and the training
date, model name, parameters and validation figure. Written to a temporary file beside the target
and renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import select

from agora import catalog, ordering, privacy
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.recommendations.models import BehaviourEvent

# How much one event says about a shopper's taste; searches carry no product.
WEIGHTS = {"view": 1.0, "like": 3.0, "cart": 3.0, "share": 4.0, "purchase": 5.0}
ORDER_WEIGHT = 5.0
CAP = 10.0  # one item viewed fifty times is not fifty times the signal
BOUGHT = 1  # anchor kinds: what the shopper did with the item that explains a pick
VIEWED = 0
# Purchases of one buyer this close together were bought together (one order is 0 apart).
TOGETHER_WINDOW = timedelta(days=7)
HALF_LIFE_DAYS = 30.0  # popularity forgets: last month's sales count half as much as today's
SIMILAR_N = 24
TOGETHER_N = 20
POPULAR_N = 300
CATEGORY_N = 60
MIN_ROWS_FOR_MODEL = 3

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class TrainReport:
    path: Path
    trained_at: datetime
    model: str
    params: dict[str, Any]
    validation: float | None
    users: int
    items: int
    interactions: int


@dataclass
class _Data:
    user_ids: list[uuid.UUID]
    item_ids: list[uuid.UUID]
    item_category: np.ndarray[Any, np.dtype[np.int32]]
    categories: list[tuple[uuid.UUID, str, str]]
    matrix: sp.csr_matrix
    bought: sp.csr_matrix
    dismissed: sp.csr_matrix
    popularity: np.ndarray[Any, np.dtype[np.float64]]
    together: Counter[tuple[int, int]]


def train(
    uow: UnitOfWork,
    path: Path,
    *,
    top_n: int = 100,
    progress: Progress | None = None,
    grids: Mapping[str, Any] | None = None,
) -> TrainReport:
    """Read the interactions, pick and fit a model, precompute the feeds and write ``path``.

    ``grids`` narrows the settings ``choose_model`` tries (the bench's, to keep its run short);
    by default every model's full grid."""
    report = progress or (lambda _stage, _done, _total: None)
    now = utcnow()
    data = _load(uow, now)
    report("load", 1, 1)
    name, params, validation, model = _choose(data.matrix, report, grids)
    user_top, user_score, anchors, anchor_kinds = _user_feeds(data, model, top_n, report)
    similar, similar_score = _similar(data.matrix, model, report)
    levels = _price_levels(uow, data, report)
    meta = {
        "trained_at": now.isoformat(),
        "model": name,
        "params": params,
        "validation": validation,
        "users": len(data.user_ids),
        "items": len(data.item_ids),
        "interactions": int(data.matrix.nnz),
        "top_n": top_n,
    }
    arrays = {
        "meta": np.array(json.dumps(meta)),
        "user_ids": _uuid_bytes(data.user_ids),
        "item_ids": _uuid_bytes(data.item_ids),
        "item_category": data.item_category,
        "category_ids": _uuid_bytes([c[0] for c in data.categories]),
        "category_en": np.array([c[1] for c in data.categories] or [""]),
        "category_zh": np.array([c[2] for c in data.categories] or [""]),
        "user_top": user_top,
        "user_score": user_score,
        "user_anchor": anchors,
        "user_anchor_kind": anchor_kinds,
        "similar": similar,
        "similar_score": similar_score,
        **levels,
        **_together_arrays(data),
        **_popularity_arrays(data),
    }
    _write_atomically(path, arrays)
    report("write", 1, 1)
    return TrainReport(
        path=path,
        trained_at=now,
        model=name,
        params=params,
        validation=validation,
        users=len(data.user_ids),
        items=len(data.item_ids),
        interactions=int(data.matrix.nnz),
    )


# --- reading the interactions -----------------------------------------------------------------


def _load(uow: UnitOfWork, now: datetime) -> _Data:
    consenting = (
        select(privacy.Consent.user_id)
        .where(
            privacy.Consent.kind == privacy.PERSONALISED_RECOMMENDATIONS,
            privacy.Consent.granted.is_(True),
        )
        .scalar_subquery()
    )
    with uow.read() as session:
        consented = set(
            session.scalars(
                select(privacy.Consent.user_id).where(
                    privacy.Consent.kind == privacy.PERSONALISED_RECOMMENDATIONS,
                    privacy.Consent.granted.is_(True),
                )
            )
        )
        events = session.execute(
            select(
                BehaviourEvent.user_id,
                BehaviourEvent.kind,
                BehaviourEvent.product_id,
                BehaviourEvent.occurred_at,
            ).where(BehaviourEvent.product_id.is_not(None), BehaviourEvent.user_id.in_(consenting))
        ).all()
        lines = session.execute(
            select(
                ordering.Order.buyer_id,
                ordering.OrderLine.product_id,
                ordering.OrderLine.quantity,
                ordering.Order.paid_at,
            )
            .join(ordering.Order, ordering.Order.id == ordering.OrderLine.order_id)
            .where(ordering.Order.paid_at.is_not(None))
        ).all()
        products = dict(
            session.execute(select(catalog.Product.id, catalog.Product.category_id)).all()
        )
        category_rows = session.execute(
            select(
                catalog.Category.id, catalog.Category.name_en, catalog.Category.name_zh
            ).order_by(catalog.Category.position, catalog.Category.slug)
        ).all()

    items: dict[uuid.UUID, int] = {}
    users: dict[uuid.UUID, int] = {}

    def item(product_id: uuid.UUID) -> int | None:
        if product_id not in products:
            return None  # deleted since: its events went with it, an order line stays
        return items.setdefault(product_id, len(items))

    weights: defaultdict[tuple[int, int], float] = defaultdict(float)
    bought: set[tuple[int, int]] = set()
    dismissed: set[tuple[int, int]] = set()
    popularity: defaultdict[int, float] = defaultdict(float)

    def decay(at: datetime | None) -> float:
        if at is None:
            return 1.0
        age = max(0.0, (now - _aware(at)).total_seconds() / 86_400)
        return float(0.5 ** (age / HALF_LIFE_DAYS))

    for user_id, kind, product_id, occurred_at in events:
        if product_id is None:
            continue
        column = item(product_id)
        if column is None:
            continue
        row = users.setdefault(user_id, len(users))
        if kind == "dismiss":
            dismissed.add((row, column))
            continue
        weight = WEIGHTS.get(kind, 0.0)
        if weight:
            weights[(row, column)] += weight
            popularity[column] += weight * decay(occurred_at)
            if kind == "purchase":
                bought.add((row, column))

    by_buyer: defaultdict[uuid.UUID, list[tuple[datetime, int]]] = defaultdict(list)
    for buyer_id, product_id, quantity, paid_at in lines:
        column = item(product_id)
        if column is None:
            continue
        popularity[column] += ORDER_WEIGHT * quantity * decay(paid_at)
        by_buyer[buyer_id].append((_aware(paid_at) if paid_at else now, column))
        if buyer_id in consented:
            row = users.setdefault(buyer_id, len(users))
            weights[(row, column)] += ORDER_WEIGHT
            bought.add((row, column))

    for pair in dismissed:
        weights.pop(pair, None)
    shape = (len(users), len(items))
    category_index = {row[0]: i for i, row in enumerate(category_rows)}
    item_ids = list(items)
    return _Data(
        user_ids=list(users),
        item_ids=item_ids,
        item_category=np.array(
            [category_index.get(products[p], -1) for p in item_ids], dtype=np.int32
        ),
        categories=[(c, en, zh or en) for c, en, zh in category_rows],
        matrix=_sparse(((k, min(v, CAP)) for k, v in weights.items()), shape),
        bought=_sparse(((k, 1.0) for k in bought), shape),
        dismissed=_sparse(((k, 1.0) for k in dismissed), shape),
        popularity=np.array([popularity[i] for i in range(len(items))], dtype=np.float64),
        together=_together(by_buyer.values()),
    )


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=utcnow().tzinfo)


def _sparse(
    cells: Iterable[tuple[tuple[int, int], float]], shape: tuple[int, int]
) -> sp.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for (row, col), value in cells:
        rows.append(row)
        cols.append(col)
        values.append(value)
    return sp.csr_matrix(
        (np.array(values, dtype=np.float32), (rows, cols)), shape=shape, dtype=np.float32
    )


def _together(purchases: Iterable[list[tuple[datetime, int]]]) -> Counter[tuple[int, int]]:
    """Pairs of items one buyer paid for within the window, each counted once per buyer."""
    pairs: Counter[tuple[int, int]] = Counter()
    for bought in purchases:
        bought.sort()
        recent = bought[-200:]  # a reseller's thousand lines would make a million pairs
        seen: set[tuple[int, int]] = set()
        for i, (at, a) in enumerate(recent):
            for later, b in recent[i + 1 :]:
                if later - at > TOGETHER_WINDOW:
                    break
                if a != b:
                    seen.add((a, b))
                    seen.add((b, a))
        pairs.update(seen)
    return pairs


# --- the model and what it precomputes ----------------------------------------------------------


def _choose(
    matrix: sp.csr_matrix, report: Progress, grids: Mapping[str, Any] | None = None
) -> tuple[str, dict[str, Any], float | None, Any]:
    """The validated choice among the recommenders, or none while too few shoppers have rows."""
    if matrix.shape[0] < MIN_ROWS_FOR_MODEL or matrix.nnz == 0:
        return "popularity", {}, None, None
    from agora.recommendations.algorithms.choose import choose_model

    choice = choose_model(
        matrix, progress=lambda done, total: report("choose", done, total), grids=grids
    )
    # Each model's best validation Recall@20 goes in the file with the winner's parameters.
    params = {
        **choice.params,
        "validation_by_model": {k: _figure(v) for k, v in choice.validation.items()},
    }
    return choice.name, params, _figure(choice.validation.get(choice.name)), choice.model


def _figure(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _user_feeds(
    data: _Data, model: Any, top_n: int, report: Progress
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    users = data.matrix.shape[0]
    top = np.full((users, top_n), -1, dtype=np.int32)
    scores = np.zeros((users, top_n), dtype=np.float32)
    anchors = np.full((users, top_n), -1, dtype=np.int32)
    kinds = np.zeros((users, top_n), dtype=np.int8)
    if model is None or users == 0:
        return top, scores, anchors, kinds
    # Only what was bought or turned down leaves the feed: an item looked at and not bought is
    # among the likeliest next purchases, as in every shop's "guess you like".
    seen = (data.bought + data.dismissed).tocsr()
    cooccurrence = _cooccurrence(data.matrix)
    batch = 256
    for start in range(0, users, batch):
        rows = slice(start, min(users, start + batch))
        block = np.asarray(model.score(data.matrix[rows]), dtype=np.float32)
        excluded = seen[rows]
        block[excluded.nonzero()] = -np.inf
        picked = _top(block, top_n)
        for offset, row in enumerate(range(rows.start, rows.stop)):
            chosen = picked[offset]
            chosen = chosen[np.isfinite(block[offset, chosen]) & (block[offset, chosen] > 0)]
            top[row, : len(chosen)] = chosen
            scores[row, : len(chosen)] = block[offset, chosen]
            anchor, kind = _anchors(data, cooccurrence, row, chosen)
            anchors[row, : len(chosen)] = anchor
            kinds[row, : len(chosen)] = kind
        report("feeds", rows.stop, users)
    return top, scores, anchors, kinds


def _top(block: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    """Per row, the indices of the ``n`` highest scores, best first."""
    n = min(n, block.shape[1])
    if n == 0:
        return np.zeros((block.shape[0], 0), dtype=np.int64)
    part = np.argpartition(-block, n - 1, axis=1)[:, :n]
    order = np.argsort(-np.take_along_axis(block, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _cooccurrence(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Item x item cosine of who touched them: what explains a pick, and similar items when no
    model was trained."""
    binary = (matrix > 0).astype(np.float32)
    counts = np.asarray(binary.sum(axis=0)).ravel()
    norms = np.sqrt(np.maximum(counts, 1.0))
    scaled = binary @ sp.diags(1.0 / norms)
    similarity = (scaled.T @ scaled).tocsr()
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    return similarity


def _anchors(
    data: _Data, cooccurrence: sp.csr_matrix, row: int, chosen: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """For each pick, the item of the shopper's history most like it (or -1), and whether the
    shopper bought that item or only looked at it."""
    history = data.matrix[row].indices
    if len(history) == 0 or len(chosen) == 0:
        return np.full(len(chosen), -1, dtype=np.int32), np.zeros(len(chosen), dtype=np.int8)
    block = cooccurrence[history][:, chosen].toarray()
    best = block.argmax(axis=0)
    anchor = np.where(block.max(axis=0) > 0, history[best], -1).astype(np.int32)
    bought = set(data.bought[row].indices.tolist())
    kinds = np.array([BOUGHT if a in bought else VIEWED for a in anchor.tolist()], dtype=np.int8)
    return anchor, kinds


def _similar(
    matrix: sp.csr_matrix, model: Any, report: Progress
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    items = matrix.shape[1]
    similar = np.full((items, SIMILAR_N), -1, dtype=np.int32)
    scores = np.zeros((items, SIMILAR_N), dtype=np.float32)
    touched = np.flatnonzero(np.asarray((matrix > 0).sum(axis=0)).ravel())
    cooccurrence = _cooccurrence(matrix) if model is None else None
    for done, column in enumerate(touched.tolist(), start=1):
        if model is not None:
            pairs = [(int(i), float(s)) for i, s in model.similar(column, SIMILAR_N) if s > 0]
        else:
            assert cooccurrence is not None
            line = cooccurrence[column]
            order = np.argsort(-line.data, kind="stable")[:SIMILAR_N]
            pairs = [(int(line.indices[i]), float(line.data[i])) for i in order]
        for slot, (other, score) in enumerate(pairs[:SIMILAR_N]):
            similar[column, slot] = other
            scores[column, slot] = score
        if done % 500 == 0 or done == len(touched):
            report("similar", done, len(touched))
    return similar, scores


def _price_levels(
    uow: UnitOfWork, data: _Data, report: Progress
) -> dict[str, np.ndarray[Any, Any]]:
    """Each shopper's usual price (``typical_max``) in every category they bought in, read once
    here (``price_levels_of``: a few statements for everyone) so that re-ranking a feed by it
    costs the request nothing."""
    from agora.recommendations.service import price_levels_of

    users = len(data.user_ids)
    category_index = {c[0]: i for i, c in enumerate(data.categories)}
    with uow.read() as session:
        levels = price_levels_of(session, data.user_ids)
    pointers = np.zeros(users + 1, dtype=np.int64)
    categories: list[int] = []
    maxima: list[int] = []
    for row, user_id in enumerate(data.user_ids):
        for category_id, level in sorted(levels.get(user_id, {}).items()):
            if level.typical_max > 0 and category_id in category_index:
                categories.append(category_index[category_id])
                maxima.append(level.typical_max)
        pointers[row + 1] = len(categories)
    report("prices", users, users)
    return {
        "level_ptr": pointers,
        "level_category": np.array(categories, dtype=np.int32),
        "level_max": np.array(maxima, dtype=np.int64),
    }


def _together_arrays(data: _Data) -> dict[str, np.ndarray[Any, Any]]:
    by_item: defaultdict[int, list[tuple[float, int]]] = defaultdict(list)
    for (a, b), count in data.together.items():
        by_item[a].append((count + data.popularity[b] * 1e-9, b))
    pointers = np.zeros(len(data.item_ids) + 1, dtype=np.int64)
    indices: list[int] = []
    counts: list[float] = []
    for column in range(len(data.item_ids)):
        best = sorted(by_item.get(column, []), reverse=True)[:TOGETHER_N]
        indices += [b for _, b in best]
        counts += [float(int(c)) for c, _ in best]
        pointers[column + 1] = len(indices)
    return {
        "together_ptr": pointers,
        "together": np.array(indices, dtype=np.int32),
        "together_count": np.array(counts, dtype=np.float32),
    }


def _popularity_arrays(data: _Data) -> dict[str, np.ndarray[Any, Any]]:
    ranked = np.argsort(-data.popularity, kind="stable")
    ranked = ranked[data.popularity[ranked] > 0]
    pointers = np.zeros(len(data.categories) + 1, dtype=np.int64)
    per_category: list[np.ndarray[Any, Any]] = []
    for index in range(len(data.categories)):
        chosen = ranked[data.item_category[ranked] == index][:CATEGORY_N]
        per_category.append(chosen)
        pointers[index + 1] = pointers[index] + len(chosen)
    return {
        "popular": ranked[:POPULAR_N].astype(np.int32),
        "popular_score": data.popularity[ranked[:POPULAR_N]].astype(np.float32),
        "category_ptr": pointers,
        "category_items": (
            np.concatenate(per_category).astype(np.int32)
            if per_category
            else np.zeros(0, dtype=np.int32)
        ),
    }


# --- the file -----------------------------------------------------------------------------------


def _uuid_bytes(ids: list[uuid.UUID]) -> np.ndarray[Any, Any]:
    if not ids:
        return np.zeros((0, 16), dtype=np.uint8)
    return np.frombuffer(b"".join(i.bytes for i in ids), dtype=np.uint8).reshape(-1, 16)


def _write_atomically(path: Path, arrays: dict[str, np.ndarray[Any, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".model-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)  # type: ignore[arg-type]
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a server of another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
