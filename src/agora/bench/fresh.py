"""A fresh, migrated database for a benchmark: a temporary SQLite file or a new PostgreSQL db."""

from __future__ import annotations

import secrets
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from agora.core.db import Database, nullpool_engine
from agora.core.ids import new_id
from agora.core.migrate import upgrade
from agora.core.security import token_digest
from agora.identity import AuthSession


def insert_api_tokens(
    session: Session, people: Sequence[tuple[uuid.UUID, str]], now: datetime
) -> None:
    """One API session per (user id, token), valid for a day: the load generator's bearers."""
    session.execute(
        insert(AuthSession),
        [
            {
                "id": new_id(),
                "user_id": user_id,
                "token_hash": token_digest(token),
                "kind": "api",
                "created_at": now,
                "expires_at": now + timedelta(days=1),
            }
            for user_id, token in people
        ],
    )


@contextmanager
def fresh_database(server_url: str = "") -> Iterator[Database]:
    """``server_url`` empty → SQLite in a temp dir; a PostgreSQL URL → a throwaway database."""
    if not server_url or server_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="agora-bench-") as folder:
            database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(database.engine)
            try:
                yield database
            finally:
                database.dispose()
        return
    url = make_url(server_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"agora_bench_{secrets.token_hex(4)}"
    admin = nullpool_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database = Database(url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
