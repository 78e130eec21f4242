"""Retraining on a schedule: a periodic job that trains in a thread of its own and writes a new
model file, which every process's store then notices and loads.

Only processes that run the scheduler for real enable it (``agora serve`` with its embedded
workers, ``agora worker``): a test or a script that merely ticks the scheduler trains nothing.
The job's lease (one winner among all workers) keeps two trainings from racing; the training
itself reads in short read transactions and never holds the scheduler's tick.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

from agora.config import get_settings
from agora.core.db import Database
from agora.core.jobs import registry
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)

RETRAIN = "recs_retrain"
EVERY = timedelta(hours=get_settings().recs_retrain_hours)


class _Retrainer:
    def __init__(self) -> None:
        self.path: Path | None = None
        self.top_n = 100
        self._running = threading.Lock()

    def enable(self, path: Path, *, top_n: int = 100) -> None:
        self.path = path
        self.top_n = top_n

    def disable(self) -> None:
        self.path = None

    def start(self, db: Database) -> threading.Thread | None:
        """Train in a daemon thread unless disabled, the model file is younger than the interval
        (just trained by ``agora recs train`` or the demo) or a training is still running."""
        path = self.path
        if path is None or self._fresh(path):
            return None
        if not self._running.acquire(blocking=False):
            return None
        thread = threading.Thread(target=self._run, args=(db, path), daemon=True)
        thread.start()
        return thread

    def _fresh(self, path: Path) -> bool:
        try:
            written = path.stat().st_mtime
        except FileNotFoundError:
            return False
        return time.time() - written < EVERY.total_seconds() * 0.9

    def _run(self, db: Database, path: Path) -> None:
        from agora.recommendations.training import train

        try:
            report = train(UnitOfWork(db), path, top_n=self.top_n)
            log.info(
                "recommendations retrained: %s on %d shoppers, %d items",
                report.model,
                report.users,
                report.items,
            )
        except Exception:
            log.exception("recommendation retraining failed")
        finally:
            self._running.release()


RETRAINER = _Retrainer()


@registry.every(RETRAIN, EVERY)
def retrain_job(uow: UnitOfWork) -> None:
    RETRAINER.start(uow.db)
