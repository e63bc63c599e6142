"""Initial s2c schema: one table per aggregate, the event log, outbox, counters and actions.

Written out explicitly (generated once from ``s2c_sqlalchemy.tables`` and checked in) rather
than computed from the live registry at upgrade time: a revision must create the same schema
forever, whatever later versions of s2c_core add to the registry. New indexed fields get
their own revision; ``tests/test_migrations.py`` fails while the tables and the migrated
schema differ.

Revision ID: s2c_0001
Revises:
Create Date: 2026-03-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s2c_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("s2c_sqlalchemy",)
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    """Text compared by code point (``COLLATE "C"`` on PostgreSQL)."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _utc() -> sa.DateTime:
    """A UTC timestamp (``timestamp with time zone`` on PostgreSQL, naive UTC on SQLite)."""
    return sa.DateTime(timezone=True)


def _sequence() -> sa.types.TypeEngine[int]:
    """The event log position: BIGINT identity on PostgreSQL, INTEGER rowid on SQLite."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create every s2c table."""
    op.create_table(
        "s2c_actions",
        sa.Column("key", _key(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_s2c_actions"),
    )
    op.create_table(
        "s2c_counters",
        sa.Column("series", _key(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name="pk_s2c_counters"),
    )
    op.create_table(
        "s2c_credit_decision",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("order_id", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_credit_decision"),
    )
    op.create_index(
        "ix_s2c_credit_decision_customer_id", "s2c_credit_decision", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_s2c_credit_decision_order_id", "s2c_credit_decision", ["order_id"], unique=False
    )
    op.create_table(
        "s2c_customer",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", _key(), nullable=True),
        sa.Column("segment", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_customer"),
    )
    op.create_index("ix_s2c_customer_segment", "s2c_customer", ["segment"], unique=False)
    op.create_index("ix_s2c_customer_status", "s2c_customer", ["status"], unique=False)
    op.create_table(
        "s2c_dispute",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("invoice_id", _key(), nullable=True),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_dispute"),
    )
    op.create_index("ix_s2c_dispute_customer_id", "s2c_dispute", ["customer_id"], unique=False)
    op.create_index("ix_s2c_dispute_invoice_id", "s2c_dispute", ["invoice_id"], unique=False)
    op.create_index("ix_s2c_dispute_status", "s2c_dispute", ["status"], unique=False)
    op.create_table(
        "s2c_events",
        sa.Column("sequence", _sequence(), autoincrement=True, nullable=False),
        sa.Column("id", _key(), nullable=False),
        sa.Column("name", _key(), nullable=False),
        sa.Column("aggregate", _key(), nullable=False),
        sa.Column("aggregate_id", _key(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("from_state", _key(), nullable=True),
        sa.Column("to_state", _key(), nullable=True),
        sa.Column("actor", _key(), nullable=False),
        sa.Column("case_id", _key(), nullable=False),
        sa.PrimaryKeyConstraint("sequence"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_s2c_events_aggregate_id", "s2c_events", ["aggregate_id"], unique=False)
    op.create_index("ix_s2c_events_name_at", "s2c_events", ["name", "at"], unique=False)
    op.create_table(
        "s2c_invoice",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("kind", _key(), nullable=True),
        sa.Column("number", _key(), nullable=True),
        sa.Column("payment_reference", _key(), nullable=True),
        sa.Column("currency", _key(), nullable=True),
        sa.Column("order_id", _key(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("open_amount", sa.BigInteger(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("dunning_level", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_invoice"),
    )
    op.create_index("ix_s2c_invoice_currency", "s2c_invoice", ["currency"], unique=False)
    op.create_index("ix_s2c_invoice_customer_id", "s2c_invoice", ["customer_id"], unique=False)
    op.create_index("ix_s2c_invoice_due_date", "s2c_invoice", ["due_date"], unique=False)
    op.create_index("ix_s2c_invoice_issue_date", "s2c_invoice", ["issue_date"], unique=False)
    op.create_index("ix_s2c_invoice_kind", "s2c_invoice", ["kind"], unique=False)
    op.create_index("ix_s2c_invoice_number", "s2c_invoice", ["number"], unique=False)
    op.create_index("ix_s2c_invoice_order_id", "s2c_invoice", ["order_id"], unique=False)
    op.create_index("ix_s2c_invoice_paid_on", "s2c_invoice", ["paid_on"], unique=False)
    op.create_index(
        "ix_s2c_invoice_payment_reference", "s2c_invoice", ["payment_reference"], unique=False
    )
    op.create_index("ix_s2c_invoice_status", "s2c_invoice", ["status"], unique=False)
    op.create_table(
        "s2c_lead",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", _key(), nullable=True),
        sa.Column("source", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_lead"),
    )
    op.create_index("ix_s2c_lead_source", "s2c_lead", ["source"], unique=False)
    op.create_index("ix_s2c_lead_status", "s2c_lead", ["status"], unique=False)
    op.create_table(
        "s2c_mandate",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_mandate"),
    )
    op.create_index("ix_s2c_mandate_customer_id", "s2c_mandate", ["customer_id"], unique=False)
    op.create_table(
        "s2c_order",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_order"),
    )
    op.create_index("ix_s2c_order_customer_id", "s2c_order", ["customer_id"], unique=False)
    op.create_index("ix_s2c_order_status", "s2c_order", ["status"], unique=False)
    op.create_table(
        "s2c_outbox",
        sa.Column("id", _key(), nullable=False),
        sa.Column("key", _key(), nullable=False),
        sa.Column("topic", _key(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=True),
        sa.Column("next_attempt_at", _utc(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", _key(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_outbox"),
        sa.UniqueConstraint("key", name="uq_s2c_outbox_key"),
    )
    op.create_index(
        "ix_s2c_outbox_status_next", "s2c_outbox", ["status", "next_attempt_at"], unique=False
    )
    op.create_table(
        "s2c_payment",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("entry_key", _key(), nullable=True),
        sa.Column("currency", _key(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("unapplied", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_payment"),
    )
    op.create_index("ix_s2c_payment_currency", "s2c_payment", ["currency"], unique=False)
    op.create_index("ix_s2c_payment_customer_id", "s2c_payment", ["customer_id"], unique=False)
    op.create_index("ix_s2c_payment_entry_key", "s2c_payment", ["entry_key"], unique=False)
    op.create_index("ix_s2c_payment_received_on", "s2c_payment", ["received_on"], unique=False)
    op.create_index("ix_s2c_payment_status", "s2c_payment", ["status"], unique=False)
    op.create_table(
        "s2c_product",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_product"),
    )
    op.create_table(
        "s2c_quote",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_quote"),
    )
    op.create_index("ix_s2c_quote_customer_id", "s2c_quote", ["customer_id"], unique=False)
    op.create_index("ix_s2c_quote_status", "s2c_quote", ["status"], unique=False)
    op.create_index("ix_s2c_quote_valid_until", "s2c_quote", ["valid_until"], unique=False)
    op.create_table(
        "s2c_shipment",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("order_id", _key(), nullable=True),
        sa.Column("status", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_shipment"),
    )
    op.create_index("ix_s2c_shipment_order_id", "s2c_shipment", ["order_id"], unique=False)
    op.create_index("ix_s2c_shipment_status", "s2c_shipment", ["status"], unique=False)
    op.create_table(
        "s2c_stock",
        sa.Column("id", _key(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("product_id", _key(), nullable=True),
        sa.Column("location", _key(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_s2c_stock"),
    )
    op.create_index("ix_s2c_stock_location", "s2c_stock", ["location"], unique=False)
    op.create_index("ix_s2c_stock_product_id", "s2c_stock", ["product_id"], unique=False)


def downgrade() -> None:
    """Drop every s2c table."""
    op.drop_index("ix_s2c_stock_product_id", table_name="s2c_stock")
    op.drop_index("ix_s2c_stock_location", table_name="s2c_stock")
    op.drop_table("s2c_stock")
    op.drop_index("ix_s2c_shipment_status", table_name="s2c_shipment")
    op.drop_index("ix_s2c_shipment_order_id", table_name="s2c_shipment")
    op.drop_table("s2c_shipment")
    op.drop_index("ix_s2c_quote_valid_until", table_name="s2c_quote")
    op.drop_index("ix_s2c_quote_status", table_name="s2c_quote")
    op.drop_index("ix_s2c_quote_customer_id", table_name="s2c_quote")
    op.drop_table("s2c_quote")
    op.drop_table("s2c_product")
    op.drop_index("ix_s2c_payment_status", table_name="s2c_payment")
    op.drop_index("ix_s2c_payment_received_on", table_name="s2c_payment")
    op.drop_index("ix_s2c_payment_entry_key", table_name="s2c_payment")
    op.drop_index("ix_s2c_payment_customer_id", table_name="s2c_payment")
    op.drop_index("ix_s2c_payment_currency", table_name="s2c_payment")
    op.drop_table("s2c_payment")
    op.drop_index("ix_s2c_outbox_status_next", table_name="s2c_outbox")
    op.drop_table("s2c_outbox")
    op.drop_index("ix_s2c_order_status", table_name="s2c_order")
    op.drop_index("ix_s2c_order_customer_id", table_name="s2c_order")
    op.drop_table("s2c_order")
    op.drop_index("ix_s2c_mandate_customer_id", table_name="s2c_mandate")
    op.drop_table("s2c_mandate")
    op.drop_index("ix_s2c_lead_status", table_name="s2c_lead")
    op.drop_index("ix_s2c_lead_source", table_name="s2c_lead")
    op.drop_table("s2c_lead")
    op.drop_index("ix_s2c_invoice_status", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_payment_reference", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_paid_on", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_order_id", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_number", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_kind", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_issue_date", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_due_date", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_customer_id", table_name="s2c_invoice")
    op.drop_index("ix_s2c_invoice_currency", table_name="s2c_invoice")
    op.drop_table("s2c_invoice")
    op.drop_index("ix_s2c_events_name_at", table_name="s2c_events")
    op.drop_index("ix_s2c_events_aggregate_id", table_name="s2c_events")
    op.drop_table("s2c_events")
    op.drop_index("ix_s2c_dispute_status", table_name="s2c_dispute")
    op.drop_index("ix_s2c_dispute_invoice_id", table_name="s2c_dispute")
    op.drop_index("ix_s2c_dispute_customer_id", table_name="s2c_dispute")
    op.drop_table("s2c_dispute")
    op.drop_index("ix_s2c_customer_status", table_name="s2c_customer")
    op.drop_index("ix_s2c_customer_segment", table_name="s2c_customer")
    op.drop_table("s2c_customer")
    op.drop_index("ix_s2c_credit_decision_order_id", table_name="s2c_credit_decision")
    op.drop_index("ix_s2c_credit_decision_customer_id", table_name="s2c_credit_decision")
    op.drop_table("s2c_credit_decision")
    op.drop_table("s2c_counters")
    op.drop_table("s2c_actions")
