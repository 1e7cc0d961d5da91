"""tests/skip_guard.py: under REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1 a skipped test fails the pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.settings import ROOT

SAMPLE = """
import os

import pytest

from tests.services import missing_service


def test_runs():
    assert True


@pytest.mark.skipif(not os.environ.get("SAMPLE_DATABASE_URL"), reason="needs PostgreSQL")
def test_needs_a_database():
    assert True


def test_needs_redis():
    if not os.environ.get("SAMPLE_REDIS_URL"):
        missing_service("SAMPLE_REDIS_URL is not set")


def test_soak():
    pytest.skip("long test: set RUN_LONG=1 (or run `make soak`)")
"""


def _pytest(directory: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run pytest in a child process with the guard loaded, as tests/conftest.py loads it."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"REQUIRE_SERVICES", "REQUIRE_BROWSER", "PYTEST_ADDOPTS", "SAMPLE_DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.skip_guard", "-p", "no:cacheprovider", "-q", *args],
        cwd=directory, env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    return tmp_path


def test_without_the_flags_skips_are_only_reported(sample: Path):
    run = _pytest(sample, "-rs")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 3 skipped" in run.stdout


def test_under_require_services_a_skipped_service_test_fails_the_run(sample: Path):
    run = _pytest(sample, REQUIRE_SERVICES="1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed" in run.stdout  # missing_service fails by itself
    assert "REQUIRE_SERVICES=1 but SAMPLE_REDIS_URL is not set" in run.stdout
    # the skipif is caught by the guard, the soak test is allowed to stay skipped
    assert "skipped tests are failures under REQUIRE_SERVICES=1" in run.stdout
    assert "SKIPPED test_sample.py::test_needs_a_database: needs PostgreSQL" in run.stdout
    assert "test_soak" not in run.stdout


def test_under_require_browser_a_skip_alone_fails_an_otherwise_green_run(sample: Path):
    run = _pytest(sample, "-k", "not needs_redis", REQUIRE_BROWSER="1")
    assert "1 passed, 2 skipped" in run.stdout
    assert run.returncode == 1, run.stdout + run.stderr
    assert "SKIPPED test_sample.py::test_needs_a_database" in run.stdout


def test_a_module_skipped_at_collection_fails_the_run(tmp_path: Path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_optional.py").write_text(
        'import pytest\n\npytest.importorskip("no_such_module_for_this_test")\n\n\ndef test_x():\n    pass\n',
        encoding="utf-8")
    assert _pytest(tmp_path).returncode == 5  # nothing ran, nothing refused: pytest's own "no tests" code
    run = _pytest(tmp_path, REQUIRE_SERVICES="1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "SKIPPED test_optional.py: could not import 'no_such_module_for_this_test'" in run.stdout


def test_the_suite_s_own_redis_test_fails_instead_of_skipping_without_redis():
    """A real service test of this suite, with TEST_REDIS_URL unset: skipped by default, failed under the flag."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_REDIS_URL", "REQUIRE_SERVICES", "REQUIRE_BROWSER"}}
    target = "tests/test_ratelimit.py::test_replicas_share_counts_through_redis"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", target]
    relaxed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert relaxed.returncode == 0 and "1 skipped" in relaxed.stdout, relaxed.stdout + relaxed.stderr
    strict = subprocess.run(command, cwd=ROOT, env={**env, "REQUIRE_SERVICES": "1"},
                            capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1 and "1 error" in strict.stdout, strict.stdout + strict.stderr
    assert "REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set" in strict.stdout
