"""Crawl extensions: progress on the terminal or in the log (progress.py), and politeness that
follows robots.txt's `Crawl-delay`."""
from __future__ import annotations

import logging
import time
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.robotstxt import RobotParser

from progress import Progress

log = logging.getLogger(__name__)


class CrawlProgress:
    """Report articles stored and requests made while a crawl runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.progress: Progress | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.progress = Progress(f"{spider.site.domain}: articles fetched", interval=5.0)

    def item_scraped(self) -> None:
        self.progress.advance()

    def item_dropped(self) -> None:
        self.progress.advance(failed=1)

    def spider_closed(self) -> None:
        self.progress.close()


class CrawlDelay:
    """Honour robots.txt `Crawl-delay` as the minimum gap between two requests to that host.

    When a host's robots.txt is parsed, its delay (for `ROBOTSTXT_USER_AGENT`, at most
    `CRAWL_DELAY_MAX` seconds) becomes the floor of the host's downloader slot: one request at a
    time, the next one `delay` seconds after the previous answer arrived (Scrapy counts from when
    a request left, so a slow answer or a slow connection would shorten the gap the portal sees),
    and no jitter (Scrapy's ±50 % would halve it). The slot settings keep the floor, so a slot
    that Scrapy discards when idle comes back with it. `PoliteAutoThrottle` never lowers a slot
    below its floor. Other parts (a shared frontier) ask `floor(host)`.

    :param crawler: the running crawler
    :param user_agent: the robots.txt user agent whose group applies
    :param max_delay: longest delay honoured; a longer one is capped and logged
    """

    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.floors: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT"),
                        crawler.settings.getfloat("CRAWL_DELAY_MAX"))
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        return extension

    def floor(self, host: str) -> float:
        """The minimum delay (seconds) between requests to a host; 0 when its robots.txt sets none."""
        return self.floors.get(host, 0.0)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = getattr(robotparser, "crawl_delay", lambda _: None)(self.user_agent)
        if not delay or delay <= 0:
            return
        downloader = self.crawler.engine.downloader
        host = downloader.get_slot_key(request)
        if delay > self.max_delay:
            log.warning("%s: robots.txt asks for Crawl-delay %s s; honouring %s s (CRAWL_DELAY_MAX)",
                        request.url, delay, self.max_delay)
            delay = self.max_delay
        self.floors[host] = delay
        self.crawler.stats.set_value(f"politeness/crawl_delay/{host}", delay)
        settings = downloader.per_slot_settings.setdefault(host, {})
        default = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        settings.update(delay=max(delay, settings.get("delay", default)), jitter=0.0, concurrency=1)
        slot = downloader.slots.get(host)
        if slot is not None:  # the robots.txt answer just arrived: the first page waits from now
            raise_to_floor(slot, delay)
            slot.lastseen = max(slot.lastseen, time.monotonic())
        log.info("%s: robots.txt Crawl-delay %s s: requests to %s at least that far apart", request.url, delay, host)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Count a floored host's delay from this answer's arrival (sent before Scrapy picks the next request)."""
        host = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(host) if host in self.floors else None
        if slot is not None:
            slot.lastseen = max(slot.lastseen, time.monotonic())


def raise_to_floor(slot: Slot, floor: float) -> None:
    """Make a downloader slot send one request at a time, at least `floor` seconds apart, without jitter."""
    if slot.delay < floor:
        slot.delay = floor
    slot.jitter = 0.0
    slot.concurrency = 1


class PoliteAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, except that a host's delay never drops below its robots.txt
    `Crawl-delay` (the floor `CrawlDelay` keeps)."""

    def _spider_opened(self, spider: Spider) -> None:
        super()._spider_opened(spider)
        self.crawl_delay = next((e for e in self.crawler.extensions.middlewares if isinstance(e, CrawlDelay)), None)

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        host, slot = self._get_slot(request, spider)
        floor = self.crawl_delay.floor(host) if self.crawl_delay and host else 0.0
        if slot is not None and floor:
            raise_to_floor(slot, floor)
