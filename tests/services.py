"""How a test asks for a service (PostgreSQL, Redis, Chromium) that may be missing on a developer's machine."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, make_url, text

POSTGRES_HINT = "set TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"


def missing_service(reason: str, flag: str = "REQUIRE_SERVICES") -> NoReturn:
    """Skip the test for want of a service, or fail it when `flag`=1 (CI) says the run must have that service."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_schema(prefix: str, needed_for: str) -> Iterator[str]:
    """The URL of a new PostgreSQL schema on TEST_DATABASE_URL (its search path puts the tables and Alembic's
    version table there), dropped afterwards; without TEST_DATABASE_URL the test skips, or fails in CI."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        missing_service(f"{needed_for} need PostgreSQL: {POSTGRES_HINT}")
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
