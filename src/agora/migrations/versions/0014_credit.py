"""Closed-loop credit: lines, purchases, statements, instalment plans, repayments.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fen(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, agora.core.db.UTCDateTime(timezone=True), nullable=nullable)


def _id(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def _to_user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="RESTRICT"
    )


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "credit_lines",
        _id("user_id"),
        _fen("credit_limit"),
        _fen("used"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _fen("score"),
        sa.Column("factors", sa.JSON(), nullable=False),
        _when("opened_at"),
        _when("updated_at"),
        _check("credit_lines", "limit_not_negative", "credit_limit >= 0"),
        _check("credit_lines", "used_not_negative", "used >= 0"),
        _to_user("credit_lines"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_credit_lines")),
    )
    op.create_table(
        "credit_plans",
        _id("id"),
        _id("user_id"),
        _fen("principal"),
        _fen("months"),
        _fen("fee_rate_bp"),
        _fen("fee_total"),
        sa.Column("apr", sa.String(length=12), nullable=False),
        _fen("billed_count"),
        _fen("principal_billed"),
        _fen("fee_billed"),
        _fen("prepaid"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _id("source_statement_id", nullable=True),
        _id("source_purchase_id", nullable=True),
        _when("created_at"),
        _check(
            "credit_plans", "billed_within_months", "billed_count >= 0 AND billed_count <= months"
        ),
        _check("credit_plans", "fee_within", "fee_billed >= 0 AND fee_billed <= fee_total"),
        _check("credit_plans", "months_allowed", "months IN (3, 6, 9, 12)"),
        _check("credit_plans", "principal_positive", "principal > 0"),
        _check(
            "credit_plans",
            "principal_within",
            "principal_billed >= 0 AND prepaid >= 0 AND principal_billed + prepaid <= principal",
        ),
        _to_user("credit_plans"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_plans")),
    )
    op.create_index("ix_credit_plans_user", "credit_plans", ["user_id", "status"], unique=False)
    op.create_table(
        "credit_repayments",
        _id("id"),
        _id("user_id"),
        _fen("amount"),
        _fen("applied"),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _id("charge_id", nullable=True),
        _when("created_at"),
        _when("applied_at", nullable=True),
        _check("credit_repayments", "amount_positive", "amount > 0"),
        _check("credit_repayments", "applied_within", "applied >= 0 AND applied <= amount"),
        _to_user("credit_repayments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_repayments")),
    )
    op.create_index(
        "ix_credit_repayments_user", "credit_repayments", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "credit_statements",
        _id("id"),
        _id("user_id"),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("statement_day", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _fen("amount"),
        _fen("minimum"),
        _fen("paid"),
        _fen("fees"),
        _fen("fees_paid"),
        _fen("credited"),
        _fen("paid_on_time"),
        sa.Column("fees_through", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _id("converted_plan_id", nullable=True),
        _when("created_at"),
        _when("paid_at", nullable=True),
        _check(
            "credit_statements", "amounts", "amount >= 0 AND minimum >= 0 AND minimum <= amount"
        ),
        _check("credit_statements", "fees_within", "fees_paid >= 0 AND fees_paid <= fees"),
        _check(
            "credit_statements",
            "principal_within",
            "paid >= 0 AND credited >= 0 AND paid + credited <= amount",
        ),
        _to_user("credit_statements"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_statements")),
        sa.UniqueConstraint("user_id", "period_end", name=op.f("uq_credit_statements_user_id")),
    )
    op.create_index(
        "ix_credit_statements_due", "credit_statements", ["status", "due_on"], unique=False
    )
    op.create_table(
        "credit_instalments",
        _id("plan_id"),
        _fen("number"),
        _id("statement_id"),
        _fen("principal"),
        _fen("fee"),
        _when("billed_at"),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["credit_plans.id"],
            name=op.f("fk_credit_instalments_plan_id_credit_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["credit_statements.id"],
            name=op.f("fk_credit_instalments_statement_id_credit_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("plan_id", "number", name=op.f("pk_credit_instalments")),
    )
    op.create_index(
        "ix_credit_instalments_statement", "credit_instalments", ["statement_id"], unique=False
    )
    op.create_table(
        "credit_purchases",
        _id("id"),
        _id("user_id"),
        _id("order_id"),
        _id("store_id"),
        _fen("amount"),
        _fen("refunded"),
        _fen("credited"),
        _fen("repaid"),
        _when("created_at"),
        _id("statement_id", nullable=True),
        _id("plan_id", nullable=True),
        _check("credit_purchases", "amount_positive", "amount > 0"),
        _check(
            "credit_purchases",
            "settled_within",
            "credited >= 0 AND repaid >= 0 AND credited + repaid <= amount",
        ),
        _check("credit_purchases", "refunded_within", "refunded >= 0 AND refunded <= amount"),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["credit_plans.id"],
            name=op.f("fk_credit_purchases_plan_id_credit_plans"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["credit_statements.id"],
            name=op.f("fk_credit_purchases_statement_id_credit_statements"),
            ondelete="RESTRICT",
        ),
        _to_user("credit_purchases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_purchases")),
        sa.UniqueConstraint("order_id", name=op.f("uq_credit_purchases_order_id")),
    )
    op.create_index(
        "ix_credit_purchases_user", "credit_purchases", ["user_id", "created_at"], unique=False
    )


def downgrade() -> None:
    for table, index in (
        ("credit_purchases", "ix_credit_purchases_user"),
        ("credit_instalments", "ix_credit_instalments_statement"),
        ("credit_statements", "ix_credit_statements_due"),
        ("credit_repayments", "ix_credit_repayments_user"),
        ("credit_plans", "ix_credit_plans_user"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_table("credit_lines")
