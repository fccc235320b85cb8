"""Crawl health read from the database: what each run did and which sites are failing since when.

Every crawl writes one `crawl_runs` row per site (stages/crawl.py via the crawler's store
pipeline). A site's run is judged from that row and the errors logged for the site's pages:

- ok: the crawl finished without a failed request;
- partial: some requests failed, but the site answers and its pages parse (a dead link, say);
- failing: nothing was stored and either the listings could not be fetched (site down, every
  request failing) or pages were fetched but no article could be parsed or stored (changed
  layout, or a store bug);
- failing too: the site's config file is invalid, so it was not crawled;
- interrupted: the crawl was stopped or killed before it finished (not the site's fault).

`nightly` prints the same judgement for its run; `pipeline.py status` shows it for recent runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Callable

import sqlite_utils

OK, PARTIAL, FAILING, INTERRUPTED = "ok", "partial", "failing", "interrupted"
# crawl_runs statuses written by the nightly run for sites the crawl did not reach.
NOT_STARTED, INVALID_CONFIG = "not started", "invalid config"
GOOD = (OK, PARTIAL)
# Errors of a page that was fetched but yielded no stored article: reader.article.PageError
# messages (logged by the spider) and store's "not stored" (logged by save_article).
UNSTORED_PAGE_SQL = ("(stage = 'crawl' and (message like '%: no body text found' "
                     "or message like '%: not parseable as HTML:%')) or message like 'not stored:%'")


@dataclass
class SiteRun:
    """One site's share of a crawl run, judged.

    :param run_id: crawl run
    :param site: domain
    :param started_at: ISO 8601 UTC
    :param finished_at: ISO 8601 UTC, None while running (or when killed)
    :param requests: HTTP requests made
    :param new: articles stored for the first time
    :param changed: articles stored as a new version
    :param failed: requests or pages that failed
    :param duration_s: seconds
    :param crawl_status: what the crawler recorded (finished, incomplete, running, shutdown…)
    :param verdict: ok, partial, failing or interrupted
    :param reason: why a failing site is failing
    """

    run_id: str
    site: str
    started_at: str
    finished_at: str | None
    requests: int
    new: int
    changed: int
    failed: int
    duration_s: float
    crawl_status: str
    verdict: str = OK
    reason: str = ""


@dataclass
class SiteHealth:
    """A site's latest run and its failing streak.

    :param last: the site's most recent judged run
    :param failing_runs: consecutive failing runs up to the latest (interrupted runs are skipped)
    :param last_good: start (ISO 8601) of the latest ok or partial run, None if never
    """

    last: SiteRun
    failing_runs: int
    last_good: str | None


def judge(run: SiteRun, unstored_pages: Callable[[], int]) -> tuple[str, str]:
    """Verdict and reason for one site's run.

    :param run: the run's figures as recorded
    :param unstored_pages: counts the site's pages fetched but not parsed or stored since its last
        good run (a query, made only for a run that stored nothing yet finished with failures)
    """
    stored = run.new + run.changed
    if run.crawl_status == INVALID_CONFIG:
        return FAILING, "invalid site config (see `pipeline.py sites check`)"
    if run.crawl_status not in ("finished", "incomplete"):
        return INTERRUPTED, f"crawl ended with {run.crawl_status!r}"
    if stored == 0 and run.crawl_status == "incomplete":
        return FAILING, "listings unreachable (site down or every request failing)"
    if stored == 0 and run.failed and (unstored := unstored_pages()):
        return FAILING, f"pages fetched but no article parsed or stored ({unstored} pages; layout changed?)"
    return (PARTIAL if run.failed or run.crawl_status == "incomplete" else OK), ""


def site_runs(db: sqlite_utils.Database, site: str | None = None) -> list[SiteRun]:
    """Every recorded run of every site (or of one), oldest first per site, judged.

    :param db: open database
    :param site: only this domain
    """
    sql = ("select run_id, site, started_at, finished_at, coalesce(requests, 0), coalesce(new, 0), "
           "coalesce(changed, 0), coalesce(failed, 0), coalesce(duration_s, 0), coalesce(status, '?') from crawl_runs")
    params = []
    if site is not None:
        sql += " where site = ?"
        params.append(site)
    rows = [SiteRun(*row) for row in db.execute(sql + " order by site, started_at, id", params)]
    judged = []
    for domain, runs in groupby(rows, key=lambda run: run.site):
        last_good = ""
        for run in runs:
            # Only rows of runs that never ended lack finished_at; "9999" sorts after any ISO time.
            window = (last_good, run.finished_at or "9999")
            run.verdict, run.reason = judge(run, partial(_unstored_pages, db, domain, *window))
            if run.verdict in GOOD:
                last_good = run.started_at
            judged.append(run)
    return judged


def _unstored_pages(db: sqlite_utils.Database, domain: str, since: str, until: str) -> int:
    """Pages of the site fetched but not parsed or stored, logged between `since` and `until`.

    The errors table stores an identical (url, message) once, so a page that still fails is
    counted from its first failure: hence "since the last good run", not "during this run".
    """
    return db.execute(
        f"select count(*) from errors where occurred_at between ? and ? and ({UNSTORED_PAGE_SQL}) "
        "and (url like ? or url like ?)", [since, until, f"http://{domain}/%", f"https://{domain}/%"]).fetchone()[0]


def site_health(db: sqlite_utils.Database) -> list[SiteHealth]:
    """Latest run, failing streak and last good date of every site that was ever crawled.

    :param db: open database
    """
    health = []
    for _, group in groupby(site_runs(db), key=lambda run: run.site):
        runs = list(group)
        counted = [run for run in runs if run.verdict != INTERRUPTED]
        streak = 0
        for run in reversed(counted):
            if run.verdict != FAILING:
                break
            streak += 1
        good = [run.started_at for run in counted if run.verdict in GOOD]
        health.append(SiteHealth(runs[-1], streak, good[-1] if good else None))
    return health


def run_report(db: sqlite_utils.Database, run_id: str) -> list[SiteRun]:
    """The judged rows of one run, by site.

    :param db: open database
    :param run_id: crawl run id
    """
    return [run for run in site_runs(db) if run.run_id == run_id]


@dataclass
class RunSummary:
    """Totals of one run over its sites.

    :param run_id: crawl run id
    :param started_at: earliest site start (ISO 8601 UTC)
    :param sites: sites crawled
    :param requests: HTTP requests made
    :param new: new articles
    :param changed: changed articles
    :param failed: failed requests or pages
    :param failing: sites judged failing
    :param interrupted: sites whose crawl did not finish
    """

    run_id: str
    started_at: str
    sites: int
    requests: int
    new: int
    changed: int
    failed: int
    failing: int
    interrupted: int


def summarise(run_id: str, runs: list[SiteRun]) -> RunSummary:
    """Totals of one run's site rows.

    :param run_id: crawl run id
    :param runs: that run's judged site rows (not empty)
    """
    return RunSummary(run_id, min(run.started_at for run in runs), len(runs),
                      sum(run.requests for run in runs), sum(run.new for run in runs),
                      sum(run.changed for run in runs), sum(run.failed for run in runs),
                      sum(run.verdict == FAILING for run in runs), sum(run.verdict == INTERRUPTED for run in runs))


def recent_runs(db: sqlite_utils.Database, limit: int = 10) -> list[RunSummary]:
    """The latest runs, newest first.

    :param db: open database
    :param limit: how many runs
    """
    by_run: dict[str, list[SiteRun]] = {}
    for run in site_runs(db):
        by_run.setdefault(run.run_id, []).append(run)
    summaries = [summarise(run_id, runs) for run_id, runs in by_run.items()]
    return sorted(summaries, key=lambda summary: summary.started_at, reverse=True)[:limit]


def table(headers: list[str], rows: list[list[object]]) -> str:
    """Rows as aligned text columns, numbers right-aligned.

    :param headers: column titles
    :param rows: one list of cell values per row
    """
    cells = [headers] + [["" if value is None else str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = [any(isinstance(row[i], (int, float)) for row in rows) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        aligned = (cell.rjust(width) if numeric else cell.ljust(width)
                   for cell, width, numeric in zip(row, widths, right, strict=True))
        return "  ".join(aligned).rstrip()

    return "\n".join(line(row) for row in cells)


def _day(timestamp: str | None) -> str:
    """The date part of an ISO 8601 timestamp ("never" when there is none)."""
    return timestamp[:10] if timestamp else "never"


def format_status(db: sqlite_utils.Database, limit: int = 10) -> str:
    """The terminal view of `pipeline.py status`: recent runs, then every site's health.

    :param db: open database
    :param limit: how many runs to list
    """
    runs = recent_runs(db, limit)
    if not runs:
        return "No crawl recorded yet."
    run_rows = [[r.run_id, r.started_at[:16].replace("T", " "), r.sites, r.requests, r.new, r.changed, r.failed,
                 r.failing, r.interrupted] for r in runs]
    order = {FAILING: 0, INTERRUPTED: 1, PARTIAL: 2, OK: 3}
    health = sorted(site_health(db), key=lambda h: (order[h.last.verdict], -h.failing_runs, h.last.site))
    site_rows = [[h.last.site, h.last.verdict, h.failing_runs or "", _day(h.last_good), h.last.requests,
                  h.last.new, h.last.changed, h.last.failed, h.last.reason] for h in health]
    failing = sum(h.last.verdict == FAILING for h in health)
    return "\n".join([
        f"Last {len(runs)} runs:",
        table(["run", "started (UTC)", "sites", "requests", "new", "changed", "failed", "failing", "interrupted"],
              run_rows),
        "",
        f"Sites ({len(health)}, {failing} failing), latest run of each:",
        table(["site", "health", "failing runs", "last good", "requests", "new", "changed", "failed", "why"],
              site_rows),
    ])
