"""An app with named team members over the small knowledge base, on SQLite and (with TEST_DATABASE_URL) on
PostgreSQL in a throwaway schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import Settings
from tests.conftest import write_small_kb
from tests.editorial.helpers import ADMIN, TOKENS
from tests.storage.conftest import db_url  # noqa: F401  (the fixture: SQLite and PostgreSQL)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small knowledge base and its index, built once for the module (the tests only read them)."""
    root = tmp_path_factory.mktemp("helpdesk")
    kb = write_small_kb(root)
    build_index(load_knowledge(kb), load_embedder(Settings().embedder), root / "index")
    return kb, root / "index"


def desk_settings(small_index: tuple[Path, Path], data_dir: Path, database_url: str = "") -> Settings:
    """Settings with the editorial tests' tokens: lan is a viewer, minh an editor, hoa a publisher."""
    kb, index = small_index
    return Settings(knowledge_dir=kb, index_dir=index, data_dir=data_dir, database_url=database_url,
                    admin_token=ADMIN, admin_tokens=TOKENS, answerability_questions=None,
                    rate_limit="10000/minute", manifest_poll_seconds=0)


@pytest.fixture()
def desk(small_index: tuple[Path, Path], tmp_path: Path, db_url: str) -> Iterator[TestClient]:  # noqa: F811
    """A client whose lifespan loaded the small index and opened the database (SQLite, then PostgreSQL)."""
    settings = desk_settings(small_index, tmp_path / "var", db_url)
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        assert client.app.state.assistant.storage.wait_until_up(10)  # type: ignore[attr-defined]
        yield client
