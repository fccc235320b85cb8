"""The indexes of the tables of `schema.tables`: their names, and creating the missing ones."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from schema.tables import TABLES, Table


@dataclass(frozen=True)
class Index:
    """One index a table's definition asks for.

    :param table: the table's name
    :param columns: indexed columns, in order
    :param unique: whether the columns are unique together (a constraint, not only a path to rows)
    :param sparse: whether only the rows with a value in the first column are indexed
    """

    table: str
    columns: tuple[str, ...]
    unique: bool = False
    sparse: bool = False

    @property
    def name(self) -> str:
        return f"idx_{self.table}_{'_'.join(self.columns)}"  # as sqlite-utils names its indexes

    def create_sql(self) -> str:
        return (f"create {'unique ' if self.unique else ''}index if not exists [{self.name}] on [{self.table}] "
                f"({', '.join(f'[{column}]' for column in self.columns)})"
                + (f" where [{self.columns[0]}] is not null" if self.sparse else ""))


def indexes_of(table: Table) -> list[Index]:
    """The unique, plain and sparse indexes of a table's definition.

    :param table: a table of `schema.tables`
    """
    return ([Index(table.name, tuple(columns), unique=True) for columns in table.unique]
            + [Index(table.name, tuple(columns)) for columns in table.indexes]
            + [Index(table.name, tuple(columns), sparse=True) for columns in table.sparse_indexes])


def create_indexes(db: sqlite_utils.Database, indexes: list[Index]) -> None:
    """Create those of these indexes that are missing.

    :param db: open database
    :param indexes: see `indexes_of`
    """
    for index in indexes:
        db.execute(index.create_sql())


def missing_indexes(db: sqlite_utils.Database, tables: tuple[Table, ...] = TABLES) -> list[Index]:
    """The indexes the definitions of these tables ask for that the database does not have (a
    bulk load that was stopped before it built them again: see `store.bulk`).

    :param db: open database
    :param tables: tables of `schema.tables`
    """
    present = {name for (name,) in db.execute("select name from sqlite_master where type = 'index'")}
    return [index for table in tables for index in indexes_of(table) if index.name not in present]
