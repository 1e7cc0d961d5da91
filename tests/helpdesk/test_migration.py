"""Migration 0007 adds the desk's tables to a database at 0006 and takes them away again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app.storage.migrate import alembic_config, current_revision
from app.storage.store import make_engine

DESK_TABLES = {"helpdesk_sessions", "helpdesk_items", "helpdesk_flags"}


def test_0007_upgrades_a_database_at_0006_and_downgrades_cleanly(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0006")
            assert not DESK_TABLES & set(inspect(connection).get_table_names())
            command.upgrade(alembic_config(connection), "head")
            assert current_revision(connection) == "0007"
            assert DESK_TABLES <= set(inspect(connection).get_table_names())
            command.downgrade(alembic_config(connection), "0006")
            assert current_revision(connection) == "0006"
            assert not DESK_TABLES & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
