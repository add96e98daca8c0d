"""The one check every `next` / redirect target goes through (issue 12).

Only a path on this site is followed: it starts with a single `/`, has no scheme, no host,
no backslash and no control character (a browser drops tab, CR and LF from a URL, so
`/<TAB>/evil.example` would become `//evil.example`, another site). Anything else falls
back to a page of ours.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for

MAX_TARGET_LENGTH = 2048


def is_safe_path(target: str | None) -> bool:
    """True for a local path such as `/admin/tasks/?after=…`; False for anything else."""
    if not target or len(target) > MAX_TARGET_LENGTH:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` when it is a local path, else `default` (the back office's home page)."""
    if is_safe_path(target):
        return target
    return default if default is not None else url_for("admin.index")


def flask_admin_redirect_target(param_name: str = "url") -> str | None:
    """Flask-Admin's `get_redirect_target` through `is_safe_path`: its own check lets a
    lone CR or LF through, and the redirect then fails (a 500)."""
    target = request.values.get(param_name)
    return target if is_safe_path(target) else None


def route_flask_admin_redirects() -> None:
    """Make Flask-Admin's model views and list actions take their `url` parameter through
    `flask_admin_redirect_target` (they call the helper by its module-level name)."""
    import flask_admin.actions
    import flask_admin.model.base

    for module in (flask_admin.model.base, flask_admin.actions):
        module.get_redirect_target = flask_admin_redirect_target
