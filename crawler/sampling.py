"""Read a handful of a portal's article pages together, as `sites add` and `sites check --live` do.

The page reader learns site chrome from several pages of one site (a banner or a section header
that recurs is never a title), so a sample is read twice: once to see what recurs, once with it.
"""
from __future__ import annotations

from dataclasses import dataclass

from scrapy.http import Response

from crawler.responses import is_html
from reader.article import Article, PageError, read_page
from reader.chrome import SiteChrome
from siteconfig import SiteConfig


@dataclass(frozen=True)
class FetchedPage:
    """One fetched article page.

    :param url: the address fetched
    :param body: raw bytes
    :param content_type: the Content-Type header, if any
    """

    url: str
    body: bytes
    content_type: str | None


def fetched_page(response: Response) -> FetchedPage | None:
    """The response as a page of the sample, or None when it is not HTML.

    :param response: an article response
    """
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
    return FetchedPage(response.url, response.body, content_type) if is_html(response) else None


def in_turn(lists: list[list[str]], count: int) -> list[str]:
    """Up to `count` items taken from each list in turn (the first article of every section, then the
    second…), without repeats.

    :param lists: e.g. the article links of each section, best section first
    :param count: how many
    """
    queues, taken = [list(items) for items in lists], []
    while len(taken) < count and any(queues):
        for queue in queues:
            if queue and len(taken) < count:
                item = queue.pop(0)
                if item not in taken:
                    taken.append(item)
    return taken


@dataclass(frozen=True)
class SampleReading:
    """How one page of the sample reads with a site's rules.

    :param url: the page's address
    :param article: the reading, or None when the page holds no article
    :param problem: why there is no article
    """

    url: str
    article: Article | None
    problem: str | None = None


def read_sample(pages: list[FetchedPage], site: SiteConfig) -> list[SampleReading]:
    """Read every page of a sample with the site's selectors, site chrome learnt across them.

    :param pages: fetched article pages of one site
    :param site: the site's configuration (family rules merged)
    """
    chrome = SiteChrome()
    for page in pages:
        try:
            chrome.observe(read_page(page.body, page.url, site.article, content_type=page.content_type,
                                     site_name=site.name).chrome_candidates)
        except PageError:
            continue
    readings = []
    for page in pages:
        try:
            readings.append(SampleReading(page.url, read_page(
                page.body, page.url, site.article, content_type=page.content_type, site_chrome=chrome.keys(),
                site_name=site.name)))
        except PageError as exc:
            readings.append(SampleReading(page.url, None, str(exc)))
    return readings
