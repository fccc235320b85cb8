"""Crawl stage: run the portal spider for one or more configured sites in this process.

`pipeline.py crawl` and `pipeline.py demo` call `run_crawl`; tests run the same command in a
subprocess so that Scrapy's reactor never meets pytest's process.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.middlewares import check_loopback_proxy
from siteconfig import DEFAULT_FAMILIES_DIR, DEFAULT_SITES_DIR, load_sites

log = logging.getLogger("pipeline.crawl")


@dataclass
class SiteResult:
    """What one site's crawl did.

    :param site: domain
    :param requests: HTTP requests sent (robots.txt included)
    :param new: articles stored for the first time
    :param changed: articles stored as a new version
    :param unchanged: articles fetched again with the same text
    :param failed: requests or pages that failed (logged in the errors table)
    :param skipped: links skipped (not HTML, or forbidden by robots.txt)
    :param finish_reason: Scrapy's reason for ending ("finished", "shutdown", …)
    :param sent: articles a frontier worker sent to the writer (None: stored by this crawl)
    """

    site: str
    requests: int
    new: int
    changed: int
    unchanged: int
    failed: int
    skipped: int
    finish_reason: str
    sent: int | None = None

    def line(self) -> str:
        stored = (f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged" if self.sent is None
                  else f"{self.sent} articles sent to the writer")
        return (f"{self.site}: {self.requests} requests, {stored}, {self.failed} failed, {self.skipped} skipped "
                f"({self.finish_reason})")


def crawl_settings(db: Path, sites_dir: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings with the database, sites directory and any overrides.

    :param db: SQLite database to store into
    :param sites_dir: directory of site configs
    :param overrides: further Scrapy settings (NAME → value)
    """
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("CRAWL_DB", str(db), priority="cmdline")
    settings.set("SITES_DIR", str(sites_dir), priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if settings.get("CRAWL_PROXY"):  # refused here, before any crawler starts, with a clean message
        check_loopback_proxy(settings.get("CRAWL_PROXY"))
    return settings


def run_crawl(domains: list[str], db: Path, sites_dir: Path = DEFAULT_SITES_DIR,
              recheck_days: float | None = None, overrides: dict[str, Any] | None = None,
              frontier: str | None = None) -> list[SiteResult]:
    """Crawl the given sites (all configured sites when `domains` is empty), one spider each.

    :param domains: site domains as configured in `sites_dir`
    :param db: SQLite database to store into
    :param sites_dir: directory of site configs
    :param recheck_days: re-fetch stored articles older than this many days (conditional requests)
    :param overrides: Scrapy settings (NAME → value), e.g. politeness for tests
    :param frontier: a Redis URL: crawl as one worker of that shared frontier, sending articles
        to its writer (`pipeline.py store --frontier`) instead of storing into `db`
    :raises ValueError: when a domain is not configured, or CRAWL_PROXY is not a loopback address
    """
    sites = load_sites(sites_dir, DEFAULT_FAMILIES_DIR)
    unknown = [d for d in domains if d not in sites]
    if unknown:
        raise ValueError(f"not configured in {sites_dir}: {', '.join(unknown)}")
    settings = crawl_settings(db, sites_dir, overrides)
    spider: Any = "portal"
    if frontier:
        from crawler.redis_settings import use_frontier
        from crawler.redis_spider import FrontierPortalSpider

        use_frontier(settings, frontier)
        spider = FrontierPortalSpider
    crawlers = run_spiders(settings, spider, [
        {"site": domain, "sites_dir": str(sites_dir), "recheck_days": "" if recheck_days is None else str(recheck_days)}
        for domain in domains or sorted(sites)])
    return [_result(crawler, sent_to_writer=bool(frontier)) for crawler in crawlers]


def run_spiders(settings: Settings, spider: Any, arguments: list[dict[str, str]]) -> list[Any]:
    """Run one spider per set of arguments in this process, until all have finished.

    :param settings: Scrapy settings (`crawl_settings`)
    :param spider: spider name or class
    :param arguments: the spider arguments (`-a name=value`) of each run
    :return: the crawlers, for their stats and spiders
    """
    # The command line has configured logging already; Scrapy's own chatter only when debugging.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    if not log.isEnabledFor(logging.DEBUG):  # after CrawlerProcess, which resets Scrapy's logger to DEBUG
        logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawlers = []
    for kwargs in arguments:
        crawler = process.create_crawler(spider)
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    process.start()
    return crawlers


def _result(crawler: Any, sent_to_writer: bool = False) -> SiteResult:
    stats = crawler.stats.get_stats()
    # A spider that never opened (its store could not be written, say) has no finish reason: it failed.
    never_opened = "finish_reason" not in stats
    return SiteResult(
        site=crawler.spider.site.domain, requests=stats.get("downloader/request_count", 0),
        new=stats.get("store/new", 0), changed=stats.get("store/changed", 0),
        unchanged=stats.get("store/unchanged", 0),
        failed=sum(stats.get(k, 0) for k in ("crawl/failed", "crawl/parse_failed", "store/failed")) + never_opened,
        skipped=stats.get("crawl/skipped", 0) + stats.get("crawl/robots_forbidden", 0),
        finish_reason=stats.get("finish_reason", "not opened"),
        sent=stats.get("crawl/articles_parsed", 0) if sent_to_writer else None)
