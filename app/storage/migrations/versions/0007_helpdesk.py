"""Help-desk session log (what residents were helped with, no personal data) and flags of wrong answers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the help sessions, their items and the flags."""
    op.create_table(
        "helpdesk_sessions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("member", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "helpdesk_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_table(
        "helpdesk_flags",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reporter", sa.String(), nullable=False),
        sa.Column("reporter_role", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_helpdesk_sessions_member", "helpdesk_sessions", ["member"])
    op.create_index("ix_helpdesk_sessions_started_at", "helpdesk_sessions", ["started_at"])
    op.create_index("ix_helpdesk_items_session_id", "helpdesk_items", ["session_id"])
    op.create_index("ix_helpdesk_items_created_at", "helpdesk_items", ["created_at"])
    op.create_index("ix_helpdesk_flags_created_at", "helpdesk_flags", ["created_at"])
    op.create_index("ix_helpdesk_flags_entry_id", "helpdesk_flags", ["entry_id"])
    op.create_index("ix_helpdesk_flags_status", "helpdesk_flags", ["status"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("helpdesk_flags")
    op.drop_table("helpdesk_items")
    op.drop_table("helpdesk_sessions")
