"""Open the pipeline database: create or migrate the schema, set the connection's pragmas."""
from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

from schema.migrations import migrations
from schema.tables import TABLES_BY_NAME
from store.bulk import finish_stopped_load


# CPython 3.11's sqlite3 binds an int, float, str or bytearray as it is, but looks for an adapter
# for any other value, None included: it asks its protocol type for __adapt__, and that raises and
# clears an AttributeError each time. Most columns of most child rows are None, so a batch raised
# some thirty of them an article. With an adapter registered for None the look-up ends at once;
# the adapter ({}.get, which returns None for any key) gives None back, which is bound as NULL.
# (executemany of rows with seven None of ten columns: twice as fast.)
sqlite3.register_adapter(type(None), {}.get)


def utc_now() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# Below this much free space an SQLite I/O error on the database's filesystem is taken for a full
# disk: SQLite reports a failed write to its shared-memory or journal file as SQLITE_IOERR_*, not
# SQLITE_FULL, although the cause is the same.
NEARLY_FULL_BYTES = 1 << 20
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(error: BaseException, path: str | Path | None = None) -> bool:
    """Whether a storage error means the disk (or the user's quota) is full.

    :param error: what a write raised (sqlite3.Error or OSError)
    :param path: the file being written, to check its filesystem's free space on an I/O error
    """
    if isinstance(error, OSError):
        return error.errno in _DISK_FULL_ERRNOS
    if not isinstance(error, sqlite3.Error):
        return False
    name = getattr(error, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or (not name and "database or disk is full" in str(error)):
        return True
    return name.startswith("SQLITE_IOERR") and path is not None and _free_bytes(path) < NEARLY_FULL_BYTES


def describe_storage_error(error: BaseException, path: str | Path | None = None) -> str | None:
    """A clear message for a failed database or file write, e.g. "disk full while writing data/training.db".

    One rule for every stage and the crawler: SQLite says "database or disk is full" or, when the
    write that failed was to its journal, "disk I/O error"; an OSError says ENOSPC or EDQUOT.

    :param error: what the write raised
    :param path: the database (or file) being written, named in the message
    :return: the message, or None when the error is not a storage failure (a bug, a constraint)
    """
    target = str(path) if path is not None else "the database"
    detail = getattr(error, "sqlite_errorname", None) or (errno.errorcode.get(error.errno) if isinstance(error, OSError)
                                                         and error.errno else None)
    suffix = f" ({detail}: {error})" if detail else f" ({error})"
    if is_disk_full(error, path):
        return f"disk full while writing {target}{suffix}"
    if isinstance(error, OSError):
        return f"cannot write {target}{suffix}"
    name = getattr(error, "sqlite_errorname", "") or ""
    for prefix, words in (("SQLITE_IOERR", "disk I/O error while writing"), ("SQLITE_READONLY", "read-only database"),
                          ("SQLITE_CANTOPEN", "cannot open database"), ("SQLITE_CORRUPT", "corrupt database"),
                          ("SQLITE_NOTADB", "not an SQLite database:"),
                          ("SQLITE_BUSY", "database locked by another process:")):
        if name.startswith(prefix):
            return f"{words} {target}{suffix}"
    return None


def _free_bytes(path: str | Path) -> int:
    """Free bytes (for an unprivileged user) on the filesystem holding `path` or its nearest existing folder."""
    folder = Path(path).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return NEARLY_FULL_BYTES  # unknown: do not claim a full disk
    return stats.f_bavail * stats.f_frsize


# 16 KiB pages (SQLite's default is 4 KiB): an article's row (text and its folded copy, about 4 KB)
# fits in one page instead of spilling into overflow pages, and a batch writes fewer, fuller pages
# (bench/bench_store.py at 200,000 articles: 9% less CPU for the same ingest).
PAGE_SIZE = 16384


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the pipeline database.

    Idempotent: opening an up-to-date database changes nothing.

    :param path: SQLite file; its directory is created if missing
    :return: a sqlite_utils.Database in WAL mode with foreign keys enforced
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # Only a new file takes the page size (an existing one keeps its own).
    db.execute(f"PRAGMA page_size={PAGE_SIZE}")
    db.enable_wal()
    # NORMAL is crash-safe in WAL mode (a crash loses at most the last commits, never consistency).
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    # A larger page cache keeps the search index and the indexes of child tables in memory.
    db.execute("PRAGMA cache_size=-65536")
    migrations.apply(db)
    finish_stopped_load(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """A transaction that reads and then writes, begun IMMEDIATE: it takes the write lock first,
    waiting for it (busy timeout). Begun deferred (sqlite_utils' `atomic`), such a transaction
    fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) when another connection, such
    as the crawl's writer thread, commits between its read and its write. Inside a transaction
    already open, it is a savepoint of that one (as `atomic` is).

    :param db: open database
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Row count of every table of the schema.

    :param db: open database
    """
    return {name: db.execute(f"select count(*) from [{name}]").fetchone()[0] for name in TABLES_BY_NAME}

