"""`POST /api/v1/leads/adf`: one ADF/XML lead over HTTP (issue 15, item 1).

Registered on the intake API blueprint (`carflow.intake.api.bp`, imported by
`create_app` before the blueprint is registered), so it shares its API-key check, its
per-key rate limit, its body-size limit (413) and its JSON answers: 201 (new lead or
enquiry again), 200 (replay: same `Idempotency-Key`, or the same ADF `<id>`), 400 (not
acceptable XML: not well-formed, a DTD or entities), 415 (not XML), 422 (an ADF element,
named by its path), 409 (the same request in flight). Channel "adf_http".
"""

from __future__ import annotations

from flask import g, request

from carflow.extensions import limiter
from carflow.intake.adf import AdfSyntaxError, decode_document, parse_adf
from carflow.intake.api import _per_key_limit, _rate_key, bp, receive_and_answer
from carflow.intake.api_auth import api_error, api_key_required
from carflow.intake.incoming import IntakeError

ADF_TYPES = ("application/xml", "text/xml", "application/x-adf+xml")
CHANNEL = "adf_http"


@bp.post("/leads/adf")
@api_key_required
@limiter.limit(_per_key_limit, key_func=_rate_key)
def post_adf_lead():
    """Receive one lead as an ADF document (`<adf><prospect>…</prospect></adf>`)."""
    if request.mimetype not in ADF_TYPES:
        return api_error(
            415, "Content-Type", "Send the lead as application/xml (or text/xml, x-adf+xml)."
        )
    raw = request.get_data(cache=False)
    branch = g.api_key.branch
    try:
        incoming = parse_adf(raw, default_zone=branch.timezone if branch else None)
    except AdfSyntaxError as error:
        return api_error(400, error.field, error.message)
    except IntakeError as error:
        return api_error(422, error.field, error.message)
    return receive_and_answer(lambda: incoming, CHANNEL, decode_document(raw))
