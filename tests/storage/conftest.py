"""Every storage test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL in a throwaway schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage.store import Store
from tests.services import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL nothing else uses: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'storage.db'}"
        return
    with postgres_schema("storage_test", "PostgreSQL storage tests") as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on a fresh database."""
    opened = Store.open(db_url)
    yield opened
    opened.close()
