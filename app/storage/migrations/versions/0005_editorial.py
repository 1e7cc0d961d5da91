"""Editors' drafts of FAQ entries and the audit log of every draft, publication and retirement.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the drafts and audit tables."""
    op.create_table(
        "editorial_drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "editorial_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("index_version", sa.String(), nullable=True),
    )
    op.create_index("ix_editorial_drafts_entry_id", "editorial_drafts", ["entry_id"])
    op.create_index("ix_editorial_drafts_status", "editorial_drafts", ["status"])
    op.create_index("ix_editorial_audit_at", "editorial_audit", ["at"])
    op.create_index("ix_editorial_audit_entry_id", "editorial_audit", ["entry_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("editorial_audit")
    op.drop_table("editorial_drafts")
