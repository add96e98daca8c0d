"""The floor of a page (issue 14 item 8): the same SQL statements with the same
parameters, run straight on a DB-API connection, and a bare Jinja2 table of every row they
return — what any web stack must at least spend to answer it. A page's "ratio" is its
median time over its floor's."""

from __future__ import annotations

import statistics
import time

from jinja2 import Environment

BARE_TABLE = Environment(autoescape=True).from_string(
    "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>"
    "{% endfor %}</tr>{% endfor %}</table>"
)


def run_statements(engine, statements: list[tuple[str, object]]) -> list[tuple]:
    """Every statement on one pooled DB-API connection; the rows they return."""
    connection = engine.raw_connection()
    rows: list[tuple] = []
    try:
        cursor = connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description:
                rows.extend(cursor.fetchall())
        cursor.close()
    finally:
        connection.rollback()
        connection.close()
    return rows


def floor_ms(engine, statements: list[tuple[str, object]], runs: int) -> float:
    """Median milliseconds of the statements plus the bare table of their rows."""
    for _ in range(3):  # warm-up, as for the page
        BARE_TABLE.render(rows=run_statements(engine, statements))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        BARE_TABLE.render(rows=run_statements(engine, statements))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
