"""Open the pipeline database: create or migrate the schema, set the connection's pragmas."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from schema.migrations import migrations
from schema.tables import TABLES_BY_NAME


def utc_now() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the pipeline database.

    Idempotent: opening an up-to-date database changes nothing.

    :param path: SQLite file; its directory is created if missing
    :return: a sqlite_utils.Database in WAL mode with foreign keys enforced
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    # NORMAL is crash-safe in WAL mode (a crash loses at most the last commits, never consistency).
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    # A larger page cache keeps the search index and the indexes of child tables in memory.
    db.execute("PRAGMA cache_size=-65536")
    migrations.apply(db)
    return db


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Row count of every table of the schema.

    :param db: open database
    """
    return {name: db.execute(f"select count(*) from [{name}]").fetchone()[0] for name in TABLES_BY_NAME}

