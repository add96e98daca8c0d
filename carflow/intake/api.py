"""The intake API blueprint, /api/v1 (issue 15 item 1): `POST /leads` (JSON) and its
OpenAPI document. CSRF does not apply (no cookies: an API key authenticates each
request); every answer, refusals included, is JSON.

`receive_and_answer` is what every intake endpoint shares (ADF over HTTP uses it too):
run `receive_lead` in one unit of work and answer 201 / 200 (replay) / 4xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from carflow.extensions import csrf, limiter
from carflow.intake.api_auth import api_error, api_key_required
from carflow.intake.incoming import IncomingLead, IntakeError
from carflow.intake.json_payload import parse_lead_json
from carflow.intake.openapi import openapi_document
from carflow.intake.service import IntakeConflict, IntakeResult, receive_lead
from carflow.unit_of_work import run_action

bp = Blueprint("intake_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

JSON_TYPES = ("application/json",)


@bp.before_request
def _limit_body_size() -> None:
    """Bodies over INTAKE_API_MAX_BYTES get 413 before they are read (Flask 3.1)."""
    request.max_content_length = int(current_app.config["INTAKE_API_MAX_BYTES"])


def _http_error(error: HTTPException):
    """Every refusal of the API is JSON, 413 and 429 included (never the HTML pages).
    Registered per status code: the app's own per-code pages would win over a handler
    of the exception class."""
    status = error.code or 400
    messages = {
        413: "The body is larger than the limit.",
        429: "Too many requests with this key: slow down.",
    }
    return api_error(status, None, messages.get(status, error.description or error.name))


for _status in (400, 403, 404, 405, 409, 413, 415, 429):
    bp.register_error_handler(_status, _http_error)


def _per_key_limit() -> str:
    return current_app.config["INTAKE_API_RATE_LIMIT"]


def _rate_key() -> str:
    """Rate limits count per API key (set by `api_key_required`, which runs first)."""
    api_key = g.get("api_key")
    return f"api-key:{api_key.id}" if api_key is not None else f"addr:{request.remote_addr}"


def result_body(result: IntakeResult) -> dict:
    """The answer to a received lead (and, identical, to its replays)."""
    return {
        "id": result.lead_id,
        "code": result.lead_code,
        "url": url_for("lead_page.page", lead_id=result.lead_id, _external=True),
        "outcome": result.outcome,
    }


def receive_and_answer(
    parse: Callable[[], IncomingLead], channel: str, raw_payload: str
) -> Response:
    """Parse, then receive the lead for `g.api_key` in one unit of work; the JSON answer:
    201 (new lead or enquiry again), 200 (replay), 422 (a field), 409 (in flight)."""
    try:
        incoming = parse()
    except IntakeError as error:
        return api_error(422, error.field, error.message)
    idempotency_key = request.headers.get("Idempotency-Key")

    def call() -> IntakeResult:
        return receive_lead(
            incoming,
            channel=channel,
            raw_payload=raw_payload,
            content_type=request.content_type or "",
            api_key=g.api_key,
            idempotency_key=idempotency_key,
        )

    try:
        result, error = run_action(call)
    except IntakeConflict as conflict:
        return api_error(409, conflict.field, conflict.message)
    except IntakeError as refused:
        return api_error(422, refused.field, refused.message)
    if error is not None:
        return api_error(409 if error.field is None else 422, error.field, str(error.message))
    response = jsonify(result_body(result))
    response.status_code = 200 if result.replayed else 201
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _decoded_json() -> tuple[object, str]:
    """The body as (decoded JSON, text); ValueError when it is not JSON."""
    raw = request.get_data(cache=False)
    text = raw.decode("utf-8")
    try:
        return json.loads(text), text
    except RecursionError:
        raise ValueError("nested too deeply") from None


@bp.post("/leads")
@api_key_required
@limiter.limit(_per_key_limit, key_func=_rate_key)
def post_lead():
    """Receive one lead as JSON (schema: /api/v1/openapi.json)."""
    if request.mimetype not in JSON_TYPES:
        return api_error(415, "Content-Type", "Send the lead as application/json.")
    try:
        data, text = _decoded_json()
    except ValueError:
        return api_error(400, "body", "The body is not valid JSON (UTF-8).")
    return receive_and_answer(lambda: parse_lead_json(data), "api", text)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    base_url = url_for("intake_api.openapi", _external=True).rsplit("/", 1)[0]
    return jsonify(openapi_document(base_url))
