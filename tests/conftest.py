"""Shared fixtures: a small knowledge base written by the tests, and the real knowledge base."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.service import build_from_settings
from app.settings import ROOT, Settings
from tests.services import missing_service

# under REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1 (CI) a skipped test fails the run
pytest_plugins = ["tests.skip_guard"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SMALL_SOURCES = """
- id: qd-06-2022
  title: "Quyết định số 06/QĐ-TTg"
  kind: decree
  publisher: "Thủ tướng Chính phủ"
  number: "06/QĐ-TTg"
  issued: 2022-01-06
  status: in_force
  url: null
  summary: "Phê duyệt Đề án 06."
- id: cong-dvcqg
  title: "Cổng Dịch vụ công quốc gia"
  kind: service
  url: "https://dichvucong.gov.vn"
  summary: "Cổng Dịch vụ công quốc gia."
"""

SMALL_FAQ = """
- id: da06-la-gi
  question: "Đề án 06 là gì?"
  phrasings: ["de an 06 nghia la gi", "đề án 06", "DA06 là cái gì vậy"]
  answer: "Đề án 06 là đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử."
  en:
    question: "What is Project 06?"
    phrasings: ["project 06 meaning"]
    answer: "Project 06 develops population data, e-identification and authentication."
  sources: [qd-06-2022]
  topics: [de-an-06]
  as_of: 2026-11-22
- id: dvc-dia-chi
  question: "Địa chỉ Cổng Dịch vụ công quốc gia là gì?"
  phrasings: ["trang dich vu cong la trang nao", "địa chỉ cổng DVC", "web dvc quốc gia"]
  answer: "Địa chỉ là dichvucong.gov.vn."
  sources: [cong-dvcqg]
  topics: [cong-dvc]
  as_of: 2026-11-22
- id: vneid-muc-2
  question: "Tài khoản định danh điện tử mức 2 đăng ký ở đâu?"
  phrasings: ["dang ky dinh danh muc 2 o dau", "làm VNeID mức 2 chỗ nào", "ĐDĐT mức 2 đăng ký"]
  answer: "Bạn đăng ký mức 2 trực tiếp tại công an xã, phường."
  sources: [qd-06-2022]
  topics: [vneid]
  as_of: 2026-11-22
- id: vneid-muc-1
  question: "Tài khoản định danh điện tử mức 1 đăng ký thế nào?"
  phrasings: ["dang ky dinh danh muc 1", "làm VNeID mức 1 trên điện thoại", "ĐDĐT mức 1 tự làm"]
  answer: "Bạn tự đăng ký mức 1 trên ứng dụng VNeID."
  sources: [qd-06-2022]
  topics: [vneid]
  as_of: 2026-11-22
- id: vneid-tong-dai
  question: "Tổng đài hỗ trợ tài khoản định danh điện tử là số nào?"
  phrasings: ["số tổng đài VNeID", "tong dai ho tro dinh danh dien tu", "hotline VNeID là gì"]
  answer: "Trợ lý không có thông tin về số tổng đài này; bạn hỏi công an xã, phường nơi cư trú."
  referral: true
  sources: [qd-06-2022]
  topics: [vneid]
  as_of: 2026-11-22
"""

SMALL_ARTICLE = """---
id: bai-chuyen-doi-so
title: "Chuyển đổi số còn khoảng cách lớn giữa thành thị và nông thôn"
publisher: null
author: null
published: 2022-04-29
url: null
topics: [chuyen-doi-so]
language: vi
---
Chuyển đổi số còn khoảng cách lớn giữa thành thị và nông thôn. Còn 266 thôn, bản chưa được phủ sóng di động, thiếu điện.

9,51% là tỉ lệ người dân sử dụng dịch vụ công trực tuyến năm 2021. Năm 2020 tỉ lệ này chỉ là 1,78%.
"""

SMALL_SYNONYMS = """
DVC: ["dịch vụ công"]
ĐDĐT: ["định danh điện tử"]
DA06: ["Đề án 06"]
"""


def write_small_kb(root: Path) -> Path:
    """Write a four-entry knowledge base for API and composer tests."""
    kb = root / "knowledge"
    (kb / "faq").mkdir(parents=True)
    (kb / "articles").mkdir()
    (kb / "sources.yaml").write_text(textwrap.dedent(SMALL_SOURCES), encoding="utf-8")
    (kb / "faq" / "faq.yaml").write_text(textwrap.dedent(SMALL_FAQ), encoding="utf-8")
    (kb / "articles" / "bai.md").write_text(SMALL_ARTICLE, encoding="utf-8")
    (kb / "synonyms.yaml").write_text(textwrap.dedent(SMALL_SYNONYMS), encoding="utf-8")
    return kb


@pytest.fixture()
def small_settings(tmp_path: Path) -> Settings:
    """Settings over a small knowledge base with a built index (real default embedder)."""
    kb = write_small_kb(tmp_path)
    settings = Settings(knowledge_dir=kb, index_dir=tmp_path / "index", data_dir=tmp_path / "var")
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir)
    return settings


@pytest.fixture()
def client(small_settings: Settings) -> Iterator[TestClient]:
    """A test client whose lifespan has loaded the small index."""
    with TestClient(create_app(small_settings)) as c:
        yield c


@pytest.fixture(scope="session")
def full_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a copy of the real knowledge base, indexed once per test run with the default model."""
    root = tmp_path_factory.mktemp("full")
    kb = root / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var")
    # as `make index` does: the answerability model is fitted on the dev questions and saved with the index
    build_from_settings(settings, load_embedder(settings.embedder))
    return settings


@pytest.fixture()
def redis_url() -> str:
    """TEST_REDIS_URL, database included, once Redis answers; skipped without it, failed under REQUIRE_SERVICES=1."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing_service("TEST_REDIS_URL is not set: this test needs a Redis server, e.g. redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    finally:
        client.close()
    return url
