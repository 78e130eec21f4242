"""The address book: a shopper's delivery addresses, one of them the default.

Every use case is the actor's own book: an id of another shopper's address is "not found". The
first address becomes the default; setting another default clears the old one in the same
transaction (the partial unique index refuses two); removing the default makes the newest
remaining address the default. An order copies the address it is placed with, so editing or
removing an address never changes an order already placed.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.logistics.domain import FIELDS, MAX_ADDRESSES, AddressFields
from agora.logistics.errors import AddressBookFull, AddressNotFound
from agora.logistics.models import AddressRow


@dataclass(frozen=True, slots=True)
class Address(AddressFields):
    """An address of the book: its fields (and ``one_line``), and its place in the book."""

    id: uuid.UUID
    is_default: bool
    created_at: datetime
    updated_at: datetime


def list_addresses(uow: UnitOfWork, *, actor: Principal) -> list[Address]:
    """The actor's addresses, the default first, then the newest."""
    with uow.read() as session:
        rows = session.scalars(
            select(AddressRow)
            .where(AddressRow.user_id == actor.user_id)
            .order_by(AddressRow.is_default.desc(), AddressRow.created_at.desc(), AddressRow.id)
        ).all()
        return [_view(row) for row in rows]


def get_address(uow: UnitOfWork, *, actor: Principal, address_id: uuid.UUID) -> Address:
    with uow.read() as session:
        return _view(_own(session, actor, address_id))


def default_address(uow: UnitOfWork, *, actor: Principal) -> Address | None:
    with uow.read() as session:
        row = session.scalar(
            select(AddressRow).where(
                AddressRow.user_id == actor.user_id, AddressRow.is_default.is_(True)
            )
        )
        return _view(row) if row is not None else None


def add_address(
    uow: UnitOfWork, *, actor: Principal, values: dict[str, Any], make_default: bool = False
) -> Address:
    """Add an address (InvalidInput naming each wrong field; AddressBookFull past the limit)."""
    checked = AddressFields.of(values)
    with uow:
        session = uow.session
        # Counted under the write lock of this transaction's first write on SQLite; on
        # PostgreSQL two pages adding at once may pass the count together, which costs one
        # address over the limit, never a wrong default.
        count = session.scalar(
            select(func.count()).select_from(AddressRow).where(AddressRow.user_id == actor.user_id)
        )
        if (count or 0) >= MAX_ADDRESSES:
            raise AddressBookFull()
        first = not count
        if make_default and not first:
            _clear_default(session, actor)
        now = utcnow()
        row = AddressRow(
            user_id=actor.user_id,
            **_columns(checked),
            is_default=first or make_default,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return _view(row)


def update_address(
    uow: UnitOfWork,
    *,
    actor: Principal,
    address_id: uuid.UUID,
    values: dict[str, Any],
    make_default: bool = False,
) -> Address:
    """Rewrite an address; orders placed with it keep the copy they took."""
    checked = AddressFields.of(values)
    with uow:
        session = uow.session
        row = _own(session, actor, address_id, for_update=True)
        if make_default and not row.is_default:
            _clear_default(session, actor)
            row.is_default = True
        for name, value in _columns(checked).items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        session.flush()
        return _view(row)


def set_default_address(uow: UnitOfWork, *, actor: Principal, address_id: uuid.UUID) -> Address:
    with uow:
        session = uow.session
        row = _own(session, actor, address_id, for_update=True)
        if not row.is_default:
            _clear_default(session, actor)
            row.is_default = True
            row.updated_at = utcnow()
            session.flush()
        return _view(row)


def remove_address(uow: UnitOfWork, *, actor: Principal, address_id: uuid.UUID) -> None:
    """Remove an address; when it was the default, the newest remaining one becomes it."""
    with uow:
        session = uow.session
        row = _own(session, actor, address_id, for_update=True)
        was_default = row.is_default
        session.delete(row)
        session.flush()
        if was_default:
            newest = session.scalar(
                select(AddressRow)
                .where(AddressRow.user_id == actor.user_id)
                .order_by(AddressRow.created_at.desc(), AddressRow.id)
                .limit(1)
            )
            if newest is not None:
                newest.is_default = True
                session.flush()


# Prepared (core.prepared): every checkout copies the shopper's default address.
_SNAPSHOT_COLUMNS = FIELDS
_addresses: Table = AddressRow.__table__  # type: ignore[assignment]
_DEFAULT = Prepared(
    select(*(_addresses.c[name] for name in _SNAPSHOT_COLUMNS)).where(
        _addresses.c.user_id == bindparam("user_id"), _addresses.c.is_default.is_(True)
    )
)
_NAMED = Prepared(
    select(*(_addresses.c[name] for name in _SNAPSHOT_COLUMNS)).where(
        _addresses.c.id == bindparam("address_id"), _addresses.c.user_id == bindparam("user_id")
    )
)


def default_snapshot(session: Session, actor: Principal) -> dict[str, str] | None:
    """The actor's default address as an order copies it, read in ``session``; None if none."""
    row = _DEFAULT.first(session, {"user_id": actor.user_id})
    return dict(zip(_SNAPSHOT_COLUMNS, row, strict=True)) if row is not None else None


def address_snapshot(session: Session, actor: Principal, address_id: uuid.UUID) -> dict[str, str]:
    """One of the actor's addresses as an order copies it; AddressNotFound for any other."""
    row = _NAMED.first(session, {"address_id": address_id, "user_id": actor.user_id})
    if row is None:
        raise AddressNotFound()
    return dict(zip(_SNAPSHOT_COLUMNS, row, strict=True))


def _own(
    session: Session, actor: Principal, address_id: uuid.UUID, *, for_update: bool = False
) -> AddressRow:
    query = select(AddressRow).where(
        AddressRow.id == address_id, AddressRow.user_id == actor.user_id
    )
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise AddressNotFound()
    return row


def _clear_default(session: Session, actor: Principal) -> None:
    # Before the new default is written: the partial unique index allows one at a time.
    session.execute(
        update(AddressRow)
        .where(AddressRow.user_id == actor.user_id, AddressRow.is_default.is_(True))
        .values(is_default=False)
    )


def _columns(fields: AddressFields) -> dict[str, str]:
    return asdict(fields)


def _view(row: AddressRow) -> Address:
    names = ("id", *FIELDS, "is_default", "created_at", "updated_at")
    return Address(**{name: getattr(row, name) for name in names})
