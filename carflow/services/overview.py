"""Keyset (seek) pagination of the leads overview (F3): no OFFSET, no full count.

A sort is a list of *phases*; each phase is a WHERE condition and the key columns that
order it (the last key is unique, so the order is total). A cursor is the phase and the
key values of a row; the next page is `WHERE (keys) > (cursor values) ORDER BY keys
LIMIT n+1`, an index range on the matching (key…, id) index. A nullable column (next
deadline) has two phases: the dated leads, then the undated ones, so NULLs are last.

Sorts on a related name (contact, owner, branch, type, source) seek on
(name, foreign key, created_at, id): the database reads the small related table in name
order and the lead index (fk, created_at, id) within each group. Those sorts are bounded by
the size of a group, not by the page number: the seek never skips rows.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, true, tuple_
from sqlalchemy.orm import aliased

from carflow.models import Branch, Contact, Lead, LeadSource, LeadType, User
from carflow.models.types import UTCDateTime
from carflow.services.search import newest_matches
from carflow.sql import among_ids

# Newest-first search: matches read from the index per page (see _searched_rows).
SEARCH_CANDIDATES = 102  # two pages of 51: one page, and room for the filters


@dataclass
class Phase:
    condition: object
    keys: list


@dataclass
class SortSpec:
    phases: list[Phase]
    joins: list = field(default_factory=list)


def _related(model, name_col, fk, outer=False):
    alias = aliased(model)
    name = getattr(alias, name_col)
    if outer:
        name = func.coalesce(name, "")
        fk_key = func.coalesce(fk, 0)
    else:
        fk_key = fk
    keys = [name, fk_key, Lead.created_at, Lead.id]
    return SortSpec([Phase(true(), keys)], [(alias, alias.id == fk, outer)])


def sort_spec(column: str) -> SortSpec:
    """The phases and joins of a sort on one overview column."""
    if column == "next_deadline_at":
        return SortSpec(
            [
                Phase(Lead.next_deadline_at.is_not(None), [Lead.next_deadline_at, Lead.id]),
                Phase(Lead.next_deadline_at.is_(None), [Lead.id]),
            ]
        )
    plain = {
        "code": [Lead.code],
        "created_at": [Lead.created_at, Lead.id],
        "last_activity_at": [Lead.last_activity_at, Lead.id],
        "status": [Lead.status, Lead.created_at, Lead.id],
    }
    if column in plain:
        return SortSpec([Phase(true(), plain[column])])
    related = {
        "contact": (Contact, "last_name", Lead.contact_id, False),
        "owner": (User, "last_name", Lead.owner_id, True),
        "branch": (Branch, "name", Lead.branch_id, False),
        "lead_type": (LeadType, "name", Lead.lead_type_id, False),
        "source": (LeadSource, "name", Lead.source_id, False),
    }
    if column in related:
        return _related(*related[column])
    return sort_spec("created_at")


def encode_cursor(phase: int, values) -> str:
    """A URL-safe token for a row's position."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    plain = [v.value if isinstance(v, enum.Enum) else v for v in plain]
    raw = json.dumps([phase, plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None, spec: SortSpec):
    """(phase, values) from a token, or None when absent or malformed."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        phase, values = json.loads(raw)
        keys = spec.phases[phase].keys
        if len(values) != len(keys):
            return None
        return phase, [_decode_value(k, v) for k, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, IndexError, binascii.Error):
        return None


def _decode_value(key, value):
    if isinstance(getattr(key, "type", None), UTCDateTime):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive cursor datetime")
        return parsed
    if isinstance(value, list | dict):
        raise ValueError("bad cursor value")
    return value


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def _phase_rows(query, spec, index, forward_desc, after, limit, search=None):
    phase = spec.phases[index]
    keys = phase.keys
    q = query.filter(phase.condition).with_entities(Lead.id, *keys)
    if after is not None:
        bound = tuple_(*[literal(v, type_=k.type) for k, v in zip(keys, after, strict=True)])
        q = q.filter(tuple_(*keys) < bound if forward_desc else tuple_(*keys) > bound)
    order = [k.desc() if forward_desc else k.asc() for k in keys]
    if search is not None:
        return _searched_rows(q, order, index, search, forward_desc, after, limit)
    return _run(q.order_by(*order).limit(limit), index)


def _searched_rows(q, order, index, search, forward_desc, after, limit):
    """Newest (or oldest) first: one index query gives the next SEARCH_CANDIDATES matches in
    creation order and whether the matches are few. Few: the page is read among those
    candidates (filters and scope apply to them only), or, when that leaves it short and more
    remain, among every match. Many: the page's ordered scan checks each lead's terms."""
    found = newest_matches(search.term_range, after, forward_desc, SEARCH_CANDIDATES)
    if found.dense:
        return _run(q.filter(search.dense_condition()).order_by(*order).limit(limit), index)
    dialect = q.session.get_bind().dialect.name
    candidates = q.filter(among_ids(Lead.id, found.ids, dialect), *search.others)
    rows = _run(candidates.order_by(*order).limit(limit), index)
    if len(rows) >= limit or found.read < SEARCH_CANDIDATES:
        return rows
    return _run(q.filter(search.sparse_condition()).order_by(*order).limit(limit), index)


def _run(q, index):
    # Plain Core rows (ids and keys): the ORM's result machinery costs more than the
    # query itself here. A read-only page: nothing pending to flush.
    rows = q.session.connection().execute(q.statement)
    return [(row[0], index, list(row[1:])) for row in rows]


def _walk(query, spec, desc, cursor, limit, backwards, search=None):
    """Up to `limit` rows from the cursor on, across phases (at most one query per phase)."""
    count = len(spec.phases)
    order = list(range(count))
    flip = desc != backwards  # keys descending in this walk
    if backwards:
        order.reverse()
    if desc:
        order.reverse()
    start = order.index(cursor[0]) if cursor else 0
    rows = []
    for position in order[start:]:
        after = cursor[1] if cursor and position == cursor[0] else None
        rows += _phase_rows(query, spec, position, flip, after, limit - len(rows), search)
        if len(rows) >= limit:
            break
    return rows


def fetch_page(
    query, column: str, desc: bool, after=None, before=None, page_size=50, load=None, search=None
) -> Page:
    """One page of `query` sorted on `column`, after or before a cursor token.

    The seek reads only ids and sort keys; `load(ids)` then reads the page's rows with
    their relations (joins for 50 rows, not for every candidate the database sorts).
    `search` (a `LeadSearch`) narrows the query to the leads matching the search box.
    """
    spec = sort_spec(column)
    if search is not None and column != "created_at":
        query, search = query.filter(search.condition()), None
    for alias, on, outer in spec.joins:
        query = query.join(alias, on, isouter=outer)
    backwards = before is not None and after is None
    cursor = decode_cursor(before if backwards else after, spec)
    if cursor is None:
        backwards = False
    rows = _walk(query, spec, desc, cursor, page_size + 1, backwards, search)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    first = encode_cursor(*rows[0][1:]) if rows else None
    last = encode_cursor(*rows[-1][1:]) if rows else None
    if backwards:
        next_cursor = last
        prev_cursor = first if more else None
    else:
        next_cursor = last if more else None
        prev_cursor = first if cursor is not None else None
    ids = [row[0] for row in rows]
    if load is None:
        return Page(ids, next_cursor, prev_cursor)
    by_id = {item.id: item for item in load(ids)} if ids else {}
    return Page([by_id[i] for i in ids if i in by_id], next_cursor, prev_cursor)
