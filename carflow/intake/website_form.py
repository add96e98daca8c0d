"""The dealer's website form (issue 15 item 1): `POST /intake/website/<form token>`.

A plain HTML form (the snippet of Settings › API keys) posts name, e-mail, phone, vehicle
of interest, message and the consent box; the customer then sees a thank-you page. A page
of an allowed origin may instead send it with fetch() and get JSON (CORS: only the origins
configured on the key get CORS headers; a post from another origin is refused). A filled
honeypot field pretends success and stores nothing; each address may post a few forms
only (INTAKE_FORM_RATE_LIMIT).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from carflow.extensions import csrf, limiter
from carflow.intake.api_keys import find_form_key
from carflow.intake.incoming import IncomingContact, IncomingLead, IncomingVehicle, IntakeError
from carflow.intake.service import receive_lead
from carflow.unit_of_work import run_action

bp = Blueprint("intake_form", __name__, url_prefix="/intake/website")
csrf.exempt(bp)

HONEYPOT = "website"  # a field people never see: only robots fill it in
FORM_MAX_BYTES = 32 * 1024
FIELD_LIMITS = {"name": 200, "email": 254, "phone": 40, "vehicle": 200, "stock": 30}
MESSAGE_MAX = 5000
INTERESTS = ("buy", "sell", "trade-in", "lease", "test-drive")
CONSENT_VALUES = ("on", "yes", "1", "true")


@bp.before_request
def _limit_body_size() -> None:
    request.max_content_length = FORM_MAX_BYTES


def _refused(error: HTTPException):
    return _answer(error.code or 400, "form", error.description or error.name)


for _status in (400, 403, 404, 405, 413, 429):
    bp.register_error_handler(_status, _refused)


def _form_rate_limit() -> str:
    return current_app.config["INTAKE_FORM_RATE_LIMIT"]


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def _allowed_origin(api_key) -> str | None:
    """The request's Origin when the key allows it (or it is this site), else None."""
    origin = (request.headers.get("Origin") or "").rstrip("/").lower()
    if origin and (origin in api_key.origins or origin == _own_origin().lower()):
        return request.headers["Origin"]
    return None


def _with_cors(response: Response, origin: str | None) -> Response:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers.add("Vary", "Origin")
    return response


def _answer(status: int, field: str | None, message: str) -> Response:
    """A refusal: JSON for fetch(), else a page saying what to correct."""
    if _wants_json():
        response = jsonify({"errors": [{"field": field, "message": message}]})
    else:
        response = make_response(render_template("intake/refused.html", message=message))
    response.status_code = status
    return response


def _text(name: str, limit: int) -> str | None:
    value = (request.form.get(name) or "").strip()
    if len(value) > limit:
        raise IntakeError(name, _("At most %(n)s characters, please.", n=limit))
    return value or None


def _split_name(name: str | None) -> tuple[str | None, str | None]:
    if not name:
        return None, None
    first, _sep, last = name.rpartition(" ")
    return (first.strip() or None, last) if first else (None, last)


def parse_website_form() -> IncomingLead:
    """The posted fields as an IncomingLead (IntakeError naming the field)."""
    values = {name: _text(name, limit) for name, limit in FIELD_LIMITS.items()}
    message = _text("message", MESSAGE_MAX)
    interest = (request.form.get("interest") or "buy").strip().lower()
    if interest not in INTERESTS:
        raise IntakeError("interest", _("Choose what you would like to do."))
    if not values["email"] and not values["phone"]:
        raise IntakeError("email", _("Give your e-mail address or your phone number."))
    first, last = _split_name(values["name"])
    vehicles = ()
    if values["vehicle"] or values["stock"] or interest != "buy":
        vehicles = (
            IncomingVehicle(
                interest=interest, stock_number=values["stock"], comments=values["vehicle"]
            ),
        )
    consent = (request.form.get("consent") or "").strip().lower() in CONSENT_VALUES
    contact = IncomingContact(
        first_name=first,
        last_name=last,
        email=values["email"],
        phones=(values["phone"],) if values["phone"] else (),
        language=_browser_language(),
    )
    return IncomingLead(contact=contact, vehicles=vehicles, comments=message, consent=consent)


def _browser_language() -> str:
    languages = current_app.config["CARFLOW_LANGUAGES"]
    return request.accept_languages.best_match(languages) or "en"


FIELD_MESSAGES = {
    "contact": lambda: _("Give your e-mail address or your phone number."),
    "contact.email": lambda: _("This e-mail address is not valid."),
    "contact.phones[0]": lambda: _("This phone number is not valid."),
    "contact.first_name": lambda: _("This name is too long."),
    "contact.last_name": lambda: _("This name is too long."),
}
FORM_FIELDS = {
    "contact": "email",
    "contact.email": "email",
    "contact.phones[0]": "phone",
    "contact.first_name": "name",
    "contact.last_name": "name",
}


def _receive(api_key, incoming: IncomingLead):
    raw = urlencode(list(request.form.items(multi=True)))

    def call():
        return receive_lead(
            incoming,
            channel="website",
            raw_payload=raw,
            content_type=request.mimetype or "",
            api_key=api_key,
        )

    try:
        return run_action(call)
    except IntakeError as refused:
        text = FIELD_MESSAGES.get(refused.field, lambda: _("Please check the form."))()
        raise IntakeError(FORM_FIELDS.get(refused.field, refused.field), text) from None


def _thanked():
    if _wants_json():
        response = jsonify({"ok": True, "message": _("Thank you! We will contact you soon.")})
        response.status_code = 201
        return response
    return redirect(url_for(".thanks", form_token=request.view_args["form_token"]), 303)


def _preflight(api_key) -> Response:
    """CORS preflight: the allowed origins get the CORS headers, others none."""
    origin = _allowed_origin(api_key) if api_key is not None else None
    return _with_cors(Response(status=204), origin)


@bp.route("/<form_token>", methods=("POST", "OPTIONS"))
@limiter.limit(_form_rate_limit, key_func=get_remote_address, methods=["POST"])
def receive(form_token: str):
    """Receive the website form of the key with this public token (OPTIONS: preflight).
    Bad input: 400 naming the field (JSON for fetch(), else a page)."""
    api_key = find_form_key(form_token)
    if request.method == "OPTIONS":
        return _preflight(api_key)
    if api_key is None:
        abort(404)
    origin = _allowed_origin(api_key)
    if request.headers.get("Origin") and origin is None:
        return _answer(403, "Origin", _("This form may not be sent from this site."))
    g.api_key = api_key
    if (request.form.get(HONEYPOT) or "").strip():
        return _with_cors(_thanked(), origin)  # a robot: pretend, store nothing
    try:
        _result, error = _receive(api_key, parse_website_form())
    except IntakeError as refused:
        return _with_cors(_answer(400, refused.field, refused.message), origin)
    if error is not None:
        return _with_cors(_answer(409, error.field, str(error.message)), origin)
    return _with_cors(_thanked(), origin)


@bp.get("/<form_token>/thanks")
def thanks(form_token: str):
    """The page the customer sees after a plain form post."""
    return render_template("intake/thanks.html")


@bp.get("/<form_token>/demo")
def demo(form_token: str):
    """A static page with the form, as a dealer's site would embed it."""
    api_key = find_form_key(form_token)
    if api_key is None:
        abort(404)
    form_url = url_for(".receive", form_token=form_token, _external=True)
    return render_template("intake/demo.html", form_url=form_url)
