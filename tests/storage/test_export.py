"""CSV export of feedback and unanswered rows, as editors open it in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

from app.storage.models import FeedbackRow, UnansweredRow
from app.storage.store import Store, to_csv
from tests.storage.helpers import UTC, conversation

TRICKY = 'Phí "làm lại" CCCD, bao nhiêu?\nCòn hộ chiếu thì sao'


def test_csv_quotes_commas_quotes_and_newlines() -> None:
    row = UnansweredRow(
        id=7, message_id="a" * 32, session_id="s1", question=TRICKY,
        created_at=dt.datetime(2024, 5, 2, 23, 0, tzinfo=UTC), kb_version="v-1",
    )
    out = to_csv([row])
    assert '"Phí ""làm lại"" CCCD, bao nhiêu?\nCòn hộ chiếu thì sao"' in out
    assert list(csv.reader(io.StringIO(out))) == [
        ["id", "message_id", "session_id", "question", "created_at", "kb_version", "status", "related_id"],
        ["7", "a" * 32, "s1", TRICKY, "2024-05-02T23:00:00+00:00", "v-1", "no_answer", ""],
    ]


def test_csv_of_feedback_from_the_store(store: Store) -> None:
    rec = conversation(question=TRICKY)
    store.record_conversation(rec)
    store.record_feedback(rec.message_id, helpful=True)
    [header, line] = list(csv.reader(io.StringIO(to_csv(store.list_feedback()))))
    assert header == ["id", "message_id", "session_id", "helpful", "created_at", "question", "answer_type"]
    assert line[1:4] == [rec.message_id, "session-a", "true"]
    assert line[5:] == [TRICKY, "faq"]


def test_csv_neutralises_spreadsheet_formulas() -> None:
    row = UnansweredRow(
        id=1, message_id="b" * 32, session_id="s", question='=HYPERLINK("http://x","bấm")',
        created_at=dt.datetime(2024, 5, 1, tzinfo=UTC), kb_version="v-1",
    )
    [_, line] = list(csv.reader(io.StringIO(to_csv([row]))))
    assert line[3] == '\'=HYPERLINK("http://x","bấm")'


def test_csv_without_rows_has_just_the_header() -> None:
    assert to_csv([], FeedbackRow).strip() == "id,message_id,session_id,helpful,created_at,question,answer_type"
    assert to_csv([]) == ""
