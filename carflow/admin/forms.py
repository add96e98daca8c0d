"""What every back-office form shares: showing a service's refusal where it belongs."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.fields import SelectChoice

from carflow.safe_form import SafeForm


class PickedIdField(HiddenField):
    """A hidden id set by a visible picker (the vehicle search): the picker shows its errors,
    so a refusal of the id is shown next to the control the user works with."""

    shown_by_picker = True


def select_choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """A select field's choices from (value, label) pairs (WTForms deprecates raw tuples),
    after an empty choice labelled `blank` when given."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(value, label) for value, label in pairs]


def attach_error(form, error) -> None:
    """Show a ServiceError on its field, or above the form when the field is a hidden one
    that nothing visible shows (a picker's `PickedIdField` shows its own errors)."""
    field = getattr(form, error.field, None) if error.field else None
    hidden = isinstance(field, HiddenField) and not getattr(field, "shown_by_picker", False)
    if field is None or not hasattr(field, "errors") or hidden:
        form.form_errors.append(str(error.message))
    else:
        field.errors = list(field.errors) + [str(error.message)]


class CarflowForm(SafeForm):
    """A Flask-WTF form (CSRF, hostile input refused) that can show a service's refusal;
    its fields are drawn by WTForms' own widgets."""

    def attach_error(self, error) -> None:
        attach_error(self, error)
