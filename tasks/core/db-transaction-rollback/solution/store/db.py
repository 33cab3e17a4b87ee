"""SQLite helpers for the importer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

OPEN_CONNECTIONS: set[sqlite3.Connection] = set()  # tracked for the worker health check


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level="DEFERRED")
    OPEN_CONNECTIONS.add(conn)
    return conn


def close(conn: sqlite3.Connection) -> None:
    conn.close()
    OPEN_CONNECTIONS.discard(conn)


@contextmanager
def transaction(path: str) -> Iterator[sqlite3.Connection]:
    """Run a block in one transaction on a fresh connection.

    Commits on success, rolls back and re-raises on error, always closes the connection.
    """
    conn = connect(path)
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()
    finally:
        close(conn)
