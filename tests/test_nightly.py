"""`pipeline.py nightly` against a private copy of the sample portal on loopback, in subprocesses.

Nights are real runs of the command (lock, crawl child, report) into a real SQLite database; the
portal copy is edited between nights to publish, change and delete articles and to take a site down.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stages.sample_server import SamplePortalServer
from stages.nightly import EXIT_LOCKED, EXIT_OK, EXIT_RUN_FAILED, EXIT_SITES_FAILING

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_portal"
BAO, MUONGLAT, SONTINH = "baothainguyen.sample.test", "muonglat.thanhhoa.sample.test", "sontinh.quangngai.sample.test"
BAO_URL = f"http://{BAO}/xa-hoi"
# Canonical URLs: the newspaper family drops the trailing slash.
CHANGED = f"{BAO_URL}/201911/nang-cao-nang-luc-cho-cong-dong-o-cac-thon-ban-dac-biet-kho-khan-huyen-1032"
DELETED = f"{BAO_URL}/201906/tap-huan-ky-nang-tuyen-truyen-van-dong-dong-bao-vung-dan-toc-thieu-so-1019"
TEMPLATE = f"{BAO_URL}/202401/tham-gia-tap-huan-co-40-hoc-vien-la-can-bo-chi-1012"
HANGING = f"http://{MUONGLAT}/portal/pages/tin-tuc-su-kien.aspx?p=1033"
# Loopback: no politeness delay; one quick retry. Recheck every stored article each night, so a
# changed or deleted page is seen the next night.
CONFIG = """[nightly]
db = "{db}"
archive_dir = "{tmp}/archive"
sites_dir = "{portal}/sites"
log_dir = "{tmp}/logs"
proxy = "{proxy}"
concurrency = 8
recheck_days = 0

[nightly.scrapy]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_START_DELAY = 0
AUTOTHROTTLE_MAX_DELAY = 0.5
RETRY_TIMES = 1
RETRY_BACKOFF_BASE = 0.05
DOWNLOAD_TIMEOUT = 5
LOG_LEVEL = "WARNING"
"""


class GatedPortal(SamplePortalServer):
    """The sample server, except that requests for gated URLs wait until the test opens the gate:
    a run is held mid-crawl for exactly as long as the test needs, without timing guesses."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.gates: dict[str, threading.Event] = {}

    def next_action(self, url: str) -> str | None:
        if url in self.gates:
            self.gates[url].wait(timeout=120)
        return super().next_action(url)


def portal_copy(tmp_path: Path, sites: tuple[str, ...]) -> Path:
    """A copy of the sample portal whose sites/ holds only the given sites."""
    root = tmp_path / "portal"
    shutil.copytree(SAMPLE, root)
    for config in (root / "sites").glob("*.yml"):
        if config.stem not in sites:
            config.unlink()
    return root


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[GatedPortal]:
    with GatedPortal(portal_copy(tmp_path, (BAO, MUONGLAT, SONTINH))) as server:
        yield server


def write_config(server: SamplePortalServer, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "pipeline.toml"
    config.write_text(CONFIG.format(db=folder / "training.db", tmp=folder, portal=server.root, proxy=server.proxy),
                      encoding="utf-8")
    return config


def nightly_command(config: Path) -> list[str]:
    return [sys.executable, str(ROOT / "pipeline.py"), "nightly", "--config", str(config)]


# The operator's own VNTRAIN_* variables would override the test's config file.
CLEAN_ENV = {name: value for name, value in os.environ.items() if not name.startswith("VNTRAIN_")}


def start_nightly(config: Path, **popen: object) -> subprocess.Popen:
    return subprocess.Popen(nightly_command(config), cwd=ROOT, env=CLEAN_ENV, **popen)


def nightly(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(nightly_command(config), cwd=ROOT, env=CLEAN_ENV, capture_output=True, text=True,
                          timeout=180)


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def versions(db: Path) -> dict[str, int]:
    return dict(rows(db, "select url, version from articles"))


def report_line(report: str, site: str) -> list[str]:
    """The cells of a site's line in the report table."""
    return next(line.split() for line in report.splitlines() if line.startswith(site + " "))


def publish(portal: Path, number: int) -> str:
    """Add a new article to the newspaper sample site, linked first on its front listing page."""
    path = f"/xa-hoi/202411/lop-tap-huan-moi-cho-can-bo-co-so-so-{number}-{2000 + number}/"
    page = page_file(portal, TEMPLATE).read_text(encoding="utf-8")
    target = portal / BAO / path.strip("/") / "index.html"
    target.parent.mkdir(parents=True)
    # Every paragraph differs from the template's: two new articles, not one text under two addresses.
    target.write_text(page.replace("</p>", f" Lớp số {number}.</p>"), encoding="utf-8")
    listing = portal / BAO / "xa-hoi" / "index.html"
    html = listing.read_text(encoding="utf-8")
    listing.write_text(html.replace('<div class="list-news">',
                                    f'<div class="list-news"><div class="story"><a href="{path}">Lớp mới</a></div>', 1),
                       encoding="utf-8")
    return f"http://{BAO}{path}".rstrip("/")


def page_file(portal: Path, url: str) -> Path:
    return portal / url.removeprefix("http://") / "index.html"


def test_nights_with_new_changed_deleted_articles_and_a_site_down(portal: GatedPortal, tmp_path: Path) -> None:
    config = write_config(portal, tmp_path / "run")
    db = tmp_path / "run" / "training.db"

    first = nightly(config)
    assert first.returncode == EXIT_OK, first.stdout + first.stderr[-3000:]  # sontinh's dead links: partial
    night1 = versions(db)
    assert len(night1) == 5 + 6 + 5 and set(night1.values()) == {1}
    assert report_line(first.stdout, SONTINH)[1] == "partial"

    # Night 2: two new articles, one changed, one deleted (404 now), and Mường Lát down.
    added = [publish(portal.root, 1), publish(portal.root, 2)]
    changed = page_file(portal.root, CHANGED)
    changed.write_text(changed.read_text(encoding="utf-8").replace("</p>", " Bổ sung.</p>", 1), encoding="utf-8")
    page_file(portal.root, DELETED).unlink()
    portal.faults.update({f"http://{MUONGLAT}/robots.txt": "status:503",
                          f"http://{MUONGLAT}/portal/KenhTin/tin-tuc.aspx": "status:503"})
    second = nightly(config)
    assert second.returncode == EXIT_SITES_FAILING, second.stdout + second.stderr[-3000:]
    night2 = versions(db)
    # Exactly the expected rows: the new articles added, the changed one a version 2, the deleted
    # one kept as it was (the database is a record of what was published) with its 404 logged.
    assert night2 == {**night1, **dict.fromkeys(added, 1), CHANGED: 2}
    assert rows(db, "select url from article_versions") == [(CHANGED,)]
    assert rows(db, "select message from errors where url = ?", DELETED) == [("HTTP 404",)]
    health, _requests, new, changed, failed = report_line(second.stdout, BAO)[1:6]
    assert (health, new, changed, failed) == ("partial", "2", "1", "1")  # the deleted page failed
    assert report_line(second.stdout, MUONGLAT)[1] == "failing"
    night1_day = rows(db, "select min(started_at) from crawl_runs")[0][0][:10]
    assert re.search(rf"FAILING {re.escape(MUONGLAT)}: listings unreachable.*failing 1 run\(s\) in a row, "
                     rf"last good {night1_day}", second.stdout), second.stdout
    run_id = re.search(r"Nightly run (\S+):", second.stdout)[1]
    assert rows(db, "select site, new, changed, status from crawl_runs where run_id = ? order by site", run_id) == [
        (BAO, 2, 1, "finished"), (MUONGLAT, 0, 0, "incomplete"), (SONTINH, 0, 0, "finished")]
    log_file = Path(second.stderr.strip().splitlines()[-1].removeprefix("log: "))
    assert log_file.parent == tmp_path / "run" / "logs" and f"FAILING {MUONGLAT}" in log_file.read_text("utf-8")

    # Night 3: the site is back and is crawled again; nothing else changed.
    portal.faults.clear()
    since = len(portal.requests)
    third = nightly(config)
    assert third.returncode == EXIT_OK, third.stdout + third.stderr[-3000:]
    # Crawled in full (after an incomplete run the spider pages every listing to the end).
    assert f"http://{MUONGLAT}/portal/KenhTin/tin-tuc.aspx?PageIndex=3" in [r.url for r in portal.requests[since:]]
    assert report_line(third.stdout, MUONGLAT)[1] == "ok" and "FAILING" not in third.stdout
    assert versions(db) == night2


def article_and_event_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    articles = rows(db, "select url, version, content_hash from articles order by url")
    events = rows(db, "select a.url, e.event_no, e.is_primary, e.kind, e.start_date, e.end_date, "
                      "e.participant_total, e.province_code, e.programme_id from events e "
                      "join articles a on a.id = e.article_id order by a.url, e.event_no")
    return articles, events


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def stored_count(db: Path) -> int:
    try:
        return rows(db, "select count(*) from articles")[0][0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_killed_run_then_next_run_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    with GatedPortal(portal_copy(tmp_path, (BAO, MUONGLAT))) as server:
        reference = write_config(server, tmp_path / "reference")
        assert nightly(reference).returncode == EXIT_OK

        # One article hangs, so the run is certainly mid-crawl when every other article is stored.
        server.gates[HANGING] = threading.Event()
        config = write_config(server, tmp_path / "killed")
        db = tmp_path / "killed" / "training.db"
        process = start_nightly(config, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_for(lambda: stored_count(db) == 5 + 5, process, "the other articles were stored")
            os.killpg(process.pid, signal.SIGKILL)  # the whole run, crawl child included (power cut, OOM)
        finally:
            process.wait()
            server.gates[HANGING].set()
        assert stored_count(db) == 10

        rerun = nightly(config)
        assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr[-3000:]
    assert article_and_event_rows(db) == article_and_event_rows(tmp_path / "reference" / "training.db")
    assert article_and_event_rows(db)[1], "the sample articles yield events"


def test_two_runs_started_at_once_one_runs_one_exits_with_the_lock_code(tmp_path: Path) -> None:
    with GatedPortal(portal_copy(tmp_path, (MUONGLAT,))) as server:
        server.gates[HANGING] = threading.Event()  # whichever run gets the lock is held mid-crawl
        config = write_config(server, tmp_path / "run")
        runs = [start_nightly(config, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        try:
            deadline = time.monotonic() + 120
            while all(run.poll() is None for run in runs) and time.monotonic() < deadline:
                time.sleep(0.1)
            loser = next(run for run in runs if run.poll() is not None)
            assert loser.returncode == EXIT_LOCKED, loser.communicate()
            assert "another nightly run" in loser.communicate()[1]
        finally:
            server.gates[HANGING].set()
        winner = next(run for run in runs if run is not loser)
        out, err = winner.communicate(timeout=180)
        assert winner.returncode == EXIT_OK, out + err[-3000:]
    assert rows(tmp_path / "run" / "training.db", "select count(*) from articles") == [(6,)]


def test_a_site_with_a_broken_config_is_reported_and_the_others_are_crawled(tmp_path: Path) -> None:
    with GatedPortal(portal_copy(tmp_path, (MUONGLAT,))) as server:
        (server.root / "sites" / "broken.sample.test.yml").write_text("domain: broken.sample.test\nname: [\n",
                                                                       encoding="utf-8")
        config = write_config(server, tmp_path / "run")
        result = nightly(config)
    assert result.returncode == EXIT_SITES_FAILING, result.stdout + result.stderr[-3000:]
    _site, health, _requests, new = report_line(result.stdout, MUONGLAT)[:4]
    # Partial: its robots.txt refuses one linked page, a skip that is tried again on a later night.
    assert (health, new) == ("partial", "6")
    assert f"PARTIAL {MUONGLAT}: 1 skipped" in result.stdout
    assert re.search(r"skipped: http://\S+/print\.aspx\?p=9999 \(Forbidden by robots\.txt, tried again after ", result.stdout)
    assert report_line(result.stdout, "broken.sample.test")[1] == "failing"
    assert "FAILING broken.sample.test: invalid site config" in result.stdout
    assert "broken.sample.test.yml: cannot read YAML" in result.stderr


def test_a_stopped_run_still_reports_its_sites_as_interrupted(tmp_path: Path) -> None:
    with GatedPortal(portal_copy(tmp_path, (MUONGLAT,))) as server:
        server.gates[HANGING] = threading.Event()
        config = write_config(server, tmp_path / "run")
        db = tmp_path / "run" / "training.db"
        process = start_nightly(config, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: stored_count(db) == 5, process, "the other articles were stored")
            process.send_signal(signal.SIGTERM)  # systemctl stop: the nightly process only (KillMode=mixed)
        finally:
            server.gates[HANGING].set()
        out, err = process.communicate(timeout=120)
    assert process.returncode == EXIT_RUN_FAILED, out + err[-3000:]
    assert report_line(out, MUONGLAT)[1] == "interrupted"
    assert f"INTERRUPTED {MUONGLAT}: crawl ended with 'shutdown'" in out
    assert rows(db, "select status from crawl_runs") == [("shutdown",)]
