"""A model list's query-string arguments, read through Flask-Admin's public API only
(issue 14 item 2): `get_list_columns`, `get_filters`, `get_filter_arg` and the documented
`page`, `page_size`, `sort`, `desc`, `search` and `flt<pos>_<arg>` URL arguments.

`bounded_list_args` says how a hostile list URL must be rewritten (issue 12: a negative
or huge page, a NUL byte in the search); `list_arguments` gives an export the list's
search, filters and sort exactly as the page applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from carflow.safe_form import without_control_characters

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 500
_BOUNDS = {"page": MAX_PAGE, "page_size": MAX_PAGE_SIZE}


def _bounded_number(value: str, highest: int) -> str | None:
    """The number within 0 … `highest`, or None to drop an argument that is no number."""
    try:
        number = int(value)
    except ValueError:
        return None
    return str(min(max(number, 0), highest))


def _bounded(key: str, value: str) -> str | None:
    if key in _BOUNDS:
        return _bounded_number(value, _BOUNDS[key])
    if key == "search" or key.startswith("flt"):
        return without_control_characters(value) or None
    return value


def bounded_list_args(args: MultiDict) -> MultiDict | None:
    """The list's arguments within bounds, or None when they already are: a page within
    0 … 100,000 (a negative one is a negative OFFSET, a huge one overflows), a page size
    within 0 … 500, no control characters in the search or a filter value (PostgreSQL
    refuses NUL in text)."""
    cleaned = MultiDict()
    for key, value in args.items(multi=True):
        kept = _bounded(key, value)
        if kept is not None:
            cleaned.add(key, kept)
    unchanged = list(cleaned.items(multi=True)) == list(args.items(multi=True))
    return None if unchanged else cleaned


@dataclass(frozen=True)
class ListArguments:
    """What a list page shows: its search, its active filters (Flask-Admin's
    `(index, name, value)` triples, in URL order) and its sort column and direction."""

    search: str | None
    filters: list
    sort_column: str | None
    sort_desc: bool


def _active_filters(view, args: MultiDict) -> list:
    by_arg = {
        view.get_filter_arg(i, flt): (i, flt) for i, flt in enumerate(view.get_filters() or [])
    }
    found = []
    for key, value in args.items():
        position, _, arg = key[3:].partition("_")
        if not key.startswith("flt") or arg not in by_arg:
            continue
        index, flt = by_arg[arg]
        if flt.validate(value):
            found.append((position, (index, str(flt.name), value)))
    return [triple for _, triple in sorted(found, key=lambda item: item[0])]


def _sort_column(view, args: MultiDict) -> str | None:
    columns = view.get_list_columns()
    index = args.get("sort", type=int)
    if index is None or not 0 <= index < len(columns):
        return None
    return columns[index][0]


def list_arguments(view, args: MultiDict) -> ListArguments:
    """The list's search, filters and sort as `view`'s index page reads them from `args`."""
    args = bounded_list_args(args) or args
    return ListArguments(
        search=args.get("search") or None,
        filters=_active_filters(view, args),
        sort_column=_sort_column(view, args),
        sort_desc=bool(args.get("desc", type=int)),
    )
