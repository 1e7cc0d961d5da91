"""Unanswered questions keep their status: no_answer, or partial (topic covered, detail asked not).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the status and the nearest entry; rows stored before were all no_answer."""
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="no_answer"))
        batch.add_column(sa.Column("related_id", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("related_id")
        batch.drop_column("status")
