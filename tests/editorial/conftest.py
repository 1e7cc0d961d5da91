"""An app with named editors over a small knowledge base that passes check-kb."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.editorial.helpers import editorial_settings


@pytest.fixture()
def editorial(tmp_path: Path) -> Settings:
    """Settings over a temp knowledge copy and its index."""
    return editorial_settings(tmp_path)


@pytest.fixture()
def desk_client(editorial: Settings) -> Iterator[TestClient]:
    """A client whose lifespan loaded the small index and opened the SQLite database."""
    with TestClient(create_app(editorial), client=("127.0.0.1", 50000)) as c:
        yield c
