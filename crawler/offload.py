"""Extraction and database writes off Scrapy's event loop.

One reactor thread downloads and parses for every site a crawl process runs. An extractor call
that takes seconds (a pathological page) would stall all of them and make their downloads time
out, and the CPU the extractor needs is then missing from the downloads. So the item pipeline
hands its heavy work to:

- `ExtractorPool`: the extractor in worker processes (setting CRAWL_EXTRACT_PROCESSES; 0 means one
  thread of this process), so extraction runs on another core and a slow page occupies a worker,
  not the crawl.
- `DatabaseWriter`: one thread that owns the one SQLite connection of a database and runs every
  write of every crawler of the process, one after another, in the order they were submitted.
- `SerialThread`: the same for other writes (the WARC archive: compression and file writes).

Both are shared by the crawlers of one process through `acquire`/`release`: the last crawler to
close shuts them down. They are used from the event loop (asyncio reactor) and return awaitables.
"""
from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

import sqlite_utils

from store import open_database

log = logging.getLogger(__name__)
T = TypeVar("T")

_WARM_UP_TEXT = "Ngày 5/3/2024, huyện tổ chức tập huấn cho 50 học viên."


def _start_worker() -> None:
    """Tie a worker process to the crawl (it dies with it, even on SIGKILL; a Ctrl-C is for the
    crawl, which stops gracefully and then closes the pool), then load the extractor's reference
    data, so that the first article does not wait for it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _warm_up()


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent dies (prctl PR_SET_PDEATHSIG; elsewhere a
    worker notices when its task queue closes)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _warm_up() -> None:
    from extract import extract_record

    extract_record(_WARM_UP_TEXT, url="http://warm-up.invalid/", published="2024-03-05")


def _extract(text: str, url: str, published: str | None) -> dict:
    from extract import extract_record

    return extract_record(text, url=url, published=published)


class ExtractorPool:
    """The extractor, run in worker processes (or one thread when `processes` is 0).

    :param processes: number of worker processes; 0 runs the extractor in one thread of this
        process (no parallelism, but still off the event loop)
    """

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor = self._start()

    def _start(self) -> Executor:
        if self.processes <= 0:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
            executor.submit(_warm_up)
            return executor
        # spawn: workers never inherit the reactor's threads and sockets (fork would), and they are
        # children of the crawl itself (forkserver's would outlive a killed crawl).
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=context, initializer=_start_worker)

    async def extract(self, text: str, url: str, published: str | None) -> dict:
        """Extract one article's record.

        A worker that dies (killed, out of memory) breaks the pool: it is restarted and the
        article tried once more, so the other articles that were waiting are not lost; an article
        that kills the worker twice fails with BrokenProcessPool.

        :param text: the article's text
        :param url: its canonical URL
        :param published: its publication date (YYYY-MM-DD) or None
        :raises Exception: whatever the extractor raised
        """
        for attempt in (1, 2):
            executor = self._executor
            try:
                return await asyncio.wrap_future(executor.submit(_extract, text, url, published))
            except BrokenProcessPool:
                if attempt == 2:
                    raise
                if executor is self._executor:  # the first article to notice restarts the pool
                    log.warning("%s: an extraction worker died; restarting the pool and trying again", url)
                    executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._start()
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class SerialThread:
    """One thread that runs the calls given to it one after another, in order; awaitable.

    :param name: the thread's name (seen in stack dumps and profiles)
    """

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` in the thread and return its result (or raise its exception)."""
        return await asyncio.wrap_future(self._executor.submit(function, *args))

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(*args)` in the thread and wait for it (outside the event loop only)."""
        return self._executor.submit(function, *args).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class DatabaseWriter:
    """One thread owning one connection to a database: every write goes through `run`, in order.

    It also keeps a reserve of disk space next to the database (`<db>.reserve`, `reserve_bytes`):
    when the disk fills up during a crawl, `release_reserve` frees it, so the run's own record
    (crawl_runs, the error that stopped it) can still be written.

    :param path: the SQLite database (created or migrated on open)
    :param reserve_bytes: disk space set aside for the last records of a crawl; 0 for none
    """

    def __init__(self, path: Path, reserve_bytes: int = 0) -> None:
        self.path = Path(path)
        self._thread = SerialThread("sqlite-writer")
        self._db: sqlite_utils.Database = self._thread.call(open_database, self.path)
        self.reserve = self.path.with_name(self.path.name + ".reserve")
        if reserve_bytes > 0:
            _set_aside(self.reserve, reserve_bytes)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(db, *args)` in the writer thread and return its result.

        :param function: a store function taking the open database first (idempotent, as every
            store write is: it may run again after a lost race, see `_call`)
        :param args: its other arguments
        """
        return await self._thread.run(self._call, function, *args)

    def _call(self, function: Callable[..., T], *args: Any) -> T:
        """Call `function(db, *args)`, again after a lost snapshot race.

        A transaction that reads before it writes (sqlite_utils' `atomic` begins deferred) fails
        at once with SQLITE_BUSY_SNAPSHOT, busy timeout or not, when another connection (the
        spider's own) committed in between; it has been rolled back, and trying again succeeds.
        """
        for attempt in range(SNAPSHOT_RETRIES):
            try:
                return function(self._db, *args)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY_SNAPSHOT" or attempt == SNAPSHOT_RETRIES - 1:
                    raise
                time.sleep(0.005 * 2 ** attempt)
        raise AssertionError("unreachable")

    def release_reserve(self) -> None:
        """Give the reserved disk space back (after a full disk), for the records that must be written."""
        self.reserve.unlink(missing_ok=True)

    def close(self) -> None:
        self._thread.call(self._db.close)
        self._thread.close()
        self.release_reserve()


SNAPSHOT_RETRIES = 8  # the last after about a second


def _set_aside(path: Path, size: int) -> None:
    """Allocate `size` bytes on disk at `path` (really allocated, not a sparse file); on a disk
    already too full for it, go without (and say so)."""
    try:
        with open(path, "wb") as reserve:
            os.posix_fallocate(reserve.fileno(), 0, size)
    except OSError as exc:
        path.unlink(missing_ok=True)
        log.warning("%s: cannot set %d bytes aside for the crawl's last records (%s)", path, size, exc)


_shared: dict[Hashable, list] = {}
_shared_lock = threading.Lock()


def acquire(key: Hashable, factory: Callable[[], T]) -> T:
    """The process's shared object for `key`, made by `factory` for its first user.

    :param key: what identifies it, e.g. ("writer", database path)
    :param factory: makes it; it needs a `close()` for `release`
    """
    with _shared_lock:
        entry = _shared.get(key)
        if entry is None:
            entry = _shared[key] = [factory(), 0]
        entry[1] += 1
        return entry[0]


def release(key: Hashable) -> None:
    """Give back a shared object; the last user's release closes it.

    :param key: as given to `acquire`
    """
    with _shared_lock:
        entry = _shared[key]
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _shared[key]
    entry[0].close()
