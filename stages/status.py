"""Crawl health read from the database: what each run did and which sites are failing since when.

Every crawl writes one `crawl_runs` row per site (stages/crawl.py via the crawler's store
pipeline). A site's run is judged from that row and the errors logged for the site's pages:

- ok: the crawl finished without a failed request or a skipped link;
- partial: some articles could not be stored (a dead link, a page that is not HTML, a robots.txt
  refusal, a page over the size cap), but the site answers and its pages parse;
- failing: nothing was stored and either the listings could not be fetched (site down, every
  request failing) or pages were fetched but no article could be parsed or stored (changed
  layout, or a store bug), or nothing of the site was ever stored though links were tried (only
  PDFs, a redirect loop on every article);
- failing, "layout changed": the crawl withheld the new pages because they looked like a changed
  layout (crawler/drift.py: one title for all, no dates, empty or identical bodies), with examples;
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

from store import UrlState, checked_between
from store.urls import DEAD, FAILED, SKIPPED
from store.corrections import stale_corrections

OK, PARTIAL, FAILING, INTERRUPTED = "ok", "partial", "failing", "interrupted"
# crawl_runs statuses written by the nightly run for sites the crawl did not reach.
NOT_STARTED, INVALID_CONFIG = "not started", "invalid config"
# The crawl's finish reason when it withheld pages that looked like a changed layout.
LAYOUT_CHANGED = "layout_changed"
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
    :param skipped: links skipped (not HTML, robots.txt, size cap), to be tried again
    :param verdict: ok, partial, failing or interrupted
    :param reason: why a site is failing or partial
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
    skipped: int = 0
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


def judge(run: SiteRun, unstored_pages: Callable[[], int], layout_change: Callable[[], str | None],
          ever_stored: bool) -> tuple[str, str]:
    """Verdict and reason for one site's run.

    :param run: the run's figures as recorded
    :param unstored_pages: counts the site's pages fetched but not parsed or stored since its last
        good run (a query, made only for a run that stored nothing yet finished with failures)
    :param layout_change: the run's "layout changed: …" message (a query, made for such a run only)
    :param ever_stored: whether any article of the site was stored, by this run or before
    """
    stored = run.new + run.changed
    if run.crawl_status == INVALID_CONFIG:
        return FAILING, "invalid site config (see `pipeline.py sites check`)"
    if run.crawl_status == LAYOUT_CHANGED:
        return FAILING, layout_change() or "layout changed: new pages withheld"
    if run.crawl_status not in ("finished", "incomplete"):
        return INTERRUPTED, f"crawl ended with {run.crawl_status!r}"
    if stored == 0 and run.crawl_status == "incomplete":
        return FAILING, "listings unreachable (site down or every request failing)"
    if stored == 0 and run.failed and (unstored := unstored_pages()):
        return FAILING, f"pages fetched but no article parsed or stored ({unstored} pages; layout changed?)"
    counts = ", ".join(f"{n} {what}" for n, what in ((run.failed, "failed"), (run.skipped, "skipped")) if n)
    if not ever_stored and counts:
        return FAILING, f"nothing of the site could be stored ({counts})"
    if run.failed or run.skipped or run.crawl_status == "incomplete":
        return PARTIAL, counts or "a listing page failed"
    return OK, ""


def site_runs(db: sqlite_utils.Database, site: str | None = None) -> list[SiteRun]:
    """Every recorded run of every site (or of one), oldest first per site, judged.

    :param db: open database
    :param site: only this domain
    """
    sql = ("select run_id, site, started_at, finished_at, coalesce(requests, 0), coalesce(new, 0), "
           "coalesce(changed, 0), coalesce(failed, 0), coalesce(duration_s, 0), coalesce(status, '?'), "
           "coalesce(skipped, 0) from crawl_runs")
    params = []
    if site is not None:
        sql += " where site = ?"
        params.append(site)
    rows = [SiteRun(*row) for row in db.execute(sql + " order by site, started_at, id", params)]
    judged = []
    for domain, runs in groupby(rows, key=lambda run: run.site):
        last_good = ""
        stored = db.execute("select count(*) from articles where site = ?", [domain]).fetchone()[0]
        for run in runs:
            stored += run.new + run.changed  # (also for sites whose runs were recorded by hand, as in tests)
            # Only rows of runs that never ended lack finished_at; "9999" sorts after any ISO time.
            window = (last_good, run.finished_at or "9999")
            run.verdict, run.reason = judge(run, partial(_unstored_pages, db, domain, *window),
                                            partial(_layout_change, db, domain, run.started_at, window[1]),
                                            stored > 0)
            if run.verdict in GOOD:
                last_good = run.started_at
            judged.append(run)
    return judged


def _layout_change(db: sqlite_utils.Database, domain: str, since: str, until: str) -> str | None:
    """The "layout changed: …" message the crawler logged for the site during a run, if any."""
    row = db.execute("select message from errors where stage = 'crawl' and message like 'layout changed:%' "
                     "and occurred_at between ? and ? and (url like ? or url like ?) order by occurred_at desc "
                     "limit 1", [since, until, f"http://{domain}%", f"https://{domain}%"]).fetchone()
    return row[0] if row else None


def run_notes(db: sqlite_utils.Database, run: SiteRun, examples: int = 3) -> list[str]:
    """What a run could not store, by kind, for the report: dead links found (reported once),
    failures, and skips (reported each time they are tried), with examples.

    :param db: open database
    :param run: one judged run
    :param examples: how many URLs to name per kind
    """
    if run.finished_at is None:
        return []
    tried = checked_between(db, run.site, run.started_at, run.finished_at)
    kinds = (("dead links", [m for m in tried if m.state == DEAD and m.attempts == 1]),
             ("failed", [m for m in tried if m.state == FAILED]),
             ("skipped", [m for m in tried if m.state == SKIPPED]))
    notes = []
    for label, links in kinds:
        if links:
            shown = "; ".join(_note(link) for link in links[:examples])
            more = f"; and {len(links) - examples} more" if len(links) > examples else ""
            notes.append(f"{label}: {shown}{more}")
    return notes


def _note(link: UrlState) -> str:
    again = "" if link.state == DEAD else f", tried again after {link.next_check[:16].replace('T', ' ')}"
    return f"{link.url} ({link.reason}{again})"


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
                  h.last.new, h.last.changed, h.last.failed, h.last.skipped, h.last.reason] for h in health]
    failing = sum(h.last.verdict == FAILING for h in health)
    lines = [
        f"Last {len(runs)} runs:",
        table(["run", "started (UTC)", "sites", "requests", "new", "changed", "failed", "failing", "interrupted"],
              run_rows),
        "",
        f"Sites ({len(health)}, {failing} failing), latest run of each:",
        table(["site", "health", "failing runs", "last good", "requests", "new", "changed", "failed", "skipped",
               "why"], site_rows),
    ]
    stale = len(stale_corrections(db))
    if stale:
        path = db.execute("pragma database_list").fetchone()[2]
        which = "1 correction no longer fits its article" if stale == 1 else \
            f"{stale} corrections no longer fit their article"
        lines += ["", f"{which} (the text changed): `vntrain corrections check --db {path}` lists them."]
    return "\n".join(lines)
