"""Schema migrations, applied by `store.open_database` through sqlite_utils.Migrations.

`m001_initial` creates the tables as defined in `schema.tables` today. A later change to the
schema is a new migration appended below (e.g. `m002_add_x`), written so that it is a no-op on a
database created after the change (sqlite-utils' `add_column` after checking `table.columns_dict`).
"""
from __future__ import annotations

import sqlite_utils

from schema.indexes import Index, create_indexes, indexes_of
from schema.search import fold
from schema.search_index import ARTICLES_FTS, FTS_SETTINGS, create_search_indexes, rebuild_search_indexes
from schema.tables import (ARTICLES, CORRECTIONS, CRAWL_RUNS, DOCUMENTS, ERRORS, EVENTS, MENTIONS, TABLES, URL_STATES,
                           Table)
from schema.views import replace_views

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
    _create_indexes(db, table)


def _create_indexes(db: sqlite_utils.Database, table: Table) -> None:
    """Create the unique, plain and sparse indexes of a table's definition that are missing."""
    create_indexes(db, indexes_of(table))


def _replace_indexes(db: sqlite_utils.Database, table: Table) -> None:
    """Create the indexes of a table's definition that are missing and drop the other plain
    indexes of the table (those an older definition made; sparse ones are left as they are)."""
    defined = {index.name for index in indexes_of(table) if not index.sparse}
    for index in db[table.name].indexes:
        if not index.unique and not index.partial and index.origin == "c" and index.name not in defined:
            db.execute(f"drop index [{index.name}]")
    _create_indexes(db, table)


def _add_columns(db: sqlite_utils.Database, table: Table, names: tuple[str, ...]) -> None:
    """Add the named columns of a table's definition that the database does not have yet (a no-op on
    a database created with them)."""
    present = db[table.name].columns_dict
    for column in table.columns:
        if column.name in names and column.name not in present:
            db[table.name].add_column(column.name, column.type)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create every table, its indexes and the article search indexes."""
    for table in TABLES:
        _create_table(db, table)
    # No triggers: store writes the index rows itself, in bulk, in the same transaction
    # (three times faster than row-by-row triggers). Repair with schema.search_index.rebuild_search_indexes.
    create_search_indexes(db)


@migrations()
def m002_corrections(db: sqlite_utils.Database) -> None:
    """Researchers' corrections (a table of their own) and the marks they leave on events."""
    _create_table(db, CORRECTIONS)
    _add_columns(db, EVENTS, ("corrected", "rejected"))


@migrations()
def m003_url_states(db: sqlite_utils.Database) -> None:
    """The crawler's memory of links without an article (dead, skipped, failed) and the skip count of a run."""
    _create_table(db, URL_STATES)
    _add_columns(db, CRAWL_RUNS, ("skipped",))


@migrations()
def m004_refold_search_copies(db: sqlite_utils.Database) -> None:
    """Fold the search copies again: fold() now writes punctuation outside ASCII as a space
    ("2021–2025" was folded to one word), then rebuild the index from the new copies. (Since
    m011 the copies are not stored: nothing to do.)"""
    if "body_folded" not in db["articles"].columns_dict:
        return
    last_id, changed = 0, 0
    while True:  # in id order, a batch at a time: memory stays bounded on a large database
        rows = db.execute("select id, title, body, title_folded, body_folded from articles where id > ? "
                          "order by id limit 2000", [last_id]).fetchall()
        if not rows:
            break
        refolded = [(fold(title), fold(body), article_id, (title_folded, body_folded))
                    for article_id, title, body, title_folded, body_folded in rows]
        updates = [(title, body, article_id) for title, body, article_id, old in refolded if (title, body) != old]
        db.conn.executemany("update articles set title_folded = ?, body_folded = ? where id = ?", updates)
        changed += len(updates)
        last_id = rows[-1][0]
    if changed:
        db["articles"].rebuild_fts()


@migrations()
def m005_analyst_views(db: sqlite_utils.Database) -> None:
    """Create the readable views (schema/views.py)."""
    replace_views(db)


@migrations()
def m006_article_source_and_captions(db: sqlite_utils.Database) -> None:
    """Articles keep the source they name and their photo captions (the page reader finds both)."""
    _add_columns(db, ARTICLES, ("source", "captions"))


@migrations()
def m007_activities_without_joins(db: sqlite_utils.Database) -> None:
    """Recreate the views: activities reads names through subqueries (fast counts and facets)."""
    replace_views(db)


@migrations()
def m008_activities_with_corrections(db: sqlite_utils.Database) -> None:
    """The activities view marks corrected events and leaves rejected ones out."""
    replace_views(db)


@migrations()
def m009_document_issuers(db: sqlite_utils.Database) -> None:
    """Every issuer of a joint document, beside the first."""
    _add_columns(db, DOCUMENTS, ("issuers", "issuer_names"))


@migrations()
def m010_indexes_that_cover_facets(db: sqlite_utils.Database) -> None:
    """Indexes from which facets, counts and charts are read without the rows (schema/tables.py), in
    place of the single-column ones they extend and of the unused content_hash index; the search
    index's write settings (FTS_SETTINGS)."""
    for name in ("idx_articles_content_hash", "idx_events_province_code", "idx_events_year",
                 "idx_events_programme_id"):
        db.execute(f"drop index if exists [{name}]")
    for table in (ARTICLES, EVENTS):
        _create_indexes(db, table)
    for name, value in FTS_SETTINGS.items():
        db.execute(f"insert into [{ARTICLES_FTS.name}] ([{ARTICLES_FTS.name}], rank) values (?, ?)", [name, value])


@migrations()
def m011_search_indexes_without_text(db: sqlite_utils.Database) -> None:
    """The search indexes keep no text of their own, and titles get one of their own
    (schema/search_index.py): the folded copies of title and body (half of the file) leave the
    articles table and the indexes are built again from title and body. One transaction: the
    write-ahead log grows to about the size of the articles while it runs (reclaim the freed pages
    afterwards with `sqlite-utils vacuum`)."""
    if "body_folded" not in db["articles"].columns_dict:
        return  # created with them
    db.execute(f"drop table if exists [{ARTICLES_FTS.name}]")
    for column in ("title_folded", "body_folded"):
        db.execute(f"alter table articles drop column [{column}]")
    create_search_indexes(db)
    rebuild_search_indexes(db)


@migrations()
def m012_event_indexes_for_filtered_facets(db: sqlite_utils.Database) -> None:
    """The indexes of events as schema/tables.py has them: province's, year's and programme's hold
    start_date, id and the other facet columns, start_date's what the search box tests; the indexes
    they replace go."""
    _replace_indexes(db, EVENTS)


@migrations()
def m013_sparse_mention_indexes(db: sqlite_utils.Database) -> None:
    """The indexes of mentions by document, programme and place hold only the rows that name one,
    with their article (schema/tables.py, sparse_indexes), in place of indexes of the value alone
    with an entry for every mention."""
    for columns in MENTIONS.sparse_indexes:
        db.execute(f"drop index if exists [{Index(MENTIONS.name, columns[:1]).name}]")
    _create_indexes(db, MENTIONS)


@migrations()
def m014_facet_indexes_for_searches(db: sqlite_utils.Database) -> None:
    """The facet indexes of events end with what the search box tests (article_id, district_code:
    schema/tables.py), so the facets of a search read them alone; the narrower ones go."""
    _replace_indexes(db, EVENTS)


@migrations()
def m015_errors_found_by_what_they_say(db: sqlite_utils.Database) -> None:
    """Errors are indexed by url, stage and message, the look-up that keeps each error once
    (schema/tables.py)."""
    _create_indexes(db, ERRORS)
