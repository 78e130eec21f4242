"""Migrations and models agree: upgrading an empty database yields exactly the ORM schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import BigInteger, Column, MetaData, inspect

from agora.core.db import Database
from agora.core.migrate import alembic_config, upgrade
from agora.schema import metadata

# The filter of src/agora/migrations/env.py: dialect-specific search tables are not ORM models.
UNMANAGED_PREFIXES = ("product_search",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name and name.startswith(UNMANAGED_PREFIXES))


def diff(db: Database, target: MetaData) -> list[Any]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": include_object,
                "compare_type": True,
                "target_metadata": target,
            },
        )
        return list(compare_metadata(context, target))


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    # The db fixture's database was built by running every migration on an empty database.
    assert diff(db, metadata) == []


def test_the_comparison_would_notice_a_model_the_migrations_lack(db: Database) -> None:
    # Guard against a vacuous pass: a model change without a revision must show up as a diff.
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["job_leases"].append_column(Column("priority", BigInteger, nullable=True))

    differences = diff(db, changed)

    assert [(d[0], d[2], d[3].name) for d in differences] == [
        ("add_column", "job_leases", "priority")
    ]


def test_every_model_table_exists_and_only_search_tables_are_extra(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}

    assert set(metadata.tables) <= tables
    extra = tables - set(metadata.tables)
    assert extra, "the search tables should exist"
    assert all(name.startswith(UNMANAGED_PREFIXES) for name in extra)


def test_the_database_is_at_the_single_head_revision(db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(db.url))
    heads = script.get_heads()

    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()

    assert len(heads) == 1
    assert tuple(current) == tuple(heads)


def test_upgrade_builds_a_fresh_database_and_is_a_no_op_the_second_time(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert inspect(fresh.engine).get_table_names() == []

        upgrade(fresh.engine)
        upgrade(fresh.engine)

        assert diff(fresh, metadata) == []
        assert set(metadata.tables) <= set(inspect(fresh.engine).get_table_names())
    finally:
        fresh.dispose()
