"""Sparse indexes (schema.tables.Table.sparse_indexes): only the rows that have a value get an
entry, lookups and facets still use them, and a database made before them is migrated."""
from __future__ import annotations

from pathlib import Path

from schema.tables import MENTIONS
from store import open_database


def index_sql(db, name: str) -> str:
    return db.execute("select sql from sqlite_master where type = 'index' and name = ?", [name]).fetchone()[0]


def plan(db, sql: str) -> str:
    return " ".join(row[3] for row in db.execute(f"explain query plan {sql}", ["x"]).fetchall())


def test_mentions_are_indexed_by_what_they_name_only_where_they_name_it(tmp_path: Path) -> None:
    db = open_database(tmp_path / "training.db")
    for column in MENTIONS.sparse_indexes:
        assert f"where [{column}] is not null" in index_sql(db, f"idx_mentions_{column}")
        # A lookup by value and a facet (non-empty values counted) read the sparse index.
        assert f"idx_mentions_{column}" in plan(db, f"select id from mentions where {column} = ?")
        assert f"idx_mentions_{column}" in plan(db, f"select {column}, count(*) from mentions where {column} is not null "
                                                    f"and {column} != ? group by {column}")


def test_a_full_index_made_before_is_replaced_by_the_sparse_one(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)
    db.execute("drop index idx_mentions_document_id")
    db.execute("create index idx_mentions_document_id on mentions (document_id)")
    db.execute("delete from _sqlite_migrations where name = 'm013_sparse_mention_indexes'")
    db.conn.commit()
    db.close()
    reopened = open_database(path)
    assert "is not null" in index_sql(reopened, "idx_mentions_document_id")
    reopened.close()
