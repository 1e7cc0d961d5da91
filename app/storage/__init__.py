"""Persistent record of conversations, feedback and unanswered questions (SQLAlchemy + Alembic)."""

from app.storage.models import ConversationRecord, FeedbackRow, UnansweredRow
from app.storage.store import Store, open_store, to_csv
from app.storage.writer import AsyncWriter

__all__ = [
    "AsyncWriter",
    "ConversationRecord",
    "FeedbackRow",
    "Store",
    "UnansweredRow",
    "open_store",
    "to_csv",
]
