"""The errors table keeps each error once, and finding out whether it has one already costs the
same however many errors it holds (a run that refuses every line of a large input logs an error
for each); m015 gives the index to a store made before it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from store import open_database, record_error

INDEX = "idx_errors_url_stage_message"


def log_errors(db: sqlite_utils.Database, count: int) -> None:
    """`count` different errors of one stage, in one transaction (as many refused lines would leave)."""
    with db.atomic():
        for number in range(count):
            db.execute("insert into errors (url, stage, message, occurred_at) values (?, 'ingest', ?, 'now')",
                       [None if number % 2 else f"https://a.gov.vn/{number}", f"articles.jsonl line {number}: bad"])


def steps_to_record(db: sqlite_utils.Database, url: str | None, message: str) -> int:
    """SQLite virtual-machine steps (counted by a progress handler every 100) to record one error."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    db.conn.set_progress_handler(count, 100)
    try:
        record_error(db, url, "ingest", message)
    finally:
        db.conn.set_progress_handler(None, 0)
    return steps[0]


def test_an_error_is_recorded_once(tmp_path: Path) -> None:
    db = open_database(tmp_path / "training.db")
    for url, stage, message in [("https://a.gov.vn/1", "ingest", "bad"), ("https://a.gov.vn/1", "ingest", "bad"),
                                (None, "ingest", "bad"), (None, "ingest", "bad"),
                                ("https://a.gov.vn/1", "extract", "bad"), ("https://a.gov.vn/1", "ingest", "worse")]:
        record_error(db, url, stage, message)
    assert db.execute("select url, stage, message from errors order by id").fetchall() == [
        ("https://a.gov.vn/1", "ingest", "bad"), (None, "ingest", "bad"), ("https://a.gov.vn/1", "extract", "bad"),
        ("https://a.gov.vn/1", "ingest", "worse")]


def test_recording_an_error_does_not_read_the_others(tmp_path: Path) -> None:
    db = open_database(tmp_path / "training.db")
    log_errors(db, 100)
    few = [steps_to_record(db, url, f"new {number}") for number, url in enumerate(["https://b.gov.vn/1", None])]
    log_errors(db, 20_000)
    many = [steps_to_record(db, url, f"later {number}") for number, url in enumerate(["https://b.gov.vn/2", None])]
    # Without the index the look-up read the stage's 20,100 errors: some 1,000 steps of 100 (5-6 with it).
    assert max(many) <= max(few) + 5, (few, many)


def test_migration_gives_an_older_store_the_index(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    open_database(path).close()
    with sqlite3.connect(path) as conn:  # the store as it was before m015
        conn.execute(f"drop index [{INDEX}]")
        conn.execute("delete from _sqlite_migrations where name = 'm015_errors_found_by_what_they_say'")
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from sqlite_master where name = ?", [INDEX]).fetchone() == (1,)
