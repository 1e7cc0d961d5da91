"""Building blocks shared by the storage tests."""

from __future__ import annotations

import datetime as dt
import uuid

from app.storage.models import AnswerStatus, ConversationRecord

UTC = dt.UTC
ICT = dt.timezone(dt.timedelta(hours=7))  # Vietnam time


def conversation(
    session_id: str = "session-a",
    status: AnswerStatus = "answered",
    at: dt.datetime | None = None,
    question: str = "Làm căn cước cho trẻ em ở đâu?",
) -> ConversationRecord:
    """A conversation record with a fresh message id."""
    return ConversationRecord(
        message_id=uuid.uuid4().hex,
        session_id=session_id,
        question=question,
        answer_type="faq" if status == "answered" else "none",
        status=status,
        cited_ids=("qd-06-2022", "cong-dvcqg") if status == "answered" else (),
        matched_id="can-cuoc-tre-em" if status == "answered" else None,
        confidence=0.81 if status == "answered" else 0.12,
        latency_ms=12.5,
        kb_version="v-20240501",
        language="vi",
        had_personal_data=False,
        created_at=at or dt.datetime.now(UTC),
    )
