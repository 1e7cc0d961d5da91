"""An app with named editors and the hand-off routes, on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.editorial.helpers import editorial_settings
from tests.services import postgres_schema


@pytest.fixture(scope="module")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The editorial test settings (four tokens, a small indexed base), built once per module."""
    return editorial_settings(tmp_path_factory.mktemp("handoff"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nothing else uses: a new SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'handoff.db'}"
        return
    with postgres_schema("handoff_test", "the PostgreSQL hand-off tests") as url:
        yield url


@pytest.fixture()
def settings(base_settings: Settings, db_url: str) -> Settings:
    """The module's settings on this test's own database."""
    return base_settings.model_copy(update={"database_url": db_url})


@pytest.fixture()
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose lifespan loaded the index and opened the database."""
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as c:
        yield c
