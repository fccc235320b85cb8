"""The crawler's memory of links that gave no article: dead, skipped or failed, with a backoff.

A link that answered 404 is not new on the next night, so an incremental crawl still stops at the
first listing page without anything new; it is checked again after a backoff that doubles with
every attempt, and stored as an article if it comes back. The same holds for a skip (not HTML,
robots.txt, size cap) and a failure (5xx, time-out, redirect loop, unreadable page), with a shorter
first wait: a portal's transient error page must not lose an article for good.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from store.database import write_transaction

DEAD, SKIPPED, FAILED = "dead", "skipped", "failed"


@dataclass(frozen=True)
class UrlState:
    """What the crawler remembers about one link.

    :param url: canonical URL
    :param site: domain
    :param fetch_url: the address last requested
    :param state: dead, skipped or failed
    :param reason: what the last attempt answered
    :param attempts: attempts in a row without an article
    :param first_seen: first failed attempt (ISO 8601 UTC)
    :param last_checked: latest attempt
    :param next_check: not due before this time
    """

    url: str
    site: str
    fetch_url: str
    state: str
    reason: str
    attempts: int
    first_seen: str
    last_checked: str
    next_check: str

    def due(self, now: str) -> bool:
        """Whether the backoff has passed at `now` (ISO 8601 UTC)."""
        return self.next_check <= now


_COLUMNS = ("url", "site", "fetch_url", "state", "reason", "attempts", "first_seen", "last_checked", "next_check")


def backoff_hours(attempts: int, first_hours: float, max_hours: float) -> float:
    """The wait after the `attempts`-th failed attempt in a row: doubling from `first_hours`, capped.

    :param attempts: failed attempts so far (1 for the first)
    :param first_hours: wait after the first attempt
    :param max_hours: longest wait
    """
    return min(max_hours, first_hours * 2 ** max(0, min(attempts, 64) - 1))


def remembered_urls(db: sqlite_utils.Database, site: str) -> dict[str, UrlState]:
    """Every remembered link of a site, by canonical URL.

    :param db: open database
    :param site: domain
    """
    rows = db.execute(f"select {', '.join(_COLUMNS)} from url_states where site = ?", [site])
    return {row[0]: UrlState(*row) for row in rows}


def remember_url(db: sqlite_utils.Database, url: str, site: str, fetch_url: str, state: str, reason: str,
                 now: str, wait_hours: tuple[float, float]) -> UrlState:
    """Record one more attempt at a link that gave no article, and when to try it again.

    :param db: open database
    :param url: canonical URL
    :param site: domain
    :param fetch_url: the address requested
    :param state: dead, skipped or failed; a change of state restarts the count
    :param reason: what it answered, e.g. "HTTP 404"
    :param now: time of the attempt (ISO 8601 UTC)
    :param wait_hours: (first wait, longest wait) of the backoff for this state
    :return: the new state; `attempts == 1` the first time (that is when it is reported)
    """
    with write_transaction(db):
        row = db.execute(f"select {', '.join(_COLUMNS)} from url_states where url = ?", [url]).fetchone()
        memory = next_url_state(UrlState(*row) if row else None, url, site, fetch_url, state, reason, now, wait_hours)
        db.execute("insert or ignore into sites (domain, name) values (?, ?)", [site, site])
        db.execute(f"insert or replace into url_states ({', '.join(_COLUMNS)}) values "
                   f"({', '.join(['?'] * len(_COLUMNS))})", [getattr(memory, c) for c in _COLUMNS])
    return memory


def next_url_state(before: UrlState | None, url: str, site: str, fetch_url: str, state: str, reason: str,
                   now: str, wait_hours: tuple[float, float]) -> UrlState:
    """A link's memory after one more attempt without an article (pure: `remember_url` stores it;
    a frontier worker, which has no database, keeps it for the rest of its run).

    :param before: the link's memory before this attempt, or None
    :return: see `remember_url`; the other parameters too
    """
    same = before is not None and before.state == state
    attempts = before.attempts + 1 if same else 1
    first_seen = before.first_seen if same else now
    wait = backoff_hours(attempts, *wait_hours)
    next_check = (datetime.fromisoformat(now) + timedelta(hours=wait)).isoformat(timespec="seconds")
    return UrlState(url, site, fetch_url, state, reason, attempts, first_seen, now, next_check)


def forget_url(db: sqlite_utils.Database, url: str) -> None:
    """Drop a link from the memory: it gave an article at last.

    :param db: open database
    :param url: canonical URL
    """
    with db.atomic():
        db.execute("delete from url_states where url = ?", [url])


def checked_between(db: sqlite_utils.Database, site: str, since: str, until: str) -> list[UrlState]:
    """The site's remembered links attempted between two times (a run's window), oldest first.

    :param db: open database
    :param site: domain
    :param since: ISO 8601 UTC
    :param until: ISO 8601 UTC
    """
    rows = db.execute(f"select {', '.join(_COLUMNS)} from url_states where site = ? and last_checked between ? and ? "
                      "order by last_checked, url", [site, since, until])
    return [UrlState(*row) for row in rows]
