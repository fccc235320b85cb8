"""Run a function over a stream of items in worker processes, results in input order.

Used for extraction and for making database rows (`store.prepare`) in `ingest` and `reextract`:
both are pure Python and bound by the CPU, so threads would share one core; processes use them all. The items are read and the
results consumed in the calling thread (which alone holds the database connection), a bounded
number of chunks ahead, so memory stays flat whatever the input's length.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK_SIZE = 16  # items per task: enough to make the cost of sending a task small
CHUNKS_AHEAD_PER_JOB = 4  # tasks in flight per worker, so no worker waits for the next
# Bounds the memory of items and results in flight (an article, its record and rows: ~50 KB); a
# whole default batch (2,000), so the workers prepare the next batch while one is written.
MAX_AHEAD = 2048
PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent dies
# Container allocations between two young garbage collections, in the workers and, while they
# run, in this process (Python's default: 700). Items and results live for a chunk in a worker
# and for a batch here: collected every 700 allocations, most are still alive, and they are
# traced again and again as they age (a tenth of a worker's time when preparing rows, a sixth of
# the writer's when it receives them). Memory: a few MB more before a collection.
GC_THRESHOLD = 50_000


def resolve_jobs(jobs: int) -> int:
    """The number of worker processes `jobs` asks for: 0 means one per CPU core.

    :param jobs: a positive count, or 0
    :raises ValueError: for a negative count
    """
    if jobs < 0:
        raise ValueError(f"--jobs must be 0 (every core) or more, not {jobs}")
    return jobs or os.cpu_count() or 1


def map_in_order(function: Callable[[Item], Result], items: Iterable[Item], jobs: int = 1,
                 warm_up: Callable[[], object] | None = None, ahead: int = 0) -> Iterator[Result]:
    """function(item) for every item, in the order of the items.

    :param function: a picklable (module-level) function; exceptions it raises end the run, so it
        should turn a per-item failure into a result
    :param items: consumed lazily in the calling thread
    :param jobs: worker processes; 1 runs in this process, 0 means one per core
    :param warm_up: called once in this process before the workers start, so that what it loads
        (the extractor's reference data) is shared with them instead of loaded by each
    :param ahead: items to keep in the workers' hands beyond the ones they need anyway: a caller
        that stops reading for a while (to write a batch of `ahead` results) keeps them busy
    """
    jobs = resolve_jobs(jobs)
    if jobs == 1:
        yield from map(function, items)
        return
    if warm_up is not None:
        warm_up()
    # fork: the workers start with the parent's loaded modules and data. They are started at the
    # first submit, from this thread, before the caller starts any other thread that uses them.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent,
                               initargs=(os.getpid(),))
    # The workers' garbage collector never looks at what they inherit (the reference data): it
    # would spend their time on it at every full collection, and copy the pages it touches. They
    # inherit the threshold too.
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        pending: deque[Future] = deque()
        iterator = iter(items)
        in_flight = jobs * CHUNKS_AHEAD_PER_JOB + -(-min(ahead, MAX_AHEAD) // CHUNK_SIZE)
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            pending.append(pool.submit(_apply, function, chunk))
            if len(pending) == 1:
                gc.unfreeze()  # the workers have forked (at the first submit): collect this process's objects again
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:  # also when the caller stops early or fails: the chunks ahead are not worth finishing
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        pool.shutdown(wait=True, cancel_futures=True)


def _apply(function: Callable[[Item], Result], chunk: list[Item]) -> list[Result]:
    return [function(item) for item in chunk]


def _die_with_parent(parent: int) -> None:
    """Have the kernel end this worker when its parent dies (SIGTERM, SIGKILL, a crash): the
    workers hold each other's end of the task queue, so without it they would wait forever."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the workers end when the pool shuts down
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
