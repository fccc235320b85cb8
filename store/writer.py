"""The one writer of a Redis frontier: drain the workers' outbox into SQLite, publish the crawl state.

`pipeline.py store --frontier redis://HOST:PORT/N` runs it. Messages (store/outbox.py) are
applied in the order the workers pushed them, through the same idempotent save path as a
single-process crawl (`save_stream`, `mark_checked`, `record_error`, `record_crawl_run`), so the
database ends as a single-process crawl would leave it; only the articles' fetch times and WARC
locations differ (another fetch, another worker's file).

Taking a batch moves it to a second list in one Lua script and the list is cleared after its
commit: a writer killed mid-batch finds it there when it starts again and stores it again, which
changes nothing. What workers need before a run is published at start for every site without a
run in progress, and again for a site when its run's end is stored.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

import redis
import sqlite_utils

from store.articles import known_articles, mark_checked
from store.outbox import (OUTBOX, OUTBOX_TAKEN, PREFIX, STATE_READY, WRITER, decode, mark_key, pending_key,
                          publish_site, stats_key)
from store.runs import record_crawl_run, record_error, upsert_sites
from store.save import save_stream
from store.urls import forget_url, remember_url, remembered_urls

log = logging.getLogger("pipeline.writer")

_TAKE_BATCH = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('RPUSH', KEYS[2], unpack(items))
  redis.call('LTRIM', KEYS[1], #items, -1)
end
return items
"""


# Messages taken from the outbox at once, in transactions: enough to prepare one while another is written.
TAKEN_BATCHES = 4
# The one writer's claim on the frontier: renewed at every pass of its loop (at most a second
# apart); a killed writer's claim expires.
CLAIM_MS = 30_000
# Renew the claim if it is this writer's (ARGV: name, ms; 0 ms gives it up).
_KEEP_CLAIM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) == 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
"""


@dataclass
class WriterStats:
    """What a writer stored: messages by kind, articles by status."""

    messages: Counter = field(default_factory=Counter)
    articles: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.messages.items())) or "none"
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.articles.items())) or "none"
        return f"outbox messages stored: {kinds}; articles: {statuses}"


class WriterBusy(RuntimeError):
    """Another writer drains this frontier (there is one writer per frontier); the message names it."""


class Writer:
    """Drains the outbox of a frontier into one database.

    :param db: the open database
    :param server: the frontier's Redis client
    :param name: names this writer in the frontier (the one writer's claim)
    :param batch_size: messages per transaction at most
    :param on_stored: called after each commit of articles with (how many, how many failed)
    """

    def __init__(self, db: sqlite_utils.Database, server: redis.Redis, name: str, batch_size: int = 500,
                 on_stored: Callable[[int, int], None] = lambda stored, failed: None) -> None:
        self.db = db
        self.server = server
        self.name = name
        self.batch_size = batch_size
        self.on_stored = on_stored
        self.stats = WriterStats()
        self.stopping = False
        self._take = server.register_script(_TAKE_BATCH)
        self._keep_claim = server.register_script(_KEEP_CLAIM)

    def publish_all(self) -> None:
        """Publish what workers read before a run, for every site without a run in progress (a
        run in progress keeps the state it started from), then declare the state ready."""
        sites = [row[0] for row in self.db.execute("select domain from sites union select distinct site from articles")]
        for site in sites:
            if site and not self.server.exists(f"{PREFIX}:site:{site}:run"):
                self._publish(site)
        self.server.set(STATE_READY, datetime.now().isoformat(timespec="seconds"))
        log.info("published the crawl state of %d sites", len(sites))

    def _publish(self, site: str) -> None:
        publish_site(self.server, site, known_articles(self.db, site), remembered_urls(self.db, site),
                     self._last_run(site))

    def _last_run(self, site: str) -> dict | None:
        row = self.db.execute("select run_id, status from crawl_runs where site = ? order by started_at desc, id desc "
                              "limit 1", [site]).fetchone()
        return {"run_id": row[0], "status": row[1]} if row else None

    def run(self) -> WriterStats:
        """Store messages until a `stop` message or `stop()`; a batch that a killed writer had
        taken is stored first.

        :raises WriterBusy: when another writer holds the frontier
        """
        if not self.server.set(WRITER, self.name, nx=True, px=CLAIM_MS):
            raise WriterBusy(f"writer {self.server.get(WRITER).decode()} already stores this frontier's outbox")
        try:
            self._drain()
        finally:
            self._keep_claim(keys=[WRITER], args=[self.name, 0])
        return self.stats

    def _drain(self) -> None:
        self.publish_all()
        while not self.stopping:
            if not self._keep_claim(keys=[WRITER], args=[self.name, CLAIM_MS]):
                raise WriterBusy(f"writer {self.name} lost its claim on the frontier (stopped for {CLAIM_MS} ms?)")
            self._take(keys=[OUTBOX, OUTBOX_TAKEN], args=[TAKEN_BATCHES * self.batch_size])
            batch = self.server.lrange(OUTBOX_TAKEN, 0, -1)
            if batch:
                self._store(batch)
            else:  # wait for the next message without spinning (it lands in OUTBOX_TAKEN)
                self.server.blmove(OUTBOX, OUTBOX_TAKEN, 1.0, "LEFT", "RIGHT")

    def stop(self) -> None:
        """Stop once the batch being stored is committed (the rest stays in the outbox)."""
        self.stopping = True

    def _store(self, batch: list[bytes]) -> None:
        """Apply one batch in order, then forget it (it is in OUTBOX_TAKEN until then)."""
        articles: list[dict] = []
        urls: set[str] = set()
        for data in batch:
            try:
                message = decode(data)
            except ValueError as error:  # one bad message must not stop the others
                log.error("%s", error)
                record_error(self.db, None, "store", f"unreadable outbox message: {str(error)[:300]}")
                continue
            self.stats.messages[message["kind"]] += 1
            if message["kind"] == "article":
                if message["row"].get("url") in urls:
                    self._save(articles)  # one URL twice in a batch: store them one after the other
                    articles, urls = [], set()
                articles.append(message)
                urls.add(message["row"].get("url"))
                continue
            self._save(articles)
            articles, urls = [], set()
            self._apply(message)
        self._save(articles)
        self.server.delete(OUTBOX_TAKEN)

    def _save(self, messages: list[dict]) -> None:
        """Store articles with their records (a transaction per `batch_size`, the next prepared
        while one is written); count their statuses per run."""
        if not messages:
            return
        pairs = ((m["row"], m["record"]) for m in messages)
        statuses = [status for batch in save_stream(self.db, pairs, self.batch_size) for status in batch]
        with self.server.pipeline(transaction=False) as pipe:
            for message, status in zip(messages, statuses):
                status = status.split("+")[0]
                self.stats.articles[status] += 1
                pipe.hincrby(stats_key(message["run_id"], message["site"]), f"store/{status}", 1)
            pipe.execute()
        self.on_stored(len(messages), statuses.count("failed"))

    def _apply(self, message: dict[str, Any]) -> None:
        kind = message["kind"]
        if kind == "error":
            record_error(self.db, message["url"], message["stage"], message["message"])
        elif kind == "remember":
            remember_url(self.db, message["url"], message["site"], message["fetch_url"], message["state"],
                         message["reason"], message["now"], tuple(message["wait_hours"]))
        elif kind == "forget":
            forget_url(self.db, message["url"])
        elif kind == "site":
            upsert_sites(self.db, [message["site_row"]])
        elif kind == "checked":
            mark_checked(self.db, message["url"], message["fetched_at"])
        elif kind == "run_start":
            upsert_sites(self.db, [message["site_row"]])
            record_crawl_run(self.db, {"run_id": message["run_id"], "site": message["site"],
                                       "started_at": message["started_at"], "status": "running"})
        elif kind == "run_end":
            self._end_run(message)
        elif kind in ("mark", "stop"):
            # Everything sent before this message is stored: say so to whoever waits for it.
            if message.get("mark"):
                self.server.set(mark_key(message["mark"]), self.name, ex=3600)
            if kind == "stop":
                self.stop()
        else:
            log.error("unknown outbox message kind %r", kind)
            record_error(self.db, None, "store", f"unknown outbox message kind {kind!r}")

    def _end_run(self, message: dict[str, Any]) -> None:
        """Record a finished run from its figures, then publish the site's state for its next run."""
        run_id, site = message["run_id"], message["site"]
        figures = {key.decode(): int(value) for key, value in self.server.hgetall(stats_key(run_id, site)).items()}
        started, finished = message["started_at"], message["finished_at"]
        record_crawl_run(self.db, {
            "run_id": run_id, "site": site, "started_at": started, "finished_at": finished,
            "requests": figures.get("downloader/request_count", 0), "new": figures.get("store/new", 0),
            "changed": figures.get("store/changed", 0),
            "failed": sum(figures.get(key, 0) for key in ("crawl/failed", "crawl/parse_failed", "store/failed")),
            "duration_s": round((datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds(), 3),
            "status": _run_status(figures)})
        self._publish(site)
        if self.server.get(pending_key(site)) == run_id.encode():
            self.server.delete(pending_key(site))
        self.server.delete(stats_key(run_id, site))
        log.info("%s: run %s recorded (%s)", site, run_id, _figures_line(figures))


def _run_status(figures: dict[str, int]) -> str:
    """A finished run's crawl status, as a single crawl records it (stages/status.py judges it):
    layout_changed when a worker withheld articles for layout drift, incomplete when a listing
    page failed, else finished."""
    if figures.get("crawl/layout_withheld"):
        return "layout_changed"
    return "incomplete" if figures.get("crawl/listing_failed") else "finished"


def _figures_line(figures: dict[str, int]) -> str:
    return ", ".join(f"{figures.get(key, 0)} {name}" for key, name in (
        ("downloader/request_count", "requests"), ("store/new", "new"), ("store/changed", "changed")))

