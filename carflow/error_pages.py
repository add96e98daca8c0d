"""The answers to missing, refused and failed requests: the app's layout, a way back, the
user's language, and the right status.

- A stale version that escaped a view (SQLAlchemy's `StaleDataError` at flush or a
  service's `StaleVersionError`) → 409 with the one "someone else changed this" message.
- A service's refusal that escaped a view → 400 with its message.
- A constraint or data error that validation should have caught → 400 (and a log entry:
  it is a defect to fix at validation), never 500.
- The database unreachable or busy → 503 with `Retry-After`, on a page without the menu
  (the menu needs the database); the next request reconnects by itself.
- 400, 404, 405, 409 from `abort()` or Werkzeug, and 500 for any unhandled error (Flask
  logs it first) → the same page, with the menu for a signed-in user.
The session is rolled back before any page is drawn.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from carflow.services.errors import STALE_MESSAGE, ServiceError, StaleVersionError
from carflow.unit_of_work import rollback

logger = logging.getLogger(__name__)

UNAVAILABLE_RETRY_SECONDS = 30


def _texts(status: int) -> tuple[str, str]:
    """Heading and message of an error page, in the current language."""
    texts = {
        400: (_("Request refused"), _("The request could not be processed.")),
        403: (_("Not allowed"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("This page does not exist, or you may not see it.")),
        405: (_("Request refused"), _("This address does not accept this kind of request.")),
        409: (_("Changed meanwhile"), str(STALE_MESSAGE)),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing was saved; please try again."),
        ),
        503: (
            _("Service unavailable"),
            _("Carflow cannot reach its database right now. Try again in a minute."),
        ),
    }
    return texts.get(status, texts[400])


def _rollback() -> None:
    """End the failed transaction; a dead connection is discarded by the pool."""
    try:
        rollback()
    except Exception:  # the connection itself may be gone
        logger.warning("rollback after an error failed", exc_info=True)


def _local_back() -> str | None:
    """The referring page, only when it is one of ours."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return None


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def render_error(status: int, message: str | None = None, with_menu: bool = True):
    """The error page for `status`: with the app's menu for a signed-in user, else plain."""
    heading, default_message = _texts(status)
    context = dict(
        status=status, heading=heading, message=message or default_message, back=_local_back()
    )
    if with_menu:
        try:
            if _signed_in():
                view = current_app.extensions["carflow_error_view"]
                return view.render("errors/error.html", **context), status
        except Exception:  # the page without the menu needs nothing that can fail
            logger.exception("error page with the menu failed; answering without it")
            _rollback()
    # Straight from the Jinja environment: the context processors (Flask-Login's loads the
    # user) would need the database this page may be about.
    template = current_app.jinja_env.get_template("errors/error_plain.html")
    return template.render(request=request, **context), status


def _http_error(error: HTTPException):
    _rollback()
    description = error.description
    message = description if description and description != type(error).description else None
    response = render_error(error.code or 500, message)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        return response[0], response[1], {"Allow": ", ".join(error.valid_methods)}
    return response


def _stale(error):
    _rollback()
    return render_error(409, str(STALE_MESSAGE))


def _service_refusal(error: ServiceError):
    _rollback()
    if isinstance(error, StaleVersionError):
        return render_error(409, str(error.message))
    return render_error(400, str(error.message))


def _data_error(error: DBAPIError):
    _rollback()
    logger.error("data refused by the database (validation gap): %s", error.orig)
    return render_error(400, _("The data could not be saved: a value is invalid or too large."))


def _unavailable(error: Exception):
    _rollback()
    logger.error("database unavailable: %s", error)
    language = request.accept_languages.best_match(current_app.config["CARFLOW_LANGUAGES"])
    with force_locale(language or "en"):
        page, status = render_error(503, with_menu=False)
    return page, status, {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}


def init_error_pages(app: Flask, view) -> None:
    """Register the error pages; `view` (the admin index) draws those with the menu."""
    app.extensions["carflow_error_view"] = view
    for code in (400, 404, 405, 409, 500):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(ServiceError, _service_refusal)
    app.register_error_handler(IntegrityError, _data_error)
    app.register_error_handler(DataError, _data_error)
    for unavailable in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(unavailable, _unavailable)
