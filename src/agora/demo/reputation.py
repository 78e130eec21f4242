"""The demo's store reputation: counted once the demo's orders, returns and reviews exist, so
the store and product pages show figures on first run instead of waiting for the job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora import catalog, reputation
from agora.core.uow import UnitOfWork
from agora.identity import User


def seed_reputation(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Count every store's figures now (a re-run counts again: the figures are a recount, so
    nothing is added twice); how many stores were counted."""
    return {"stores_rated": reputation.recompute_reputation(uow)}
