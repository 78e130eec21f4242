"""The demo's recommenders: trained once the demo's behaviour events and orders are in, so the
first run's home page and product pages show personal feeds for the demo shoppers.

The model file follows the database (``Settings.recs_model_file``: beside the SQLite file), so
the demo, the tests and the benches never read one another's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agora.core.uow import UnitOfWork
from agora.recommendations.training import train


def train_demo(uow: UnitOfWork, path: Path) -> dict[str, Any]:
    """Train on what the demo recorded and write ``path``; what was chosen, for the summary."""
    report = train(uow, path)
    return {
        "recommender": report.model,
        "recommender_validation_recall_at_20": report.validation,
        "recommender_shoppers": report.users,
        "recommender_items": report.items,
        "recommender_file": str(report.path),
    }
