"""Nightly run: lock, crawl every active site incrementally, report each site's health.

The crawl itself is `pipeline.py crawl` (stages/crawl.run_crawl: fetch, archive, extract, store)
in a child process, so that a crash of the crawl still leaves this process to report it. The
child inherits the lock, so even if this process is killed alone the lock stays held until the
crawl has ended too: two crawls never write the same database at once.

A site whose config is invalid is reported failing and the others are crawled all the same.

Exit codes: 0 every site fine (ok or partial), 2 some site failing, 3 the run itself failed
(bad settings or family config, crawl crashed or killed, a site not crawled), 4 another run
holds the lock.
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

import sqlite_utils

from siteconfig import ConfigError, check_sites, load_sites
from stages.settings import ROOT, NightlySettings
from stages.status import (FAILING, INTERRUPTED, INVALID_CONFIG, NOT_STARTED, PARTIAL, SiteRun, run_notes,
                           run_report, site_health, summarise, table)
from store import open_database, record_crawl_run, utc_now

log = logging.getLogger("pipeline.nightly")

EXIT_OK, EXIT_SITES_FAILING, EXIT_RUN_FAILED, EXIT_LOCKED = 0, 2, 3, 4
# `pipeline.py crawl` exits 1 when some request failed; anything else means the crawl broke.
CRAWL_EXIT_CODES = (0, 1)


class LockHeld(RuntimeError):
    """Another run holds the lock; the message says which process and which file."""


@dataclass
class NightlyResult:
    """How a nightly run ended.

    :param exit_code: one of the EXIT_* codes
    :param run_id: crawl run id written to crawl_runs
    :param log_path: this run's log file
    :param report: the printable run report
    """

    exit_code: int
    run_id: str
    log_path: Path
    report: str


@contextmanager
def run_lock(path: Path) -> Iterator[IO[str]]:
    """Hold an exclusive flock on `path` (created if missing) while the block runs.

    The kernel drops the lock when its last holder exits, whatever the cause (crash, SIGKILL),
    so a stale lock file never blocks the next night.

    :param path: lock file
    :raises LockHeld: when another process holds it
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise LockHeld(f"another nightly run (pid {holder}) holds {path}; not starting") from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield handle
    finally:
        handle.close()


def crawl_command(settings: NightlySettings, sites_dir: Path, run_id: str, domains: list[str]) -> list[str]:
    """The `pipeline.py crawl` command line of a nightly run.

    :param settings: nightly settings
    :param sites_dir: directory of the site configs to crawl
    :param run_id: crawl run id, shared by every site's crawl_runs row
    :param domains: sites to crawl (not empty: no site means every site to `pipeline.py crawl`)
    """
    command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(settings.db),
               "--sites-dir", str(sites_dir)]
    for domain in domains:
        command += ["--site", domain]
    if settings.recheck_days is not None:
        command += ["--recheck-days", str(settings.recheck_days)]
    if settings.proxy:
        command += ["--proxy", settings.proxy]
    scrapy = {"CRAWL_RUN_ID": run_id, "WARC_DIR": settings.archive_dir,
              "CONCURRENT_REQUESTS": settings.concurrency, **settings.scrapy}
    if settings.contact_url:
        scrapy["CRAWL_CONTACT_URL"] = settings.contact_url
    for name, value in scrapy.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_nightly(settings: NightlySettings) -> NightlyResult:
    """Crawl every active site under the lock and report; never raises for a site's failure.

    :param settings: nightly settings
    :raises LockHeld: when another run holds the lock (nothing was done)
    """
    now = datetime.now(timezone.utc)
    run_id = "nightly-" + now.strftime("%Y%m%dT%H%M%SZ")
    log_path = settings.log_dir / f"nightly-{now:%Y%m%d-%H%M%S}.log"
    with run_lock(settings.lock_path) as lock:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as log_file, _logging_to(log_path):
            log.info("run %s: database %s, sites %s, log %s", run_id, settings.db, settings.sites_dir, log_path)
            try:
                exit_code, report = _crawl_and_report(settings, run_id, lock, log_file)
            except Exception as error:  # the report must still say why the night was lost
                log.exception("run %s failed", run_id)
                exit_code, report = EXIT_RUN_FAILED, f"Nightly run {run_id} failed: {type(error).__name__}: {error}"
            log_file.write(report + "\n")
            log.info("run %s ended with exit code %d", run_id, exit_code)
    return NightlyResult(exit_code, run_id, log_path, report)


def _crawl_and_report(settings: NightlySettings, run_id: str, lock: IO[str],
                      log_file: IO[str]) -> tuple[int, str]:
    """Run the crawl child over the valid active sites, then judge every site from the database."""
    started_at, started = utc_now(), time.monotonic()
    try:
        with valid_sites(settings.sites_dir) as (sites_dir, invalid):
            domains = sorted(domain for domain, site in load_sites(sites_dir).items() if site.status == "active")
            for problem in invalid.values():
                log.error("not crawled: %s", problem)
            if not domains and not invalid:
                return EXIT_RUN_FAILED, f"Nightly run {run_id} failed: no active site in {settings.sites_dir}"
            crawl_exit = (_run_crawl(crawl_command(settings, sites_dir, run_id, domains), settings, lock, log_file)
                          if domains else 0)
    except ConfigError as error:
        log.error("%s (run `pipeline.py sites check --sites-dir %s` for every problem)", error, settings.sites_dir)
        return EXIT_RUN_FAILED, f"Nightly run {run_id} failed: {error}"
    duration = time.monotonic() - started
    db = open_database(settings.db)
    try:
        missing = sorted(set(domains) - {run.site for run in run_report(db, run_id)})
        # Sites without their own crawl_runs row get one, so that status and streaks show them.
        for domain, status in [(d, NOT_STARTED) for d in missing] + [(d, INVALID_CONFIG) for d in invalid]:
            record_crawl_run(db, {"run_id": run_id, "site": domain, "started_at": started_at,
                                  "finished_at": utc_now(), "status": status})
        runs = run_report(db, run_id)
        report = format_report(db, run_id, runs, duration, crawl_exit)
    finally:
        db.close()
    if crawl_exit not in CRAWL_EXIT_CODES or missing or any(run.verdict == INTERRUPTED for run in runs):
        return EXIT_RUN_FAILED, report
    return (EXIT_SITES_FAILING if any(run.verdict == FAILING for run in runs) else EXIT_OK), report


@contextmanager
def valid_sites(sites_dir: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """The valid site configs of `sites_dir`, so that one broken file does not stop every site.

    Yields `sites_dir` itself when every file is valid, else a temporary directory linking only
    the valid files; and the problem of each invalid file, keyed by the file's name (the domain).

    :param sites_dir: directory of site configs
    :raises ConfigError: when no site can be loaded (e.g. a family config is invalid)
    """
    problems = check_sites(sites_dir)
    files = sorted(sites_dir.glob("*.yml"))
    # check_sites names the file first in each message ("<path>: ...").
    invalid = {path.stem: problem for path in files for problem in problems if problem.startswith(f"{path}:")}
    unplaced = [problem for problem in problems if not any(problem.startswith(f"{path}:") for path in files)]
    if unplaced:
        raise ConfigError(unplaced[0])
    if not invalid:
        yield sites_dir, {}
        return
    with tempfile.TemporaryDirectory(prefix="nightly-sites-") as folder:
        for path in files:
            if path.stem not in invalid:
                (Path(folder) / path.name).symlink_to(path.resolve())
        yield Path(folder), invalid


def _run_crawl(command: list[str], settings: NightlySettings, lock: IO[str], log_file: IO[str]) -> int:
    """Run the crawl: one child, or `settings.workers` workers on a Redis frontier and a writer."""
    if settings.workers <= 1 and not settings.frontier:
        return _run_crawl_child(command, lock, log_file)
    from stages.frontier import run_workers

    def emit(line: str) -> None:
        log_file.write(line + "\n")
        log_file.flush()
        sys.stderr.write(line + "\n")

    return run_workers(command, settings.workers, settings.db, settings.frontier, emit, (lock.fileno(),)).exit_code


def _run_crawl_child(command: list[str], lock: IO[str], log_file: IO[str]) -> int:
    """Run the crawl, copying its output line by line to the log file and to stderr.

    SIGTERM (systemctl stop, kill) is passed on to the crawl, which then stops gracefully:
    its sites are recorded as shut down and this process still writes the report.
    """
    log_file.write("$ " + " ".join(command) + "\n")
    log_file.flush()
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          pass_fds=(lock.fileno(),)) as child:
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
        try:
            for line in child.stdout:
                log_file.write(line)
                log_file.flush()
                sys.stderr.write(line)
            return child.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)


def format_report(db: sqlite_utils.Database, run_id: str, runs: list[SiteRun], duration_s: float,
                  crawl_exit: int) -> str:
    """The run report: totals, one line per site, the failing sites with their streaks, and for each
    site what could not be stored (dead links once, failures and skips with when they are tried again).

    :param db: open database (for the failing streaks)
    :param run_id: crawl run id
    :param runs: the run's judged site rows
    :param duration_s: wall time of the crawl
    :param crawl_exit: exit code of the crawl child
    """
    lines = [f"Nightly run {run_id}: crawl exit code {crawl_exit}, {duration_s:.0f} s"]
    if not runs:
        return "\n".join(lines + ["no site was crawled"])
    total = summarise(run_id, runs)
    lines.append(f"Totals: {total.sites} sites, {total.requests} requests, {total.new} new, {total.changed} changed, "
                 f"{total.failed} failed; {total.failing} sites failing, {total.interrupted} interrupted")
    lines.append(table(["site", "health", "requests", "new", "changed", "failed", "skipped", "duration_s",
                        "crawl status"],
                       [[r.site, r.verdict, r.requests, r.new, r.changed, r.failed, r.skipped, round(r.duration_s, 1),
                         r.crawl_status] for r in runs]))
    health = {h.last.site: h for h in site_health(db)}
    for run in runs:
        if run.verdict in (FAILING, INTERRUPTED):
            site = health[run.site]
            streak = f"failing {site.failing_runs} run(s) in a row, " if run.verdict == FAILING else ""
            lines.append(f"{run.verdict.upper()} {run.site}: {run.reason}; {streak}"
                         f"last good {site.last_good or 'never'}")
        elif run.verdict == PARTIAL:
            lines.append(f"PARTIAL {run.site}: {run.reason}")
        lines += [f"  {note}" for note in run_notes(db, run)]
    return "\n".join(lines)


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """Copy this process's log records to the run's log file while the run lasts."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
