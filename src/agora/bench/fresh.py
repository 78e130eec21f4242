"""A fresh, migrated database for a benchmark: a temporary SQLite file or a new PostgreSQL db."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from agora.core.db import Database, nullpool_engine
from agora.core.migrate import upgrade


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
