"""Carriers: shipments with their tracking events, the operator's carrier switches, and the
stores' delivery promise and fleet opt-in.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_WHEN = agora.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(
            sa.Column("deliver_within_days", sa.BigInteger(), nullable=False, server_default="4")
        )
        batch.add_column(
            sa.Column("fleet_opt_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "shipments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("carrier", sa.String(16), nullable=False),
        sa.Column("waybill", sa.String(32), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("weight_grams", sa.BigInteger(), nullable=False),
        sa.Column("zone", sa.BigInteger(), nullable=False),
        sa.Column("origin_region", sa.String(40), nullable=False),
        sa.Column("destination_region", sa.String(40), nullable=False),
        sa.Column("eta_at", _WHEN, nullable=False),
        sa.Column("stage", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("location", sa.String(80), nullable=False),
        sa.Column("last_event_at", _WHEN, nullable=True),
        sa.Column("delivered_at", _WHEN, nullable=True),
        sa.Column("polled_at", _WHEN, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("carrier", "waybill", name="uq_shipments_waybill"),
    )
    op.create_index("ix_shipments_order", "shipments", ["order_id", "created_at"])
    op.create_index("ix_shipments_in_flight", "shipments", ["stage", "polled_at"])
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("location", sa.String(80), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("occurred_at", _WHEN, nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_id", "event_id", name="uq_tracking_events_event"),
    )
    op.create_index(
        "ix_tracking_events_shipment", "tracking_events", ["shipment_id", "occurred_at"]
    )
    with op.batch_alter_table("settlements") as batch:
        batch.add_column(sa.Column("freight", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "carrier_switches",
        sa.Column("carrier", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("changed_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("carrier"),
    )


def downgrade() -> None:
    op.drop_table("carrier_switches")
    with op.batch_alter_table("settlements") as batch:
        batch.drop_column("freight")
    op.drop_index("ix_tracking_events_shipment", table_name="tracking_events")
    op.drop_table("tracking_events")
    op.drop_index("ix_shipments_in_flight", table_name="shipments")
    op.drop_index("ix_shipments_order", table_name="shipments")
    op.drop_table("shipments")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("fleet_opt_in")
        batch.drop_column("deliver_within_days")
