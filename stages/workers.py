"""Run a function over a stream of items in worker processes, results in input order.

Used for extraction and for making database rows (`store.prepare`) in `ingest` and `reextract`:
both are pure Python and bound by the CPU, so threads would share one core; processes use them all. The items are read and the
results consumed in the calling thread (which alone holds the database connection), a bounded
number of chunks ahead, so memory stays flat whatever the input's length.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK_SIZE = 16  # items per task: enough to make the cost of sending a task small
CHUNKS_AHEAD_PER_JOB = 4  # tasks in flight per worker, so no worker waits for the next
# How soon a worker's thread that reads its tasks or sends its results gets the GIL from the
# thread that runs them (Python's default: 5 ms). Each chunk crosses both: at the default, a
# worker preparing rows spent half its time waiting for its next chunk (bench_store at 100,000
# articles, one worker: 40 s -> 31 s with this; with chunks of 256 items, 21 s).
WORKER_SWITCH_INTERVAL = 0.0002
# Bounds the memory of items and results in flight (an article, its record and rows: ~50 KB): two
# default batches (2,000), so the workers prepare the next batches while one is written and do not
# run dry while the writer takes the results of one.
MAX_AHEAD = 4096
PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent dies
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # fcntl(2) command (Linux): a pipe's buffer size
# Container allocations between two young garbage collections, in the workers and, while they
# run, in this process (Python's default: 700). Items and results live for a chunk in a worker
# and for a batch here: collected every 700 allocations, most are still alive, and they are
# traced again and again as they age (a tenth of a worker's time when preparing rows, a sixth of
# the writer's when it receives them). Memory: a few MB more before a collection.
GC_THRESHOLD = 50_000


def worker_processes(jobs: int, writer_core: bool = False) -> int:
    """The number of worker processes a `--jobs` value asks for: 0 when the work runs in this
    process (`--jobs 1`).

    :param jobs: 1 (this process), N (N workers) or 0 (one per core)
    :param writer_core: whether this process needs a core of its own (it writes what cheap work
        makes, such as rows): then 0 leaves it one, and asks for at least one worker
    """
    if jobs == 1:
        return 0
    if jobs == 0 and writer_core:
        return max(1, resolve_jobs(0) - 1)
    return resolve_jobs(jobs)


def resolve_jobs(jobs: int) -> int:
    """The number of worker processes `jobs` asks for: 0 means one per CPU core.

    :param jobs: a positive count, or 0
    :raises ValueError: for a negative count
    """
    if jobs < 0:
        raise ValueError(f"--jobs must be 0 (every core) or more, not {jobs}")
    return jobs or os.cpu_count() or 1


def map_in_order(function: Callable[[Item], Result], items: Iterable[Item], processes: int = 0,
                 warm_up: Callable[[], object] | None = None, ahead: int = 0,
                 chunk_size: int = CHUNK_SIZE, help_when_waiting: bool = False) -> Iterator[Result]:
    """function(item) for every item, in the order of the items.

    Chunks of items go to the workers in turn, and their results are read back in the same turn,
    so they come back in order. Both are pickled and unpickled in the calling thread, between the
    caller's own work: this process runs no thread of its own. (With a thread that fed the
    workers and one that read their results, as a process pool has, a writer that runs many
    short SQLite steps lost the GIL to them after each step, and waited to get it back.) Each
    worker reads its chunks in a thread of its own, so sending never waits for a worker to
    finish what it is doing, and sends its results from another. With `help_when_waiting`, a
    chunk whose turn comes after every one sent may be run here instead, while the next result is
    not back: its results wait in the same turn as a worker's.

    :param function: a picklable (module-level) function; exceptions it raises end the run, so it
        should turn a per-item failure into a result
    :param items: consumed lazily in the calling thread
    :param processes: worker processes; 0 runs in this process (see `worker_processes`)
    :param warm_up: called once in this process before the workers start, so that what it loads
        (the extractor's reference data) is shared with them instead of loaded by each
    :param ahead: items to keep in the workers' hands beyond the ones they need anyway: a caller
        that stops reading for a while (to write a batch of `ahead` results) keeps them busy
    :param chunk_size: items per task; cheap work (making rows: ~0.15 ms an item) needs large
        chunks, or sending and receiving a chunk costs as much as the work
    :param help_when_waiting: when the next result is not back yet, this process makes the results
        of the next chunk itself instead of waiting (at most half as many chunks as are at the
        workers): for a caller with a core of its own whose work leaves it idle now and then (a
        writer of rows), so that its core's spare time is not lost; a chunk made here is not
        pickled either way
    :raises BrokenProcessPool: when a worker dies (killed, out of memory, a crash)
    """
    if processes < 0:
        raise ValueError(f"processes must be 0 (this process) or more, not {processes}")
    if processes == 0:
        yield from map(function, items)
        return
    if warm_up is not None:
        warm_up()
    context = multiprocessing.get_context("fork")  # the workers start with the loaded modules and data
    workers, finished = [], False
    # The workers' garbage collector never looks at what they inherit (the reference data): it
    # would spend their time on it at every full collection, and copy the pages it touches. They
    # inherit the threshold too.
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        for _ in range(processes):
            tasks_there, tasks_here = context.Pipe(duplex=False)
            results_here, results_there = context.Pipe(duplex=False)
            for connection in (tasks_here, results_here):
                _widen(connection)
            process = context.Process(target=_work, args=(function, os.getpid(), tasks_there, results_there),
                                      daemon=True)
            process.start()
            tasks_there.close()
            results_there.close()
            workers.append(_Worker(process, tasks_here, results_here))
        gc.unfreeze()  # the workers have forked: collect this process's objects again
        in_flight = processes * CHUNKS_AHEAD_PER_JOB + -(-min(ahead, MAX_AHEAD) // chunk_size)
        made_here_at_most = in_flight // 2 if help_when_waiting else 0
        # In order: the worker whose next result comes next, or the results of a chunk made here.
        pending: deque[_Worker | list] = deque()
        at_workers = made_here = turn = 0
        iterator = iter(items)
        while True:
            while at_workers < in_flight and (chunk := list(islice(iterator, chunk_size))):
                worker = workers[turn % processes]
                worker.send(chunk)
                pending.append(worker)
                at_workers, turn = at_workers + 1, turn + 1
            if not pending:
                break
            head = pending[0]
            if (isinstance(head, _Worker) and made_here < made_here_at_most and not head.ready()
                    and (chunk := list(islice(iterator, chunk_size)))):
                pending.append([function(item) for item in chunk])  # (the chunk after every one sent)
                made_here += 1
                continue
            pending.popleft()
            if isinstance(head, _Worker):
                at_workers -= 1
                yield from head.receive()
            else:
                made_here -= 1
                yield from head
        finished = True
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        for worker in workers:
            worker.stop(finished)


def _widen(connection) -> None:
    """Give a pipe the kernel's largest buffer (Linux: /proc/sys/fs/pipe-max-size, 1 MB by
    default, instead of 64 KB): a chunk of rows (1-4 MB pickled) then crosses in a few writes, not
    dozens, each of which waited for the worker's thread to read. At 300,000 articles the writer
    spent 1.3-4.0 s blocked sending chunks with 64 KB, 0.2 s with 1 MB (bench_store)."""
    try:
        with open("/proc/sys/fs/pipe-max-size") as limit:
            size = int(limit.read())
        fcntl.fcntl(connection.fileno(), F_SETPIPE_SZ, size)
    except (OSError, ValueError):  # not Linux, or a limit lower than asked: the default buffer
        pass


class _Worker:
    """One worker process and this process's ends of its pipes."""

    def __init__(self, process: multiprocessing.process.BaseProcess, tasks, results) -> None:
        self.process, self.tasks, self.results = process, tasks, results

    def send(self, chunk: list) -> None:
        try:
            self.tasks.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, ConnectionResetError) as error:
            raise self.died() from error

    def ready(self) -> bool:
        """Whether its next result has begun to arrive (reading it will not wait for the work)."""
        return self.results.poll()

    def receive(self) -> list:
        try:
            failure, results = pickle.loads(self.results.recv_bytes())
        except (EOFError, ConnectionResetError) as error:
            raise self.died() from error
        if failure is not None:
            raise RuntimeError(f"worker process {self.process.pid} failed: {failure}")
        return results

    def died(self) -> BrokenProcessPool:
        self.process.join(timeout=1)
        return BrokenProcessPool(f"worker process {self.process.pid} died (exit code {self.process.exitcode})")

    def stop(self, finished: bool) -> None:
        """End the worker: after its last result it is told to, and exits; when the caller stops
        early or fails, the chunks ahead are not worth finishing and it is killed."""
        if finished:
            try:
                self.tasks.send_bytes(pickle.dumps(None))
            except OSError:
                pass
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.tasks.close()
        self.results.close()


def _work(function: Callable[[Item], Result], parent: int, tasks, results) -> None:
    """A worker's life: chunks are read by one thread as they come (so the sender never waits),
    run in this one, and their results sent by a third (so a reader that is busy elsewhere does
    not hold up the next chunk)."""
    _die_with_parent(parent)
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    outbox: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while (chunk := pickle.loads(tasks.recv_bytes())) is not None:
                inbox.put(chunk)
        except (EOFError, OSError):  # the parent has gone
            pass
        inbox.put(None)

    def write() -> None:
        while (data := outbox.get()) is not None:
            try:
                results.send_bytes(data)
            except OSError:  # the parent stopped reading: it is ending the run
                return

    threads = [threading.Thread(target=read, daemon=True), threading.Thread(target=write, daemon=True)]
    for thread in threads:
        thread.start()
    while (chunk := inbox.get()) is not None:
        try:
            outbox.put(pickle.dumps((None, [function(item) for item in chunk]), protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as error:  # a bug in `function`: the run ends with it
            outbox.put(pickle.dumps((f"{type(error).__name__}: {error}", None)))
            break
    outbox.put(None)
    threads[1].join()
    os._exit(0)  # not the parent's exit handlers, inherited with fork


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
