"""Bulk loads: a large ingest into a store that holds fewer articles writes its rows without the
indexes only readers use, and builds those afterwards.

Every row written to an indexed table costs a write into each of its indexes; a batch's new rows
go to scattered places of most of them (a site, a date, a province), so a large load pays for
pages read, changed and written again batch after batch. Built once at the end, an index is one
sorted pass over the table: bench/bench_store.py measured the writer at 200,000 articles taking
237 -> 173 us an article without them, and building them again a fraction of what they had cost.

The search indexes are not merged during the load either (BULK_LOAD_FTS_SETTINGS): each segment a
batch writes stays as it is until one 'optimize' at the end merges them all
(`schema.search_index.merge_search_indexes`), so every entry is rewritten once.

The indexes the writer itself reads stay: the url's (an article already stored is found by its
URL, and it is unique), and the article and event ids of the child tables (replaced rows are
deleted by article, and deleting an event checks the rows that refer to it). Readers meanwhile
(Datasette) see slower pages, never wrong ones. Nor are the rows' references checked one by one
as they are written: one check of them all follows the load (`broken_references`). A load that
ends, or fails, restores the search indexes' settings, merges them, builds the indexes again and
checks the references (`finish_load`); one that is killed leaves that to `store.open_database`
(`finish_stopped_load`). A load holds a lock on a file beside the store's for its whole length
(`load_lock`): the kernel lets it go when the load's process dies, so an `open_database` elsewhere
(`pipeline.py status`) tells a load that is running, which it leaves alone, from one that was
killed.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from progress import Progress
from schema.indexes import Index, create_indexes, indexes_of, missing_indexes
from schema.search_index import (BULK_LOAD_FTS_SETTINGS, FTS_SETTINGS, left_by_bulk_load, merge_search_indexes,
                                 set_search_settings)
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
    """Drop the `deferred_indexes` and stop merging the search indexes for the time of a load, and
    finish it afterwards (`finish_load`), also when the load fails (a load that is killed leaves
    that to `store.open_database`).

    :param db: open database, not inside a transaction
    :param bulk: False runs the load with every index (so callers need not branch)
    """
    if not bulk:
        yield
        return
    with load_lock(db) as held:
        if not held:
            log.warning("another bulk load into this store is running: this load keeps every index")
            yield
            return
        indexes = deferred_indexes()
        with db.atomic():
            for index in indexes:
                db.execute(f"drop index if exists [{index.name}]")
            set_search_settings(db, BULK_LOAD_FTS_SETTINGS)
        log.info("bulk load: %d indexes are built after it", len(indexes))
        # Nor does the load's connection look up the parent of every row it writes (a tenth of the
        # writer's time): what a load writes refers to rows of its own batch or stored before, by
        # construction (`store.rows.derive_rows` makes a catalogue row of each code it names), and
        # `finish_load` checks every reference of the store in one pass per table.
        checking = db.execute("pragma foreign_keys").fetchone()[0]
        db.execute("pragma foreign_keys = OFF")
        try:
            yield
        finally:
            db.execute(f"pragma foreign_keys = {checking}")
            finish_load(db, indexes)


@contextmanager
def load_lock(db: sqlite_utils.Database) -> Iterator[bool]:
    """Hold the store's bulk-load lock (an flock on the file `<store>-bulk-load`) if no other process
    holds it; yields whether this one does. A store in memory has no other process: always True.

    :param db: open database
    """
    store_file = _store_file(db)
    if not store_file:
        yield True
        return
    with open(Path(store_file + "-bulk-load"), "a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _store_file(db: sqlite_utils.Database) -> str:
    """The store's file; "" for a store in memory."""
    return db.execute("pragma database_list").fetchone()[2]


def finish_load(db: sqlite_utils.Database, indexes: list[Index]) -> None:
    """What a bulk load leaves to its end: the search indexes' own settings again, their segments
    merged into one each, these indexes built, and every reference of the store checked (the load
    wrote its rows without checking theirs).

    The check only reads, so it runs beside the merge and the builds, in a connection of its own
    (SQLite lets go of Python's lock while it works, and the core of the load's worker processes
    is idle by then): at a million articles it takes 3.6 s.

    :param db: open database, not inside a transaction
    :param indexes: the indexes to build (those missing; the others are left as they are)
    """
    path = _store_file(db)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-references") as pool:
        checked = pool.submit(broken_references, path) if path else None
        with db.atomic():
            set_search_settings(db, FTS_SETTINGS)
        started = time.perf_counter()
        merge_search_indexes(db)
        log.info("bulk load: search indexes merged in %.1f s", time.perf_counter() - started)
        build_indexes(db, indexes)
        report_broken_references(db, checked.result() if checked else broken_references(db.conn))


def broken_references(store: str | sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(table, rowid, table it refers to) of each row of the store that refers to a row that does
    not exist (SQLite's foreign_key_check).

    :param store: the store's file, read in a connection of its own (so the check can run in
        another thread), or an open connection
    """
    started = time.perf_counter()
    connection = sqlite3.connect(f"{Path(store).as_uri()}?mode=ro", uri=True) if isinstance(store, str) else store
    try:
        broken = [(table, rowid, parent) for table, rowid, parent, _ in connection.execute("pragma foreign_key_check")]
    finally:
        if connection is not store:
            connection.close()
    log.info("references checked in %.1f s", time.perf_counter() - started)
    return broken


def report_broken_references(db: sqlite_utils.Database, broken: list[tuple[str, int, str]]) -> None:
    """Log and record in errors the broken references of `broken_references`: one row for each
    table's references to another (how many, the first rowids). A broken one is a bug, not bad
    input (what a load writes refers to rows it wrote or found); the rows stay.

    :param db: open database, not inside a transaction
    """
    from store.runs import record_error  # (store.runs imports store.database, which imports this module)

    by_tables: dict[tuple[str, str], list[int]] = {}
    for table, rowid, parent in broken:
        by_tables.setdefault((table, parent), []).append(rowid)
    for (table, parent), rowids in by_tables.items():
        message = (f"{len(rowids)} of the {table} rows refer to missing {parent} rows "
                   f"(rowids {', '.join(map(str, rowids[:5]))}{', ...' if len(rowids) > 5 else ''})")
        log.error("bulk load: %s", message)
        record_error(db, None, "ingest", message)


def finish_stopped_load(db: sqlite_utils.Database) -> None:
    """Finish what a bulk load that was stopped before its end (killed) left: its search settings,
    unmerged segments, missing indexes and unchecked references. A store that no load left so is
    not touched, nor one that a load (holding `load_lock`) is filling now.

    :param db: open database, not inside a transaction
    """
    if not left_by_bulk_load(db) and not missing_indexes(db):  # (the lock file is made only when needed)
        return
    with load_lock(db) as held:
        if not held:  # a load is running: what it left undone it does itself
            return
        if left_by_bulk_load(db):  # (read again: a load may have ended meanwhile)
            log.warning("the last bulk load into this store was stopped before its end: finishing it")
            finish_load(db, missing_indexes(db))
        else:  # stopped after its search indexes were merged: the rest of `finish_load`
            build_indexes(db, missing_indexes(db))
            report_broken_references(db, broken_references(_store_file(db) or db.conn))


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
