"""The shared Redis frontier for real: a private redis-server, crawler workers and the writer as
`pipeline.py` processes, the sample portal served over loopback HTTP.

- two workers and the writer store exactly what one crawl process stores;
- a worker SIGKILLed mid-crawl loses nothing: its requests return to the queue, the other
  worker finishes, nothing is stored twice;
- a host's delay (DOWNLOAD_DELAY, robots.txt Crawl-delay) and concurrency hold across workers;
- `nightly --workers 2` reports each site's health as a single crawl would.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.redis_politeness import HostTurns
from crawler.warc import read_warc_record
from stages.frontier import local_redis, run_workers
from stages.sample_server import SamplePortalServer
from store import content_hash, open_database
from store.outbox import Outbox, connect, encode
from store.writer import Writer

ROOT = Path(__file__).resolve().parent.parent
TANDAN = "http://muonglat.thanhhoa.sample.test"
# Loopback: no politeness delay, quick retries; leases short so that a dead worker's requests
# come back within seconds.
# The extractor runs in a thread of each crawl (no process pool to start): the same records.
QUICK = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "RETRY_TIMES": "2", "RETRY_BACKOFF_BASE": "0.05",
         "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "INFO", "FRONTIER_LEASE_SECONDS": "2", "FRONTIER_POLL_SECONDS": "0.2",
         "CRAWL_EXTRACT_PROCESSES": "0"}
# What a crawl stores, compared without what must differ between two crawls: ids (the order of
# storing), fetch times and WARC locations (another fetch, another worker's file).
COMPARED_TABLES = ("articles", "article_versions", "events", "event_organizers", "mentions", "documents",
                   "programmes", "places", "errors", "sites")
NOT_COMPARED = {"id", "fetched_at", "warc_file", "warc_offset", "occurred_at", "replaced_at"}


@pytest.fixture
def redis_server() -> None:
    """Debian's redis-server: a test that needs it skips where it is missing, but fails under CI=true."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing (CI=true): scripts/system-deps.sh installs it")
        pytest.skip("redis-server is not installed (scripts/system-deps.sh installs it)")


@pytest.fixture
def frontier(redis_server: None) -> Iterator[str]:
    """A private redis-server on a free loopback port, for one test."""
    with local_redis() as url:
        yield url


def crawl_args(server: SamplePortalServer, db: Path, *args: str, **settings: str) -> list[str]:
    """`pipeline.py crawl` over the portal (extracting), with QUICK settings and any overrides."""
    command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
               str(server.root / "sites"), "--proxy", server.proxy, *args]
    for name, value in {**QUICK, "WARC_DIR": str(db.parent / "archive"), **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def writer_process(url: str, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "store", "--frontier", url, "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_writer(url: str, writer: subprocess.Popen) -> None:
    """Let the writer store everything sent so far, then end."""
    Outbox(connect(url)).push({"kind": "stop", "mark": "test"})
    _, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr[-3000:]


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def stored_rows(db: Path) -> dict[str, list[str]]:
    """Every compared table's rows, ids replaced by what they stand for (article URL, event number)."""
    tables = {}
    with sqlite3.connect(db) as connection:
        for table in COMPARED_TABLES:
            columns = [row[1] for row in connection.execute(f"pragma table_info([{table}])")]
            selected = []
            for column in columns:
                if column in NOT_COMPARED:
                    continue
                if column == "article_id":
                    selected.append("(select url from articles a where a.id = t.article_id)")
                elif column == "event_id":
                    selected.append("(select a.url || ' #' || e.event_no from events e join articles a "
                                    "on a.id = e.article_id where e.id = t.event_id)")
                else:
                    selected.append(f"t.[{column}]")
            tables[table] = sorted(map(repr, connection.execute(f"select {', '.join(selected)} from [{table}] t")))
    return tables


def assert_same_store(db: Path, reference: Path) -> None:
    got, expected = stored_rows(db), stored_rows(reference)
    for table in COMPARED_TABLES:
        assert got[table] == expected[table], (table, sorted(set(got[table]) ^ set(expected[table]))[:4])


def requests_per_worker(output: str) -> dict[tuple[str, str], int]:
    """(worker, site) -> requests, from the workers' per-site lines (`pipeline.py crawl` output)."""
    counts = {}
    for line in output.splitlines():
        if line.startswith("[worker ") and " requests, " in line:
            worker, rest = line[1:].split("] ", 1)
            site, figures = rest.split(": ", 1)
            counts[worker, site] = int(figures.split(" requests")[0])
    return counts


def test_two_workers_store_what_one_crawl_stores(portal: SamplePortalServer, frontier: str, tmp_path: Path) -> None:
    reference = tmp_path / "single" / "crawl.db"
    single = subprocess.run(crawl_args(portal, reference), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert single.returncode == 1, single.stderr[-3000:]  # the sample's 404 and 500 links fail on purpose

    # A short delay per host (shared by the workers) makes the crawl last long enough for both.
    db = tmp_path / "frontier" / "crawl.db"
    result = run_workers(crawl_args(portal, db, DOWNLOAD_DELAY="0.2"), 2, db, frontier, emit=lambda line: None)
    assert result.exit_code == 1, result.output[-3000:]
    assert result.frontier == frontier
    assert_same_store(db, reference)
    assert rows(db, "select count(*) from articles") == [(34,)] and rows(db, "select count(*) from events")[0][0] > 10

    # Both workers crawled; one run per site, its figures adding up both workers.
    counts = requests_per_worker(result.output)
    per_worker = {worker: sum(n for (w, _), n in counts.items() if w == worker) for worker in ("worker 1", "worker 2")}
    assert all(per_worker.values()), counts
    runs = rows(db, "select site, status, requests, new from crawl_runs order by site")
    assert [(site, status) for site, status, *_ in runs] == [(site, "finished") for site, *_ in
                                                             rows(reference, "select site from crawl_runs order by site")]
    assert {site: requests for site, _, requests, _ in runs} == {
        site: sum(n for (_, s), n in counts.items() if s == site) for site, *_ in runs}
    assert sum(new for *_, new in runs) == 34
    # Each worker archives into a folder of its own (<archive>/<worker>/<site>/<run>.warc.gz);
    # every article points to its raw response.
    workers = {Path(warc_file).parts[-3] for warc_file, in rows(db, "select warc_file from articles")}
    assert workers and all(re.fullmatch(r".+-\d+", worker) for worker in workers), workers
    for warc_file, offset in rows(db, "select warc_file, warc_offset from articles"):
        assert read_warc_record(ROOT / warc_file, offset)[2].startswith(b"<!DOCTYPE html>")

    # A second crawl of the unchanged portal is incremental: the stored articles the writer
    # published make every listing stop at its first page; no article is fetched again.
    before = len(portal.requests)
    again = run_workers(crawl_args(portal, db, CRAWL_EXTRACT="False"), 2, db, frontier, emit=lambda line: None)
    assert again.exit_code == 0, again.output[-3000:]
    fetched = [r.url for r in portal.requests[before:] if not r.url.endswith("/robots.txt")]
    stored = {url for url, in rows(db, "select url from articles")}
    assert fetched and not stored & set(fetched)
    assert len(fetched) == 6 + 2  # one listing page per site, plus the RSS feed and the sitemap
    assert rows(db, "select count(*) from articles") == [(34,)]
    assert rows(db, "select count(*) from article_versions") == [(0,)]
    assert rows(db, "select count(distinct run_id), count(*) from crawl_runs where status = 'finished'") == [(2, 12)]


def test_a_worker_killed_mid_crawl_loses_nothing(portal: SamplePortalServer, frontier: str, tmp_path: Path) -> None:
    site = ["--site", "muonglat.thanhhoa.sample.test"]
    reference = tmp_path / "single" / "crawl.db"
    assert subprocess.run(crawl_args(portal, reference, *site, CRAWL_EXTRACT="False"), cwd=ROOT, capture_output=True,
                          timeout=300).returncode == 0

    # The first worker's fetch of one article hangs, so it is certainly in flight when it is killed.
    hanging = f"{TANDAN}/portal/pages/tin-tuc-su-kien.aspx?p=1033"
    portal.faults[hanging] = ["sleep:60"]
    db = tmp_path / "frontier" / "crawl.db"
    writer = writer_process(frontier, db)
    while not connect(frontier).exists("vntrain:writer"):
        assert writer.poll() is None, writer.stderr.read()
        time.sleep(0.1)
    # One writer per frontier: a second one refuses, naming the first.
    second_writer = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "store", "--frontier", frontier, "--db",
                                    str(tmp_path / "other.db")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second_writer.returncode == 1 and "already stores this frontier's outbox" in second_writer.stderr
    first = subprocess.Popen(crawl_args(portal, db, *site, "--frontier", frontier, DOWNLOAD_TIMEOUT="120",
                                        FRONTIER_WORKER="first", CRAWL_EXTRACT="False"),
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = None
    try:
        server = connect(frontier)
        in_flight = "vntrain:site:muonglat.thanhhoa.sample.test:inflight:requests"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None:
            held = server.hgetall(in_flight)
            if any(token.startswith(b"first:") and b"p=1033" in data for token, data in held.items()) \
                    and db.exists() and rows(db, "select count(*) from articles")[0][0] >= 3:
                break
            time.sleep(0.1)
        assert first.poll() is None, "the first worker ended before it could be killed"
        stored_before_kill = rows(db, "select count(*) from articles")[0][0]
        assert 3 <= stored_before_kill < 6
        second = subprocess.Popen(crawl_args(portal, db, *site, "--frontier", frontier, FRONTIER_WORKER="second",
                                             CRAWL_EXTRACT="False"), cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        stdout, stderr = second.communicate(timeout=180)
        assert second.returncode == 0, stderr[-3000:]
        assert "requests of a stopped worker went back to the queue" in stderr, stderr[-3000:]
        stop_writer(frontier, writer)
    finally:
        for process in (first, second, writer):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    # The hanging article was fetched again by the second worker, and nothing was stored twice.
    assert [r.url for r in portal.requests].count(hanging) >= 1
    assert_same_store(db, reference)
    assert rows(db, "select count(*) from article_versions") == [(0,)]
    assert rows(db, "select status, new from crawl_runs") == [("finished", 6)]
    for warc_file, offset in rows(db, "select warc_file, warc_offset from articles"):
        assert read_warc_record(ROOT / warc_file, offset)[2].startswith(b"<!DOCTYPE html>")


def arrival_gaps(server: SamplePortalServer, host: str) -> list[float]:
    """Seconds between consecutive requests to one host, as the server saw them arrive."""
    times = sorted(r.received_at for r in server.requests if r.url.startswith(f"http://{host}/"))
    return [later - earlier for earlier, later in zip(times, times[1:])]


def test_politeness_holds_across_workers(portal: SamplePortalServer, frontier: str, tmp_path: Path) -> None:
    delay = 0.6
    sites = ["sct.dongnai.sample.test", "thapmuoi.dongthap.sample.test"]
    robots = portal.root / "thapmuoi.dongthap.sample.test" / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8") + "\nCrawl-delay: 1\n", encoding="utf-8")
    db = tmp_path / "frontier" / "crawl.db"
    command = crawl_args(portal, db, "--site", sites[0], "--site", sites[1], DOWNLOAD_DELAY=str(delay),
                         RANDOMIZE_DOWNLOAD_DELAY="False", CONCURRENT_REQUESTS_PER_DOMAIN="2", CRAWL_EXTRACT="False")
    result = run_workers(command, 2, db, frontier, emit=lambda line: None)
    assert result.exit_code == 0, result.output[-3000:]
    assert rows(db, "select count(*) from articles") == [(12,)]
    # Both workers sent requests to both hosts (without the shared turns, their gaps would be
    # about half the delay: each worker keeps it only for its own requests).
    counts = requests_per_worker(result.output)
    assert all(counts.get((worker, site), 0) > 0 for worker in ("worker 1", "worker 2") for site in sites), counts
    # Arrival times at the server carry the jitter of a busy machine between a worker taking its
    # turn and the request reaching the server (tens of milliseconds under load); without the
    # shared turns the gaps would be about half the delay, far below this margin.
    jitter = 0.15
    dongnai = arrival_gaps(portal, sites[0])
    assert len(dongnai) >= 8 and min(dongnai) >= delay - jitter, dongnai
    # robots.txt's Crawl-delay: 1 holds too, from every worker, even one that had not read
    # robots.txt yet (the first gap is robots.txt -> the first page, before it was read).
    dongthap = arrival_gaps(portal, sites[1])
    assert len(dongthap) >= 8 and min(dongthap[1:]) >= 1 - jitter, dongthap


def test_host_turns_between_two_workers(frontier: str) -> None:
    """The host turns themselves, two workers' HostTurns on one real Redis: the longer delay of two
    workers holds, one request at a time holds, and a dead worker's place frees itself."""
    server = connect(frontier)

    async def scenario() -> None:
        first, second = HostTurns(server, "first", lease_seconds=0.6), HostTurns(server, "second", lease_seconds=0.6)
        # The first worker's delay (0.5 s) holds for the second, whose own delay is 0.
        first.give_back(await first.take("host.test", delay=0.5, concurrency=1))
        asked = time.monotonic()
        turn = await second.take("host.test", delay=0, concurrency=1)
        assert time.monotonic() - asked >= 0.45
        # One request in progress at a time (concurrency 1), whichever worker asks.
        waiting = asyncio.ensure_future(first.take("host.test", delay=0, concurrency=1))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        second.give_back(turn)
        turn = await asyncio.wait_for(waiting, 5)
        # The first worker dies holding its place (no renewal, no give-back): it frees itself
        # once its lease runs out.
        first.close()
        asked = time.monotonic()
        second.give_back(await asyncio.wait_for(second.take("host.test", delay=0, concurrency=1), 5))
        assert time.monotonic() - asked >= 0.4
        second.close()

    asyncio.run(scenario())


def test_a_writer_killed_mid_batch_stores_it_again_when_it_starts(frontier: str, tmp_path: Path,
                                                                 dev_records: list[tuple[dict, dict]]) -> None:
    """The batch a killed writer had taken (some of it committed) is stored when a writer starts
    again; what was committed already stays as it was."""
    server = connect(frontier)
    messages = [{"kind": "article", "run_id": "run", "site": "dev.test", "record": record,
                 "row": {"url": f"https://dev.test/{n}", "site": "dev.test", "title": record["title"],
                         "published": entry.get("published"), "body": entry["text"],
                         "content_hash": content_hash(entry["text"]), "fetched_at": "2026-01-01T00:00:00+00:00",
                         "http_status": 200}}
                for n, (entry, record) in enumerate(dev_records[:6])]
    db_path = tmp_path / "writer.db"
    # A first writer commits the first four, then is killed before it forgets its taken batch.
    Outbox(server).push(*messages[:4], {"kind": "stop", "mark": "first"})
    Writer(open_database(db_path), server, "first").run()
    committed = stored_rows(db_path)
    server.rpush("vntrain:outbox:taken", *map(encode, messages))
    Outbox(server).push({"kind": "stop", "mark": "second"})
    stats = Writer(open_database(db_path), server, "second").run()
    assert stats.articles == {"unchanged": 4, "new": 2}
    assert server.llen("vntrain:outbox:taken") == 0 and server.exists("vntrain:mark:second")
    again = stored_rows(db_path)
    assert [row for row in again["articles"] if "dev.test/4" not in row and "dev.test/5" not in row] \
        == committed["articles"]
    assert len(again["articles"]) == 6 and rows(db_path, "select count(*) from article_versions") == [(0,)]


def test_nightly_with_workers_reports_every_site(portal: SamplePortalServer, redis_server: None,
                                                 tmp_path: Path) -> None:
    """`nightly --workers 2` (its own Redis, workers and writer) judges sites as a single crawl does."""
    kept = {"baothainguyen.sample.test", "muonglat.thanhhoa.sample.test", "sontinh.quangngai.sample.test"}
    for config in (portal.root / "sites").glob("*.yml"):
        if config.stem not in kept:
            config.unlink()
    portal.faults.update({f"{TANDAN}/robots.txt": "status:503", f"{TANDAN}/portal/KenhTin/tin-tuc.aspx": "status:503"})
    config = tmp_path / "pipeline.toml"
    scrapy = "\n".join(f"{name} = {value!r}" for name, value in {**QUICK, "LOG_LEVEL": "WARNING"}.items())
    config.write_text(f'[nightly]\ndb = "{tmp_path}/training.db"\narchive_dir = "{tmp_path}/archive"\n'
                      f'sites_dir = "{portal.root}/sites"\nlog_dir = "{tmp_path}/logs"\nproxy = "{portal.proxy}"\n\n'
                      f"[nightly.scrapy]\n{scrapy}\n", encoding="utf-8")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("VNTRAIN_")}
    night = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "nightly", "--config", str(config),
                            "--workers", "2"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert night.returncode == 2, night.stdout + night.stderr[-3000:]  # Mường Lát is down: failing
    assert re.search(r"frontier redis://127\.0\.0\.1:\d+/0: 2 crawler workers", night.stderr)
    health = {line.split()[0]: line.split()[1] for line in night.stdout.splitlines() if line.split()[:1] and
              line.split()[0] in kept}
    assert health == {"baothainguyen.sample.test": "ok", "muonglat.thanhhoa.sample.test": "failing",
                      "sontinh.quangngai.sample.test": "partial"}, night.stdout
    run_id = re.search(r"Nightly run (\S+):", night.stdout)[1]
    assert rows(tmp_path / "training.db", "select site, new, status from crawl_runs where run_id = ? order by site",
                run_id) == [("baothainguyen.sample.test", 5, "finished"), ("muonglat.thanhhoa.sample.test", 0, "incomplete"),
                            ("sontinh.quangngai.sample.test", 5, "finished")]
