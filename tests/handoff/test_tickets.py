"""Ticket storage on its own: codes, contacts that expire, deletion and purging (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.handoff import tickets
from app.storage import Store
from app.storage.tables import HandoffContact, HandoffTicket

NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on a fresh database."""
    opened = Store.open(db_url)
    yield opened
    opened.close()


def _contacts(store: Store) -> list[int]:
    with Session(store.engine) as session:
        return list(session.scalars(select(HandoffContact.ticket_id)))


def test_codes_are_short_unambiguous_and_unique():
    codes = {tickets.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and not set(c) & set("01ILOUV") for c in codes)
    assert tickets.normalize_code(" ab-cd 23x9 ") == "ABCD23X9"


def test_a_contact_is_hidden_once_expired_and_deleted_by_the_next_ticket_or_the_purge(store: Store):
    old = tickets.open_ticket(store, "Câu hỏi cũ", contact="0987654321", contact_days=30,
                              now=NOW - dt.timedelta(days=31))
    fresh = tickets.open_ticket(store, "Câu hỏi mới", contact="lan@example.vn", contact_days=30, now=NOW)
    # the newer ticket's arrival deleted the expired contact
    assert len(_contacts(store)) == 1
    [first, second] = tickets.list_tickets(store, now=NOW)
    assert (first.code, first.contact) == (old.code, None) and second.contact == "lan@example.vn"
    assert tickets.list_tickets(store, now=NOW + dt.timedelta(days=30))[1].contact is None
    counts = tickets.purge_handoff(store, retention_days=90, now=NOW + dt.timedelta(days=30))
    assert counts == {"handoff_contacts": 1, "handoff_tickets": 0} and _contacts(store) == []
    assert tickets.read_ticket(store, fresh.code, fresh.secret) is not None


def test_purging_old_tickets_takes_their_contacts(store: Store):
    tickets.open_ticket(store, "Cũ", contact="0987654321", contact_days=365, now=NOW - dt.timedelta(days=100))
    kept = tickets.open_ticket(store, "Mới", now=NOW)
    assert tickets.purge_handoff(store, retention_days=90, now=NOW) == {"handoff_contacts": 1, "handoff_tickets": 1}
    assert [t.code for t in tickets.list_tickets(store, None)] == [kept.code] and _contacts(store) == []


def test_deleting_a_ticket_or_its_session_deletes_the_contact(store: Store):
    tickets.open_ticket(store, "Một", contact="0987654321", session_id="s-1", now=NOW)
    tickets.open_ticket(store, "Hai", contact="0912345678", session_id="s-2", now=NOW)
    [one, two] = tickets.list_tickets(store, now=NOW)
    assert tickets.delete_ticket(store, one.id) and not tickets.delete_ticket(store, one.id)
    assert _contacts(store) == [two.id]
    # a resident's erasure request takes the tickets sent from that chat session
    assert store.delete_session("s-2") == 1 and _contacts(store) == []
    with Session(store.engine) as session:
        assert session.scalars(select(HandoffTicket.id)).all() == []


def test_the_secret_is_stored_only_as_a_hash(store: Store):
    created = tickets.open_ticket(store, "Hỏi", now=NOW)
    with Session(store.engine) as session:
        stored = session.scalar(select(HandoffTicket.secret_hash))
    assert stored and created.secret not in stored
    assert tickets.read_ticket(store, created.code, stored) is None
    assert tickets.count_tickets(store) == {"open": 1, "answered": 0, "closed": 0}


def _redaction_cases() -> list[tuple[str, str]]:
    """The redaction suite's own question/placeholder pairs (tests/privacy/test_redact.py)."""
    from tests.privacy import test_redact

    marks = test_redact.test_personal_data_becomes_a_typed_placeholder.pytestmark  # type: ignore[attr-defined]
    return list(next(m for m in marks if m.name == "parametrize").args[1])


def test_the_redaction_suite_holds_for_stored_tickets(store: Store):
    cases = _redaction_cases()
    assert len(cases) >= 20
    created = [tickets.open_ticket(store, question, now=NOW) for question, _ in cases]
    for (_, expected), new in zip(cases, created, strict=True):
        view = tickets.read_ticket(store, new.code, new.secret)
        assert view is not None and view.question == expected


def test_the_purge_command_deletes_expired_contacts_and_old_tickets(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]):
    from app.__main__ import main

    opened = Store.open(db_url)
    try:
        now = dt.datetime.now(dt.UTC)
        # in this order, neither arrival deletes the other's contact
        tickets.open_ticket(opened, "Liên hệ hết hạn", contact="0912345678", contact_days=1,
                            now=now - dt.timedelta(days=2))
        tickets.open_ticket(opened, "Cũ", contact="0987654321", now=now - dt.timedelta(days=100))
    finally:
        opened.close()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["purge"]) == 0
    assert "handoff_contacts 2, handoff_tickets 1" in capsys.readouterr().out
