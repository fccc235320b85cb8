"""Item pipelines: archive the raw response (WARC), then extract and store the article."""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Self, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.reactor import is_asyncio_reactor_installed

from siteconfig import ROOT
from crawler.items import ArticleItem, NotModifiedItem
from crawler.offload import DatabaseWriter, ExtractorPool, SerialThread, acquire, release
from crawler.warc import WarcArchive
from store import (describe_storage_error, is_disk_full, mark_checked, record_crawl_run, record_error,
                   save_article, upsert_sites, utc_now)
from store.rows import content_hash

T = TypeVar("T")

log = logging.getLogger(__name__)


def _display_path(path: Path) -> str:
    """Paths inside the project are stored relative to it, so a database moves with the project."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class WarcArchivePipeline:
    """Write every article response to the run's WARC file and note where it went.

    A write that fails (a full disk) drops the article, since every stored article points to its
    raw response, and closes the site's crawl: nothing more could be archived.

    :param directory: archive root (`WARC_DIR`)
    :param run_id: crawl run id (`CRAWL_RUN_ID`), part of the file name
    """

    def __init__(self, directory: Path, run_id: str) -> None:
        self.directory = directory
        self.run_id = run_id
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(Path(crawler.settings.get("WARC_DIR")), crawler.settings.get("CRAWL_RUN_ID"))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.archive = WarcArchive(self.directory, self.crawler.spider.site.domain, self.run_id.replace(":", ""))
        # Compressing and writing happen off the event loop, in one thread for all the process's archives.
        self.thread = acquire(ARCHIVE_THREAD, lambda: SerialThread("warc-writer"))

    async def close_spider(self) -> None:
        if self.archive:
            await self.thread.run(self.archive.close)
            release(ARCHIVE_THREAD)

    async def process_item(self, item: ArticleItem | NotModifiedItem) -> ArticleItem | NotModifiedItem:
        if not isinstance(item, ArticleItem):
            return item  # a 304 has no body to archive
        try:
            item["warc_offset"] = await self.thread.run(
                self.archive.write_response, item["fetch_url"], item["http_status"], item["reason"],
                item["headers"], item["raw_body"])
        except OSError as exc:
            message = describe_storage_error(exc, _display_path(self.archive.path))
            stop_for_storage(self.crawler, item["url"], f"not archived: {message}", disk_full=is_disk_full(exc))
            raise DropItem(f"{item['url']}: not archived: {message}") from exc
        item["warc_file"] = _display_path(self.archive.path)
        return item


ARCHIVE_THREAD = ("warc-writer",)


def stop_for_storage(crawler: Crawler, url: str, message: str, disk_full: bool) -> None:
    """Count and log a write that failed for want of storage, and close the site's crawl.

    Fetching more pages that cannot be kept only costs the portal; the next night fetches them.

    :param crawler: the site's crawler
    :param url: the article that could not be kept
    :param message: what failed (names the file, e.g. "disk full while writing data/training.db")
    :param disk_full: whether the disk is full (the crawl then ends with reason "disk_full")
    """
    crawler.stats.inc_value("store/failed")
    log.error("%s: %s", url, message)
    reason = "disk_full" if disk_full else "storage_failed"
    if crawler.stats.get_value(STORAGE_STOP) is None:
        crawler.stats.set_value(STORAGE_STOP, (reason, url, message))
        log.error("%s: stopping this site's crawl: %s: %s", crawler.spider.site.domain, url, message)
        closing = asyncio.ensure_future(crawler.engine.close_spider_async(reason=reason))
        _closing.add(closing)  # the loop keeps only a weak reference to a task
        closing.add_done_callback(_closing.discard)


# Stats key of the write that stopped a site's crawl: (reason, URL, message).
STORAGE_STOP = "store/stopped_by"
_closing: set[asyncio.Future] = set()


class StorePipeline:
    """Extract each article and store it (new, unchanged or a new version); record the run.

    Neither runs on Scrapy's event loop (`crawler.offload`): the extractor runs in worker processes
    shared by the crawl's sites, and every write goes through the one writer thread of the
    database, so a slow page or a slow write never holds up another site's downloads.

    :param database: SQLite path (`CRAWL_DB`)
    :param run_id: crawl run id (`CRAWL_RUN_ID`)
    :param extract_processes: extractor worker processes (`CRAWL_EXTRACT_PROCESSES`; 0: a thread),
        or None to store without records (`CRAWL_EXTRACT` off)
    :param reserve_bytes: disk space kept free for the run's last records (`CRAWL_DISK_RESERVE`)
    """

    def __init__(self, database: Path, run_id: str, extract_processes: int | None, reserve_bytes: int = 0) -> None:
        self.database = database
        self.run_id = run_id
        self.extract_processes = extract_processes
        self.reserve_bytes = reserve_bytes
        self.extractor: ExtractorPool | None = None
        self.started_at = utc_now()
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not is_asyncio_reactor_installed():  # not NotConfigured: that would crawl without storing
            raise RuntimeError("StorePipeline needs Scrapy's asyncio reactor (setting TWISTED_REACTOR)")
        processes = None
        if crawler.settings.getbool("CRAWL_EXTRACT"):
            configured = crawler.settings.get("CRAWL_EXTRACT_PROCESSES")
            processes = (max(1, (os.cpu_count() or 2) - 1) if configured in (None, "")
                         else crawler.settings.getint("CRAWL_EXTRACT_PROCESSES"))
        pipeline = cls(Path(crawler.settings.get("CRAWL_DB")), crawler.settings.get("CRAWL_RUN_ID"), processes,
                       crawler.settings.getint("CRAWL_DISK_RESERVE"))
        pipeline.crawler = crawler
        pipeline.stats = crawler.stats
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def _writer_key(self) -> tuple[str, str]:
        return ("writer", str(self.database.resolve()))

    async def open_spider(self) -> None:
        self.writer = acquire(self._writer_key, lambda: DatabaseWriter(self.database, self.reserve_bytes))
        if self.extract_processes is not None:
            self.extractor = acquire(("extractor", self.extract_processes),
                                     lambda: ExtractorPool(self.extract_processes))
        site = self.crawler.spider.site
        try:
            await self.writer.run(upsert_sites, [site.as_site_row()])
            # Marked "running" until the end: a killed crawl leaves it so, and the next run pages fully.
            await self.writer.run(record_crawl_run, {"run_id": self.run_id, "site": site.domain,
                                                     "started_at": self.started_at, "status": "running"})
        except (sqlite3.Error, OSError) as exc:
            message = describe_storage_error(exc, _display_path(self.database))
            if message is None:
                raise
            raise RuntimeError(f"{site.domain}: not crawled: {message}") from None

    async def process_item(self, item: ArticleItem | NotModifiedItem) -> ArticleItem | NotModifiedItem:
        if isinstance(item, NotModifiedItem):
            await self._write(item["url"], mark_checked, item["url"], item["fetched_at"])
            return item
        article = item["article"]
        text = article.text()
        record = None
        if self.extractor is not None:
            try:
                record = await self.extractor.extract(text, item["url"], (article.published or "")[:10] or None)
            except Exception as exc:  # one article's extractor bug must not sink the crawl
                log.warning("%s: extraction failed: %s: %s", item["url"], type(exc).__name__, exc)
                self.stats.inc_value("store/extract_failed")
                await self._write(item["url"], record_error, item["url"], "extract", f"{type(exc).__name__}: {exc}")
        status = await self._write(item["url"], save_article, self._article_row(item, text), record)
        if status is not None:
            self.stats.inc_value(f"store/{status.split('+')[0]}")
        return item

    async def _write(self, url: str, function: Callable[..., T], *args: Any) -> T | None:
        """Run a store function in the writer thread; a full disk (or a broken file) stops the site.

        :param url: the article concerned, named in the message
        :return: the function's result, or None when the write failed for want of storage
        """
        try:
            return await self.writer.run(function, *args)
        except (sqlite3.Error, OSError) as exc:
            message = describe_storage_error(exc, _display_path(self.database))
            if message is None:
                raise
            stop_for_storage(self.crawler, url, f"not stored: {message}", disk_full=is_disk_full(exc, self.database))
            return None

    @staticmethod
    def _article_row(item: ArticleItem, text: str) -> dict[str, Any]:
        article = item["article"]
        return {"url": item["url"], "site": item["site"], "title": article.title,
                "published": article.published, "byline": article.byline, "body": text,
                "content_hash": content_hash(text), "warc_file": item["warc_file"],
                "warc_offset": item["warc_offset"], "fetched_at": item["fetched_at"], "etag": item["etag"],
                "last_modified": item["last_modified"], "http_status": item["http_status"],
                "source": article.source, "captions": "\n".join(article.captions) or None}

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the run's health figures once the crawl has ended (the reason is known only then).

        After a full disk the row is still tried: the space a failed transaction took in the
        write-ahead log is reused, so a small row usually fits; if not, the log says so.
        """
        stats = self.stats
        failed = sum(stats.get_value(key, 0) for key in ("crawl/failed", "crawl/parse_failed", "store/failed"))
        if reason == "finished" and stats.get_value("crawl/listing_failed"):
            reason = "incomplete"
        run = {"run_id": self.run_id, "site": spider.site.domain, "started_at": self.started_at,
               "finished_at": utc_now(), "requests": stats.get_value("downloader/request_count", 0),
               "new": stats.get_value("store/new", 0), "changed": stats.get_value("store/changed", 0),
               "failed": failed, "duration_s": round(time.monotonic() - self.started, 3), "status": reason,
               "skipped": stats.get_value("crawl/skipped", 0) + stats.get_value("crawl/robots_forbidden", 0)}
        stopped = stats.get_value(STORAGE_STOP)
        try:
            if stopped is not None:  # the write that stopped the crawl goes to errors too, space allowing
                self.writer.release_reserve()
                _, url, message = stopped
                await self.writer.run(record_error, url, "crawl", message)
            await self.writer.run(record_crawl_run, run)
        except (sqlite3.Error, OSError) as exc:
            message = describe_storage_error(exc, _display_path(self.database)) or f"{type(exc).__name__}: {exc}"
            log.error("%s: crawl run %s not recorded: %s", spider.site.domain, self.run_id, message)
        finally:
            release(self._writer_key)
            if self.extractor is not None:
                release(("extractor", self.extract_processes))
