"""Schemathesis against the served OpenAPI document's `POST /leads/adf` (issue 15
acceptance): generated bodies of each XML content type, valid and invalid requests,
never a 5xx, and every answer matches the document. Bounded examples."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from tests.factories import make_branch, make_lead_type, make_source
from tests.test_intake_schemathesis import CHECKS


def _run(app, mode: GenerationMode, examples: int) -> list[int]:
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    _key, plain = create_api_key(None, "Fuzzer", make_source("AutoScout24"), branch)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/leads/adf"]["POST"]
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
        with app.app_context():
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {plain}"}, checks=CHECKS
            )
            statuses.append(response.status_code)
            db.session.remove()

    check()
    return statuses


def test_generated_adf_requests_conform_and_never_fail(app):
    statuses = _run(app, GenerationMode.POSITIVE, 80)
    assert statuses and all(code < 500 for code in statuses), sorted(set(statuses))
    assert {400, 422} & set(statuses)  # the bodies reached the parser


def test_invalid_adf_requests_are_refused_with_conforming_4xx(app):
    statuses = _run(app, GenerationMode.NEGATIVE, 60)
    assert statuses and all(400 <= code < 500 for code in statuses), sorted(set(statuses))
