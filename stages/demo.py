"""Demo stage: crawl the bundled sample portal on loopback with the real spider, then summarise.

The crawl runs in a child process (`pipeline.py crawl`) while this process serves the portal, so
the server thread never competes with the crawler's reactor and a failed crawl cannot take the
server down with it.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from siteconfig import ROOT
from stages.sample_server import SamplePortalServer
from store import open_database

SAMPLE_PORTAL = ROOT / "data" / "sample_portal"
# Loopback needs no politeness delay; retries stay, with short pauses.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "1",
                 "RETRY_TIMES": "2", "RETRY_BACKOFF_BASE": "0.2", "DOWNLOAD_TIMEOUT": "10",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


def run_demo(db_path: Path, portal: Path = SAMPLE_PORTAL, workers: int = 1, frontier: str | None = None) -> str:
    """Crawl every sample site into `db_path` and return the printable summary.

    :param db_path: SQLite database (created if missing; a second run adds nothing new)
    :param portal: sample portal directory (with its `sites/` configs)
    :param workers: crawler processes; more than 1 (or a frontier) crawls on a shared Redis
        frontier with one writer (stages/frontier.py)
    :param frontier: Redis URL of that frontier (None: a private local Redis)
    """
    with SamplePortalServer(portal) as server:
        command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(db_path),
                   "--sites-dir", str(portal / "sites"), "--proxy", server.proxy,
                   "-s", f"WARC_DIR={db_path.parent / 'archive' / 'demo'}", "-s", "LOG_LEVEL=WARNING"]
        for name, value in DEMO_SETTINGS.items():
            command += ["-s", f"{name}={value}"]
        # The crawl's log (progress, the sample's deliberate 404/500 pages) goes to the terminal.
        if workers > 1 or frontier:
            from stages.frontier import run_workers

            crawl = run_workers(command, workers, db_path, frontier)
            returncode, output = crawl.exit_code, f"frontier {crawl.frontier}, {workers} workers:\n{crawl.output}"
        else:
            returncode, output = run_stoppable(command)
    if returncode not in (0, 1):  # 1 = some pages failed, which the sample portal does on purpose
        raise RuntimeError(f"demo crawl failed (exit {returncode}); its log is above")
    return "\n".join(["Crawl (sample portal on loopback):", output.rstrip(), "", summary(db_path), "",
                      "Next (README, Quick start):", *(f"  {command}" for command in next_commands(db_path))])


# What to do with the demo database; README's "Quick start" shows the same commands.
NEXT_COMMANDS = (
    "{cli} status --db {db}",
    "{cli} export events --db {db} --output events.csv",
    "{cli} serve --db {db}",
)


def next_commands(db_path: Path) -> list[str]:
    """The quick-start commands for this database, with the console script of this installation.

    :param db_path: the demo database
    """
    cli = _shown(Path(sys.executable).parent / "vntrain")
    return [command.format(cli=cli, db=_shown(db_path)) for command in NEXT_COMMANDS]


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    path = Path(path).absolute()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


class Stopped(SystemExit):
    """The demo got SIGTERM or SIGINT; its children have ended. Exit code 128 + the signal."""


def run_stoppable(command: list[str], grace_s: float = 20.0) -> tuple[int, str]:
    """Run a child to its end, or stop it when this process is told to stop.

    The child runs in its own session, so a Ctrl-C reaches only this process, which then sends
    the child one SIGTERM (Scrapy stops gracefully on the first and abruptly on a second) and
    waits up to `grace_s` seconds before killing it. Then `Stopped` is raised, and the caller's
    `with` blocks (the sample server) end too.

    :param command: the child's command line
    :param grace_s: how long the child may take to stop
    :return: exit code and standard output of a child that ended by itself
    """
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True) as child:
        received: list[int] = []
        deadline: float | None = None

        def stop(signum: int, frame: object) -> None:
            if received:
                child.kill()  # asked twice: no more waiting
            else:
                child.send_signal(signal.SIGTERM)
            received.append(signum)

        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            while True:
                try:
                    output, _ = child.communicate(timeout=1.0)
                    break
                except subprocess.TimeoutExpired:
                    if received and time.monotonic() > (deadline := deadline or time.monotonic() + grace_s):
                        child.kill()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if received:
            raise Stopped(128 + received[0])
        return child.returncode, output


def summary(db_path: Path) -> str:
    """Articles, events and participants by province in the database.

    :param db_path: SQLite database written by a crawl
    """
    db = open_database(db_path)
    try:
        articles = db.execute("select count(*), coalesce(sum(is_training), 0) from articles").fetchone()
        events = db.execute("select count(*) from events").fetchone()[0]
        errors = db.execute("select count(*) from errors").fetchone()[0]
        by_province = db.execute(
            "select coalesce(p.name, e.province_code, '(unknown)'), count(*), sum(e.participant_total), "
            "count(*) - count(e.participant_total) "
            "from events e left join places p on p.code = e.province_code "
            "group by 1 order by coalesce(sum(e.participant_total), 0) desc, 1").fetchall()
    finally:
        db.close()
    lines = [f"Database {db_path}: {articles[0]} articles ({articles[1]} about training), {events} events, "
             f"{errors} errors logged", "Participants by province (as stated; unknown where no count is given):"]
    for name, count, total, uncounted in by_province:
        stated = "unknown" if total is None else f"{total:,}"
        note = f" ({uncounted} of them without a count)" if uncounted and total is not None else ""
        events_word = "event " if count == 1 else "events"
        lines.append(f"  {name:30} {count:3} {events_word} {stated:>8} participants{note}")
    return "\n".join(lines)
