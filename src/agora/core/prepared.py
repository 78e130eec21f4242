"""Prepared statements: a Core statement compiled once per dialect and run on the driver's cursor.

The hot writes (checkout, pay, a grab, a join, a chat message) are a dozen short statements each.
Through ``Connection.execute`` every one of them pays for a cache key, an execution context and a
result object, which on SQLite costs several times the statement itself (docs/performance.md).
A :class:`Prepared` statement is still written as SQLAlchemy Core — the same tables, the same
types, portable between SQLite and PostgreSQL — but it is compiled once per dialect, and each run
only converts the values through the columns' own bind and result processors and hands the SQL
to the cursor of the session's connection, inside the session's transaction.

What it does not do, by design: Python-side column defaults (every value is given), ``IN`` lists
that expand (a statement has a fixed shape), ORM loading. A statement that needs any of those
goes through the session as usual.

Every statement a thread sends counts in :data:`STATEMENTS` (per thread) — prepared ones here,
savepoints, and those that go through an engine (an engine event) — so the writer can report
statements per command (``WriterStats``) and the benches print it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


class _Counter(threading.local):
    count = 0


STATEMENTS = _Counter()
"""Statements this thread sent to the database (the writer's, in a server)."""


@event.listens_for(Engine, "before_cursor_execute")
def _count_engine_statement(*_: Any) -> None:
    STATEMENTS.count += 1


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    constants: dict[str, Any]
    positional: bool
    take: Callable[[Mapping[str, Any]], list[Any]]
    """The values of ``names`` from a mapping, in order, as a new list."""
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position, bind processor) of each value the driver needs converted."""
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position, result processor) of each column whose driver value needs converting."""


class Prepared:
    """``statement`` with named bind parameters, run as ``prepared.rows(session, params)``."""

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]) -> None:
        """``statement``, or a function of the dialect's name that builds it (an upsert is
        spelled with each dialect's own ``insert``)."""
        self._build = statement if callable(statement) else (lambda _name: statement)
        self._by_dialect: dict[str, _Compiled] = {}

    @classmethod
    def insert(cls, table: Table, columns: Iterable[str]) -> Prepared:
        """``INSERT INTO table (columns) VALUES (:column, ...)``."""
        return cls(table.insert().values({name: bindparam(name) for name in columns}))

    def execute(self, session: Session, params: Mapping[str, Any]) -> Any:
        """Run with one set of values; the driver's cursor (read its ``rowcount`` at once: the
        next statement of the transaction reuses it)."""
        link, compiled = self._prepare(session)
        return link.call(compiled, "execute", _bind(compiled, params))

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per set of values (one driver call)."""
        if not rows:
            return
        link, compiled = self._prepare(session)
        link.call(compiled, "executemany", [_bind(compiled, params) for params in rows])

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run and return every row, each value through its column's result processor."""
        link, compiled = self._prepare(session)
        cursor = link.call(compiled, "execute", _bind(compiled, params))
        found = cursor.fetchall()
        if not compiled.converted:  # the driver's values are the columns' values already
            return [tuple(row) for row in found]
        converted = compiled.converted
        rows = []
        for row in found:
            values = list(row)
            for index, convert in converted:
                if values[index] is not None:
                    values[index] = convert(values[index])
            rows.append(tuple(values))
        return rows

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(session, params)
        return found[0] if found else None

    def scalar(self, session: Session, params: Mapping[str, Any]) -> Any:
        found = self.first(session, params)
        return None if found is None else found[0]

    def _prepare(self, session: Session) -> tuple[_Link, _Compiled]:
        STATEMENTS.count += 1
        link = _link_of(session)
        compiled = self._by_dialect.get(link.dialect.name)
        if compiled is None:
            statement = self._build(link.dialect.name)
            compiled = self._by_dialect[link.dialect.name] = _compile(statement, link.dialect)
        return link, compiled


_LINK = "agora.prepared.link"


class _Link:
    """The session's transaction as the driver sees it: its dialect and one cursor of its
    connection, kept in ``session.info`` until the transaction ends (asking the session for its
    connection on every statement costs more than some of the statements)."""

    def __init__(self, connection: Connection, nested: SessionTransaction | None) -> None:
        self.nested = nested
        self.dialect = connection.dialect
        self.cursor = connection.connection.cursor()
        self.error = self.dialect.loaded_dbapi.Error

    def call(self, compiled: _Compiled, method: str, params: Any) -> Any:
        """Run on the transaction's cursor; the driver's errors become SQLAlchemy's, as
        ``Connection.execute`` raises them (IntegrityError, the SQLSTATEs the writer retries)."""
        try:
            getattr(self.cursor, method)(compiled.sql, params)
        except self.error as exc:
            raise DBAPIError.instance(
                compiled.sql, params, exc, self.error, dialect=self.dialect
            ) from exc
        return self.cursor


class Savepoint:
    """A savepoint the ORM does not manage: ``SAVEPOINT`` on the transaction's own cursor.

    The writer gives every command one (``UnitOfWork.joined``). Through ``session.begin_nested``
    a savepoint and its release cost the ORM's bookkeeping — a third of a purchase's CPU once
    its statements were prepared. Kept right for a command that does use the ORM: pending
    changes are flushed before the release (so they belong to this savepoint), and after a
    rollback the session forgets every object it holds (they may describe rows that are gone).
    A flush that failed leaves the session itself unusable; the writer then finds its batch
    broken and runs each command again alone.
    """

    _NAME = "agora_command"

    def __init__(self, session: Session) -> None:
        self.session = session
        self._link = _link_of(session)
        self._link.cursor.execute(f"SAVEPOINT {self._NAME}")
        STATEMENTS.count += 1

    def release(self) -> None:
        """Keep what the command did (its ORM changes flushed first)."""
        session = self.session
        if session.new or session.dirty or session.deleted:
            session.flush()
        self._link.cursor.execute(f"RELEASE SAVEPOINT {self._NAME}")
        STATEMENTS.count += 1

    def rollback(self) -> None:
        """Undo what the command did, in the database and in the session."""
        if not self.session.is_active:
            return  # a failed flush: the whole transaction is lost, and the writer knows
        self._link.cursor.execute(f"ROLLBACK TO SAVEPOINT {self._NAME}")
        self._link.cursor.execute(f"RELEASE SAVEPOINT {self._NAME}")
        STATEMENTS.count += 2
        if self.session.identity_map or self.session.new:
            self.session.expunge_all()


def _link_of(session: Session) -> _Link:
    link: _Link | None = session.info.get(_LINK)
    nested = session.get_nested_transaction()
    if link is None:
        link = session.info[_LINK] = _Link(session.connection(), nested)
    elif link.nested is not nested:
        # A savepoint began (or ended) since the last statement: the session emits SAVEPOINT
        # only when its connection is asked for inside it, so ask.
        session.connection()
        link.nested = nested
    return link


@event.listens_for(Session, "after_transaction_end")
def _forget_link(session: Session, transaction: SessionTransaction) -> None:
    # The root transaction ended: its connection goes back to the pool, and so does the link.
    if transaction.parent is None:
        session.info.pop(_LINK, None)


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
    binds = compiled.binds
    if any(bind.expanding for bind in binds.values()):
        raise ValueError(f"a prepared statement has a fixed shape; no IN lists: {compiled}")
    # Values written into the statement itself (``.values(attempts=0)``) are binds with a value.
    constants = {name: binds[name].effective_value for name in names if not binds[name].required}
    processors = tuple(binds[name].type._cached_bind_processor(dialect) for name in names)
    results: list[Callable[[Any], Any] | None] = []
    for _key, _name, _objects, type_ in compiled._result_columns:
        results.append(type_._cached_result_processor(dialect, None))
    return _Compiled(
        sql=compiled.string,
        names=names,
        constants=constants,
        positional=positional,
        take=_taker(names),
        processors=tuple((i, p) for i, p in enumerate(processors) if p is not None),
        converted=tuple((i, p) for i, p in enumerate(results) if p is not None),
    )


def _taker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], list[Any]]:
    # itemgetter reads every value in one C call; it answers one name with a bare value.
    if not names:
        return lambda _params: []
    get = itemgetter(*names)
    if len(names) == 1:
        return lambda params: [get(params)]
    return lambda params: list(get(params))


def _bind(compiled: _Compiled, given: Mapping[str, Any]) -> Any:
    params = {**compiled.constants, **given} if compiled.constants else given
    values = compiled.take(params)
    for index, process in compiled.processors:
        values[index] = process(values[index])
    if compiled.positional:
        return values
    return dict(zip(compiled.names, values, strict=True))
