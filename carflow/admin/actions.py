"""How a back-office view runs its one service call: one unit of work, one outcome.

Every view that changes data goes through `submit_form` (a form page: the refusal is shown
on the form, with 400, or 409 when someone else saved the record meanwhile) or
`press_button` (a POST without input: the outcome is flashed). Both commit once through
`carflow.unit_of_work.run_action`; nothing else in the views commits or rolls back.
`go_to` answers a saved action with a redirect, or with 204 + `X-Location` to a form sent
in the background (its refusals come back as the form page with 400/409, which the
script shows in place).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, request

from carflow.admin.forms import attach_error
from carflow.services.errors import ServiceError, StaleVersionError
from carflow.unit_of_work import run_action


@dataclass(frozen=True)
class Outcome:
    """What became of one action: its result, or the error shown to the user."""

    result: object = None
    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """200 when saved, 409 for a stale version, 400 for any other refusal."""
        if self.error is None:
            return 200
        return 409 if isinstance(self.error, StaleVersionError) else 400


def submit_form(form, call: Callable[[], object]) -> Outcome:
    """Run `call` and commit once; a refusal is rolled back and shown on `form`."""
    result, error = run_action(call)
    if error is not None:
        attach_error(form, error)
    return Outcome(result, error)


def press_button(call: Callable[[], object], success: str) -> Outcome:
    """Run `call` and commit once; flash `success` or the refusal's message."""
    result, error = run_action(call)
    if error is None:
        flash(success, "success")
    else:
        flash(str(error.message), "error")
    return Outcome(result, error)


def form_status(form, outcome: Outcome | None) -> int:
    """The HTTP status of a re-rendered form page: 200 on GET, else 400 or 409."""
    if outcome is not None and not outcome.ok:
        return outcome.status
    return 400 if form.is_submitted() else 200


INLINE_HEADER = "X-Carflow-Inline"


def go_to(url: str):
    """After a saved action: a redirect (PRG), or, for a form sent in the background by
    `static/js/inline_errors.js`, 204 with the address in `X-Location` (the flash message
    stays for the page the script then opens)."""
    if request.headers.get(INLINE_HEADER) == "1":
        return "", 204, {"X-Location": url}
    return redirect(url)
