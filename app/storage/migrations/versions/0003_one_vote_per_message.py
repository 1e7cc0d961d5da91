"""One vote per answer: a later vote on the same message replaces the earlier one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Keep the latest vote of each message, then make message_id unique."""
    feedback = sa.table("feedback", sa.column("id", sa.Integer), sa.column("message_id", sa.String))
    latest = sa.select(sa.func.max(feedback.c.id)).group_by(feedback.c.message_id)
    op.execute(feedback.delete().where(feedback.c.id.not_in(latest.scalar_subquery())))
    with op.batch_alter_table("feedback") as batch:
        batch.create_unique_constraint("uq_feedback_message_id", ["message_id"])


def downgrade() -> None:
    """Allow several votes per message again."""
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint("uq_feedback_message_id", type_="unique")
