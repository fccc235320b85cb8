"""A bulk load (`store.bulk`): a large ingest into a smaller store builds the indexes only readers
use after its last batch, and stores exactly what an ingest with every index stores."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import store.bulk
from schema.indexes import indexes_of, missing_indexes
from schema.tables import TABLES
from stages.ingest import store_pairs
from store import open_database, search_articles
from store.bulk import deferred_indexes, is_bulk_load

from test_ingest_parallel import database_content
from test_store_ingest import load_bench

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
    present_during = {}
    for name, path in paths.items():
        db = open_database(path)
        batches = store_pairs(db, pairs, batch_size=16, expected=len(pairs) if name == "bulk" else None)
        next(batches)  # one batch committed, the load not over
        present_during[name] = index_names(path)
        list(batches)
        db.close()
    deferred = {index.name for index in deferred_indexes()}
    assert deferred and not deferred & present_during["bulk"]
    assert deferred <= present_during["indexed"]
    for path in paths.values():  # afterwards every index is there, and the unique ones never left
        assert every_defined_index() <= index_names(path)
    assert {index.name for table in TABLES for index in indexes_of(table) if index.unique} <= present_during["bulk"]
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


def segments(path: Path, index: str) -> int:
    """How many segments an FTS5 index has: its structure record (rowid 10) holds, after a
    4-byte cookie, the varints of the number of levels and of segments (read as the bench reads it)."""
    with sqlite3.connect(path) as connection:
        structure = connection.execute(f"select block from [{index}_data] where id = 10").fetchone()[0]
    return load_bench()._varints(structure[4:], 2)[1]


def test_a_bulk_load_that_fails_still_builds_its_indexes(tmp_path: Path, pairs: list, small_bulk: None) -> None:
    path = tmp_path / "training.db"
    db = open_database(path)

    def failing() -> object:
        yield from pairs[:40]
        raise RuntimeError("input gone")

    with pytest.raises(RuntimeError, match="input gone"):
        list(store_pairs(db, failing(), batch_size=16, expected=len(pairs)))
    assert every_defined_index() <= index_names(path)
    stored = db.execute("select count(*) from articles").fetchone()[0]
    assert stored and stored % 16 == 0  # the batches committed before, whole
    db.close()


def test_indexes_a_killed_bulk_load_left_missing_are_built_when_the_store_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    open_database(path).close()
    with sqlite3.connect(path) as connection:  # as a load killed before its end leaves the file
        for index in deferred_indexes():
            connection.execute(f"drop index [{index.name}]")
    db = open_database(path)
    assert missing_indexes(db) == [] and every_defined_index() <= index_names(path)
    db.close()


def test_a_load_smaller_than_the_store_or_the_minimum_keeps_its_indexes(tmp_path: Path, pairs: list,
                                                                       small_bulk: None) -> None:
    db = open_database(tmp_path / "training.db")
    assert is_bulk_load(db, 20) and not is_bulk_load(db, 19) and not is_bulk_load(db, None)
    list(store_pairs(db, pairs[:40], batch_size=16))
    assert is_bulk_load(db, 40) and not is_bulk_load(db, 39)  # building them again reads every stored row too
    db.close()
