"""Human order numbers: ``orders.number``, the day counter (SQLite) or sequence (PostgreSQL), and
numbers for the orders already placed, in order of creation within each business day.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from alembic import op

from agora.core.db import UTCDateTime
from agora.ordering.numbers import day_of, format_number

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

_orders = sa.table(
    "orders",
    sa.column("id", sa.Uuid()),
    sa.column("created_at", UTCDateTime()),
    sa.column("number", sa.String(16)),
)
_days = sa.table(
    "order_number_days", sa.column("day", sa.String(8)), sa.column("last", sa.BigInteger)
)


def upgrade() -> None:
    op.create_table(
        "order_number_days",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.BigInteger(), nullable=False),
    )
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("number", sa.String(16), nullable=True))

    bind = op.get_bind()
    taken: Counter[str] = Counter()
    numbered = []
    for order_id, created_at in bind.execute(
        sa.select(_orders.c.id, _orders.c.created_at).order_by(_orders.c.created_at, _orders.c.id)
    ):
        day = day_of(created_at)
        taken[day] += 1
        numbered.append({"order_id": order_id, "number": format_number(day, taken[day])})
    if numbered:
        bind.execute(
            _orders.update()
            .where(_orders.c.id == sa.bindparam("order_id"))
            .values(number=sa.bindparam("number")),
            numbered,
        )
        op.bulk_insert(_days, [{"day": day, "last": last} for day, last in sorted(taken.items())])

    with op.batch_alter_table("orders") as batch:
        batch.alter_column("number", existing_type=sa.String(16), nullable=False)
        batch.create_index("uq_orders_number", ["number"], unique=True)
    if bind.dialect.name == "postgresql":
        # Past every number a day already used, so a drawn number never meets a backfilled one.
        op.execute(f"CREATE SEQUENCE order_numbers START WITH {max(taken.values(), default=0) + 1}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE order_numbers")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("uq_orders_number")
        batch.drop_column("number")
    op.drop_table("order_number_days")
