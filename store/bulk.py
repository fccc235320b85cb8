"""Bulk loads: a large ingest into a store that holds fewer articles writes its rows without the
indexes only readers use, and builds those afterwards.

Every row written to an indexed table costs a write into each of its indexes; a batch's new rows
go to scattered places of most of them (a site, a date, a province), so a large load pays for
pages read, changed and written again batch after batch. Built once at the end, an index is one
sorted pass over the table: bench/bench_store.py measured the writer at 200,000 articles taking
237 -> 173 us an article without them, and building them again a fraction of what they had cost.

The indexes the writer itself reads stay: the url's (an article already stored is found by its
URL, and it is unique), and the article and event ids of the child tables (replaced rows are
deleted by article, and deleting an event checks the rows that refer to it). Readers meanwhile
(Datasette) see slower pages, never wrong ones. A load that is stopped leaves the indexes
missing: `store.open_database` builds them again (`schema.indexes.missing_indexes`). A load that
ends merges the search indexes into one segment each (`schema.search_index.merge_search_indexes`).
"""
from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from typing import Iterator

import sqlite_utils

from progress import Progress
from schema.indexes import Index, create_indexes, indexes_of
from schema.search_index import merge_search_indexes
from schema.tables import ARTICLES, EVENT_ORGANIZERS, EVENTS, MENTIONS

log = logging.getLogger("pipeline.store")

# Below this many articles a load keeps its indexes: building them again would cost more than it saves.
BULK_MINIMUM = 20_000
BULK_TABLES = (ARTICLES, EVENTS, EVENT_ORGANIZERS, MENTIONS)
WRITER_READS = {"url", "article_id", "event_id"}  # the first column of an index the writer reads (see above)


def deferred_indexes() -> list[Index]:
    """The indexes a bulk load drops and builds again: every index of the tables it fills but
    the unique ones and those the writer reads."""
    return [index for table in BULK_TABLES for index in indexes_of(table)
            if not index.unique and index.columns[0] not in WRITER_READS]


def is_bulk_load(db: sqlite_utils.Database, articles: int | None) -> bool:
    """Whether storing this many articles is a bulk load: at least BULK_MINIMUM, and at least as
    many as the store holds (building the indexes again reads every row, stored or new).

    :param db: open database
    :param articles: how many articles the load brings (None: unknown, not a bulk load)
    """
    if articles is None or articles < BULK_MINIMUM:
        return False
    return articles >= db.execute("select count(*) from articles").fetchone()[0]


@contextmanager
def indexes_deferred(db: sqlite_utils.Database, bulk: bool = True) -> Iterator[None]:
    """Drop the `deferred_indexes` for the time of a load and build them again afterwards, also
    when the load fails (a load that is killed leaves them to `store.open_database`).

    :param db: open database, not inside a transaction
    :param bulk: False runs the load with every index (so callers need not branch)
    """
    if not bulk:
        yield
        return
    indexes = deferred_indexes()
    with db.atomic():
        for index in indexes:
            db.execute(f"drop index if exists [{index.name}]")
    log.info("bulk load: %d indexes are built after it", len(indexes))
    try:
        yield
        started = time.perf_counter()
        merge_search_indexes(db)
        log.info("bulk load: search indexes merged in %.1f s", time.perf_counter() - started)
    finally:
        build_indexes(db, indexes)


def build_indexes(db: sqlite_utils.Database, indexes: list[Index]) -> None:
    """Create the missing ones of these indexes, one transaction each, showing progress.

    :param db: open database, not inside a transaction
    """
    if not indexes:
        return
    progress = Progress("indexes built", total=len(indexes))
    started = time.perf_counter()
    # SQLite sorts an index's entries with helper threads when allowed: at a million articles the
    # 13 indexes of a bulk load took 24 s with none and 13 s with one per core.
    threads = db.execute("pragma threads").fetchone()[0]
    db.execute(f"pragma threads = {os.cpu_count() or 1}")
    try:
        for index in indexes:
            with db.atomic():
                create_indexes(db, [index])
            progress.advance()
    finally:
        db.execute(f"pragma threads = {threads}")
    progress.close()
    log.info("built %d indexes in %.1f s", len(indexes), time.perf_counter() - started)
