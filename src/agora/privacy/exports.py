"""Data exports ("download my data"): a request queues one, a job builds its archive, and the
owner downloads it through an unguessable link until it expires.

The archive is a zip with one JSON file per table that holds the shopper's rows, found by
walking every table the running application knows (``Base.metadata``) rather than a list kept
by hand: a context that adds a table with a ``users.id`` column is in the next export without
touching this module. What is in it:

- every row where a column that refers to ``users.id`` names the shopper (their account, orders,
  addresses, payments, points, moments, reviews, shares, consents, behaviour events, assistant
  states, friend links and requests they sent or received...);
- the lines, payments, events, refunds and parcels of their orders;
- their ledger accounts and every entry on them (the wallet statement behind each balance);
- the messages of the conversations they are members of, from when they joined: a shopper's
  own chats are data they could read anyway, so other members' messages there are included,
  named by member id only. Nothing of conversations they are not in.

Secrets are never exported (password and token hashes, IP hashes, other exports' archives).
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import Base
from agora.core.jobs import schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.privacy.domain import EXPORT_DAYS, QUEUED, READY, export_status
from agora.privacy.errors import ExportNotFound
from agora.privacy.models import DataExport

EXPORT_DUE = "privacy.build_export"
EXPORT_READY = "privacy.export_ready"
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "ip_hash", "archive", "token"})
# Tables of an order's own detail, exported with the shopper's orders.
ORDER_CHILDREN = ("order_lines", "order_payments", "order_events", "refunds", "shipments")


@dataclass(frozen=True, slots=True)
class ExportView:
    id: uuid.UUID
    status: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size: int | None
    token: str | None  # only while it can be downloaded


def request_export(uow: UnitOfWork, *, actor: Principal) -> ExportView:
    """Queue an export of everything Agora holds about the actor; a request while one is still
    queued returns that one."""
    with uow:
        session = uow.session
        waiting = session.scalar(
            select(DataExport).where(
                DataExport.user_id == actor.user_id, DataExport.status == QUEUED
            )
        )
        if waiting is None:
            now = utcnow()
            waiting = DataExport(
                user_id=actor.user_id,
                token=secrets.token_urlsafe(32),
                status=QUEUED,
                requested_at=now,
            )
            session.add(waiting)
            session.flush()
            schedule_deadline(uow, kind=EXPORT_DUE, ref_id=waiting.id, due_at=now)
        return _view(waiting, utcnow())


def _view(row: DataExport, now: datetime) -> ExportView:
    status = export_status(row.status, row.expires_at, now)
    return ExportView(
        id=row.id,
        status=status,
        requested_at=row.requested_at,
        ready_at=row.ready_at,
        expires_at=row.expires_at,
        size=row.size,
        token=row.token if status == READY else None,
    )


def my_exports(uow: UnitOfWork, *, actor: Principal, limit: int = 10) -> list[ExportView]:
    """The actor's own exports, newest first."""
    now = utcnow()
    with uow.read() as session:
        rows = session.scalars(
            select(DataExport)
            .where(DataExport.user_id == actor.user_id)
            .order_by(DataExport.requested_at.desc())
            .limit(limit)
        ).all()
        return [_view(row, now) for row in rows]


def my_export(uow: UnitOfWork, *, actor: Principal, export_id: uuid.UUID) -> ExportView:
    """One of the actor's exports; another user's is not found."""
    with uow.read() as session:
        row = session.get(DataExport, export_id)
        if row is None or row.user_id != actor.user_id:
            raise ExportNotFound()
        return _view(row, utcnow())


def download_export(uow: UnitOfWork, *, actor: Principal, token: str) -> tuple[str, bytes]:
    """The archive behind a download link: ``(file name, zip bytes)``.

    Raises:
        ExportNotFound: no such link, not the actor's, not ready yet, or expired (the same
            answer for each, so a link tells a stranger nothing).
    """
    with uow.read() as session:
        row = session.scalar(select(DataExport).where(DataExport.token == token))
        if row is None or row.user_id != actor.user_id:
            raise ExportNotFound()
        if export_status(row.status, row.expires_at, utcnow()) != READY or row.archive is None:
            raise ExportNotFound()
        stamp = (row.ready_at or row.requested_at).strftime("%Y%m%d")
        return f"agora-my-data-{stamp}.zip", row.archive


def build_export(uow: UnitOfWork, export_id: uuid.UUID) -> None:
    """Build a queued export's archive (the deadline handler; idempotent: a built one stays)."""
    session = uow.session
    row = session.get(DataExport, export_id)
    if row is None or row.status != QUEUED:
        return
    now = utcnow()
    data = collect_personal_data(session, row.user_id)
    archive = _zip(data, user_id=row.user_id, generated_at=now)
    row.archive, row.size = archive, len(archive)
    row.status, row.ready_at = READY, now
    row.expires_at = now + timedelta(days=EXPORT_DAYS)
    uow.emit(
        EXPORT_READY,
        {"user_id": str(row.user_id), "export_id": str(row.id)},
        topics=[f"user:{row.user_id}"],
    )


def drop_expired_archives(uow: UnitOfWork) -> int:
    """Free the space of archives past their time (the rows stay, shown as expired)."""
    result = uow.session.execute(
        update(DataExport)
        .where(DataExport.expires_at <= utcnow(), DataExport.archive.is_not(None))
        .values(archive=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _user_columns(table: Table) -> list[Any]:
    return [
        column
        for column in table.columns
        if any(
            fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys
        )
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


def _rows(session: Session, table: Table, where: Any) -> list[dict[str, Any]]:
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    order = [c for c in table.primary_key.columns]
    result = session.execute(select(*columns).where(where).order_by(*order))
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in result]


def collect_personal_data(session: Session, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every row Agora holds about ``user_id``, by table name (tables with no row left out)."""
    tables = Base.metadata.tables
    data: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "data_exports":
            continue
        if table.name == "users":
            data["users"] = _rows(session, table, table.c.id == user_id)
            continue
        columns = _user_columns(table)
        if columns:
            data[table.name] = _rows(session, table, or_(*(c == user_id for c in columns)))
    orders = tables.get("orders")
    if orders is not None:
        mine = select(orders.c.id).where(orders.c.buyer_id == user_id)
        for name in ORDER_CHILDREN:
            child = tables.get(name)
            if child is not None and "order_id" in child.c:
                data[name] = _rows(session, child, child.c.order_id.in_(mine))
    accounts, entries = tables.get("ledger_accounts"), tables.get("ledger_entries")
    if accounts is not None and entries is not None:
        owned = (accounts.c.owner_type == "user") & (accounts.c.owner_id == user_id)
        data["ledger_accounts"] = _rows(session, accounts, owned)
        data["ledger_entries"] = _rows(
            session, entries, entries.c.account_id.in_(select(accounts.c.id).where(owned))
        )
    members, messages = tables.get("chat_members"), tables.get("chat_messages")
    if members is not None and messages is not None:
        joined = (
            select(members.c.joined_seq)
            .where(
                members.c.conversation_id == messages.c.conversation_id,
                members.c.user_id == user_id,
            )
            .scalar_subquery()
        )
        data["chat_messages"] = _rows(
            session,
            messages,
            (messages.c.seq > joined) & messages.c.recalled_at.is_(None)
            if "recalled_at" in messages.c
            else messages.c.seq > joined,
        )
    return {name: rows for name, rows in data.items() if rows} or {"users": []}


def _zip(
    data: dict[str, list[dict[str, Any]]], *, user_id: uuid.UUID, generated_at: datetime
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        about = {
            "user_id": str(user_id),
            "generated_at": generated_at.isoformat(),
            "files": sorted(f"{name}.json" for name in data),
            "note": (
                "One file per table of Agora that holds rows about you. Money is in fen "
                "(1/100 yuan); times are UTC."
            ),
        }
        archive.writestr("about.json", json.dumps(about, ensure_ascii=False, indent=2))
        for name, rows in sorted(data.items()):
            archive.writestr(f"{name}.json", json.dumps(rows, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def read_archive(archive: bytes) -> dict[str, Any]:
    """An archive's files parsed back, by file name without ``.json`` (tests, the demo)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {
            name.removesuffix(".json"): json.loads(opened.read(name)) for name in opened.namelist()
        }
