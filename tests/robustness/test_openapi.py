"""Every operation of the OpenAPI schema, fuzzed in-process by schemathesis: no 5xx, responses match the schema.

Each operation gets valid (positive) and invalid (negative) generated requests. The cases come from
`APIOperation.as_strategy()` under our own `@given`: schemathesis's pytest plugin (`schema.parametrize()`,
`from_fixture`) gives every item the same node id on pytest 9 and its lazy loader fails there (`Item._nodeid`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, example, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.python import asgi

from app.main import create_app
from app.settings import Settings

TOKEN = "schemathesis-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)

# Building the app object loads nothing (that happens in its lifespan), so the schema is known at collection.
SPEC = create_app(Settings(admin_token=TOKEN)).openapi()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = {f"{method.upper()} {path}": SCHEMA[path][method.upper()]
              for path, methods in SPEC["paths"].items() for method in methods}
# Queries that once gave a 500 (offset past SQLite's integers, the last representable day), always tried.
HUGE_OFFSET = {"offset": str(2**63)}
LAST_DAY = {"until": "9999-12-31"}
REGRESSIONS: dict[str, list[dict[str, str]]] = {
    "GET /admin/unanswered": [HUGE_OFFSET, LAST_DAY],
    "GET /admin/unanswered/groups": [LAST_DAY],
    "GET /admin/feedback": [HUGE_OFFSET, LAST_DAY],
}


def _can_be_invalid(label: str) -> bool:
    """Only a body or query parameters can be made invalid (paths and the token header take any string)."""
    method, path = label.split(" ", 1)
    spec = SPEC["paths"][path][method.lower()]
    return "requestBody" in spec or any(p["in"] == "query" for p in spec.get("parameters", []))


def _params() -> list[object]:
    out: list[object] = []
    for label in OPERATIONS:
        for mode in MODES if _can_be_invalid(label) else MODES[:1]:
            out.append(pytest.param(label, mode, id=f"{label} {mode.value}"))
    return out


@pytest.fixture(scope="module")
def api(small_kb_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app over a copy of the small index, admin routes on, with a rate limit no fuzzing run reaches."""
    root = tmp_path_factory.mktemp("openapi")
    for name in ("knowledge", "index"):
        shutil.copytree(small_kb_template / name, root / name)
    yield create_app(Settings(knowledge_dir=root / "knowledge", index_dir=root / "index", data_dir=root / "var",
                              admin_token=TOKEN, rate_limit="1000000/minute", manifest_poll_seconds=0))
    # schemathesis starts the lifespan on the first call and would keep it until the interpreter exits
    asgi.shutdown_lifespans()


def test_the_schema_lists_every_public_operation():
    assert {"POST /api/chat", "POST /api/search", "POST /api/feedback", "GET /readyz", "POST /admin/reindex",
            "GET /admin/unanswered", "DELETE /admin/sessions/{session_id}"} <= set(OPERATIONS)


@pytest.mark.parametrize(("label", "mode"), _params())
def test_operation_answers_without_5xx_and_as_documented(api: FastAPI, label: str,
                                                         mode: schemathesis.GenerationMode):
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(app=api, headers=AUTH, checks=[not_a_server_error, response_schema_conformance])

    for query in REGRESSIONS.get(label, []) if mode == schemathesis.GenerationMode.POSITIVE else []:
        fuzz = example(case=operation.Case(query=query))(fuzz)
    fuzz()
