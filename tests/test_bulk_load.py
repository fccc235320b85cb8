"""A bulk load (`store.bulk`): a large ingest into a smaller store builds the indexes only readers
use after its last batch, and stores exactly what an ingest with every index stores."""
from __future__ import annotations

import pickle
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils

import store.bulk
from schema.indexes import indexes_of, missing_indexes
from schema.search_index import (BULK_LOAD_FTS_SETTINGS, FTS_SETTINGS, SEARCH_INDEXES, insert_rows, merge_search_indexes,
                                 search_settings, search_values, set_search_settings)
from schema.tables import TABLES
from stages.ingest import store_pairs
from store import open_database, search_articles
from store.bulk import deferred_indexes, is_bulk_load

from test_ingest_parallel import database_content
from test_store_ingest import load_bench

PROJECT = Path(__file__).resolve().parents[1]

ARTICLES = 60


@pytest.fixture(scope="module")
def pairs(dev_records: list) -> list[tuple[dict, dict | None]]:
    return list(load_bench().vary(dev_records, ARTICLES))


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads of 20 articles or more count as bulk (the real minimum would make the test slow)."""
    monkeypatch.setattr(store.bulk, "BULK_MINIMUM", 20)


def index_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("select name from sqlite_master where type = 'index'")}


def every_defined_index() -> set[str]:
    return {index.name for table in TABLES for index in indexes_of(table)}


def test_a_bulk_load_stores_what_a_load_with_every_index_stores(tmp_path: Path, pairs: list, small_bulk: None) -> None:
    paths = {"bulk": tmp_path / "bulk.db", "indexed": tmp_path / "indexed.db"}
    present_during, settings_during, checks_during, checks_after = {}, {}, {}, {}
    for name, path in paths.items():
        db = open_database(path)
        batches = store_pairs(db, pairs, batch_size=16, expected=len(pairs) if name == "bulk" else None)
        next(batches)  # one batch committed, the load not over
        present_during[name] = index_names(path)
        settings_during[name] = search_settings(db)
        checks_during[name] = db.execute("pragma foreign_keys").fetchone()[0]
        list(batches)
        checks_after[name] = db.execute("pragma foreign_keys").fetchone()[0]
        db.close()
    # The bulk load's search indexes merged nothing on the way; afterwards both stores have the usual settings.
    assert all(has_settings(stored, BULK_LOAD_FTS_SETTINGS) for stored in settings_during["bulk"].values())
    assert all(has_settings(stored, FTS_SETTINGS) for stored in settings_during["indexed"].values())
    for path in paths.values():
        assert all(has_settings(stored, FTS_SETTINGS) for stored in stored_settings(path).values())
    deferred = {index.name for index in deferred_indexes()}
    assert deferred and not deferred & present_during["bulk"]
    assert deferred <= present_during["indexed"]
    for path in paths.values():  # afterwards every index is there, and the unique ones never left
        assert every_defined_index() <= index_names(path)
    assert {index.name for table in TABLES for index in indexes_of(table) if index.unique} <= present_during["bulk"]
    # The bulk load's connection checked no reference row by row; both check them again afterwards.
    assert checks_during == {"bulk": 0, "indexed": 1} and checks_after == {"bulk": 1, "indexed": 1}
    bulk, indexed = (database_content(path) for path in paths.values())
    assert bulk == indexed and len(bulk["articles"]) == ARTICLES and bulk["mentions"]
    # Its search indexes were merged into one segment each, and find what the others find.
    assert [segments(paths["bulk"], index) for index in ("articles_fts", "titles_fts")] == [1, 1]
    assert segments(paths["indexed"], "articles_fts") > 1
    found = {}
    for name, path in paths.items():
        db = open_database(path)
        found[name] = [search_articles(db, query) for query in ("giảm nghèo", "tap huan", "Đồng Tháp")]
        db.close()
    assert found["bulk"] == found["indexed"] and all(found["bulk"][:2])


def has_settings(stored: dict[str, int], settings: dict[str, int]) -> bool:
    return {name: stored.get(name) for name in settings} == settings


def stored_settings(path: Path) -> dict[str, dict[str, int]]:
    """The search indexes' settings as stored in the file, read by a connection of its own."""
    db = sqlite_utils.Database(path)
    try:
        return search_settings(db)
    finally:
        db.close()


def segments(path: Path, index: str) -> int:
    """How many segments an FTS5 index has: its structure record (rowid 10) holds, after a
    4-byte cookie, the varints of the number of levels and of segments (read as the bench reads it)."""
    with sqlite3.connect(path) as connection:
        structure = connection.execute(f"select block from [{index}_data] where id = 10").fetchone()[0]
    return load_bench()._varints(structure[4:], 2)[1]


def test_the_bulk_settings_keep_every_segment_of_a_million_article_load(tmp_path: Path) -> None:
    """A load of a million articles in batches of 2,000 writes 500 segments an index: FTS5 must
    merge none of them on the way (its crisis merge at `crisismerge` segments would stop the load
    to rewrite them, and the final 'optimize' would rewrite them again)."""
    path = tmp_path / "training.db"
    db = open_database(path)
    set_search_settings(db, BULK_LOAD_FTS_SETTINGS)
    counts = []
    for article_id in range(1, 521):  # one transaction, so one segment, each
        with db.atomic():
            insert_rows(db.conn, [(article_id, search_values("Tập huấn", f"Lớp tập huấn số {article_id}"))])
        if article_id in (255, 256, 257, 520):
            counts.append(segments(path, "articles_fts"))
    assert counts == [255, 256, 257, 520]
    merge_search_indexes(db)
    assert segments(path, "articles_fts") == 1
    assert db.execute("select count(*) from articles_fts where articles_fts match 'tap huan'").fetchone()[0] == 520
    db.close()


def test_a_bulk_load_that_fails_still_builds_its_indexes(tmp_path: Path, pairs: list, small_bulk: None) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)

    def failing() -> object:
        yield from pairs[:40]
        raise RuntimeError("input gone")

    with pytest.raises(RuntimeError, match="input gone"):
        list(store_pairs(db, failing(), batch_size=16, expected=len(pairs)))
    assert every_defined_index() <= index_names(path)
    assert all(has_settings(stored, FTS_SETTINGS) for stored in stored_settings(path).values())
    assert [segments(path, index.name) for index in SEARCH_INDEXES] == [1, 1]
    stored = db.execute("select count(*) from articles").fetchone()[0]
    assert stored and stored % 16 == 0  # the batches committed before, whole
    db.close()


def test_a_reference_a_bulk_load_broke_is_reported_after_it(tmp_path: Path, pairs: list, small_bulk: None) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)
    batches = store_pairs(db, pairs, batch_size=16, expected=len(pairs))
    next(batches)
    article_id = db.execute("select min(id) from articles").fetchone()[0]
    with db.atomic():  # what a bug in the rows a load makes would write: a mention of a document never stored
        db.execute("insert into mentions (article_id, kind, document_id) values (?, 'document', '1/2099/XX (2099)')",
                   [article_id])
    list(batches)
    errors = [message for (message,) in db.execute("select message from errors where stage = 'ingest'")]
    assert len(errors) == 1 and "1 of the mentions rows refer to missing documents rows" in errors[0]
    # The rows stay, and what the load stored besides is whole.
    assert db.execute("select count(*) from mentions where document_id = '1/2099/XX (2099)'").fetchone()[0] == 1
    assert db.execute("select count(*) from articles").fetchone()[0] == ARTICLES
    db.close()


def test_broken_references_are_found_in_a_store_in_memory_too() -> None:
    db = open_database(":memory:")
    db.execute("pragma foreign_keys = OFF")
    db.execute("insert into events (id, article_id, event_no, is_primary) values (7, 99, 1, 1)")
    assert store.bulk.broken_references(db.conn) == [("events", 7, "articles")]
    store.bulk.report_broken_references(db, store.bulk.broken_references(db.conn))
    assert [message for (message,) in db.execute("select message from errors")] == [
        "1 of the events rows refer to missing articles rows (rowids 7)"]


# A load in a process of its own, killed by SIGKILL after its second batch (nothing of it runs
# after that: no finally, no exit handler).
KILLED_LOAD = textwrap.dedent("""
    import os, pickle, signal, sys
    import store.bulk
    from stages.ingest import store_pairs
    from store import open_database

    store.bulk.BULK_MINIMUM = 20
    pairs = pickle.load(open(sys.argv[2], "rb"))
    batches = store_pairs(open_database(sys.argv[1]), pairs, batch_size=16, expected=len(pairs))
    next(batches), next(batches)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_killed_bulk_load_is_finished_when_the_store_is_opened(tmp_path: Path, pairs: list) -> None:
    path, pairs_file = tmp_path / "training.db", tmp_path / "pairs.pickle"
    pairs_file.write_bytes(pickle.dumps(pairs))
    load = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(path), str(pairs_file)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert load.returncode == -signal.SIGKILL, load.stderr
    # As the load left it: indexes missing, its search settings, a segment per batch.
    assert not every_defined_index() <= index_names(path)
    assert all(has_settings(stored, BULK_LOAD_FTS_SETTINGS) for stored in stored_settings(path).values())
    assert segments(path, "articles_fts") == 2
    db = open_database(path)
    assert missing_indexes(db) == [] and every_defined_index() <= index_names(path)
    assert all(has_settings(stored, FTS_SETTINGS) for stored in stored_settings(path).values())
    assert [segments(path, index.name) for index in SEARCH_INDEXES] == [1, 1]
    assert db.execute("select count(*) from articles").fetchone()[0] == 32 and search_articles(db, "tap huan")
    db.close()


def test_opening_the_store_during_a_bulk_load_leaves_the_load_alone(tmp_path: Path, pairs: list,
                                                                    small_bulk: None) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)
    batches = store_pairs(db, pairs, batch_size=16, expected=len(pairs))
    next(batches)
    missing_during = missing_indexes(db)
    other = open_database(path)  # as `pipeline.py status` would, in another process, while the load runs
    assert missing_indexes(other) == missing_during != []
    assert all(has_settings(stored, BULK_LOAD_FTS_SETTINGS) for stored in search_settings(other).values())
    other.close()
    list(batches)
    assert missing_indexes(db) == []
    db.close()


def test_indexes_a_killed_bulk_load_left_missing_are_built_when_the_store_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    open_database(path).close()
    with sqlite3.connect(path) as connection:  # as a load killed before its end leaves the file
        for index in deferred_indexes():
            connection.execute(f"drop index [{index.name}]")
        # (a row of the load that broke a reference, unchecked: the check comes after the builds)
        connection.execute("insert into events (id, article_id, event_no, is_primary) values (7, 99, 1, 1)")
    db = open_database(path)
    assert missing_indexes(db) == [] and every_defined_index() <= index_names(path)
    assert [message for (message,) in db.execute("select message from errors")] == [
        "1 of the events rows refer to missing articles rows (rowids 7)"]
    db.close()


def test_a_load_smaller_than_the_store_or_the_minimum_keeps_its_indexes(tmp_path: Path, pairs: list,
                                                                       small_bulk: None) -> None:
    db = open_database(tmp_path / "training.db")
    assert is_bulk_load(db, 20) and not is_bulk_load(db, 19) and not is_bulk_load(db, None)
    list(store_pairs(db, pairs[:40], batch_size=16))
    assert is_bulk_load(db, 40) and not is_bulk_load(db, 39)  # building them again reads every stored row too
    db.close()


def test_a_bulk_load_while_another_runs_keeps_every_index(tmp_path: Path, pairs: list, small_bulk: None) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)
    other = open_database(path)
    with store.bulk.load_lock(other) as held:  # as a load in another process holds it
        assert held
        batches = store_pairs(db, pairs, batch_size=16, expected=len(pairs))
        next(batches)
        assert missing_indexes(db) == []
        assert all(has_settings(stored, FTS_SETTINGS) for stored in search_settings(db).values())
        list(batches)
    assert db.execute("select count(*) from articles").fetchone()[0] == ARTICLES
    other.close()
    db.close()
