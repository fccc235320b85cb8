"""The one generic spider: crawls a configured portal's sections, feeds and sitemaps.

    scrapy crawl portal -a site=muonglat.thanhhoa.gov.vn [-a recheck_days=30] [-a sites_dir=…]

Incremental: the database says which canonical URLs are stored; a listing page that brings no
new article ends the paging of its section (after `CRAWL_STALE_PAGES` such pages). Stored
articles are fetched again only when older than `recheck_days`, with a conditional request.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from reader.article import Article, PageError, read_page
from reader.chrome import SiteChrome
from crawler.canonical import canonical_url, print_view_url
from siteconfig import load_sites
from crawler.items import ArticleItem, NotModifiedItem
from crawler.listing import parse_feed, parse_listing
from store import known_articles, open_database, record_error, utc_now

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # Scrapy's IgnoreRequest message for a Disallow


class PortalSpider(scrapy.Spider):
    """Crawl one configured portal.

    :param site: the portal's domain, as in its `data/sites/<domain>.yml`
    :param sites_dir: directory of site configs (default: setting SITES_DIR)
    :param recheck_days: re-fetch stored articles fetched more than this many days ago
    """

    name = "portal"

    def __init__(self, site: str | None = None, sites_dir: str | None = None,
                 recheck_days: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not site:
            raise ValueError("give the portal to crawl: -a site=<domain> (see `pipeline.py sites list`)")
        self.site_name = site
        self.sites_dir = sites_dir
        self.recheck_days = None if recheck_days in (None, "") else float(recheck_days)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        sites_dir = Path(spider.sites_dir or settings.get("SITES_DIR"))
        sites = load_sites(sites_dir, Path(settings.get("FAMILIES_DIR")))  # ConfigError names the bad file
        if spider.site_name not in sites:
            raise ValueError(f"no site {spider.site_name!r} in {sites_dir}")
        spider.site = sites[spider.site_name]
        spider.allowed_domains = [spider.site.domain.split(":")[0]]
        spider.db = spider._open_store(Path(settings.get("CRAWL_DB")))
        spider.stale_pages_allowed = settings.getint("CRAWL_STALE_PAGES")
        if spider.recheck_days is None and settings.get("CRAWL_RECHECK_DAYS") not in (None, ""):
            spider.recheck_days = settings.getfloat("CRAWL_RECHECK_DAYS")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._load_crawl_state()
        for request in self._seed_requests():
            yield request

    # The store hooks below are everything the spider reads from or writes to the database; a
    # worker of the shared Redis frontier (crawler/redis_spider.py) answers them from Redis instead.

    def _open_store(self, path: Path) -> Any:
        return open_database(path)

    def _stored_articles(self) -> dict[str, dict]:
        return known_articles(self.db, self.site.domain)

    def _record_error(self, url: str, message: str) -> None:
        record_error(self.db, url, "crawl", message)

    def _load_crawl_state(self) -> None:
        """What this run knows before its first request: stored articles, links that are not
        articles, whether to page every listing to the end."""
        self.known = self._stored_articles()
        self.not_articles = self._skipped_before()
        self.scheduled: set[str] = set()
        self.full_pass = not self._previous_run_completed()
        self.logger.info("%s: %d articles already stored%s", self.site.domain, len(self.known),
                         "; previous crawl incomplete, paging every listing to the end" if self.full_pass else "")

    def _seed_requests(self) -> Iterator[scrapy.Request]:
        """The run's first requests: every section, feed and sitemap, and the due re-checks."""
        for section in self.site.sections:
            yield scrapy.Request(section, callback=self.parse_listing, errback=self.on_error,
                                 meta={"section": section, "stale_pages": 0}, dont_filter=True)
        for feed in self.site.feeds.get("rss", []) + self.site.feeds.get("sitemaps", []):
            yield scrapy.Request(feed, callback=self.parse_feed, errback=self.on_error, dont_filter=True)
        for request in self._recheck_requests():
            yield request

    def _previous_run_completed(self) -> bool:
        """Whether the site's last crawl paged its listings to the end (not killed, no listing failure).

        Stopping at the first page without anything new is only safe when everything older was seen:
        after a crawl that was killed or lost a listing page, the next one pages to the end once.
        """
        last = self.db.execute("select status from crawl_runs where site = ? and run_id != ? "
                               "order by started_at desc limit 1",
                               [self.site.domain, self.settings.get("CRAWL_RUN_ID")]).fetchone()
        return last is not None and last[0] == "finished"

    def _skipped_before(self) -> set[str]:
        """Links an earlier run found not to be HTML articles (a PDF stays a PDF): never new again."""
        rows = self.db.execute("select url from errors where stage = 'crawl' and message like 'skipped:%'")
        return {url for (url,) in rows}

    def _recheck_requests(self) -> Iterator[scrapy.Request]:
        """Conditional requests for stored articles last fetched before the recheck horizon."""
        if self.recheck_days is None:
            return
        horizon = (datetime.now(timezone.utc) - timedelta(days=self.recheck_days)).isoformat()
        for url, state in self.known.items():
            if (state.get("fetched_at") or "") > horizon:
                continue
            headers = {}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
            self.scheduled.add(url)
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, headers=headers,
                                 meta={"canonical": url, "handle_httpstatus_list": [304]}, dont_filter=True)

    def _article_requests(self, links: list[tuple[str, str]]) -> Iterator[scrapy.Request]:
        for fetch_url, canonical in links:
            if canonical in self.known or canonical in self.scheduled or canonical in self.not_articles:
                continue
            self.scheduled.add(canonical)
            # `scheduled` already deduplicates by canonical URL; bypassing Scrapy's filter also lets
            # REDIRECT_MAX_TIMES catch a redirect loop instead of the filter dropping it silently.
            yield scrapy.Request(fetch_url, callback=self.parse_article, errback=self.on_error,
                                 meta={"canonical": canonical}, dont_filter=True)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Schedule the listing's new articles; follow the next page unless nothing was new."""
        if not self._is_html(response):
            self._skip(response, "listing is not HTML")
            return
        page = parse_listing(response.text, response.url, self.site)
        yield from self._article_requests(page.articles)
        self.crawler.stats.inc_value("crawl/listing_pages")
        # "New" means not stored yet: links a feed already scheduled this run still count as new.
        brings_new = any(c not in self.known and c not in self.not_articles for _, c in page.articles)
        stale_pages = response.meta["stale_pages"] + (0 if brings_new else 1)
        if stale_pages > self.stale_pages_allowed and not self.full_pass:
            self.logger.info("%s: nothing new on %s; section done", self.site.domain, response.url)
        elif page.next_page:
            yield scrapy.Request(page.next_page, callback=self.parse_listing, errback=self.on_error,
                                 meta={"section": response.meta["section"], "stale_pages": stale_pages})

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Schedule the new articles of an RSS feed or sitemap; follow a sitemap index."""
        try:
            page = parse_feed(response.body, response.url, self.site)
        except ValueError as exc:
            self._fail(response.url, "crawl/parse_failed", str(exc))
            return
        for sitemap in page.sitemaps:
            yield scrapy.Request(sitemap, callback=self.parse_feed, errback=self.on_error)
        yield from self._article_requests(page.articles)

    def parse_article(self, response: Response) -> Iterator[ArticleItem | NotModifiedItem]:
        """Parse an article page into an item carrying the raw response for the archive."""
        canonical = response.meta.get("canonical") or canonical_url(response.url, self.site.canonical)
        if response.status == 304:
            self.crawler.stats.inc_value("crawl/not_modified")
            yield NotModifiedItem(url=canonical, site=self.site.domain, fetched_at=utc_now())
            return
        if not self._is_html(response):
            self._skip(response, "not HTML", canonical)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        try:
            article: Article | None = read_page(response.body, response.url, self.site.article,
                                                content_type=content_type, site_chrome=self.site_chrome.keys(),
                                                site_name=self.site.name)
        except PageError as exc:
            article, problem = None, str(exc)
        item = self._article_item(response, canonical, article) if article is not None else None
        is_print_view = "partial_item" in response.meta
        partial = response.meta.get("partial_item")  # the normal view, read before this print view
        if partial is not None and (item is None or _completeness(partial["article"]) > _completeness(article)):
            item = partial
        printed = print_view_url(response.url, self.site.print_view)
        missed_body = article is not None and article.method == "fallback" and bool(self.site.article.get("body"))
        if not is_print_view and (article is None or not article.complete or missed_body) and printed \
                and printed != response.url:
            # Some pages load their body by script, or print their title or date where nothing finds
            # them; the print view is static HTML. The better of the two readings is stored.
            self.logger.info("%s: %s; trying the print view", response.url, problem if article is None else
                             "the family's body selectors found nothing" if missed_body else "no title or date")
            yield scrapy.Request(printed, callback=self.parse_article, errback=self.on_print_view_error,
                                 meta={"canonical": canonical, "partial_item": item}, dont_filter=True)
            return
        if item is None:
            yield from self._no_article(response.request, FAILED, problem, counter="crawl/parse_failed")
            return
        self.site_chrome.observe(item["article"].chrome_candidates)
        self.crawler.stats.inc_value("crawl/articles_parsed")
        yield from self._hold_or_release(item)

    @cached_property
    def site_chrome(self) -> SiteChrome:
        """Headline candidates recurring across this site's pages (banners, section headers)."""
        return SiteChrome()

    def on_print_view_error(self, failure: Failure) -> Iterator[ArticleItem]:
        """The print view failed: keep the normal view's reading when there was one."""
        partial = failure.request.meta.get("partial_item")
        if partial is None:
            yield from self.on_error(failure)
            return
        self.site_chrome.observe(partial["article"].chrome_candidates)
        self.crawler.stats.inc_value("crawl/articles_parsed")
        yield from self._hold_or_release(partial)

    def _article_item(self, response: Response, canonical: str, article: Article) -> ArticleItem:
        return ArticleItem(
            url=canonical, fetch_url=response.url, site=self.site.domain, http_status=response.status,
            reason=_reason(response.status), headers=list(_header_pairs(response)), raw_body=response.body,
            fetched_at=utc_now(), etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            article=article)

    def on_error(self, failure: Failure) -> None:
        """Log and count a request that failed (HTTP error, time-out, redirect loop, size cap)."""
        request = failure.request
        if failure.check(IgnoreRequest) and ROBOTS_FORBIDDEN in failure.getErrorMessage():
            # The site asked not to: a permanent skip, not a failure to retry tomorrow.
            self.crawler.stats.inc_value("crawl/robots_forbidden")
            self.logger.info("%s: %s", request.url, ROBOTS_FORBIDDEN)
            self._record_error(request.meta.get("canonical", request.url), f"skipped: {ROBOTS_FORBIDDEN}")
            return
        if failure.check(HttpError):
            message = f"HTTP {failure.value.response.status}"
        else:
            message = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.crawler.stats.inc_value(f"crawl/failed/{message.split(':')[0].replace(' ', '_')}")
        if request.callback == self.parse_listing:
            self.crawler.stats.inc_value("crawl/listing_failed")
        self._fail(request.url, "crawl/failed", message)

    def _fail(self, url: str, counter: str, message: str) -> None:
        self.crawler.stats.inc_value(counter)
        self.logger.warning("%s: %s", url, message)
        self._record_error(url, message)

    def _skip(self, response: Response, why: str, url: str | None = None) -> None:
        content_type = response.headers.get(b"Content-Type", b"?").decode("latin-1")
        self.crawler.stats.inc_value("crawl/skipped")
        self.logger.info("%s: skipped, %s (%s)", response.url, why, content_type)
        self._record_error(url or response.url, f"skipped: {why} ({content_type})")

    @staticmethod
    def _is_html(response: Response) -> bool:
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if content_type:
            return content_type.startswith(HTML_TYPES)
        return response.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))

    def closed(self, reason: str) -> None:
        if self.db is not None:
            self.db.close()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _header_pairs(response: Response) -> Iterator[tuple[bytes, bytes]]:
    for name, values in response.headers.items():
        for value in values:
            yield name, value


def _completeness(article: Article | None) -> tuple[bool, bool, bool, bool, int]:
    """How much of an article a reading found: body where the family puts it, title, date, time of
    day, body length."""
    if article is None:
        return False, False, False, False, 0
    return (article.method == "selectors", bool(article.title), bool(article.published),
            "T" in (article.published or ""), len(article.body))


def _over_size_cap(failure: Failure) -> bool:
    """Whether a download was cancelled for being over DOWNLOAD_MAXSIZE (with or without Content-Length)."""
    message = failure.getErrorMessage().lower()
    return "max size" in message or "size cap" in message or failure.type.__name__ in ("ResponseTooLarge",)


def _counter_name(message: str) -> str:
    return message.split(":")[0].replace(" ", "_")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
