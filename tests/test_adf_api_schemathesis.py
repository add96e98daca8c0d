"""Schemathesis against the served OpenAPI document's `POST /leads/adf` (issue 15
acceptance): generated bodies of each XML content type, valid and invalid requests,
never a 5xx, and every answer matches the document. Bounded examples."""

from __future__ import annotations

from schemathesis.generation.modes import GenerationMode

from tests.test_intake_schemathesis import run_schemathesis


def _run(app, mode: GenerationMode, examples: int) -> list[int]:
    return run_schemathesis(app, mode, examples, path="/leads/adf", source="AutoScout24")


def test_generated_adf_requests_conform_and_never_fail(app):
    statuses = _run(app, GenerationMode.POSITIVE, 80)
    assert statuses and all(code < 500 for code in statuses), sorted(set(statuses))
    assert {400, 422} & set(statuses)  # the bodies reached the parser


def test_invalid_adf_requests_are_refused_with_conforming_4xx(app):
    statuses = _run(app, GenerationMode.NEGATIVE, 60)
    assert statuses and all(400 <= code < 500 for code in statuses), sorted(set(statuses))
