"""Database engines for SQLite (embedded) and PostgreSQL (scaled out), chosen by URL alone.

SQLite runs in WAL mode with foreign keys on. Write transactions are serialized by one in-process
lock and start with ``BEGIN IMMEDIATE``: connections queueing on a Python lock is far cheaper than
spinning on ``busy_timeout`` (see docs/performance.md). Reads run concurrently.
"""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json
from sqlalchemy import BigInteger, DateTime, MetaData, create_engine, event, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool, StaticPool
from sqlalchemy.types import TypeDecorator, Uuid

from agora.core.clock import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, on both SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use agora.core.clock")
        return as_utc(value) if dialect.name != "sqlite" else as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    # On SQLite a datetime is text in SQLAlchemy's format ("2026-12-06 22:00:00.000000", always
    # with microseconds), which is exactly ISO 8601 with a space: converting straight to and from
    # it skips a generic formatter and a regular expression on every value of every row.
    def bind_processor(self, dialect: Any) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # A command stamps most of its rows with one ``now``: the same object, written once.
        # (One tuple, replaced whole: threads sharing the processor never see half of one.)
        last: list[tuple[Any, str | None]] = [(None, None)]

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            known, text = last[0]
            if value is known:
                return text
            stamped = value
            if stamped.tzinfo is not UTC:  # utcnow() already is: one call instead of three
                if stamped.tzinfo is None:
                    raise ValueError("naive datetimes are not stored; use agora.core.clock")
                stamped = stamped.astimezone(UTC)
            text = stamped.isoformat(" ", "microseconds")[:26]  # without "+00:00"
            last[0] = (value, text)
            return text

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return process


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        int: BigInteger(),
    }


_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("agora_write", default=False)


class Database:
    """An engine, a session factory and (on SQLite) the process-wide write lock."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _make_engine(url, echo=echo)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self.write_lock = threading.RLock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write_session(self, connection: Connection | None = None) -> Iterator[Session]:
        """A session that opens a write transaction (``BEGIN IMMEDIATE`` on SQLite).

        On ``connection``, a connection the caller holds between transactions (the writer's),
        instead of one from the pool: taking one from the pool and giving it back cost a batch
        of purchases as much as two of its statements.
        """
        if self.is_sqlite:
            self.write_lock.acquire()
        token = _write_intent.set(True)
        try:
            with self.sessions(bind=connection or self.engine) as session:
                yield session
        finally:
            _write_intent.reset(token)
            if self.is_sqlite:
                self.write_lock.release()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reads; objects loaded in it stay usable (detached) after the block.

        Closing ends the transaction; an explicit rollback would expire every loaded object, and
        callers that return rows from ``uow.read()`` would then fail with DetachedInstanceError.
        """
        token = _write_intent.set(False)
        try:
            with self.sessions() as session:
                yield session
        finally:
            _write_intent.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()


def _json_text(value: Any) -> str:
    """JSON columns (outbox payloads, ledger memos, timelines) written by pydantic's serializer,
    several times faster than the standard library's on the small documents a command writes."""
    return to_json(value).decode()


def _make_engine(url: str, *, echo: bool) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(
            url,
            echo=echo,
            pool_size=20,
            max_overflow=20,
            pool_pre_ping=True,
            json_serializer=_json_text,
        )
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if memory:
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
            json_serializer=_json_text,
        )
    else:
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=16,
            max_overflow=16,
            json_serializer=_json_text,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event (below) issue BEGIN itself instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

    return engine


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing/update`` on the session's dialect."""
    return dialect_insert(session.get_bind().dialect.name, table)


def dialect_insert(dialect_name: str, table: Any) -> Any:
    """:func:`upsert_insert` for a dialect named ``dialect_name`` (a prepared statement's)."""
    if dialect_name == "sqlite":
        return sqlite_insert(table)
    return pg_insert(table)


def for_update(session: Session, query: Any, *, skip_locked: bool = False) -> Any:
    """``query`` locking the rows it reads (``FOR UPDATE``) on PostgreSQL; as it is on SQLite,
    whose write transaction (``BEGIN IMMEDIATE``) already holds the database."""
    if session.get_bind().dialect.name == "sqlite":
        return query
    return query.with_for_update(skip_locked=skip_locked)


def greatest(session: Session, *values: Any) -> Any:
    """SQL's greatest of ``values`` (SQLite spells it ``max``)."""
    name = "max" if session.get_bind().dialect.name == "sqlite" else "greatest"
    return getattr(func, name)(*values)


def least(session: Session, *values: Any) -> Any:
    """SQL's least of ``values`` (SQLite spells it ``min``)."""
    name = "min" if session.get_bind().dialect.name == "sqlite" else "least"
    return getattr(func, name)(*values)


def nullpool_engine(url: str) -> Engine:
    """A short-lived engine for administrative work (creating and dropping test databases)."""
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
