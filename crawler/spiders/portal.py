"""The one generic spider: crawls a configured portal's sections, feeds and sitemaps.

    scrapy crawl portal -a site=muonglat.thanhhoa.gov.vn [-a recheck_days=30] [-a sites_dir=…]

Incremental: the database says which canonical URLs are stored; a listing page that brings no
new article ends the paging of its section (after `CRAWL_STALE_PAGES` such pages). Stored
articles are fetched again only when older than `recheck_days`, with a conditional request.

Cheap and correct nights:
- links that gave no article (dead 404/410, skipped: not HTML, robots.txt, size cap; failed) are
  remembered with a backoff (store/urls.py): not new on later nights, so paging still stops at the
  first page without anything new, and tried again when their backoff has passed. A dead link is
  counted (reported) once; a skip is counted each time it is tried;
- every address found for an article is kept (the main list's first); when one fails, the next
  is tried, then the canonical URL and the print view;
- the new or changed articles of a run are held back until a sample of them shows no layout
  drift (crawler/drift.py); if it does, none is stored and the crawl ends as "layout_changed";
- a site config without `family` gets it from the fingerprints of its first listing page
  (siteconfig/detect.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from reader.article import Article, PageError, read_page
from reader.chrome import SiteChrome
from crawler.canonical import canonical_url, print_view_url
from crawler.drift import Drift, History, Page, layout_drift
from siteconfig import load_families, load_sites, with_family
from siteconfig.detect import detect_family
from crawler.items import ArticleItem, NotModifiedItem
from crawler.listing import parse_feed, parse_listing
from crawler.responses import failure_message, is_html
from store import (UrlState, content_hash, forget_url, known_articles, open_database, record_error, remember_url,
                   remembered_urls, upsert_sites, utc_now)
from store.urls import DEAD, FAILED, SKIPPED

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # Scrapy's IgnoreRequest message for a Disallow
DEAD_STATUSES = (404, 410)
LAYOUT_CHANGED = "layout_changed"  # the crawl's finish reason when drift withheld its pages


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
        spider.families = load_families(Path(settings.get("FAMILIES_DIR")))
        sites = load_sites(sites_dir, Path(settings.get("FAMILIES_DIR")))  # ConfigError names the bad file
        if spider.site_name not in sites:
            raise ValueError(f"no site {spider.site_name!r} in {sites_dir}")
        spider.site = sites[spider.site_name]
        spider.allowed_domains = [spider.site.domain.split(":")[0]]
        spider.db = spider._open_store(Path(settings.get("CRAWL_DB")))
        spider.stale_pages_allowed = settings.getint("CRAWL_STALE_PAGES")
        if spider.recheck_days is None and settings.get("CRAWL_RECHECK_DAYS") not in (None, ""):
            spider.recheck_days = settings.getfloat("CRAWL_RECHECK_DAYS")
        # Backoff of remembered links: (first wait, longest wait) in hours, per state.
        longest = settings.getfloat("CRAWL_RETRY_MAX_HOURS")
        spider.waits = {DEAD: (settings.getfloat("CRAWL_DEAD_RECHECK_HOURS"), longest),
                        SKIPPED: (settings.getfloat("CRAWL_RETRY_HOURS"), longest),
                        FAILED: (settings.getfloat("CRAWL_RETRY_HOURS"), longest)}
        spider.drift_sample = settings.getint("CRAWL_DRIFT_SAMPLE")
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
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

    # A frontier worker has no database (`db` None): it remembers no links.

    def _remembered_urls(self) -> dict[str, UrlState]:
        return remembered_urls(self.db, self.site.domain) if self.db is not None else {}

    def _remember(self, url: str, fetch_url: str, state: str, reason: str) -> UrlState:
        memory = UrlState(url, self.site.domain, fetch_url, state, reason, 1, utc_now(), utc_now(), utc_now())
        if self.db is not None:
            memory = remember_url(self.db, url, self.site.domain, fetch_url, state, reason, utc_now(),
                                  self.waits[state])
        self.memory[url] = memory
        return memory

    def _forget(self, url: str) -> None:
        if self.memory.pop(url, None) is not None and self.db is not None:
            forget_url(self.db, url)

    def _detected(self) -> None:
        """Record the family detected for a site whose config names none."""
        if self.db is not None:
            upsert_sites(self.db, [self.site.as_site_row()])

    def _load_crawl_state(self) -> None:
        """What this run knows before its first request: stored articles, links that gave no
        article, whether to page every listing to the end."""
        self.known = self._stored_articles()
        self.memory = self._remembered_urls()
        self.started_at = utc_now()
        self.scheduled: set[str] = set()
        self.variants: dict[str, list[str]] = {}  # canonical URL -> addresses found, in order
        self.tried: dict[str, set[str]] = {}  # canonical URL -> addresses requested this run
        self.seen_in_section: dict[str, set[str]] = {}
        self.history = History.of(self.known)
        self.held: list[tuple[ArticleItem, Page]] = []  # new or changed articles awaiting the drift verdict
        self.drift: Drift | None = None
        self.drift_checked = False
        self.full_pass = not self._previous_run_completed()
        self.logger.info("%s: %d articles already stored%s", self.site.domain, len(self.known),
                         "; previous crawl incomplete, paging every listing to the end" if self.full_pass else "")

    def _seed_requests(self) -> Iterator[scrapy.Request]:
        """The run's first requests: every section, feed and sitemap, and the due re-checks (once
        the family is known: a site without one waits for its first listing page)."""
        for section in self.site.sections:
            yield scrapy.Request(section, callback=self.parse_listing, errback=self.on_error,
                                 meta={"section": section, "stale_pages": 0}, dont_filter=True)
        if self.site.family:
            yield from self._requests_of_the_family()

    def _requests_of_the_family(self) -> Iterator[scrapy.Request]:
        """Feeds, sitemaps and re-checks: what needs the family's rules to be read."""
        for feed in self.site.feeds.get("rss", []) + self.site.feeds.get("sitemaps", []):
            yield scrapy.Request(feed, callback=self.parse_feed, errback=self.on_error, dont_filter=True)
        yield from self._memory_requests()
        yield from self._recheck_requests()

    def _memory_requests(self) -> Iterator[scrapy.Request]:
        """Remembered links whose backoff has passed: dead, skipped or failed ones, tried again."""
        for url, memory in self.memory.items():
            if memory.due(self.started_at) and url not in self.scheduled:
                self.scheduled.add(url)
                yield self._article_request(memory.fetch_url or url, url)

    def _previous_run_completed(self) -> bool:
        """Whether the site's last crawl paged its listings to the end (not killed, no listing failure).

        Stopping at the first page without anything new is only safe when everything older was seen:
        after a crawl that was killed or lost a listing page, the next one pages to the end once.
        """
        last = self.db.execute("select status from crawl_runs where site = ? and run_id != ? "
                               "order by started_at desc limit 1",
                               [self.site.domain, self.settings.get("CRAWL_RUN_ID")]).fetchone()
        return last is not None and last[0] == "finished"

    def _recheck_requests(self) -> Iterator[scrapy.Request]:
        """Conditional requests for stored articles last fetched before the recheck horizon."""
        if self.recheck_days is None:
            return
        horizon = (datetime.now(timezone.utc) - timedelta(days=self.recheck_days)).isoformat()
        for url, state in self.known.items():
            # A stored article that vanished (404) is re-checked by its backoff, not every night.
            if (state.get("fetched_at") or "") > horizon or url in self.memory or url in self.scheduled:
                continue
            headers = {}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
            self.scheduled.add(url)
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, headers=headers,
                                 meta={"canonical": url, "handle_httpstatus_list": [304]}, dont_filter=True)

    def _article_requests(self, links: list[tuple[str, str]],
                          variants: dict[str, list[str]]) -> Iterator[scrapy.Request]:
        for canonical, found in variants.items():
            known = self.variants.setdefault(canonical, [])
            known += [url for url in found if url not in known]
        for fetch_url, canonical in links:
            if canonical in self.known or canonical in self.scheduled or canonical in self.memory:
                continue
            self.scheduled.add(canonical)
            yield self._article_request(fetch_url, canonical)

    def _article_request(self, fetch_url: str, canonical: str) -> scrapy.Request:
        self.tried.setdefault(canonical, set()).add(fetch_url)
        # `scheduled` already deduplicates by canonical URL; bypassing Scrapy's filter also lets
        # REDIRECT_MAX_TIMES catch a redirect loop instead of the filter dropping it silently.
        return scrapy.Request(fetch_url, callback=self.parse_article, errback=self.on_error,
                              meta={"canonical": canonical}, dont_filter=True)

    def _next_variant(self, request: scrapy.Request) -> scrapy.Request | None:
        """Another address of the same article not requested yet in this run: the other links found
        for it, then its canonical URL, then its print view."""
        canonical = request.meta["canonical"]
        tried = self.tried.setdefault(canonical, set())
        tried.add(request.url)
        candidates = [*self.variants.get(canonical, []), canonical]
        candidates += [printed for url in candidates if (printed := print_view_url(url, self.site.print_view))]
        for url in dict.fromkeys(candidates):
            if url not in tried:
                self.crawler.stats.inc_value("crawl/variant_tried")
                self.logger.info("%s failed; trying %s", request.url, url)
                return self._article_request(url, canonical)
        return None

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Schedule the listing's new articles; follow the next page unless nothing was new."""
        if not is_html(response):
            self._skip(response, "listing is not HTML")
            return
        if not self.site.family:
            yield from self._detect_family(response)
        page = parse_listing(response.text, response.url, self.site)
        yield from self._article_requests(page.articles, page.variants)
        self.crawler.stats.inc_value("crawl/listing_pages")
        # "New" means neither stored nor remembered as dead or skipped, nor seen on an earlier page
        # of this section (a sidebar repeats on every page); links a feed already scheduled this
        # run still count as new.
        seen = self.seen_in_section.setdefault(response.meta["section"], set())
        brings_new = any(c not in self.known and c not in self.memory and c not in seen for _, c in page.articles)
        seen.update(c for _, c in page.articles)
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
        yield from self._article_requests(page.articles, page.variants)

    def _detect_family(self, response: Response) -> Iterator[scrapy.Request]:
        """Take the family whose fingerprints the first listing page carries (config without `family`)."""
        detection = detect_family([(response.url, response.text)], self.families)
        self.site = with_family(self.site, detection.family, self.families)
        self.crawler.stats.set_value("crawl/detected_family", detection.family)
        self.logger.info("%s: family %s, detected from %s: %s", self.site.domain, detection.family, response.url,
                         "; ".join(detection.reasons))
        self._detected()
        yield from self._requests_of_the_family()

    def parse_article(self, response: Response) -> Iterator[ArticleItem | NotModifiedItem]:
        """Parse an article page into an item carrying the raw response for the archive."""
        canonical = response.meta.get("canonical") or canonical_url(response.url, self.site.canonical)
        if response.status == 304:
            self.crawler.stats.inc_value("crawl/not_modified")
            yield NotModifiedItem(url=canonical, site=self.site.domain, fetched_at=utc_now())
            return
        if not is_html(response):
            content_type = response.headers.get(b"Content-Type", b"?").decode("latin-1")
            yield from self._no_article(response.request, SKIPPED, f"not HTML ({content_type})")
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

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request | ArticleItem]:
        """Log and count a request that failed (HTTP error, time-out, redirect loop, size cap); for
        an article, try its next address first, then remember it with a backoff."""
        request = failure.request
        robots = failure.check(IgnoreRequest) and ROBOTS_FORBIDDEN in failure.getErrorMessage()
        message = ROBOTS_FORBIDDEN if robots else failure_message(failure)
        if request.callback == self.parse_article and request.meta.get("canonical"):
            if robots:
                state = SKIPPED
            elif failure.check(HttpError) and failure.value.response.status in DEAD_STATUSES:
                state = DEAD
            else:
                state = SKIPPED if _over_size_cap(failure) else FAILED
            yield from self._no_article(request, state, message, counter=f"crawl/failed/{_counter_name(message)}")
            return
        self.crawler.stats.inc_value(f"crawl/failed/{_counter_name(message)}")
        if request.callback == self.parse_listing:
            self.crawler.stats.inc_value("crawl/listing_failed")
        self._fail(request.url, "crawl/failed", message)
        return
        yield  # a generator, like the article branch

    def _no_article(self, request: scrapy.Request, state: str, reason: str,
                    counter: str = "crawl/failed") -> Iterator[scrapy.Request]:
        """An article request gave no article: try the article's next address, else remember it.

        Reported (counted and logged in `errors`): a dead link the first time only, a skip or a
        failure every time it is tried. A robots.txt refusal is not worked around by another address.

        :param request: the request that failed
        :param state: dead, skipped or failed
        :param reason: what it answered, e.g. "HTTP 404", "not HTML (text/plain)"
        :param counter: the stats key of a failure: "crawl/parse_failed" for a page that could not be
            read, else a `crawl/failed/<kind>` detail (the failure also counts in "crawl/failed")
        """
        retry = None if reason == ROBOTS_FORBIDDEN else self._next_variant(request)
        if retry is not None:
            yield retry
            return
        canonical = request.meta["canonical"]
        memory = self._remember(canonical, request.url, state, reason)
        if state == SKIPPED:
            self.crawler.stats.inc_value("crawl/robots_forbidden" if reason == ROBOTS_FORBIDDEN else "crawl/skipped")
            self.logger.info("%s: skipped, %s; tried again after %s", request.url, reason, memory.next_check)
            self._record_error(canonical, f"skipped: {reason}")
        elif state == DEAD and memory.attempts > 1:
            self.crawler.stats.inc_value("crawl/dead_rechecked")  # reported when it died
            self.logger.info("%s: still %s; next check after %s", request.url, reason, memory.next_check)
        elif counter == "crawl/parse_failed":
            self._fail(request.url, counter, reason)
        else:
            self.crawler.stats.inc_value(counter)
            self._fail(request.url, "crawl/failed", reason)

    def _hold_or_release(self, item: ArticleItem) -> Iterator[ArticleItem]:
        """Pass an article on to be stored, unless it is new or changed and the drift verdict is not in.

        An article whose text is as stored cannot spoil anything and goes straight on.
        """
        self._forget(item["url"])
        article = item["article"]
        text_hash = content_hash(article.text())
        if self.drift is not None:
            self._withhold([item])
            return
        if self.drift_checked or self.known.get(item["url"], {}).get("content_hash") == text_hash:
            yield item
            return
        self.held.append((item, Page(item["url"], article.title, article.published, article.body, text_hash)))
        if len(self.held) >= self.drift_sample:
            yield from self._judge_drift()

    def _judge_drift(self) -> Iterator[ArticleItem]:
        """Release the held articles if their sample shows no layout drift; else withhold them and stop."""
        held, self.held = self.held, []
        self.drift = layout_drift([page for _, page in held], self.history)
        self.drift_checked = True
        if self.drift is None:
            yield from (item for item, _ in held)
            return
        message = f"layout changed: {self.drift.message()}"
        self.logger.error("%s: %s; nothing stored, crawl stopped", self.site.domain, message)
        self._record_error(self.site.base_url, message)
        self._withhold([item for item, _ in held])
        raise CloseSpider(LAYOUT_CHANGED)

    def _withhold(self, items: list[ArticleItem]) -> None:
        # Not remembered: tomorrow's crawl tries them again (after the selectors were fixed).
        self.crawler.stats.inc_value("crawl/layout_withheld", len(items))
        self.crawler.stats.inc_value("crawl/parse_failed", len(items))

    def on_idle(self) -> None:
        """At the end of the crawl, judge the articles still held (fewer than the sample size).

        :raises CloseSpider: when they show drift (the crawl ends as "layout_changed")
        :raises DontCloseSpider: when they were released, while they are being stored
        """
        if not self.held:
            return
        for item in list(self._judge_drift()):
            deferred_from_coro(self.crawler.engine.scraper.start_itemproc_async(item, response=None))
        raise DontCloseSpider

    def _fail(self, url: str, counter: str, message: str) -> None:
        self.crawler.stats.inc_value(counter)
        self.logger.warning("%s: %s", url, message)
        self._record_error(url, message)

    def _skip(self, response: Response, why: str, url: str | None = None) -> None:
        content_type = response.headers.get(b"Content-Type", b"?").decode("latin-1")
        self.crawler.stats.inc_value("crawl/skipped")
        self.logger.info("%s: skipped, %s (%s)", response.url, why, content_type)
        self._record_error(url or response.url, f"skipped: {why} ({content_type})")

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
