"""How a test asks for a service (PostgreSQL, Redis, Chromium) that may be missing on a developer's machine."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_service(reason: str, flag: str = "REQUIRE_SERVICES") -> NoReturn:
    """Skip the test for want of a service, or fail it when `flag`=1 (CI) says the run must have that service."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {reason}")
    pytest.skip(reason)
