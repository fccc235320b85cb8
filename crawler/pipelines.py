"""Item pipelines: archive the raw response (WARC), then extract and store the article."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from siteconfig import ROOT
from crawler.items import ArticleItem, NotModifiedItem
from crawler.warc import WarcArchive
from store import (mark_checked, open_database, record_crawl_run, record_error, save_article, upsert_sites,
                          utc_now)
from store.rows import content_hash

log = logging.getLogger(__name__)


def _display_path(path: Path) -> str:
    """Paths inside the project are stored relative to it, so a database moves with the project."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class WarcArchivePipeline:
    """Write every article response to the run's WARC file and note where it went.

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

    def close_spider(self) -> None:
        if self.archive:
            self.archive.close()

    def process_item(self, item: ArticleItem | NotModifiedItem) -> ArticleItem | NotModifiedItem:
        if not isinstance(item, ArticleItem):
            return item  # a 304 has no body to archive
        item["warc_offset"] = self.archive.write_response(
            item["fetch_url"], item["http_status"], item["reason"], item["headers"], item["raw_body"])
        item["warc_file"] = _display_path(self.archive.path)
        return item


class StorePipeline:
    """Extract each article and store it (new, unchanged or a new version); record the run.

    :param database: SQLite path (`CRAWL_DB`)
    :param run_id: crawl run id (`CRAWL_RUN_ID`)
    :param extract: `extract_record(text, url=..., published=...)`, or None to store without records
    """

    def __init__(self, database: Path, run_id: str, extract: Callable[..., dict] | None) -> None:
        self.database = database
        self.run_id = run_id
        self.extract = extract
        self.started_at = utc_now()
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extract = None
        if crawler.settings.getbool("CRAWL_EXTRACT"):
            from extract import extract_record as extract
        pipeline = cls(Path(crawler.settings.get("CRAWL_DB")), crawler.settings.get("CRAWL_RUN_ID"), extract)
        pipeline.crawler = crawler
        pipeline.stats = crawler.stats
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_database(self.database)
        site = self.crawler.spider.site
        upsert_sites(self.db, [site.as_site_row()])
        # Marked "running" until the end: a killed crawl leaves it so, and the next run pages fully.
        record_crawl_run(self.db, {"run_id": self.run_id, "site": site.domain, "started_at": self.started_at,
                                   "status": "running"})

    def process_item(self, item: ArticleItem | NotModifiedItem) -> ArticleItem | NotModifiedItem:
        if isinstance(item, NotModifiedItem):
            mark_checked(self.db, item["url"], item["fetched_at"])
            return item
        article = item["article"]
        text = article.text()
        record = None
        if self.extract is not None:
            try:
                record = self.extract(text, url=item["url"], published=(article.published or "")[:10] or None)
            except Exception as exc:  # one article's extractor bug must not sink the crawl
                log.warning("%s: extraction failed: %s", item["url"], exc)
                record_error(self.db, item["url"], "extract", f"{type(exc).__name__}: {exc}")
                self.stats.inc_value("store/extract_failed")
        status = save_article(self.db, self._article_row(item, text), record)
        self.stats.inc_value(f"store/{status.split('+')[0]}")
        return item

    @staticmethod
    def _article_row(item: ArticleItem, text: str) -> dict[str, Any]:
        article = item["article"]
        return {"url": item["url"], "site": item["site"], "title": article.title,
                "published": article.published, "byline": article.byline, "body": text,
                "content_hash": content_hash(text), "warc_file": item["warc_file"],
                "warc_offset": item["warc_offset"], "fetched_at": item["fetched_at"], "etag": item["etag"],
                "last_modified": item["last_modified"], "http_status": item["http_status"]}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the run's health figures once the crawl has ended (the reason is known only then)."""
        stats = self.stats
        failed = sum(stats.get_value(key, 0) for key in ("crawl/failed", "crawl/parse_failed", "store/failed"))
        record_crawl_run(self.db, {
            "run_id": self.run_id, "site": spider.site.domain, "started_at": self.started_at,
            "finished_at": utc_now(), "requests": stats.get_value("downloader/request_count", 0),
            "new": stats.get_value("store/new", 0), "changed": stats.get_value("store/changed", 0),
            "failed": failed, "duration_s": round(time.monotonic() - self.started, 3),
            "status": "incomplete" if reason == "finished" and stats.get_value("crawl/listing_failed") else reason})
        self.db.close()
