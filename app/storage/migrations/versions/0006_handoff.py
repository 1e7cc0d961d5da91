"""Hand-off tickets: residents' questions sent to the local team, and their contact details kept apart.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tickets and contacts tables."""
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("had_personal_data", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("code", name="uq_handoff_tickets_code"),
    )
    op.create_index("ix_handoff_tickets_status", "handoff_tickets", ["status"])
    op.create_index("ix_handoff_tickets_created_at", "handoff_tickets", ["created_at"])
    op.create_index("ix_handoff_tickets_session_id", "handoff_tickets", ["session_id"])
    # no foreign key, like feedback: purging stays table by table and a contact never outlives its ticket
    # because every ticket deletion deletes the contact in the same transaction
    op.create_table(
        "handoff_contacts",
        sa.Column("ticket_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_contacts_expires_at", "handoff_contacts", ["expires_at"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("handoff_contacts")
    op.drop_table("handoff_tickets")
