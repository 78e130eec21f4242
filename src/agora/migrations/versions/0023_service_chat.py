"""Customer service chat: a conversation may belong to a store (kind ``store``, ``store_id``), and
the store's staff are its members with the role ``staff``.

On SQLite the two CHECK constraints are widened in place (the schema text, as SQLite documents
for changes that leave every stored row valid) rather than by rebuilding the tables: rebuilding
``chat_conversations`` drops the old table, and with foreign keys on (they are, on every
connection) that drop deletes every member and message through their ON DELETE CASCADE.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_KIND = ("kind IN ('direct', 'group')", "kind IN ('direct', 'group', 'store')")
_STORE_FK = (
    "CONSTRAINT fk_chat_conversations_store_id_stores FOREIGN KEY(store_id) "
    "REFERENCES stores (id) ON DELETE CASCADE"
)
_LAST_LINE = "\n)"
_ROLE = (
    "role IN ('owner', 'admin', 'member')",
    "role IN ('owner', 'admin', 'member', 'staff')",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # No table rebuild (see above): the column is added, then its reference written into
        # the schema as a table constraint (every row's store_id is NULL, so none breaks it).
        columns = op.get_bind().execute(sa.text("PRAGMA table_info(chat_conversations)"))
        if "store_id" not in {row.name for row in columns}:  # a downgrade leaves it
            op.execute("ALTER TABLE chat_conversations ADD COLUMN store_id CHAR(32)")
        _sqlite_rewrite("chat_conversations", *_KIND)
        _sqlite_rewrite("chat_conversations", _LAST_LINE, f", \n\t{_STORE_FK}{_LAST_LINE}")
        _sqlite_rewrite("chat_members", *_ROLE)
    else:
        op.add_column("chat_conversations", sa.Column("store_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f("fk_chat_conversations_store_id_stores"),
            "chat_conversations",
            "stores",
            ["store_id"],
            ["id"],
            ondelete="CASCADE",
        )
        _check("chat_conversations", "ck_chat_conversations_kind", _KIND[1])
        _check("chat_members", "ck_chat_members_role", _ROLE[1])
    op.create_index(
        "ix_chat_conversations_store",
        "chat_conversations",
        ["store_id", "last_activity_at"],
    )


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM chat_conversations WHERE kind = 'store'"))
    bind.execute(sa.text("DELETE FROM chat_members WHERE role = 'staff'"))
    op.drop_index("ix_chat_conversations_store", table_name="chat_conversations")
    if bind.dialect.name == "sqlite":
        _sqlite_rewrite("chat_members", _ROLE[1], _ROLE[0])
        _sqlite_rewrite("chat_conversations", _KIND[1], _KIND[0])
        _sqlite_rewrite("chat_conversations", f", \n\t{_STORE_FK}{_LAST_LINE}", _LAST_LINE)
        # The emptied column stays: SQLite drops a column only by rebuilding the table, and
        # that rebuild would cascade (see above). The older models do not read it.
    else:
        _check("chat_members", "ck_chat_members_role", _ROLE[0])
        _check("chat_conversations", "ck_chat_conversations_kind", _KIND[0])
        op.drop_constraint(
            op.f("fk_chat_conversations_store_id_stores"), "chat_conversations", type_="foreignkey"
        )
        op.drop_column("chat_conversations", "store_id")


def _check(table: str, name: str, condition: str) -> None:
    op.drop_constraint(op.f(name), table, type_="check")
    op.create_check_constraint(op.f(name), table, condition)


def _sqlite_rewrite(table: str, old: str, new: str) -> None:
    """Replace ``old`` (found exactly once) in the table's schema text: SQLite's documented way
    (``writable_schema``) for a change every stored row already satisfies — a wider IN list, a
    reference from an all-NULL column. ``schema_version`` is bumped so connections reload it."""
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"{table}: expected {old!r} once in its schema")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
        {"sql": sql.replace(old, new), "name": table},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))
