"""A portal seen for the first time, looked at politely: `pipeline.py sites add URL` runs this spider.

    scrapy crawl probe -a url=https://muonglat.thanhhoa.gov.vn/

It fetches the address given (the home page, or a section) with the crawler's own manners
(robots.txt, User-Agent, delays, redirects kept on the host, size cap), then a few of the links
that look like news sections and the feeds the page or robots.txt names, then a few articles of
the best sections. Nothing is stored: the findings stay on the spider (`findings`) for the stage
that writes the site config (stages/sites.py). The family is detected from every page fetched
(siteconfig/detect.py) and the sections and articles are read again with its rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from twisted.python.failure import Failure

from crawler.listing import ListingPage, page_number, parse_feed, parse_listing
from crawler.responses import failure_message, is_html
from crawler.sampling import FetchedPage, SampleReading, fetched_page, in_turn, read_sample
from siteconfig import SiteConfig, build_site, load_families
from siteconfig.detect import Detection, SectionCandidate, detect_family, feed_links, section_candidates
from siteconfig.paths import DEFAULT_FAMILIES_DIR


@dataclass
class Section:
    """A candidate section as fetched and read with the detected family's rules.

    :param url: its address
    :param text: the menu text that named it
    :param reason: why it was a candidate
    :param articles: article links found on it (as linked, one per article)
    :param next_page: its next listing page, if any
    """

    url: str
    text: str
    reason: str
    articles: list[str] = field(default_factory=list)
    next_page: str | None = None


@dataclass
class Findings:
    """What the probe found.

    :param start_url: the address given
    :param domain: the portal's host (the site key)
    :param base_url: scheme and host
    :param page_title: the start page's `<title>` (names the portal)
    :param detection: the detected family and why
    :param sections: chosen news sections, best first
    :param candidates: every candidate section fetched, chosen or not
    :param feeds: RSS feeds that list articles
    :param sitemaps: sitemaps that list articles
    :param readings: the preview articles as read with the family's rules
    :param problems: what went wrong (unreachable pages, robots.txt refusals)
    """

    start_url: str
    domain: str
    base_url: str
    page_title: str = ""
    detection: Detection | None = None
    sections: list[Section] = field(default_factory=list)
    candidates: list[Section] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    readings: list[SampleReading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ProbeSpider(scrapy.Spider):
    """Look at a portal never seen before: family, news sections, feeds, a few articles.

    :param url: the portal's home page (or any listing page of it)
    :param max_candidates: candidate sections to fetch
    :param max_sections: sections to keep
    :param previews: articles to read as a preview
    """

    name = "probe"
    # Nothing is archived or stored: this is a look, not a crawl.
    custom_settings = {
        "ITEM_PIPELINES": {"crawler.pipelines.WarcArchivePipeline": None, "crawler.pipelines.StorePipeline": None},
        "EXTENSIONS": {"crawler.extensions.CrawlProgress": None},
    }

    def __init__(self, url: str | None = None, max_candidates: str = "5", max_sections: str = "3",
                 previews: str = "3", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not url or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ValueError(f"give the portal's address: -a url=https://<host>/ (not {url!r})")
        self.start_url = url
        self.max_candidates, self.max_sections, self.previews = int(max_candidates), int(max_sections), int(previews)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.families = load_families(Path(crawler.settings.get("FAMILIES_DIR") or DEFAULT_FAMILIES_DIR))
        parts = urlsplit(spider.start_url)
        domain = parts.netloc.lower()
        spider.findings = Findings(spider.start_url, domain, f"{parts.scheme}://{domain}")
        # A provisional site, for the middlewares (redirects stay on this host) and the generic rules.
        spider.site = spider._site_with("")
        spider.allowed_domains = [parts.hostname]
        spider.pages: dict[str, str] = {}  # listing pages fetched: URL -> decoded HTML
        spider.feed_bodies: dict[str, bytes] = {}
        spider.articles: list[FetchedPage] = []
        spider.pending = 0  # requests of the current step not answered yet
        spider.step = "discover"  # then "preview", then "done"
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def _site_with(self, family: str) -> SiteConfig:
        data = {"domain": self.findings.domain, "name": self.findings.page_title or self.findings.domain,
                "base_url": self.findings.base_url, "sections": [self.start_url]}
        if family:
            data["family"] = family
        return build_site(data, self.families, Path(f"<{self.findings.domain}>"))

    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """Take the sitemaps robots.txt names (its `Sitemap:` lines) as feed candidates."""
        sitemaps = getattr(getattr(robotparser, "rp", None), "sitemaps", None) or []
        self.robots_sitemaps = [s for s in sitemaps if urlsplit(s).hostname == urlsplit(self.start_url).hostname]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.robots_sitemaps: list[str] = []
        self.requested: set[str] = set()
        self.candidate_info: dict[str, SectionCandidate] = {}
        yield self._request(self.start_url, self.parse_start)
        home = self.findings.base_url + "/"
        if self.start_url != home:  # a section was given: the home page names the portal and its menu
            yield self._request(home, self.parse_start, home=True)

    def _request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        self.pending += 1
        self.requested.add(url)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, dont_filter=True)

    def parse_start(self, response: Response) -> Iterator[scrapy.Request]:
        """The address given (and the home page): its family, its candidate sections and feeds."""
        self.pending -= 1
        if not is_html(response):
            self.findings.problems.append(f"{response.url} is not an HTML page")
            yield from self._when_done()
            return
        self.pages[response.url] = response.text
        title = " ".join(response.css("title::text").get(default="").split())
        if response.meta.get("home") or not self.findings.page_title:
            self.findings.page_title = title
        detection = detect_family([(response.url, response.text)], self.families)
        pattern = self.families[detection.family]["listing"].get("article_pattern")
        candidates = section_candidates(response.text, response.url, pattern)
        for candidate in candidates:
            self.candidate_info.setdefault(candidate.url, candidate)
        for candidate in candidates[:self.max_candidates]:
            if candidate.url not in self.requested and candidate.url != self.start_url:
                yield self._request(candidate.url, self.parse_candidate)
        feeds = feed_links(response.text, response.url)
        defaults = self.families[detection.family].get("feeds", {})
        feeds += [urljoin(self.findings.base_url + "/", f) for kind in ("rss", "sitemaps") for f in defaults.get(kind, [])]
        for feed in dict.fromkeys(feeds + self.robots_sitemaps):
            if feed not in self.requested:
                yield self._request(feed, self.parse_feed_candidate)
        yield from self._when_done()

    def parse_candidate(self, response: Response) -> Iterator[scrapy.Request]:
        self.pending -= 1
        if is_html(response):
            self.pages[response.url] = response.text
        yield from self._when_done()

    def parse_feed_candidate(self, response: Response) -> Iterator[scrapy.Request]:
        self.pending -= 1
        self.feed_bodies[response.url] = response.body
        yield from self._when_done()

    def parse_preview(self, response: Response) -> Iterator[scrapy.Request]:
        self.pending -= 1
        page = fetched_page(response)
        if page is None:
            self.findings.problems.append(f"{response.url}: not HTML")
        else:
            self.articles.append(page)
        yield from self._when_done()

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.pending -= 1
        request = failure.request
        # A guessed feed, or the home page of a portal addressed by a section, that is not there is no news.
        if request.callback != self.parse_feed_candidate and not request.meta.get("home"):
            self.findings.problems.append(f"{request.url}: {failure_message(failure)}")
        yield from self._when_done()

    def _when_done(self) -> Iterator[scrapy.Request]:
        """Once every page of a step has come: choose the sections and fetch previews, then read them."""
        if self.pending or self.step == "done":
            return
        if self.step == "discover":
            self._choose()
            self.step = "preview"
            for url in self._preview_links():
                yield self._request(url, self.parse_preview)
            if self.pending:
                return
        self.step = "done"
        self._read_previews()

    def _detect(self) -> None:
        pages = [(url, html) for url, html in self.pages.items()]
        pages += [(page.url, page.body.decode("utf-8", "replace")) for page in self.articles]
        self.findings.detection = detect_family(pages, self.families)
        self.site = self._site_with(self.findings.detection.family)

    def _choose(self) -> None:
        """Detect the family from the pages so far; keep the candidates that list articles."""
        self._detect()
        sections = []
        for url, html in self.pages.items():
            info = self.candidate_info.get(url)
            listing: ListingPage = parse_listing(html, url, self.site)
            text, reason = (info.text, info.reason) if info else ("(the address given)", "the start page")
            sections.append(Section(url, text, reason, [fetch for fetch, _ in listing.articles], listing.next_page))
        self.findings.candidates = sections
        score = {url: info.score for url, info in self.candidate_info.items()}
        follow = self.site.listing.get("follow_pattern")
        # A listing lists articles (two or more, or one and a next page), and is no later page of one.
        listing_ones = [s for s in sections if (len(s.articles) >= 2 or (s.articles and s.next_page))
                        and (page_number(s.url, follow) or 1) == 1]
        home = self.findings.base_url + "/"
        # A section the user gave comes first; the home page only when nothing else lists articles.
        given = [s for s in listing_ones if s.url == self.start_url != home]
        ranked = given + sorted((s for s in listing_ones if s.url not in (self.start_url, home)),
                                key=lambda s: (-(s.next_page is not None), -score.get(s.url, 0), -len(s.articles)))
        chosen, covered = [], set()
        for section in ranked:
            if set(section.articles) <= covered:
                continue  # the same articles as a better section (a second menu link to it)
            chosen.append(section)
            covered |= set(section.articles)
            if len(chosen) == self.max_sections:
                break
        if not chosen:
            chosen = [s for s in listing_ones if s.url == home][:1]
        self.findings.sections = chosen
        for url, body in self.feed_bodies.items():
            try:
                feed = parse_feed(body, url, self.site)
            except ValueError:
                continue
            if feed.articles or feed.sitemaps:
                (self.findings.sitemaps if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000]
                 else self.findings.feeds).append(url)

    def _preview_links(self) -> list[str]:
        """The first articles of the chosen sections, taken in turn."""
        return in_turn([section.articles for section in self.findings.sections], self.previews)

    def _read_previews(self) -> None:
        """Detect again with the article pages too, then read sections and previews with that family."""
        before = self.findings.detection.family if self.findings.detection else None
        self._detect()
        if self.findings.detection.family != before:
            kept = {s.url for s in self.findings.sections}
            self._choose()
            self.findings.sections = [s for s in self.findings.candidates if s.url in kept] or self.findings.sections
        self.findings.readings = read_sample(self.articles, self.site)

