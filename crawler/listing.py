"""Listing pages, RSS feeds and sitemaps → article links and the next listing page (no Scrapy engine).

Only the *next* page is followed (page n+1 of the family's `follow_pattern`, a "next" link, or the
number after the current one in a numbered pager), so
an incremental crawl can stop paging as soon as a page brings nothing new. Every address found for
one article is kept, in page order (the main list's selectors come first), so that the crawler can
try another when one fails.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from parsel import Selector
from scrapy.utils.sitemap import Sitemap

from crawler.canonical import canonical_url, without_language_suffix
from siteconfig import SiteConfig

NEXT_WORDS = frozenset({"tiếp", "tiếp theo", "trang sau", "sau", "»", "›", ">", ">>", "next", "trang tiếp"})


@dataclass
class ListingPage:
    """Links found on one listing page, feed or sitemap.

    :param articles: (URL to fetch, canonical URL) pairs, in page order, one per canonical URL
    :param next_page: the next listing page, if any
    :param sitemaps: nested sitemaps (from a sitemap index)
    :param variants: canonical URL -> every address found for it, in page order (the first is the
        one in `articles`)
    """

    articles: list[tuple[str, str]] = field(default_factory=list)
    next_page: str | None = None
    sitemaps: list[str] = field(default_factory=list)
    variants: dict[str, list[str]] = field(default_factory=dict)


def on_site(url: str, site: SiteConfig) -> bool:
    """Whether a URL belongs to the site's own host (`www.` prefix ignored)."""
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return host == site.domain.removeprefix("www.")


def is_article_url(url: str, site: SiteConfig) -> bool:
    """Whether a URL on the site is an article page by the family's `article_pattern`."""
    pattern = site.listing.get("article_pattern")
    return on_site(url, site) and bool(pattern and re.search(pattern, url))


def _article_links(urls: list[str], site: SiteConfig) -> ListingPage:
    """The article links among `urls`: one pair per canonical URL, every address kept as a variant."""
    variants: dict[str, list[str]] = {}
    for url in urls:
        # A language switch appended to an article's address serves a listing, not the article.
        url = without_language_suffix(urldefrag(url.strip())[0])
        if is_article_url(url, site):
            found = variants.setdefault(canonical_url(url, site.canonical), [])
            if url not in found:
                found.append(url)
    return ListingPage(articles=[(fetches[0], canonical) for canonical, fetches in variants.items()],
                       variants=variants)


def page_number(url: str, pattern: str | None) -> int | None:
    """The page number a listing URL carries by the family's `follow_pattern`, if any.

    :param url: a listing page's address
    :param pattern: the family's follow_pattern (its first group that matched is the number)
    """
    match = re.search(pattern, url) if pattern else None
    if not match:
        return None
    return int(next(g for g in match.groups() if g is not None)) if match.groups() else None


def parse_listing(html: str, url: str, site: SiteConfig) -> ListingPage:
    """Article links and the next page of one listing page.

    :param html: decoded page
    :param url: the page's URL
    :param site: the site configuration (its `listing` rules)
    """
    page = Selector(text=html)
    hrefs: list[str] = []
    for selector in site.listing.get("article_links") or ["a"]:
        hrefs += [urljoin(url, h) for h in page.css(selector).xpath("descendant-or-self::a/@href").getall()]
    links = _article_links(hrefs, site)
    links.next_page = _next_page(page, url, site)
    return links


def _next_page(page: Selector, url: str, site: SiteConfig) -> str | None:
    follow = site.listing.get("follow_pattern")
    wanted = (page_number(url, follow) or 1) + 1
    links = [(urljoin(url, a.attrib.get("href", "")), " ".join(a.css("::text").getall()).strip().lower(),
              a.attrib.get("rel", "")) for a in page.css("a[href]")]
    for link, _, _ in links:
        if on_site(link, site) and page_number(link, follow) == wanted:
            return urldefrag(link)[0]
    explicit = [urljoin(url, h) for s in site.listing.get("next_page", []) for h in page.css(s).xpath(
        "descendant-or-self::a/@href").getall()]
    explicit += [link for link, text, rel in links if "next" in rel or text in NEXT_WORDS]
    for link in [*explicit, *_numbered_next(page, url)]:
        link = urldefrag(link)[0]
        if on_site(link, site) and link != url and not is_article_url(link, site):
            return link
    return None


_CURRENT_HINT = re.compile(r"active|current|selected|(?<![a-z])cur(?![a-z])", re.I)
_PAGER_HINT = re.compile(r"paginat|pager|paging|page-?nav|page-?numbers|phan-?trang", re.I)


def _numbered_next(page: Selector, url: str) -> list[str]:
    """The next page of a numbered pager whose addresses carry no page number the family knows
    (Joomla's `?start=20` offsets): the current page is a number printed without a link, marked
    current (`li.active > span`, WordPress's `span.page-numbers.current`) or inside a pager; the
    next is the link whose text is the number after it, in the same pager."""
    number = r"re:test(normalize-space(.), '^\d{1,4}$')"
    for current in page.xpath(f"//body//*[text()[{number}]][not(self::a) and not(ancestor::a) and not(.//a)]"):
        near = " ".join(current.xpath("ancestor-or-self::*[position() <= 2]/@class").getall())
        around = " ".join(current.xpath("ancestor-or-self::*[position() <= 4]/@*[name()='class' or name()='id']").getall())
        if not (_CURRENT_HINT.search(near) or _PAGER_HINT.search(around)):
            continue
        wanted = str(int(current.xpath(f"normalize-space(text()[{number}])").get()) + 1)
        for pager in current.xpath("ancestor::*[position() <= 2][not(self::body)]")[::-1]:  # the nearest first
            if links := pager.xpath(f".//a[normalize-space(.)='{wanted}']/@href").getall():
                return [urljoin(url, link) for link in links]
    return []


def parse_feed(body: bytes, url: str, site: SiteConfig) -> ListingPage:
    """Article links of an RSS/Atom feed or a sitemap (nested sitemaps listed separately).

    :param body: raw XML
    :param url: the feed's URL
    :param site: the site configuration
    :raises ValueError: when the body is not a feed or sitemap
    """
    head = body[:2000].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = Sitemap(body)
        locs = [entry["loc"] for entry in sitemap if "loc" in entry]
        if sitemap.type == "sitemapindex":
            return ListingPage(sitemaps=[u for u in locs if on_site(u, site)])
        return _article_links(locs, site)
    if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
        try:
            root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"{url}: unreadable feed: {exc}") from exc
        links = root.xpath("//item/link/text() | //*[local-name()='entry']/*[local-name()='link']/@href")
        return _article_links([urljoin(url, link) for link in links], site)
    raise ValueError(f"{url}: neither an RSS feed nor a sitemap")
