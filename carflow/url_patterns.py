"""Links to many items of one page without one `url_for` per item (issue 8, written once).

A page of 50 rows links each row to its item. `url_for` costs ~30 µs a call, so the URL is
built once per request with a placeholder id, and each item's id is put in its place:
`id_urls("lead_page.page", "lead_id")[7]` or `id_url("lead_page.page", "lead_id", 7)`.
Used by the overview rows, the timeline and the task overview.
"""

from __future__ import annotations

from flask import g, url_for

ID_MARK = "999999999"


class IdUrls:
    """The URLs of one endpoint for any item id: `urls[item_id]`."""

    __slots__ = ("after", "before")

    def __init__(self, url_with_mark: str):
        self.before, _, self.after = url_with_mark.partition(ID_MARK)

    def __getitem__(self, item_id) -> str:
        return f"{self.before}{int(item_id)}{self.after}"


def id_urls(endpoint: str, id_arg: str, **args) -> IdUrls:
    """The URLs of `endpoint` by item id (`url_for` once per endpoint and arguments in
    this request)."""
    patterns = g.setdefault("carflow_url_patterns", {})
    key = (endpoint, id_arg, tuple(sorted(args.items())))
    urls = patterns.get(key)
    if urls is None:
        urls = patterns[key] = IdUrls(url_for(endpoint, **{id_arg: int(ID_MARK)}, **args))
    return urls


def id_url(endpoint: str, id_arg: str, item_id: int, **args) -> str:
    """`url_for(endpoint, **{id_arg: item_id}, **args)`, through `id_urls`."""
    return id_urls(endpoint, id_arg, **args)[item_id]
