"""Errors a service raises for the caller to show to the user."""

from flask_babel import lazy_gettext as _l

#: The one answer to a stale save, wherever it is found (a version check or SQLAlchemy's
#: optimistic locking at flush).
STALE_MESSAGE = _l(
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved: reload the page and try again."
)


class ServiceError(ValueError):
    """Refused input or state. `field` names the form field it belongs to, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleVersionError(ServiceError):
    """Someone else saved the same record since the form was opened."""


class PermissionDenied(ServiceError):
    """The acting user may not do this (F19)."""


def check_version(record, submitted_version) -> None:
    """Refuse a save made from a form opened on an older version of `record`."""
    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        submitted = None
    if submitted != record.version_id:
        raise StaleVersionError(STALE_MESSAGE)


class DuplicateContactError(ServiceError):
    """A new contact matches existing ones; `matches` lists them as plain values
    (id, name, email, phone), readable after the rollback."""

    def __init__(self, message, matches: list[dict]):
        super().__init__(message)
        self.matches = matches
