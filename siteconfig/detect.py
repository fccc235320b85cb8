"""Which CMS family a portal runs, and where its news sections are, read from its pages (pure).

A family's `fingerprints` (data/families/<name>.yml) are regexes over what its pages show of the
CMS: the meta generator, class and id names (`tandan-…`, `portlet`, `news_column`), the addresses
the page links to or loads (`/portal/KenhTin/`, `/-/asset_publisher/`, `/wp-content/`), its feed
links, the host name; the family's article pattern adds the links that look like its articles.
Each kind of evidence scores; the family with the best score wins if it is clear enough, else the
generic family. Every point comes with a reason, so `sites add` can say why it chose.

Section candidates are the page's on-site links whose text or address names news
(data/news_sections.yml), menu links first. Fetching is not done here (stages/sites.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import yaml
from lxml.etree import ParserError

from schema.search import fold
from siteconfig.paths import GENERIC_FAMILY, ROOT

SECTION_WORDS = ROOT / "data" / "news_sections.yml"
# Points per kind of evidence, and the most one kind can give (several class names of one CMS are
# one piece of evidence seen several times, not several CMSs). A host name is chosen by its owner
# (bao<province>.vn, <district>.thanhhoa.gov.vn): it outweighs one class name shared by many CMSs.
POINTS = {"generator": 6, "markup": 2, "links": 2, "feeds": 2, "hosts": 3, "articles": 1}
MOST = {"generator": 6, "markup": 6, "links": 6, "feeds": 2, "hosts": 3, "articles": 2}
# Below this the evidence is too thin to name a family: the generic family is used.
CLEAR_SCORE = 3
MENU_CONTAINERS = ("nav", "header")
MENU_CLASS = re.compile(r"(?i)menu|nav")
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
FEED_ADDRESS = re.compile(r"(?i)(?:/rss/?|\.rss|/feeds?/?|rss\.xml|atom\.xml)$")


@dataclass(frozen=True)
class Detection:
    """The family a portal's pages point to.

    :param family: family name (the generic family when nothing is clear)
    :param reasons: why, one line per piece of evidence of the chosen family (or why none)
    :param scores: score of every family that had any evidence
    """

    family: str
    reasons: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionCandidate:
    """A link that may lead to a news section.

    :param url: absolute address (no fragment)
    :param text: the link's text
    :param score: how much it looks like news (higher first)
    :param reason: why it is a candidate
    """

    url: str
    text: str
    score: float
    reason: str


@dataclass
class _Page:
    """What one page shows of its CMS."""

    url: str
    host: str
    generator: str
    names: set[str]
    addresses: list[str]
    links: list[tuple[str, str, bool]]  # (on-site address, text, inside a menu)
    feeds: list[str]


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _read_page(html: str, url: str) -> _Page | None:
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return None
    host = _host(url)
    generator = " ".join(root.xpath("//meta[translate(@name, 'GENERATOR', 'generator')='generator']/@content"))
    names = {name for value in root.xpath("//@class") for name in value.split()} | set(root.xpath("//@id"))
    addresses = [urljoin(url, a.strip()) for a in root.xpath("//@href | //@src | //@action") if a.strip()]
    links = []
    for anchor in root.xpath("//a[@href]"):
        address = urldefrag(urljoin(url, anchor.get("href").strip()))[0]
        if _host(address) == host and urlsplit(address).scheme in ("http", "https"):
            in_menu = any(ancestor.tag in MENU_CONTAINERS or MENU_CLASS.search(
                f"{ancestor.get('class', '')} {ancestor.get('id', '')}") for ancestor in anchor.iterancestors())
            links.append((address, " ".join(anchor.text_content().split()), in_menu))
    feeds = [urljoin(url, href) for link in root.xpath("//link[@href]") if (link.get("type") or "").lower()
             in FEED_TYPES for href in [link.get("href")]]
    feeds += [address for address, _, _ in links if FEED_ADDRESS.search(urlsplit(address).path)]
    return _Page(url, host, generator, names, addresses, links, list(dict.fromkeys(feeds)))


def _score(family: dict[str, Any], pages: list[_Page]) -> tuple[float, list[str], int]:
    """A family's score on the pages, the reasons for it (one line per kind of evidence), and how
    many links of the page that lists most look like its articles."""
    prints = family.get("fingerprints") or {}
    if family.get("generator") and "generator" not in prints:
        prints = {**prints, "generator": family["generator"]}
    hits: dict[str, dict[str, str]] = {kind: {} for kind in POINTS}  # kind -> pattern -> what matched
    articles: list[str] = []
    article_pattern = (family.get("listing") or {}).get("article_pattern")
    for page in pages:
        generator = prints.get("generator")
        if generator and page.generator and re.search(generator, page.generator):
            hits["generator"].setdefault(generator, page.generator)
        for pattern in prints.get("markup", []):
            if hit := next((name for name in sorted(page.names) if re.search(pattern, name)), None):
                hits["markup"].setdefault(pattern, hit)
        for pattern in prints.get("links", []):
            if hit := next((a for a in page.addresses if _host(a) == page.host and re.search(pattern, a)), None):
                hits["links"].setdefault(pattern, urlsplit(hit).path)
        for pattern in prints.get("feeds", []):
            if hit := next((feed for feed in page.feeds if re.search(pattern, feed)), None):
                hits["feeds"].setdefault(pattern, urlsplit(hit).path)
        for pattern in prints.get("hosts", []):
            if re.search(pattern, page.host):
                hits["hosts"].setdefault(pattern, page.host)
        if article_pattern:
            found = [a for a, _, _ in page.links if re.search(article_pattern, a)]
            articles = found if len(found) > len(articles) else articles
    labels = {"generator": "meta generator", "markup": "class or id", "links": "links to", "feeds": "feed",
              "hosts": "host name"}
    score, reasons = 0.0, []
    for kind, matched in hits.items():
        if matched:
            score += min(MOST[kind], POINTS[kind] * len(matched))
            reasons.append(f"{labels[kind]} " + ", ".join(repr(value) for value in matched.values()))
    if articles:
        score += min(MOST["articles"], POINTS["articles"] * (2 if len(articles) >= 3 else 1))
        reasons.append(f"{len(articles)} links like its articles (e.g. {urlsplit(articles[0]).path!r})")
    return score, reasons, len(articles)


def detect_family(pages: Iterable[tuple[str, str]], families: dict[str, dict[str, Any]]) -> Detection:
    """The family whose fingerprints the pages carry best.

    :param pages: (URL, decoded HTML) of one or more pages of the portal (home, listing, article)
    :param families: families by name (`load_families`)
    :return: the family and why; the generic family when no family scores `CLEAR_SCORE`, or two tie
    """
    read = [page for url, html in pages if (page := _read_page(html, url)) is not None]
    scored = {name: _score(family, read) for name, family in families.items() if name != GENERIC_FAMILY}
    scores = {name: score for name, (score, _, _) in scored.items() if score > 0}
    # A family none of whose article addresses the pages link to, where the generic rules see
    # articles, would crawl nothing: it is not chosen, however its markup looks.
    generic_articles = _score(families[GENERIC_FAMILY], read)[2] if GENERIC_FAMILY in families else 0
    unlisted = {name for name, (_, _, articles) in scored.items() if not articles and generic_articles >= 3}
    ranked = sorted((name for name in scores if name not in unlisted), key=lambda name: -scores[name])
    if not ranked or scores[ranked[0]] < CLEAR_SCORE:
        best = f" (best: {ranked[0]}, {scores[ranked[0]]:g} points)" if ranked else ""
        passed = sorted(name for name in unlisted if scores.get(name, 0) >= CLEAR_SCORE)
        why = [f"{name}: no page links to its articles" for name in passed]
        return Detection(GENERIC_FAMILY, (f"no family's fingerprints are clear{best}", *why), scores)
    best = ranked[0]
    if len(ranked) > 1 and scores[ranked[1]] == scores[best]:
        return Detection(GENERIC_FAMILY, (f"{best} and {ranked[1]} fit equally ({scores[best]:g} points)",), scores)
    return Detection(best, (f"{best}: {scores[best]:g} points", *scored[best][1]), scores)


@lru_cache(maxsize=4)
def section_words(path: Path = SECTION_WORDS) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
    """The news words (folded phrase, weight), heaviest first, and the words of sections that are not news.

    :param path: the words file (data/news_sections.yml)
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    news = sorted(((entry["words"], float(entry["weight"])) for entry in data["news"]), key=lambda e: -e[1])
    return tuple(news), tuple(data["not_news"])


def _words(text: str) -> str:
    """Folded lower-case words separated by single spaces ("Tin tức - Sự kiện" -> "tin tuc su kien")."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # "KenhTin" -> "Kenh Tin"
    return " " + " ".join(re.findall(r"[a-z0-9]+", (fold(spaced) or "").lower())) + " "


def section_candidates(html: str, url: str, article_pattern: str | None = None,
                       words_file: Path = SECTION_WORDS) -> list[SectionCandidate]:
    """On-site links of a page that look like news sections, most likely first.

    :param html: decoded page (usually the home page)
    :param url: its URL
    :param article_pattern: the family's article pattern: links to articles are not sections
    :param words_file: news words (data/news_sections.yml)
    """
    page = _read_page(html, url)
    if page is None:
        return []
    news, not_news = section_words(words_file)
    home = urlsplit(url)._replace(query="", fragment="").geturl().rstrip("/")
    found: dict[str, SectionCandidate] = {}
    for position, (address, text, in_menu) in enumerate(page.links):
        label, path = _words(text), _words(urlsplit(address).path)
        # A menu link whose text names news is a section even when its address is as long as an
        # article's (`/thong-tin-chi-dao-dieu-hanh.html` under the generic rules).
        menu_news = in_menu and any(f" {w} " in label for w, _ in news)
        if address.rstrip("/") == home or (article_pattern and re.search(article_pattern, address) and not menu_news):
            continue
        if any(f" {w} " in label for w in not_news) or (not label.strip() and any(f" {w} " in path for w in not_news)):
            continue
        match = next(((w, weight, where) for w, weight in news for where, words in (("text", label), ("address", path))
                      if f" {w} " in words), None)
        if match is None:
            continue
        phrase, weight, where = match
        # Menus list the sections; the same words in an article's teaser say less.
        score = weight + (2 if in_menu else 0) - position / 10_000
        reason = f"{'menu ' if in_menu else ''}link {text!r}" + (f" ({where} says {phrase!r})")
        if address not in found or found[address].score < score:
            found[address] = SectionCandidate(address, text, score, reason)
    return sorted(found.values(), key=lambda c: -c.score)


def feed_links(html: str, url: str) -> list[str]:
    """The page's on-site RSS/Atom feeds (`<link rel=alternate>`, links to …/rss/ or …/feed/).

    :param html: decoded page
    :param url: its URL
    """
    page = _read_page(html, url)
    return [feed for feed in page.feeds if _host(feed) == page.host] if page else []
