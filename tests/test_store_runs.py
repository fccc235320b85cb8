"""Writes of the spider's own connection while the crawl's writer thread commits on another."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from store import open_database, record_error
from store.urls import remember_url


@pytest.mark.parametrize("write", ["remember_url", "record_error"])
def test_a_read_then_write_waits_for_another_connections_commit(tmp_path: Path, write: str) -> None:
    """Begun deferred, these transactions read, then found the snapshot stale once the other
    connection had committed, and failed at once with "database is locked"."""
    path = tmp_path / "crawl.db"
    db = open_database(path)
    db.execute("select count(*) from url_states").fetchone()
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("insert into errors (url, stage, message, occurred_at) values ('u', 'crawl', 'first', 'now')")
    committer = threading.Timer(0.3, other.commit)
    committer.start()
    started = time.monotonic()
    if write == "remember_url":
        remember_url(db, "http://a.test/x", "a.test", "http://a.test/x", "dead", "HTTP 404",
                     "2026-01-01T00:00:00+00:00", (24.0, 720.0))
        assert db.execute("select state from url_states").fetchall() == [("dead",)]
    else:
        record_error(db, "http://a.test/x", "crawl", "second")
        assert db.execute("select count(*) from errors").fetchone() == (2,)
    assert time.monotonic() - started >= 0.2  # it waited for the lock rather than failing
    committer.join()
    other.close()
