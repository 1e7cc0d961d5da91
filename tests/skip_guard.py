"""Pytest plugin: with REQUIRE_SERVICES=1 or REQUIRE_BROWSER=1 (as in .ci/run), a skipped test fails the run.

Tests that need PostgreSQL, Redis or Chromium already fail by themselves under those flags when the service
is missing (tests/services.py); this guard catches every other way a test can quietly not run in CI (a new
skipif, a missing extra, an importorskip, a skip raised in a fixture). Only the reasons in ALLOWED_SKIPS may
remain.
Registered from tests/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import os

import pytest

FLAGS = ("REQUIRE_SERVICES", "REQUIRE_BROWSER")
# the soak test skips in `make test` on purpose: it runs for minutes, under `make soak` (RUN_LONG=1)
ALLOWED_SKIPS = ("long test: set RUN_LONG=1",)


def skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    """The reason a skipped report gives, without pytest's "Skipped: " prefix."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


class SkipGuard:
    """Collects skipped tests and collectors; fails the session when one was skipped for a reason not allowed."""

    def __init__(self, flags: list[str]):
        self.flags = flags
        self.refused: list[tuple[str, str]] = []

    def _record(self, report: pytest.CollectReport | pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            reason = skip_reason(report)
            if not reason.startswith(ALLOWED_SKIPS):
                self.refused.append((report.nodeid, reason))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.refused and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.refused:
            return
        flags = " and ".join(f"{flag}=1" for flag in self.flags)
        terminalreporter.section(f"skipped tests are failures under {flags}", sep="=", red=True, bold=True)
        for nodeid, reason in self.refused:
            terminalreporter.line(f"SKIPPED {nodeid}: {reason}")
        terminalreporter.line(f"{len(self.refused)} test(s) skipped; allowed reasons: {', '.join(ALLOWED_SKIPS)}")


def pytest_configure(config: pytest.Config) -> None:
    flags = [flag for flag in FLAGS if os.environ.get(flag) == "1"]
    if flags:
        config.pluginmanager.register(SkipGuard(flags), "skip-guard")
