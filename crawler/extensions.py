"""Crawl progress on the terminal or in the log (progress.py)."""
from __future__ import annotations

from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from progress import Progress


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
