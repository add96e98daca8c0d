"""The one check every `next` / redirect target goes through (issue 12).

Only a path on this site is followed: it starts with a single `/`, has no scheme, no host,
no backslash and no control character (a browser drops tab, CR and LF from a URL, so
`/<TAB>/evil.example` would become `//evil.example`, another site). Anything else falls
back to a page of ours.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_babel import gettext as _

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


def refuse_unsafe_return_urls():
    """A `before_request` hook: Flask-Admin's pages carry their return address in a `url`
    parameter, and its own check lets a lone CR or LF through (the redirect then fails, a
    500). A back-office request whose `url` is not a local path is refused with a 400
    before any view runs; Flask-Admin itself is left as it is (issue 14 item 2)."""
    if not request.path.startswith("/admin/"):
        return  # other blueprints set their own body limits before reading a form
    target = request.values.get("url")
    if target is None or is_safe_path(target):
        return
    abort(400, description=_("The return address of this page is not a page of this site."))
