"""Unanswered questions keep the vector their question was searched with, so the editors' grouped page
reads stored vectors instead of embedding every question again on each call.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the vector (float32 bytes) and the embedder that made it; rows stored before have neither."""
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("vector", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("vector_model", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("vector_model")
        batch.drop_column("vector")
