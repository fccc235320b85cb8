"""Datasette plugin: what one query may cost, and what the server tells about the machine.

Datasette's own limits stop a query that runs long (`sql_time_limit_ms`, checked between SQLite
steps) and cap the rows of a page (`max_returned_rows`), but not one expensive step:
`select randomblob(1000000000)` is a single function call that makes a 1 GB value, and a
thousand rows of large values make a response of any size. So every connection gets:

- a cap on the size of any one value (SQLITE_LIMIT_LENGTH): larger strings and blobs, however
  they are made (randomblob, zeroblob, printf widths, replace, group_concat over a recursive CTE),
  fail at once with "string or blob too big";
- a cap on the bytes of one result (counted row by row as Datasette fetches them), so a page
  of many large values fails with a clear message instead of being built in memory;
- a hard limit on SQLite's own heap for the process.

It also answers `/-/databases.json` without the database's absolute path (the file system of
the host is nobody's business).
"""
from __future__ import annotations

import sqlite3
import threading
import weakref

from datasette import hookimpl
from datasette.utils.asgi import Response

MB = 1024 * 1024
VALUE_LIMIT_BYTES = 16 * MB  # an article body is far below this (pages are cut at 8 MiB)
RESULT_LIMIT_BYTES = 32 * MB
SQLITE_HEAP_LIMIT_BYTES = 160 * MB
_OTHER_VALUE_BYTES = 16  # numbers and NULLs


class ResultTooLarge(sqlite3.DataError):
    """A query's rows add up to more than RESULT_LIMIT_BYTES."""


_spent: "weakref.WeakKeyDictionary[sqlite3.Cursor, int]" = weakref.WeakKeyDictionary()
_spent_lock = threading.Lock()


def budgeted_row(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
    """Row factory: a sqlite3.Row, after charging the row's size to its cursor's budget.

    :raises ResultTooLarge: when the cursor's rows so far exceed RESULT_LIMIT_BYTES
    """
    size = sum(len(value) if isinstance(value, (str, bytes)) else _OTHER_VALUE_BYTES for value in row)
    with _spent_lock:
        spent = _spent.get(cursor, 0) + size
        _spent[cursor] = spent
    if spent > RESULT_LIMIT_BYTES:
        raise ResultTooLarge(f"the result is larger than {RESULT_LIMIT_BYTES // MB} MB: "
                             "select fewer rows or columns, or use a LIMIT")
    return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Bound every connection Datasette opens (see module docstring)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, VALUE_LIMIT_BYTES)
    conn.execute(f"PRAGMA hard_heap_limit = {SQLITE_HEAP_LIMIT_BYTES}")
    conn.row_factory = budgeted_row


async def databases_without_paths(datasette) -> Response:
    """/-/databases.json with what Datasette lists of each database, except its file path."""
    return Response.json([
        {"name": db.name, "route": db.route, "size": db.size, "is_mutable": db.is_mutable,
         "is_memory": db.is_memory, "hash": db.hash}
        for db in datasette.databases.values() if db.name != "_internal"])


@hookimpl
def register_routes():
    """Plugin routes come before Datasette's own, so this answer replaces the default one."""
    return [(r"^/-/databases(\.json)?$", databases_without_paths)]
