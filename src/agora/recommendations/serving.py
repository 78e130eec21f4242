"""The trained feeds held in memory: one snapshot per process, read from the model file.

The app opens the store at start-up; after that a request asks for the current snapshot, which
costs a clock read, and at most every ``reload_seconds`` one ``stat`` of the file. When the file
changed (a retrain renamed a new one over it), a thread reads it and swaps the snapshot in whole,
so a request never waits for a load and never sees half of one.

Dismissed items are also kept here per process, so "not interested" takes effect on the very
next page even for a shopper whose events are not recorded (no consent); for consenting shoppers
the dismiss event carries it into the next training and to the other processes.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

Array = np.ndarray[Any, Any]
DISMISSED_USERS = 50_000  # shoppers whose recent dismisses one process remembers
DISMISSED_PER_USER = 200


def _empty(*shape: int, dtype: Any = np.int32) -> Array:
    return np.zeros(shape, dtype=dtype)


@dataclass(frozen=True)
class Snapshot:
    """One model file, ready to answer from: indices into ``item_ids`` throughout."""

    trained_at: datetime | None = None
    model: str = "none"
    params: dict[str, Any] = field(default_factory=dict)
    validation: float | None = None
    mtime: float | None = None
    user_row: dict[uuid.UUID, int] = field(default_factory=dict)
    item_row: dict[uuid.UUID, int] = field(default_factory=dict)
    item_ids: list[uuid.UUID] = field(default_factory=list)
    item_category: Array = field(default_factory=lambda: _empty(0))
    category_ids: list[uuid.UUID] = field(default_factory=list)
    category_en: list[str] = field(default_factory=list)
    category_zh: list[str] = field(default_factory=list)
    category_row: dict[uuid.UUID, int] = field(default_factory=dict)
    user_top: Array = field(default_factory=lambda: _empty(0, 0))
    user_score: Array = field(default_factory=lambda: _empty(0, 0, dtype=np.float32))
    user_anchor: Array = field(default_factory=lambda: _empty(0, 0))
    user_anchor_kind: Array = field(default_factory=lambda: _empty(0, 0, dtype=np.int8))
    similar: Array = field(default_factory=lambda: _empty(0, 0))
    similar_score: Array = field(default_factory=lambda: _empty(0, 0, dtype=np.float32))
    together_ptr: Array = field(default_factory=lambda: _empty(1, dtype=np.int64))
    together: Array = field(default_factory=lambda: _empty(0))
    together_count: Array = field(default_factory=lambda: _empty(0, dtype=np.float32))
    popular: Array = field(default_factory=lambda: _empty(0))
    popular_score: Array = field(default_factory=lambda: _empty(0, dtype=np.float32))
    category_ptr: Array = field(default_factory=lambda: _empty(1, dtype=np.int64))
    category_items: Array = field(default_factory=lambda: _empty(0))
    level_ptr: Array = field(default_factory=lambda: _empty(1, dtype=np.int64))
    level_category: Array = field(default_factory=lambda: _empty(0))
    level_max: Array = field(default_factory=lambda: _empty(0, dtype=np.int64))

    @property
    def loaded(self) -> bool:
        return self.trained_at is not None

    def category_popular(self, category: int) -> Array:
        if category < 0 or category + 1 >= len(self.category_ptr):
            return _empty(0)
        return self.category_items[self.category_ptr[category] : self.category_ptr[category + 1]]

    def price_levels(self, user: int) -> dict[int, int]:
        """The shopper's usual price (fen) per category index, as of the training."""
        if user + 1 >= len(self.level_ptr):
            return {}
        start, end = self.level_ptr[user], self.level_ptr[user + 1]
        categories = self.level_category[start:end].tolist()
        return dict(zip(categories, self.level_max[start:end].tolist(), strict=True))

    def together_of(self, item: int) -> tuple[Array, Array]:
        start, end = self.together_ptr[item], self.together_ptr[item + 1]
        return self.together[start:end], self.together_count[start:end]


def _uuids(raw: Array) -> list[uuid.UUID]:
    return [uuid.UUID(bytes=bytes(row)) for row in raw]


def read_snapshot(path: Path) -> Snapshot:
    """Read one model file written by ``training.train``."""
    mtime = path.stat().st_mtime
    with np.load(path, allow_pickle=False) as file:
        arrays = {name: file[name] for name in file.files}
    meta = json.loads(str(arrays["meta"]))
    item_ids = _uuids(arrays["item_ids"])
    user_ids = _uuids(arrays["user_ids"])
    category_ids = _uuids(arrays["category_ids"])
    return Snapshot(
        trained_at=datetime.fromisoformat(meta["trained_at"]),
        model=str(meta["model"]),
        params=dict(meta.get("params") or {}),
        validation=meta.get("validation"),
        mtime=mtime,
        user_row={user_id: i for i, user_id in enumerate(user_ids)},
        item_row={item_id: i for i, item_id in enumerate(item_ids)},
        item_ids=item_ids,
        item_category=arrays["item_category"],
        category_ids=category_ids,
        category_en=[str(name) for name in arrays["category_en"]],
        category_zh=[str(name) for name in arrays["category_zh"]],
        category_row={category_id: i for i, category_id in enumerate(category_ids)},
        **{
            name: arrays[name]
            for name in (
                "user_top",
                "user_score",
                "user_anchor",
                "user_anchor_kind",
                "similar",
                "similar_score",
                "together_ptr",
                "together",
                "together_count",
                "popular",
                "popular_score",
                "category_ptr",
                "category_items",
                "level_ptr",
                "level_category",
                "level_max",
            )
            if name in arrays
        },
    )


class FeedStore:
    """The process's snapshot and where it comes from; safe to use from any thread."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.reload_seconds = 5.0
        self._snapshot = Snapshot()
        self._checked = 0.0
        self._loading = threading.Lock()
        self._dismissed: OrderedDict[uuid.UUID, set[uuid.UUID]] = OrderedDict()
        self._dismissed_lock = threading.Lock()

    def open(self, path: Path, *, reload_seconds: float = 5.0) -> None:
        """Point the store at ``path`` and read it now (an absent file: empty feeds for now)."""
        self.path = path
        self.reload_seconds = reload_seconds
        self._snapshot = Snapshot()
        self.refresh(wait=True)

    def close(self) -> None:
        self.path = None
        self._snapshot = Snapshot()
        with self._dismissed_lock:
            self._dismissed.clear()

    def current(self) -> Snapshot:
        """The snapshot to answer from; notices a changed file at most every few seconds."""
        now = time.monotonic()
        if self.path is not None and now - self._checked >= self.reload_seconds:
            self._checked = now
            self.refresh(wait=False)
        return self._snapshot

    def refresh(self, *, wait: bool) -> bool:
        """Re-read the file if it changed: in a thread of its own unless ``wait``. True when a
        new snapshot is in place (``wait`` only)."""
        path = self.path
        if path is None:
            return False
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return False
        if mtime == self._snapshot.mtime:
            return False
        if wait:
            return self._load(path)
        threading.Thread(target=self._load, args=(path,), daemon=True).start()
        return False

    def _load(self, path: Path) -> bool:
        if not self._loading.acquire(blocking=False):
            return False  # another thread is reading it already
        try:
            snapshot = read_snapshot(path)
        except Exception:  # a bad file keeps the feeds we have; the next change is tried again
            log.exception("could not read the recommendation model %s", path)
            return False
        finally:
            self._loading.release()
        if path == self.path:
            self._snapshot = snapshot
            log.info("recommendation model %s (%s) loaded", snapshot.model, snapshot.trained_at)
        return True

    def dismiss(self, user_id: uuid.UUID, product_id: uuid.UUID) -> None:
        with self._dismissed_lock:
            items = self._dismissed.pop(user_id, set())
            if len(items) < DISMISSED_PER_USER:
                items.add(product_id)
            self._dismissed[user_id] = items
            while len(self._dismissed) > DISMISSED_USERS:
                self._dismissed.popitem(last=False)

    def dismissed(self, user_id: uuid.UUID) -> frozenset[uuid.UUID]:
        items = self._dismissed.get(user_id)
        return frozenset(items) if items else frozenset()


STORE = FeedStore()


def model_age_check(path: Path) -> float | None:
    """Seconds since ``path`` was written, or None when there is none."""
    try:
        return time.time() - os.stat(path).st_mtime
    except FileNotFoundError:
        return None
