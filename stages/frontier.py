"""Crawls on the shared Redis frontier: a local Redis, N crawler workers and the one writer.

`pipeline.py crawl --frontier URL` is one worker and `pipeline.py store --frontier URL` the writer
(crawler/redis_*.py, store/writer.py). `nightly --workers N` and `demo --workers N` use
`run_workers`: it starts a Redis of its own on a free loopback port (unless given a frontier),
the writer and N workers as child processes, waits for the workers, then lets the writer store
everything they sent and stop. It prints the frontier it uses.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import redis

from progress import Progress
from crawler.frontier import frontier_runs
from store import open_database
from store.outbox import OUTBOX, WRITER, Outbox, connect, mark_key
from store.writer import Writer, WriterStats

log = logging.getLogger("pipeline.frontier")

ROOT = Path(__file__).resolve().parent.parent
# `pipeline.py crawl` exits 1 when some request failed; anything else means the crawl broke.
CRAWL_EXIT_CODES = (0, 1)


class RedisUnavailable(RuntimeError):
    """No redis-server to start, or it did not answer; the message says how to get one."""


@contextmanager
def local_redis(timeout: float = 10.0) -> Iterator[str]:
    """Run a private redis-server on a free loopback port, without persistence, while the block runs.

    :param timeout: how long to wait for it to answer
    :return: its URL, `redis://127.0.0.1:PORT/0`
    :raises RedisUnavailable: when redis-server is missing or does not start
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable("redis-server is not installed (Debian: apt-get install redis-server; "
                               "scripts/system-deps.sh installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--daemonize", "no", "--loglevel", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RedisUnavailable(f"redis-server on port {port} did not start: "
                                           f"{process.stderr.read() if process.poll() is not None else 'no answer'}")
                time.sleep(0.05)
        yield url
    finally:
        _stop(process)


def run_writer(db_path: Path, url: str, batch_size: int = 500) -> WriterStats:
    """`pipeline.py store --frontier URL`: drain the frontier's outbox into the database until a
    `stop` message, SIGTERM or SIGINT (which end it once the current batch is committed).

    :param db_path: SQLite database (created if missing)
    :param url: the frontier's Redis URL
    :param batch_size: messages per transaction at most
    :raises store.writer.WriterBusy: when another writer stores this frontier's outbox
    """
    progress = Progress(f"{db_path}: articles stored from the outbox", interval=5.0)
    writer = Writer(open_database(db_path), connect(url), f"{socket.gethostname()}-{os.getpid()}", batch_size,
                    on_stored=lambda stored, failed: progress.advance(stored, failed=failed))
    previous = {sig: signal.signal(sig, lambda signum, frame: writer.stop()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return writer.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        progress.close()


@dataclass
class WorkersResult:
    """How a crawl on the frontier ended.

    :param exit_code: the worst worker exit code (0, 1 = some requests failed), or the writer's
        or a worker's own code when one broke
    :param frontier: the Redis URL used
    :param output: the workers' standard output (their per-site lines), then the writer's summary
    """

    exit_code: int
    frontier: str
    output: str


def run_workers(worker_command: list[str], workers: int, db_path: Path, frontier: str | None = None,
                emit: Callable[[str], None] | None = None, pass_fds: tuple[int, ...] = ()) -> WorkersResult:
    """Crawl with `workers` processes on a shared frontier and one writer into `db_path`.

    The writer is started here unless the frontier has one already (`pipeline.py store`, e.g. the
    vntrain-writer service, which must then store into the same database): then this waits until
    it has stored everything the workers sent.

    :param worker_command: the `pipeline.py crawl …` command line of one worker, without --frontier
    :param workers: how many workers
    :param db_path: the database the writer stores into
    :param frontier: a Redis URL to use; None starts a private one for this crawl
    :param emit: receives every output line of the children (log and report); None leaves their
        log on this process's stderr
    :param pass_fds: file descriptors the children inherit (the nightly lock)
    """
    say = emit or (lambda line: print(line, file=sys.stderr, flush=True))
    with (local_redis() if frontier is None else _given(frontier)) as url:
        server = connect(url)
        running = server.get(WRITER)
        say(f"frontier {url}: {workers} crawler workers; "
            + (f"writer {running.decode()} stores their articles" if running else f"a writer into {db_path}"))
        children = _Children(emit, pass_fds)
        writer = None if running else children.start(
            "writer", [sys.executable, str(ROOT / "pipeline.py"), "store", "--frontier", url, "--db", str(db_path)])
        if not any(arg.startswith("CRAWL_RUN_ID=") for arg in worker_command):
            # One run id for all: a worker that starts late joins the run instead of crawling again.
            worker_command = [*worker_command, "-s", "CRAWL_RUN_ID=" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")]
        crawlers = [children.start(f"worker {n}", [*worker_command, "--frontier", url]) for n in range(1, workers + 1)]
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: children.signal_all(signum))
        try:
            codes = [crawler.wait() for crawler in crawlers]
            # Everything the workers sent is in the outbox before this message: the writer stores
            # it all, then says so (and stops, if it is this crawl's own).
            mark = uuid.uuid4().hex
            Outbox(server).push({"kind": "stop" if writer else "mark", "mark": mark})
            writer_code = writer.wait() if writer else _wait_for(server, mark_key(mark))
        finally:
            signal.signal(signal.SIGTERM, previous)
            children.finish()
        left = frontier_runs(server)
        say(f"frontier {url}: workers exited {codes}, writer {writer_code}; {server.llen(OUTBOX)} messages "
            f"left in the outbox; {len(left)} site runs unfinished"
            + "".join(f"\n  {run['site']}: {run['queued']} queued, {run['in_flight']} in flight" for run in left))
    broken = [code for code in codes if code not in CRAWL_EXIT_CODES] + ([writer_code] if writer_code else [])
    return WorkersResult(broken[0] if broken else max(codes, default=0), url, children.output())


@contextmanager
def _given(url: str) -> Iterator[str]:
    connect(url).ping()
    yield url


def _wait_for(server: redis.Redis, key: str, poll_seconds: float = 0.5) -> int:
    """Wait until the running writer sets `key`; 0 then, 1 if that writer went away first."""
    while not server.exists(key):
        if not server.exists(WRITER):
            log.error("the frontier's writer stopped before storing this crawl's articles")
            return 1
        time.sleep(poll_seconds)
    return 0


class _Children:
    """Child processes whose output lines are copied, each with its name, as they come."""

    def __init__(self, emit: Callable[[str], None] | None, pass_fds: tuple[int, ...]) -> None:
        self.emit = emit
        self.pass_fds = pass_fds
        self.processes: list[subprocess.Popen] = []
        self.threads: list[threading.Thread] = []
        self.stdout: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, pass_fds=self.pass_fds,
                                   stderr=subprocess.STDOUT if self.emit else None)
        self.processes.append(process)
        self.stdout[name] = []
        thread = threading.Thread(target=self._copy, args=(name, process), daemon=True)
        thread.start()
        self.threads.append(thread)
        return process

    def _copy(self, name: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with self._lock:
                self.stdout[name].append(line.rstrip("\n"))
                if self.emit:
                    self.emit(f"[{name}] {line.rstrip()}")

    def signal_all(self, signum: int) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signum)

    def finish(self) -> None:
        """Make sure no child outlives the crawl (after a failure here), and collect its output."""
        for process in self.processes:
            _stop(process, grace_s=30)
        for thread in self.threads:
            thread.join(timeout=10)

    def output(self) -> str:
        """Every child's output, child by child, each line after its child's name."""
        return "\n".join(f"[{name}] {line}" for name, lines in self.stdout.items() for line in lines)


def _stop(process: subprocess.Popen, grace_s: float = 10) -> None:
    """End a child that is still running: SIGTERM, then SIGKILL after `grace_s` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
