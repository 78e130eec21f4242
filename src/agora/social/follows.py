"""Following stores: follow, unfollow, the stores I follow, a store's follower count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from agora import catalog
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.social.models import StoreFollow


@dataclass(frozen=True, slots=True)
class FollowedStore:
    store_id: uuid.UUID
    name_en: str
    name_zh: str | None
    since: datetime


def follow_store(uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID) -> None:
    """Idempotent. Only an active store can be followed (others are not found)."""
    with uow:
        catalog.get_store(uow, store_id)
        if uow.session.get(StoreFollow, (actor.user_id, store_id)) is None:
            uow.session.add(
                StoreFollow(user_id=actor.user_id, store_id=store_id, created_at=utcnow())
            )
            uow.session.flush()


def unfollow_store(uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID) -> None:
    """Idempotent; works for a store that has since closed too."""
    with uow:
        uow.session.execute(
            delete(StoreFollow).where(
                StoreFollow.user_id == actor.user_id, StoreFollow.store_id == store_id
            )
        )


def followed_stores(uow: UnitOfWork, *, actor: Principal) -> list[FollowedStore]:
    with uow.read() as session:
        rows = session.execute(
            select(
                catalog.Store.id,
                catalog.Store.name_en,
                catalog.Store.name_zh,
                StoreFollow.created_at,
            )
            .join(StoreFollow, StoreFollow.store_id == catalog.Store.id)
            .where(StoreFollow.user_id == actor.user_id)
            .order_by(StoreFollow.created_at.desc())
        ).all()
    return [FollowedStore(r[0], r[1], r[2], r[3]) for r in rows]


def is_following(uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID) -> bool:
    with uow.read() as session:
        return session.get(StoreFollow, (actor.user_id, store_id)) is not None


def follower_count(uow: UnitOfWork, store_id: uuid.UUID) -> int:
    with uow.read() as session:
        count = session.scalar(
            select(func.count()).select_from(StoreFollow).where(StoreFollow.store_id == store_id)
        )
    return int(count or 0)
