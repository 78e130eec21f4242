"""Funding-source switches: the operator turns a way of paying off for the platform or a store.

A source is usable only if it is on for the platform and for every store involved; no row means
on, so a new store or a new source starts enabled.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, or_, select

from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal, require_operator
from agora.ledger import PLATFORM
from agora.payments.domain import SOURCES
from agora.payments.errors import FundingSourceDisabled
from agora.payments.models import SwitchRow

_switches: Table = SwitchRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Switch:
    store_id: uuid.UUID | None
    """``None`` for the platform-wide switch."""
    source: str
    enabled: bool
    updated_at: datetime | None = None


def _disabled(uow: UnitOfWork, store_ids: Collection[uuid.UUID]) -> dict[str, uuid.UUID | None]:
    """Each disabled source and where it is off (``None``: the platform)."""
    off: dict[str, uuid.UUID | None] = {}
    with uow.read() as session:
        for store_id in sorted(store_ids):  # one short statement per store (a payment: one)
            for scope_id, source in sorted(
                _DISABLED.rows(session, {"platform": PLATFORM, "store_id": store_id}),
                key=lambda row: row[0] != PLATFORM,
            ):
                off.setdefault(source, None if scope_id == PLATFORM else scope_id)
        if not store_ids:
            for _, source in _DISABLED.rows(session, {"platform": PLATFORM, "store_id": PLATFORM}):
                off.setdefault(source, None)
    return off


# Prepared (core.prepared): every payment asks.
_DISABLED = Prepared(
    select(_switches.c.scope_id, _switches.c.source).where(
        or_(
            _switches.c.scope_id == bindparam("platform"),
            _switches.c.scope_id == bindparam("store_id"),
        ),
        _switches.c.enabled.is_(False),
    )
)


def enabled_sources(uow: UnitOfWork, *, store_ids: Collection[uuid.UUID]) -> list[str]:
    """The sources on for the platform and every store in ``store_ids``, in SOURCES order."""
    off = _disabled(uow, store_ids)
    return [source for source in SOURCES if source not in off]


def require_enabled(uow: UnitOfWork, *, source: str, store_ids: Collection[uuid.UUID]) -> None:
    """Raises FundingSourceDisabled unless ``source`` is on for the platform and every store."""
    off = _disabled(uow, store_ids)
    if source not in SOURCES or source in off:
        where = off.get(source)
        raise FundingSourceDisabled(source=source, store_id=str(where) if where else None)


def list_switches(uow: UnitOfWork, *, actor: Principal) -> list[Switch]:
    """Every platform switch (defaults included), then each store's explicit settings."""
    require_operator(actor)
    with uow.read() as session:
        rows = list(
            session.scalars(select(SwitchRow).order_by(SwitchRow.scope_id, SwitchRow.source))
        )
    platform = {r.source: r for r in rows if r.scope_id == PLATFORM}
    result = [
        Switch(
            None,
            source,
            platform[source].enabled if source in platform else True,
            platform[source].updated_at if source in platform else None,
        )
        for source in SOURCES
    ]
    result += [
        Switch(r.scope_id, r.source, r.enabled, r.updated_at)
        for r in rows
        if r.scope_id != PLATFORM
    ]
    return result


def set_switch(
    uow: UnitOfWork,
    *,
    actor: Principal,
    source: str,
    enabled: bool,
    store_id: uuid.UUID | None = None,
) -> Switch:
    """Turn ``source`` on or off for the platform or one store (the caller checked the store)."""
    require_operator(actor)
    if source not in SOURCES:
        raise InvalidInput(
            N_("Unknown funding source."), errors=[{"field": "source", "message": source}]
        )
    now = utcnow()
    with uow:
        insert = upsert_insert(uow.session, _switches).values(
            scope_id=store_id or PLATFORM,
            source=source,
            enabled=enabled,
            updated_at=now,
            updated_by=actor.user_id,
        )
        uow.session.execute(
            insert.on_conflict_do_update(
                index_elements=["scope_id", "source"],
                set_={"enabled": enabled, "updated_at": now, "updated_by": actor.user_id},
            )
        )
    return Switch(store_id, source, enabled, now)
