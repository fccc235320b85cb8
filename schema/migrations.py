"""Schema migrations, applied by `store.open_database` through sqlite_utils.Migrations.

`m001_initial` creates the tables as defined in `schema.tables` today. A later change to the
schema is a new migration appended below (e.g. `m002_add_x`), written so that it is a no-op on a
database created after the change (sqlite-utils' `add_column` after checking `table.columns_dict`).
"""
from __future__ import annotations

import sqlite_utils

from schema.tables import FTS_COLUMNS, FTS_TOKENIZE, TABLES, Table

migrations = sqlite_utils.Migrations("vn_training")


def _create_table(db: sqlite_utils.Database, table: Table) -> None:
    """Create one table with its keys, foreign keys and indexes."""
    foreign_keys = []
    for column in table.columns:
        if column.references:
            other_table, other_column = column.references.split(".")
            foreign_keys.append((column.name, other_table, other_column))
    db[table.name].create(
        {column.name: column.type for column in table.columns},
        pk=table.pk,
        not_null={column.name for column in table.columns if column.not_null},
        foreign_keys=foreign_keys,
        if_not_exists=True,
    )
    for columns in table.unique:
        db[table.name].create_index(list(columns), unique=True, if_not_exists=True)
    for columns in table.indexes:
        db[table.name].create_index(list(columns), if_not_exists=True)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create every table, its indexes and the article search index."""
    for table in TABLES:
        _create_table(db, table)
    # No triggers: store writes the index rows itself, in bulk, in the same transaction
    # (three times faster than row-by-row triggers). Repair with db["articles"].rebuild_fts().
    db["articles"].enable_fts(list(FTS_COLUMNS), fts_version="FTS5", tokenize=FTS_TOKENIZE, replace=True)
