"""Read a configured portal again, a sample only, to see whether its rules still fit its pages:
`pipeline.py sites check --live` runs this spider, one per site.

    scrapy crawl livecheck -a site=muonglat.thanhhoa.gov.vn [-a db=data/training.db]

It fetches the first page of each section (at most `max_sections`), a few of the articles they
list, reads them with the site's rules (crawler/sampling.py) and judges them as a night would
(crawler/drift.py, against what the database stores for the site when one is given). It also
detects the family of the listing pages again: a portal moved to another CMS shows there. Nothing
is stored; the findings stay on the spider (`findings`) for stages/sites.py to report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.canonical import canonical_url
from crawler.drift import Drift, History, Page, layout_drift
from crawler.listing import parse_listing
from crawler.responses import failure_message, is_html
from crawler.sampling import FetchedPage, SampleReading, fetched_page, in_turn, read_sample
from siteconfig import load_families, load_sites
from siteconfig.detect import Detection, detect_family
from store import content_hash, known_articles, open_database


@dataclass
class LiveFindings:
    """What a live check of one site found.

    :param site: domain
    :param family: the configured family ("" when it is detected at crawl time)
    :param listings: section URL -> article links found on its first page
    :param detection: the family the listing pages point to now
    :param readings: the sample articles as read with the site's rules
    :param drift: the signs of a changed layout, if any
    :param differences: stored articles of the sample that now read otherwise (title, date, text)
    :param problems: pages that could not be fetched
    :param stored: how many articles the database holds for the site (0 without a database)
    """

    site: str
    family: str
    listings: dict[str, int] = field(default_factory=dict)
    detection: Detection | None = None
    readings: list[SampleReading] = field(default_factory=list)
    drift: Drift | None = None
    differences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stored: int = 0


class LiveCheckSpider(scrapy.Spider):
    """Re-read a sample of one configured site and judge its layout.

    :param site: the portal's domain
    :param sites_dir: directory of site configs (default: setting SITES_DIR)
    :param db: database whose stored articles are the reference (optional)
    :param articles: how many articles to read
    :param max_sections: how many sections to look at
    """

    name = "livecheck"
    custom_settings = {
        "ITEM_PIPELINES": {"crawler.pipelines.WarcArchivePipeline": None, "crawler.pipelines.StorePipeline": None},
        "EXTENSIONS": {"crawler.extensions.CrawlProgress": None},
    }

    def __init__(self, site: str | None = None, sites_dir: str | None = None, db: str | None = None,
                 articles: str = "3", max_sections: str = "3", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not site:
            raise ValueError("give the portal to check: -a site=<domain>")
        self.site_name, self.sites_dir, self.db_path = site, sites_dir, db
        self.sample_size, self.max_sections = int(articles), int(max_sections)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.families = load_families(Path(settings.get("FAMILIES_DIR")))
        sites = load_sites(Path(spider.sites_dir or settings.get("SITES_DIR")), Path(settings.get("FAMILIES_DIR")))
        if spider.site_name not in sites:
            raise ValueError(f"no site {spider.site_name!r} in {spider.sites_dir or settings.get('SITES_DIR')}")
        spider.site = sites[spider.site_name]
        spider.allowed_domains = [spider.site.domain.split(":")[0]]
        spider.known = {}
        if spider.db_path:
            db = open_database(Path(spider.db_path))
            spider.known = known_articles(db, spider.site.domain)
            db.close()
        spider.findings = LiveFindings(spider.site.domain, spider.site.family, stored=len(spider.known))
        spider.listing_pages: list[tuple[str, str]] = []
        spider.links: list[list[str]] = []
        spider.fetched: list[FetchedPage] = []
        spider.pending = 0
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for section in self.site.sections[:self.max_sections]:
            yield self._request(section, self.parse_listing)

    def _request(self, url: str, callback: Any) -> scrapy.Request:
        self.pending += 1
        return scrapy.Request(url, callback=callback, errback=self.on_error, dont_filter=True)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        self.pending -= 1
        if not is_html(response):
            self.findings.problems.append(f"{response.url}: listing is not HTML")
        else:
            page = parse_listing(response.text, response.url, self.site)
            self.findings.listings[response.url] = len(page.articles)
            self.listing_pages.append((response.url, response.text))
            self.links.append([fetch for fetch, _ in page.articles])
        yield from self._when_done()

    def parse_article(self, response: Response) -> Iterator[scrapy.Request]:
        self.pending -= 1
        page = fetched_page(response)
        if page is None:
            self.findings.problems.append(f"{response.url}: not HTML")
        else:
            self.fetched.append(page)
        yield from self._when_done()

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.pending -= 1
        self.findings.problems.append(f"{failure.request.url}: {failure_message(failure)}")
        yield from self._when_done()

    def _when_done(self) -> Iterator[scrapy.Request]:
        """After the listings: fetch the sample's articles; after those: read and judge them."""
        if self.pending:
            return
        if self.links is not None:
            wanted = in_turn(self.links, self.sample_size)
            self.links = None
            for url in wanted:
                yield self._request(url, self.parse_article)
            if self.pending:
                return
        self._judge()

    def _judge(self) -> None:
        findings = self.findings
        if self.listing_pages:
            findings.detection = detect_family(self.listing_pages, self.families)
        findings.readings = read_sample(self.fetched, self.site)
        pages = [Page(canonical_url(reading.url, self.site.canonical), reading.article.title,
                      reading.article.published, reading.article.body, content_hash(reading.article.text()))
                 for reading in findings.readings if reading.article]
        for page in pages:
            stored = self.known.get(page.url)
            if stored is None or stored.get("content_hash") == page.text_hash:
                continue
            changes = [f"{what} {now!r} where {before!r} is stored" for what, now, before in (
                ("title", page.title, stored.get("title")), ("date", page.published, stored.get("published")))
                if (now or None) != (before or None)]
            findings.differences.append(f"{page.url}: " + ("; ".join(changes) or "the text reads otherwise"))
        # The sample's own stored versions are no "other page" to compare with.
        known = {url: state for url, state in self.known.items() if url not in {page.url for page in pages}}
        findings.drift = layout_drift(pages, History.of(known))
