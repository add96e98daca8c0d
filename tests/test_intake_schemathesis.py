"""Schemathesis against the served OpenAPI document, through the WSGI app (issue 15
acceptance): generated valid and invalid requests never get a 5xx, and every answer
matches the document (status, content type, body schema). Bounded examples (< 60 s)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from tests.factories import make_branch, make_lead_type, make_source

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def run_schemathesis(
    app, mode: GenerationMode, examples: int, path: str = "/leads", source: str = "Website"
) -> list[int]:
    """Generated requests to `POST path` with a real API key; the statuses answered."""
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    _key, plain = create_api_key(None, "Fuzzer", make_source(source), branch)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path]["POST"]
    statuses: list[int] = []

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        # A negative case may break the credentials themselves: keep them then (a 401 is
        # the right answer); otherwise send the real key.
        sent = case.headers or {}
        keep = mode is GenerationMode.NEGATIVE and ({"Authorization", "X-Api-Key"} & set(sent))
        headers = {} if keep else {"Authorization": f"Bearer {plain}"}
        with app.app_context():
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.append(response.status_code)
            db.session.remove()

    check()
    return statuses


def test_valid_requests_conform_and_never_fail(app):
    statuses = run_schemathesis(app, GenerationMode.POSITIVE, 120)
    assert 201 in statuses  # leads were made, not only refused
    assert all(code < 500 for code in statuses)


def test_invalid_requests_are_refused_with_conforming_4xx(app):
    statuses = run_schemathesis(app, GenerationMode.NEGATIVE, 120)
    assert statuses and all(400 <= code < 500 for code in statuses), sorted(set(statuses))
