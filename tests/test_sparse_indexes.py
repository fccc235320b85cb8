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
    for columns in MENTIONS.sparse_indexes:
        column, name = columns[0], f"idx_mentions_{'_'.join(columns)}"
        assert f"where [{column}] is not null" in index_sql(db, name)
        # A lookup by value, a facet (non-empty values counted) and a page's count of the articles
        # naming a value read the sparse index alone.
        assert f"COVERING INDEX {name}" in plan(db, f"select article_id from mentions where {column} = ?")
        assert name in plan(db, f"select {column}, count(*) from mentions where {column} is not null "
                                f"and {column} != ? group by {column}")
        assert f"COVERING INDEX {name}" in plan(db, f"select count(distinct article_id) from mentions where {column} = ?")


def test_a_full_index_made_before_is_replaced_by_the_sparse_one(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)
    db.execute("drop index idx_mentions_document_id_article_id")
    db.execute("create index idx_mentions_document_id on mentions (document_id)")
    db.execute("delete from _sqlite_migrations where name = 'm013_sparse_mention_indexes'")
    db.conn.commit()
    db.close()
    reopened = open_database(path)
    assert not reopened.execute("select 1 from sqlite_master where name = 'idx_mentions_document_id'").fetchall()
    assert "is not null" in index_sql(reopened, "idx_mentions_document_id_article_id")
    reopened.close()


def test_both_ways_of_listing_the_articles_naming_a_value_give_the_same_page(built_db: Path) -> None:
    import sqlite3

    from schema.pages import _NAMING_ARTICLES_SQL

    connection = sqlite3.connect(built_db)
    try:
        for column in ("place_code", "document_id", "programme_id"):
            keys = [key for (key,) in connection.execute(
                f"select {column} from mentions where {column} is not null group by {column} "
                "order by count(distinct article_id) desc limit 3")]
            assert keys, column
            for key in keys:
                pages = [connection.execute(sql.format(column=column, limit=5), {"key": key}).fetchall()
                         for sql in _NAMING_ARTICLES_SQL.values()]
                assert pages[0] and pages[0] == pages[1], (column, key)
    finally:
        connection.close()
