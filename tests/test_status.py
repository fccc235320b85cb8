"""Site health from crawl_runs and errors (stages/status.py) and `pipeline.py status`, on real SQLite."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from stages.status import FAILING, INTERRUPTED, OK, PARTIAL, recent_runs, site_health, site_runs
from store import open_database, record_crawl_run, record_error
from tests.conftest import run_pipeline

SITE = "xa.example.gov.vn"


def night(db: sqlite_utils.Database, day: int, status: str = "finished", new: int = 0, failed: int = 0,
          site: str = SITE) -> None:
    """Record one site's crawl on 2026-01-<day> as the crawler would."""
    record_crawl_run(db, {"run_id": f"nightly-{day:02d}", "site": site,
                          "started_at": f"2026-01-{day:02d}T01:00:00+00:00",
                          "finished_at": f"2026-01-{day:02d}T01:05:00+00:00", "requests": 10, "new": new,
                          "changed": 0, "failed": failed, "duration_s": 300.0, "status": status})


def log_error(db: sqlite_utils.Database, day: int, path: str, message: str, stage: str = "crawl") -> None:
    url = f"http://{SITE}/{path}"
    db.execute("insert into errors (url, stage, message, occurred_at) values (?, ?, ?, ?)",
               [url, stage, message.format(url=url), f"2026-01-{day:02d}T01:02:00+00:00"])
    db.conn.commit()


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_database(tmp_path / "training.db")


def verdicts(db: sqlite_utils.Database) -> list[str]:
    return [run.verdict for run in site_runs(db, SITE)]


def test_site_down_counts_failing_nights_and_keeps_the_last_good_date(db: sqlite_utils.Database) -> None:
    night(db, 1, new=3)
    night(db, 2, status="incomplete")             # robots.txt or listings unreachable, nothing stored
    night(db, 3, status="running")                # killed: not the site's fault, does not break the streak
    night(db, 4, status="incomplete")
    assert verdicts(db) == [OK, FAILING, INTERRUPTED, FAILING]
    (health,) = site_health(db)
    assert (health.failing_runs, health.last_good[:10], health.last.verdict) == (2, "2026-01-01", FAILING)


def test_dead_links_are_partial_but_pages_that_no_longer_parse_are_failing(db: sqlite_utils.Database) -> None:
    night(db, 1, new=2, failed=1)
    log_error(db, 1, "bai-da-go.html", "HTTP 404")
    night(db, 2, failed=1)                        # the same dead link, nothing new: the site is fine
    night(db, 3, failed=4)                        # the layout changed: pages fetched, none parsed
    for page in range(4):
        log_error(db, 3, f"bai-{page}.html", "{url}: no body text found")
    night(db, 4, failed=4)                        # the same pages fail again (errors are stored once)
    night(db, 5, new=1)                           # selectors fixed
    assert verdicts(db) == [PARTIAL, PARTIAL, FAILING, FAILING, OK]
    assert "no article parsed" in site_runs(db, SITE)[2].reason
    assert site_health(db)[0].failing_runs == 0


def test_articles_that_cannot_be_stored_make_a_site_failing(db: sqlite_utils.Database) -> None:
    night(db, 1, new=2)
    night(db, 2, failed=2)
    log_error(db, 2, "a.html", "not stored: TypeError: boom", stage="ingest")
    (health,) = site_health(db)
    assert (health.last.verdict, health.failing_runs, health.last_good[:10]) == (FAILING, 1, "2026-01-01")


def test_recent_runs_total_their_sites_newest_first(db: sqlite_utils.Database) -> None:
    night(db, 1, new=3)
    night(db, 1, new=1, failed=2, status="incomplete", site="other.example.gov.vn")
    night(db, 2, status="incomplete")
    first, second = recent_runs(db, limit=5)
    assert (first.run_id, first.sites, first.failing) == ("nightly-02", 1, 1)
    assert (second.sites, second.new, second.failed, second.failing) == (2, 4, 2, 0)
    assert recent_runs(db, limit=1) == [first]


def test_status_command_shows_runs_and_failing_sites_first(db: sqlite_utils.Database, tmp_path: Path) -> None:
    night(db, 1, new=3)
    night(db, 1, new=2, site="healthy.example.gov.vn")
    night(db, 2, status="incomplete")
    night(db, 2, new=1, site="healthy.example.gov.vn")
    record_error(db, f"http://{SITE}/robots.txt", "crawl", "HTTP 503")
    result = run_pipeline("status", "--db", str(tmp_path / "training.db"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Last 2 runs:" and lines[2].startswith("nightly-02 ")
    sites = lines[lines.index("Sites (2, 1 failing), latest run of each:") + 2:]
    assert sites[0].split()[:4] == [SITE, "failing", "1", "2026-01-01"]
    assert sites[1].split()[:2] == ["healthy.example.gov.vn", "ok"]


def test_status_command_without_database_says_so(tmp_path: Path) -> None:
    result = run_pipeline("status", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 1 and "no database at" in result.stderr


def test_skips_make_a_site_partial_and_a_site_that_never_stored_anything_failing(db: sqlite_utils.Database) -> None:
    record_crawl_run(db, {"run_id": "n1", "site": SITE, "started_at": "2026-01-01T01:00:00+00:00",
                          "finished_at": "2026-01-01T01:05:00+00:00", "new": 0, "failed": 0, "skipped": 5,
                          "status": "finished"})
    record_crawl_run(db, {"run_id": "n2", "site": SITE, "started_at": "2026-01-02T01:00:00+00:00",
                          "finished_at": "2026-01-02T01:05:00+00:00", "new": 2, "failed": 0, "skipped": 1,
                          "status": "finished"})
    record_crawl_run(db, {"run_id": "n3", "site": SITE, "started_at": "2026-01-03T01:00:00+00:00",
                          "finished_at": "2026-01-03T01:05:00+00:00", "new": 0, "failed": 0, "skipped": 0,
                          "status": "finished"})
    judged = site_runs(db, SITE)
    assert [(run.verdict, run.reason) for run in judged] == [
        (FAILING, "nothing of the site could be stored (5 skipped)"), (PARTIAL, "1 skipped"), (OK, "")]


def test_a_crawl_that_withheld_a_redesign_is_failing_with_its_examples(db: sqlite_utils.Database) -> None:
    night(db, 1, new=3)
    night(db, 2, status="layout_changed", failed=3)
    log_error(db, 2, "", "layout changed: 3 of 3 new pages are titled 'CỔNG THÔNG TIN' (e.g. http://x/a)")
    run = site_runs(db, SITE)[-1]
    assert run.verdict == FAILING
    assert run.reason == "layout changed: 3 of 3 new pages are titled 'CỔNG THÔNG TIN' (e.g. http://x/a)"
