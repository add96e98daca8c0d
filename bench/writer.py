"""Bulk loading of generated rows: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

from carflow.extensions import db

# Tables whose secondary indexes are dropped during the load and rebuilt after it.
BIG_TABLES = ("contact", "lead", "event", "deadline", "lead_search", "trade_in", "offer", "task")


def _register_sqlite_adapters() -> None:
    """Store values as SQLAlchemy does on SQLite (naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff')."""
    sqlite3.register_adapter(
        datetime, lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    )
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(dict, json.dumps)


class BulkWriter:
    """Writes rows (tuples in the order of `columns`) straight through the DB-API driver."""

    def __init__(self, engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.connection = engine.raw_connection()
        if self.sqlite:
            _register_sqlite_adapters()
            self.connection.execute("PRAGMA synchronous=OFF")
            self.connection.execute("PRAGMA journal_mode=MEMORY")
        self.rows_written = 0

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert many rows into `table` in one batch."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.connection.cursor()
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        else:
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
        cursor.close()
        self.rows_written += len(rows)

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.commit()
        self.connection.close()


def drop_big_indexes() -> list:
    """Drop the secondary indexes of the big tables (rebuilt once at the end: much faster)."""
    dropped = []
    with db.engine.begin() as conn:
        for name in BIG_TABLES:
            for index in db.metadata.tables[name].indexes:
                index.drop(conn)
                dropped.append(index)
    return dropped


def create_indexes(indexes: list) -> None:
    """Rebuild the dropped indexes, then refresh the planner's statistics (and, on
    PostgreSQL, the visibility map, as autovacuum would: index-only scans need it)."""
    with db.engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(
            "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        )


def reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids written explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
