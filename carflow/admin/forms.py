"""What every back-office form shares: showing a service's refusal where it belongs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


def attach_error(form, error) -> None:
    """Show a ServiceError on its field, or above the form (hidden fields show nothing)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None or not hasattr(field, "errors") or isinstance(field, HiddenField):
        form.form_errors.append(str(error.message))
    else:
        field.errors = list(field.errors) + [str(error.message)]


class CarflowForm(FlaskForm):
    """A Flask-WTF form (CSRF) that can show a service's refusal."""

    def attach_error(self, error) -> None:
        attach_error(self, error)
