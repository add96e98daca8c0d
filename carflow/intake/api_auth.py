"""What every intake API view shares: the JSON error body and the API-key check.

`api_error(status, field, message)` is the one error answer of the API:
`{"errors": [{"field": ..., "message": ...}]}`. `api_key_required` admits a request
carrying an active key (`Authorization: Bearer <key>` or `X-Api-Key: <key>`), sets
`g.api_key`, and answers 401 with `WWW-Authenticate` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response, g, jsonify, request

from carflow.intake.api_keys import find_active_key, touch_api_key

AUTH_REALM = 'Bearer realm="carflow-intake"'


def api_errors(status: int, errors: list[tuple[str | None, str]]) -> Response:
    """An API error answer listing one or more (field, message) pairs."""
    body = {"errors": [{"field": field, "message": message} for field, message in errors]}
    response = jsonify(body)
    response.status_code = status
    return response


def api_error(status: int, field: str | None, message: str) -> Response:
    """The API's error answer: `{"errors": [{"field": field, "message": message}]}`."""
    return api_errors(status, [(field, message)])


def presented_key() -> str | None:
    """The key the client sent: `Authorization: Bearer <key>`, else `X-Api-Key`."""
    scheme, _sep, value = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (request.headers.get("X-Api-Key") or "").strip() or None


def unauthorized(message: str, invalid: bool) -> Response:
    """401 with the challenge a client needs to know how to authenticate."""
    response = api_error(401, "Authorization", message)
    challenge = AUTH_REALM + (', error="invalid_token"' if invalid else "")
    response.headers["WWW-Authenticate"] = challenge
    return response


def api_key_required(view: Callable) -> Callable:
    """Admit requests with an active API key (sets `g.api_key`); else 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = presented_key()
        if key is None:
            return unauthorized("An API key is required (Authorization: Bearer <key>).", False)
        api_key = find_active_key(key)
        if api_key is None:
            return unauthorized("This API key is unknown or revoked.", True)
        g.api_key = api_key
        touch_api_key(api_key)
        return view(*args, **kwargs)

    return wrapper
