"""The portal spider as a worker of the shared Redis frontier (`pipeline.py crawl --frontier URL`).

It is the same spider (crawler/spiders/portal.py) with its store hooks answered from Redis, so a
worker never opens the SQLite file and may run on another machine:

- before its first request it waits until the writer has published the crawl state, then joins
  the site's run (or creates it: crawler/frontier.py);
- what the run knows at its start (stored articles, remembered links that gave no article,
  whether to page every listing to the end) is the writer's published state (store/outbox.py),
  the same for every worker of the run, because the writer republishes a site only after its run
  has ended; what the spider would write (errors, remembered links) goes to the outbox;
- the articles it requests are marked in the run's shared set, so workers do not fetch twice;
- errors go to the outbox; the run's figures (requests, failures) are counted in Redis
  (`FrontierStats`) and the writer adds its own (new, changed) when it records the run's end.

One worker seeds the run (its sections, feeds and re-checks); if it dies before it is done, an
idle worker seeds it again (crawler/redis_scheduler.py).
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector
from twisted.python.failure import Failure

from crawler.frontier import SiteFrontier
from crawler.items import ArticleItem
from crawler.redis_scheduler import LEASE_META
from crawler.spiders.portal import PortalSpider
from store import utc_now
from store.outbox import CrawlState, Outbox, connect
from store.urls import UrlState, next_url_state


class FrontierPortalSpider(PortalSpider):
    """The portal spider, sharing its site's run with the other workers of a Redis frontier."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        server = connect(settings.get("REDIS_URL"))
        spider.frontier = SiteFrontier(server, spider.site.domain, settings.get("FRONTIER_WORKER"),
                                       settings.getfloat("FRONTIER_LEASE_SECONDS"))
        spider.state = CrawlState(server)
        spider.outbox = Outbox(server)
        spider.lease_in_hand: str | None = None
        spider.held_leases: dict[int, str] = {}  # id(held article) -> lease of the request that brought it
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        return spider

    def _open_store(self, path: Path) -> None:
        return None  # the writer owns the database

    async def start(self) -> AsyncIterator[scrapy.Request]:
        await self._wait_for_writer(self.settings.getfloat("FRONTIER_WRITER_WAIT_SECONDS"))
        run_id, last = self.settings.get("CRAWL_RUN_ID"), self.state.last_run(self.site.domain)
        if last and last["run_id"] == run_id:
            # Workers that share a run id (a night's) crawl each site once: a late one does not
            # start the site again.
            self.logger.info("%s: run %s of this site is over already", self.site.domain, run_id)
            return
        run = self.frontier.join(
            run_id, utc_now(), full_pass=not (last and last["status"] == "finished"),
            announce={"kind": "run_start", "site": self.site.domain, "site_row": self.site.as_site_row()})
        self.logger.info("%s: %s run %s (started %s)", self.site.domain, "started" if run.created else "joined",
                         run.run_id, run.started_at)
        self._load_crawl_state()
        self.scheduled = self.frontier.scheduled()
        if self.frontier.claim_seeding():
            self.seed()
        return
        yield  # an async generator that yields nothing: the seeds go straight to the shared queue

    def seed(self) -> None:
        """Queue the run's first requests, then mark the run seeded (so that it can end)."""
        for request in self._seed_requests():
            self.crawler.engine.crawl(request)
        self.frontier.mark_seeded()

    async def _wait_for_writer(self, timeout: float) -> None:
        """Wait until the writer has published the crawl state, and the site's previous run if it
        has just ended: this run must start from what is stored."""
        deadline, last_said = time.monotonic() + timeout, 0.0
        while not self.state.ready() or self.state.pending(self.site.domain):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.site.domain}: no writer published the crawl state within {timeout:.0f} s "
                                   "(is `pipeline.py store --frontier …` running?)")
            if time.monotonic() - last_said > 10:
                self.logger.info("%s: waiting for the writer (`pipeline.py store --frontier …`)", self.site.domain)
                last_said = time.monotonic()
            await asyncio.sleep(0.1)

    def _stored_articles(self) -> dict[str, dict]:
        return self.state.stored_articles(self.site.domain)

    def _remembered_urls(self) -> dict[str, UrlState]:
        return self.state.remembered_urls(self.site.domain)

    def _remember(self, url: str, fetch_url: str, state: str, reason: str) -> UrlState:
        now = utc_now()
        memory = next_url_state(self.memory.get(url), url, self.site.domain, fetch_url, state, reason, now,
                                self.waits[state])
        self._send({"kind": "remember", "url": url, "fetch_url": fetch_url, "state": state, "reason": reason,
                    "now": now, "wait_hours": list(self.waits[state])})
        self.memory[url] = memory
        return memory

    def _forget(self, url: str) -> None:
        if self.memory.pop(url, None) is not None:
            self._send({"kind": "forget", "url": url})

    def _detected(self) -> None:
        self._send({"kind": "site", "site_row": self.site.as_site_row()})

    def _previous_run_completed(self) -> bool:
        return not self.frontier.run.full_pass

    def _record_error(self, url: str, message: str) -> None:
        self._send({"kind": "error", "url": url, "stage": "crawl", "message": message})

    def _send(self, message: dict[str, Any]) -> None:
        """Push a message of this site's run to the writer."""
        self.outbox.push({**message, "run_id": self.frontier.run.run_id, "site": self.site.domain})

    # Articles the spider holds back until its layout-drift verdict are in no outbox yet: the
    # request that brought one keeps its lease until the article is released (and stored) or
    # withheld, so a worker killed while holding articles loses none of them.

    def parse_article(self, response: Response) -> Iterator[Any]:
        return self._under_lease(super().parse_article(response), response.meta.get(LEASE_META))

    def on_print_view_error(self, failure: Failure) -> Iterator[Any]:
        return self._under_lease(super().on_print_view_error(failure), failure.request.meta.get(LEASE_META))

    def _under_lease(self, outputs: Iterator[Any], lease: str | None) -> Iterator[Any]:
        """Run a callback with its request's lease at hand (callbacks of responses interleave)."""
        while True:
            self.lease_in_hand = lease
            try:
                output = next(outputs)
            except StopIteration:
                return
            finally:
                self.lease_in_hand = None
            yield output

    def _hold_or_release(self, item: ArticleItem) -> Iterator[ArticleItem]:
        yield from super()._hold_or_release(item)
        if self.lease_in_hand and any(held is item for held, _ in self.held):
            self.held_leases[id(item)] = self.lease_in_hand
            self.frontier.pin(self.lease_in_hand)

    def _withhold(self, items: list[ArticleItem]) -> None:
        super()._withhold(items)
        for item in items:
            self._item_done(item)

    def _item_done(self, item: Any) -> None:
        lease = self.held_leases.pop(id(item), None)
        if lease is not None:
            self.frontier.unpin(lease)


# Figures of a run that workers count (store/failed: an article the archive could not keep); the
# writer adds its own store/* (new, changed, failed).
COUNTED_PREFIXES = ("crawl/", "downloader/request_count", "store/failed")


class FrontierStats(MemoryStatsCollector):
    """Scrapy's stats, with the run's figures also counted in the frontier, as they happen, so
    that the run's crawl_runs row adds up every worker (a killed one included)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        super().inc_value(key, count, start)  # scrapy-redis still passes the spider Scrapy no longer wants
        frontier: SiteFrontier | None = getattr(self._crawler.spider, "frontier", None)
        if key.startswith(COUNTED_PREFIXES) and frontier is not None and frontier.run is not None:
            frontier.count(key, count)
