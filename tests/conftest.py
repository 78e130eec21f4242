"""Shared fixtures: a migrated database per backend, cleaned between tests; the app; the clock.

Database-backed tests run on SQLite always and on PostgreSQL too when ``AGORA_TEST_DATABASE_URL``
is set (a server URL; each run creates and drops its own database).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from agora import ledger
from agora.bench.server import ServerProcess
from agora.config import Settings
from agora.core.clock import clock
from agora.core.db import Database, nullpool_engine
from agora.core.migrate import upgrade
from agora.core.uow import UnitOfWork
from agora.schema import metadata

PG_URL = os.environ.get("AGORA_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("AGORA_TEST_REDIS_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_url(database: str) -> str:
    url = make_url(PG_URL or "")
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'agora.db'}"}
    created: list[str] = []
    if PG_URL:
        name = f"agora_test_{os.getpid()}_{secrets.token_hex(3)}"
        admin = nullpool_engine(_pg_url("postgres"))
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        created.append(name)
        urls["postgresql"] = _pg_url(name)
    yield urls
    for name in created:
        admin = nullpool_engine(_pg_url("postgres"))
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


_migrated: dict[str, Database] = {}


def _database(backend: str, urls: dict[str, str]) -> Database:
    if backend not in _migrated:
        database = Database(urls[backend])
        upgrade(database.engine)
        _migrated[backend] = database
    return _migrated[backend]


def clean(database: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with database.write_session() as session:
        if database.is_sqlite:
            # SQLite enforces ON DELETE RESTRICT row by row, so a tree (categories) must first be
            # cut loose from itself before its rows can go in any order.
            for table in metadata.sorted_tables:
                for key in table.foreign_keys:
                    if key.column.table is table:
                        session.execute(table.update().values({key.parent.name: None}))
            for name in [*tables, "product_search"]:
                session.execute(text(f'DELETE FROM "{name}"'))
        else:
            joined = ", ".join(f'"{name}"' for name in [*tables, "product_search"])
            session.execute(text(f"TRUNCATE {joined} CASCADE"))
        session.commit()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> Iterator[Database]:
    database = _database(request.param, database_urls)
    clean(database)
    yield database
    # Every test that moved money must leave a ledger that replays exactly.
    report = ledger.check(UnitOfWork(database))
    clean(database)
    assert report.ok, "ledger check failed after the test:\n" + "\n".join(report.problems)


@pytest.fixture
def uow(db: Database) -> UnitOfWork:
    return UnitOfWork(db)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def settings(db: Database) -> Settings:
    # serve_tuning off: each test app would otherwise freeze the whole test process in place.
    return Settings(database_url=db.url, embedded_workers=False, redis_url=None, serve_tuning=False)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from agora.app import create_app

    app = create_app(settings, db=db)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[UnitOfWork, ServerProcess, ServerProcess]]:
    """Two real ``agora serve`` processes (no relay, no scheduler) on one fresh database —
    PostgreSQL when ``AGORA_TEST_DATABASE_URL`` is set, else a SQLite file both open — and one
    Redis hub; with a unit of work on that database. Needs ``AGORA_TEST_REDIS_URL``."""
    from agora.bench.fresh import fresh_database
    from agora.bench.server import start_server

    if not REDIS_URL:
        pytest.skip("needs Redis for cross-process fan-out: set AGORA_TEST_REDIS_URL")
    with fresh_database(PG_URL or "") as database:
        env = {"AGORA_REDIS_URL": REDIS_URL}
        a = start_server(database.url, tmp_path / "a.log", workers=False, extra_env=env)
        try:
            b = start_server(database.url, tmp_path / "b.log", workers=False, extra_env=env)
            try:
                yield UnitOfWork(database), a, b
            finally:
                b.stop()
        finally:
            a.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Under parallel workers (`make test`), the browser tests stay on one worker: each worker
    # would otherwise seed and serve its own demo shop for them.
    browser_tests = Path(__file__).resolve().parent / "e2e"
    for item in items:
        if browser_tests in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for database in _migrated.values():
        database.dispose()
    _migrated.clear()


ROOT = Path(__file__).resolve().parent.parent
