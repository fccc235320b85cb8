"""scrapy-redis's scheduler on the shared frontier: requests taken under a lease, acknowledged when
done, and a worker that waits for the others instead of closing while the run goes on.

scrapy-redis pops a request from Redis and forgets it: a worker killed then loses it. Here a
request taken moves to the site's in-flight set (`crawler.frontier`) and leaves it only when
Scrapy has completely handled it, which is when the engine drops it from its in-progress set:
after the download, the callback, the item pipelines (the article is in the outbox) and the
scheduling of every request the callback returned. Scrapy has no signal for that moment, so the
scheduler wraps the engine's `_remove_request` (Scrapy 2.19; checked at start). While the worker
holds requests it renews their leases every third of `FRONTIER_LEASE_SECONDS`.

A worker takes no more of a site's requests than it may send to the site at once
(CONCURRENT_REQUESTS_PER_DOMAIN): what it cannot send yet stays in the shared queue for the others.

An idle worker asks the frontier whether the run is over (`settle`): if others still hold
requests that may bring more, it waits (polling every `FRONTIER_POLL_SECONDS`) instead of closing;
if the worker that was seeding the run died, it seeds it.
"""
from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.frontier import FINISHED, OVER, SEED, SiteFrontier
from store import utc_now

log = logging.getLogger(__name__)

LEASE_META = "frontier_lease"


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leases the request to this worker."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.frontier: SiteFrontier = spider.frontier

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.frontier.take()
        if taken is None:
            return None
        token, data = taken
        request = self._decode_request(data)
        request.meta[LEASE_META] = token
        return request


class FrontierScheduler(Scheduler):
    """The scheduler of a frontier worker (settings in crawler/redis_settings.py)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.lease_seconds = crawler.settings.getfloat("FRONTIER_LEASE_SECONDS")
        scheduler.poll_seconds = crawler.settings.getfloat("FRONTIER_POLL_SECONDS")
        # A site is one host: a worker takes no more requests than it may send there at once, so
        # that the others get the rest instead of this one keeping them queued behind the delay.
        scheduler.max_taken = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.frontier: SiteFrontier = spider.frontier
        self.queue = LeasedQueue(self.server, spider, self.frontier.queue_key, self.serializer)
        self.df = RFPDupeFilter(self.server, key=self.frontier.seen_key,
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        _call_when_handled(self.crawler.engine, self.handled)
        self.renewal = task.LoopingCall(self.renew)
        self.renewal.start(max(0.5, self.lease_seconds / 3), now=False)

    def close(self, reason: str) -> None:
        """Stop renewing; requests still held (a graceful stop) go back to the queue at once.
        Nothing is flushed: the queue and dupefilter belong to the run, not to this worker."""
        if self.renewal.running:
            self.renewal.stop()
        given_back = self.frontier.give_back()
        if given_back:
            log.info("%s: %d requests in flight went back to the queue", self.frontier.site, given_back)

    def next_request(self) -> Request | None:
        if len(self.frontier.held) - len(self.frontier.waiting) >= self.max_taken:
            return None
        return super().next_request()

    def handled(self, request: Request) -> None:
        """Scrapy is completely done with a request: its lease ends."""
        token = request.meta.get(LEASE_META)
        if token is not None:
            self.frontier.handled(token)

    def renew(self) -> None:
        """Keep the leases of the requests this worker holds; requeue those of dead workers."""
        self.frontier.renew()
        if self.frontier.run is not None:
            self._reap()

    def _reap(self) -> None:
        reaped = self.frontier.reap()
        if reaped:
            log.info("%s: %d requests of a stopped worker went back to the queue", self.frontier.site, reaped)

    def spider_idle(self) -> None:
        """Close only when the run is over; seed it when its seeder died; otherwise wait."""
        if self.frontier.run is None:  # never joined: no writer answered, or this run of the site is over
            return
        self._reap()
        outcome = self.frontier.settle(finished_at=utc_now())
        if outcome == SEED and self.frontier.claim_seeding():
            log.info("%s: the worker seeding run %s stopped; seeding it", self.frontier.site, self.frontier.run.run_id)
            self.spider.seed()
        if outcome == FINISHED:
            log.info("%s: run %s finished (nothing queued or in flight)", self.frontier.site, self.frontier.run.run_id)
        if outcome in (FINISHED, OVER):
            return
        from twisted.internet import reactor  # the installed one (asyncio), not a default

        reactor.callLater(self.poll_seconds, _wake, self.crawler.engine)
        raise DontCloseSpider


def _call_when_handled(engine: Any, handled: Any) -> None:
    """Call `handled(request)` when the engine drops a request it finished (see module docstring)."""
    remove = getattr(engine, "_remove_request", None)
    if remove is None:
        raise RuntimeError("this Scrapy has no ExecutionEngine._remove_request: the frontier needs Scrapy 2.19")

    def remove_request(result: Any, request: Request) -> Any:
        handled(request)
        return remove(result, request)

    engine._remove_request = remove_request


def _wake(engine: Any) -> None:
    """Let an idle engine look at the queue again now rather than at its 5-second heartbeat."""
    slot = getattr(engine, "_slot", None)
    if slot is not None and slot.closing is None:
        slot.nextcall.schedule()
