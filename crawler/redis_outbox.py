"""A frontier worker's store step: extract each article as a single-process crawl does, then push
it to the writer's outbox in Redis instead of writing SQLite.

Extraction happens in the worker, not in the writer: it is the CPU-bound part of a crawl (parsing
and extraction are what one Scrapy process cannot do fast enough on one core), so it is what
adding workers must spread; the writer then only writes, and one writer keeps up with many
workers (saving runs at thousands of articles a second). The record travels with the article, so
the writer stores exactly what `StorePipeline` would have: same extractor, same save path.
"""
from __future__ import annotations

from typing import Any, Callable

from scrapy import Spider

from crawler.frontier import SiteFrontier
from crawler.offload import ExtractorPool, acquire, release
from crawler.pipelines import StorePipeline
from store import mark_checked, record_error, save_article
from store.outbox import Outbox

# The store calls StorePipeline makes while a crawl runs, as outbox messages (store/outbox.py).
_MESSAGES: dict[Callable[..., Any], Callable[..., dict[str, Any]]] = {
    save_article: lambda row, record: {"kind": "article", "row": row, "record": record},
    mark_checked: lambda url, fetched_at: {"kind": "checked", "url": url, "fetched_at": fetched_at},
    record_error: lambda url, stage, message: {"kind": "error", "url": url, "stage": stage, "message": message},
}


class OutboxWriter:
    """Takes the place of the database writer (`crawler.offload.DatabaseWriter`) in a worker:
    each store call becomes a message of the site's run in the outbox.

    :param outbox: the writer's outbox
    :param frontier: the site's frontier (its current run names the messages)
    """

    def __init__(self, outbox: Outbox, frontier: SiteFrontier) -> None:
        self.outbox = outbox
        self.frontier = frontier

    async def run(self, function: Callable[..., Any], *args: Any) -> None:
        """Push the message for `function(db, *args)`; the writer does the call.

        :return: None: the outcome (new, changed...) is known to the writer only
        :raises TypeError: for a store function that has no message
        """
        try:
            message = _MESSAGES[function](*args)
        except KeyError:
            raise TypeError(f"a frontier worker cannot run {function.__name__}: no outbox message for it") from None
        self.outbox.push({**message, "run_id": self.frontier.run.run_id, "site": self.frontier.site})


class OutboxPipeline(StorePipeline):
    """StorePipeline for a frontier worker: extraction off the event loop as there, storing through
    the outbox. The site's row and its crawl run are recorded by the frontier (the run's start
    when a worker creates it, its end when the last request is done), not per worker."""

    async def open_spider(self) -> None:
        spider = self.crawler.spider
        self.writer = OutboxWriter(spider.outbox, spider.frontier)
        if self.extract_processes is not None:
            self.extractor = acquire(("extractor", self.extract_processes),
                                     lambda: ExtractorPool(self.extract_processes))

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.extractor is not None:
            release(("extractor", self.extract_processes))

