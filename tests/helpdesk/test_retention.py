"""The purge and the desk's tables: notes go with the conversations of the same age, the counts stay for the
team's reports, resolved flags go, open ones wait for an editor (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.helpdesk import flags, log
from app.helpdesk.retention import purge_helpdesk
from app.storage import Store
from tests.storage.conftest import db_url  # noqa: F401  (the fixture: SQLite and PostgreSQL)

NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=120)
LATELY = NOW - dt.timedelta(days=10)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811
    """An open store on a fresh database."""
    opened = Store.open(db_url)
    yield opened
    opened.close()


def _flag(store: Store, question: str, at: dt.datetime, resolved_at: dt.datetime | None) -> int:
    row = flags.raise_flag(store, "lan", "viewer", "helpdesk", question, "dvc-dia-chi", "Sai địa chỉ", now=at)
    if resolved_at is not None:
        flags.resolve_flag(store, row.id, "minh", "editor", "corrected", now=resolved_at)
    return row.id


def test_old_notes_are_cleared_and_the_report_still_counts_them(store: Store):
    old = log.start_session(store, "lan", now=LONG_AGO)
    log.record_item(store, old.id, "lan", "vneid", None, "resolved", "Bà Hoa ở tổ 5, quên mật khẩu", now=LONG_AGO)
    log.record_item(store, old.id, "lan", "can-cuoc", None, "referred", None, now=LONG_AGO)
    recent = log.start_session(store, "lan", now=LATELY)
    log.record_item(store, recent.id, "lan", "vneid", None, "resolved", "Hướng dẫn đổi số điện thoại", now=LATELY)
    before = log.report(store)

    assert purge_helpdesk(store, retention_days=90, now=NOW)["helpdesk_notes"] == 1

    notes = {(i.session_id, i.topic): i.note for i in log.list_items(store)}
    assert notes == {(old.id, "vneid"): None, (old.id, "can-cuoc"): None,
                     (recent.id, "vneid"): "Hướng dẫn đổi số điện thoại"}
    after = log.report(store)
    assert (after.residents, after.items, after.by_outcome) == (before.residents, before.items, before.by_outcome) \
        == (2, 3, {"resolved": 2, "referred": 1, "not_resolved": 0})
    # a second run finds nothing more to clear
    assert purge_helpdesk(store, retention_days=90, now=NOW)["helpdesk_notes"] == 0


def test_resolved_flags_go_after_the_retention_and_open_ones_stay(store: Store):
    resolved_long_ago = _flag(store, "cổng ở đâu", LONG_AGO, LONG_AGO + dt.timedelta(days=1))
    still_open = _flag(store, "cổng đổi địa chỉ chưa", LONG_AGO, None)
    resolved_lately = _flag(store, "địa chỉ cổng", LONG_AGO, LATELY)

    assert purge_helpdesk(store, retention_days=90, now=NOW)["helpdesk_flags"] == 1

    left = {f.id for f in flags.list_flags(store, status=None)}
    assert left == {still_open, resolved_lately}
    assert resolved_long_ago not in left


def test_a_negative_retention_is_refused(store: Store):
    with pytest.raises(ValueError):
        purge_helpdesk(store, retention_days=-1, now=NOW)


def test_the_purge_command_reports_the_desk_tables(db_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                                   capsys: pytest.CaptureFixture[str]):
    from app.__main__ import main

    opened = Store.open(db_url)
    try:
        now = dt.datetime.now(dt.UTC)
        session = log.start_session(opened, "lan", now=now - dt.timedelta(days=100))
        log.record_item(opened, session.id, "lan", "vneid", None, "resolved", "ghi chú cũ",
                        now=now - dt.timedelta(days=100))
        _flag(opened, "câu hỏi cũ", now - dt.timedelta(days=100), now - dt.timedelta(days=95))
    finally:
        opened.close()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["purge"]) == 0
    assert "helpdesk_notes 1, helpdesk_flags 1" in capsys.readouterr().out
    opened = Store.open(db_url)
    try:
        assert [i.note for i in log.list_items(opened)] == [None]
        assert flags.list_flags(opened, status=None) == []
    finally:
        opened.close()
