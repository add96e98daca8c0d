"""Small SQL building blocks shared by the hot read paths (issue 8)."""

from __future__ import annotations

from sqlalchemy import ARRAY, Integer, any_, bindparam


def ids_parameter(column, dialect: str, name: str = "ids"):
    """`column` among the ids bound at execution as `name` (a list).

    On PostgreSQL `= ANY(:ids)`: one array parameter, one statement text whatever the
    number of ids; elsewhere an expanding `IN (…)` list.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def among_ids(column, ids, dialect: str):
    """`column` among `ids` (given now), written as `ids_parameter` writes it."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(list(ids))
