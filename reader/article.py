"""HTML of an article page → title, date, byline, body, captions, attachments (no Scrapy needed).

Family selectors (from the site configuration) say where each part sits. When they find no body
the generic fallback takes over: trafilatura for the main text, and the first date line after
the title (never the header's "today" date) for the date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml.etree import ParserError

from reader.dates import date_from_url, parse_date_line, parse_iso
from reader.encoding import (clean_text, convert_legacy, decode_html, detect_legacy,
                              fix_double_utf8, legacy_font_hint)

BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "section", "article", "figure", "figcaption", "ul", "ol", "pre",
                        "header", "footer", "dd", "dt"})
# Not "form": ASP.NET portals (SharePoint, Tân Dân) wrap the whole page in one.
JUNK_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "svg", "template")
ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|rar|zip|7z)(?:$|[?#])", re.I)
META_DATE_NAMES = ("article:published_time", "og:published_time", "datePublished", "pubdate",
                   "publishdate", "dc.date.issued", "date")
# A label that is a byline on its own ("Tin, ảnh Hồ Thuỷ"), or one that needs a colon to be one
# ("Theo: …"; "Theo cách hiểu chung…" is a sentence).
BYLINE_LINE = re.compile(
    r"^(?:(?:Tin,?\s*(?:và\s*)?ảnh|Tin\s*/\s*ảnh|Bài,?\s*(?:và\s*)?ảnh|Tác giả|Thực hiện|Nguồn tin)\s*[:：.\-–]?"
    r"|(?:Theo|Nguồn|Bài|Tin|PV|CTV)\s*[:：])\s*(.{2,80})$", re.I)
BARE_NAME = re.compile(r"^(?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÉÈẺẼẸÓÒỎÕỌÝỲỶỸỴ][\wÀ-ỹ]*\.?\s+){1,4}"
                       r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÉÈẺẼẸÓÒỎÕỌÝỲỶỸỴ][\wÀ-ỹ]*$")
# Lines after which a body holds only page chrome ("older news from this section" lists).
STOP_LINES = re.compile(r"^(?:Các tin đã đưa ngày|Các tin khác|Tin khác|Tin liên quan|Tin cùng chuyên mục|"
                        r"Bài viết liên quan|Các bài viết khác|Tin bài liên quan|Xem thêm)\b", re.I)


class PageError(ValueError):
    """The page cannot be read as an article (empty, not HTML, no text)."""


@dataclass
class Article:
    """What an article page says, as clean NFC text.

    :param url: the URL the page was fetched from
    :param title: headline
    :param published: ISO date-time in +07:00, a date, or a year-month; None when unknown
    :param published_source: where `published` came from: "meta", "page", "url" or None
    :param byline: author or source line ("Tin, ảnh: …"), without its label
    :param body: body text, paragraphs separated by a blank line, captions excluded
    :param captions: photo captions, in page order
    :param attachments: absolute URLs of attached documents (PDF, DOC, …)
    :param canonical_url: the page's own canonical URL (`link rel=canonical` / `og:url`)
    :param encoding: the character encoding the page was decoded with
    :param legacy_encoding: "tcvn3" or "vni" when legacy-font text was converted
    :param method: "selectors" when family selectors found the body, "fallback" otherwise
    """

    url: str
    title: str | None
    published: str | None
    published_source: str | None
    byline: str | None
    body: str
    captions: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    encoding: str = "utf-8"
    legacy_encoding: str | None = None
    method: str = "selectors"

    def text(self) -> str:
        """The text handed to the extractor: title, blank line, body."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body


def _first(root: lxml.html.HtmlElement, selectors: list[str]) -> lxml.html.HtmlElement | None:
    for selector in selectors:
        found = root.cssselect(selector)
        if found:
            return found[0]
    return None


def _block_text(element: lxml.html.HtmlElement) -> str:
    """Text of an element with a line break at every block boundary and `<br>`."""
    element = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.lower() in BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
            if node.tag.lower() != "br":
                node.text = "\n" + (node.text or "")
    return element.text_content()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _meta(root: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = root.xpath(f"//meta[translate(@{attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                                f"'abcdefghijklmnopqrstuvwxyz')='{name.lower()}']/@content")
            if values and values[0].strip():
                return values[0].strip()
    return None


class _Repair:
    """Per-page text repair: double-encoded UTF-8, then one legacy-font verdict for the page."""

    def __init__(self, html: str, blocks: list[str]) -> None:
        blocks = [fix_double_utf8(b) for b in blocks]
        self.legacy = detect_legacy(blocks, legacy_font_hint(html))

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        return clean_text(convert_legacy(fix_double_utf8(text), self.legacy))


def parse_article(body: bytes | str, url: str, rules: dict[str, Any] | None = None,
                  content_type: str | None = None) -> Article:
    """Parse an article page.

    :param body: raw page bytes (decoded here) or already-decoded HTML
    :param url: the page's URL (resolves relative links; last resort for the date)
    :param rules: the family's `article` rules merged with the site's overrides
    :param content_type: the Content-Type header, for the declared charset
    :raises PageError: when the page holds no readable text
    """
    rules = rules or {}
    if isinstance(body, bytes):
        html, encoding = decode_html(body, content_type)
    else:
        html, encoding = body, "utf-8"
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise PageError(f"{url}: not parseable as HTML: {exc}") from exc
    for junk in root.xpath("|".join(f"//{tag}" for tag in JUNK_TAGS)):
        junk.drop_tree()

    title_el = _first(root, rules.get("title", []))
    date_el = _first(root, rules.get("date", []))
    byline_el = _first(root, rules.get("byline", []))
    body_el = _first(root, rules.get("body", []))
    lead_el = _first(root, rules.get("lead", []))
    captions: list[str] = []
    attachments: list[str] = []
    if body_el is not None:
        attachments = _attachments(body_el, url)
        for selector in rules.get("drop", []):
            for dropped in body_el.cssselect(selector):
                dropped.drop_tree()
        for selector in rules.get("captions", []):
            for caption in body_el.cssselect(selector):
                captions.append(_block_text(caption))
                caption.drop_tree()
        lines = _lines((_block_text(lead_el) + "\n" if lead_el is not None else "") + _block_text(body_el))
        method = "selectors"
    else:
        lines = _fallback_lines(html, url)
        method = "fallback"
    title = title_el.text_content() if title_el is not None else _meta(root, "og:title") or _page_title(root)

    repair = _Repair(html, [title or "", *lines, *captions])
    title = repair(title) or None
    lines = _cut_chrome([repair(line) for line in lines])
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]  # the generic extractor keeps the headline as the first line
    captions = [c for c in (repair(c) for c in captions) if c]
    byline = repair(byline_el.text_content()) if byline_el is not None else None
    byline, lines = _split_byline(byline, lines)
    if not lines:
        raise PageError(f"{url}: no body text found")
    published, source = _published(root, date_el, repair, lines, title, url)
    return Article(url=url, title=title, published=published, published_source=source, byline=byline,
                   body="\n\n".join(lines), captions=captions, attachments=attachments or _attachments(root, url),
                   canonical_url=_canonical(root, url), encoding=encoding,
                   legacy_encoding=repair.legacy, method=method)


def _page_title(root: lxml.html.HtmlElement) -> str | None:
    h1 = root.xpath("//h1")
    if h1 and h1[0].text_content().strip():
        return h1[0].text_content()
    titles = root.xpath("//title/text()")
    # "<headline> - <portal name>": the portal name is chrome.
    return re.split(r"\s+[-|–]\s+", titles[0].strip())[0] if titles else None


def _fallback_lines(html: str, url: str) -> list[str]:
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                               favor_precision=True, deduplicate=True)
    return _lines(text or "")


def _cut_chrome(lines: list[str | None]) -> list[str]:
    kept: list[str] = []
    for line in lines:
        if not line:
            continue
        if STOP_LINES.match(line):
            break
        kept.append(line)
    return kept


def _split_byline(byline: str | None, lines: list[str]) -> tuple[str | None, list[str]]:
    """Take the byline off the end of the body ("Tin, ảnh: …", "Tác giả: …", or a bare name)."""
    if byline:
        labelled = BYLINE_LINE.match(byline)
        byline = labelled.group(1).strip() if labelled else byline
        if lines and lines[-1].endswith(byline):
            lines = lines[:-1]
        return byline, lines
    for index in range(len(lines) - 1, max(len(lines) - 3, 0) - 1, -1):
        labelled = BYLINE_LINE.match(lines[index])
        if labelled and len(lines[index]) < 120:
            return labelled.group(1).strip(), lines[:index] + lines[index + 1:]
    if len(lines) > 1 and BARE_NAME.match(lines[-1]) and len(lines[-1].split()) <= 5:
        return lines[-1], lines[:-1]
    return None, lines


def _published(root: lxml.html.HtmlElement, date_el: lxml.html.HtmlElement | None, repair: _Repair,
               lines: list[str], title: str | None, url: str) -> tuple[str | None, str | None]:
    meta_value = _meta(root, *META_DATE_NAMES)
    if meta_value and (parsed := parse_iso(meta_value) or parse_date_line(meta_value)):
        return parsed[0], "meta"
    times = root.xpath("//time[@datetime]/@datetime")
    if times and (parsed := parse_iso(times[0])):
        return parsed[0], "meta"
    if date_el is not None and (parsed := parse_date_line(repair(date_el.text_content()) or "")):
        return parsed[0], "page"
    if date_el is None and (found := _date_after_title(root, repair, title)):
        return found, "page"
    if from_url := date_from_url(url):
        return from_url, "url"
    return None, None


def _date_after_title(root: lxml.html.HtmlElement, repair: _Repair, title: str | None) -> str | None:
    """First date line within a few lines after the title: headers print today's date *before* it."""
    page_lines = [repair(line) or "" for line in _lines(_block_text(root.find("body") if root.find("body")
                                                                       is not None else root))]
    start = next((i for i, line in enumerate(page_lines) if title and line == title), None)
    if start is None:
        return None
    for line in page_lines[start + 1:start + 6]:
        if len(line) < 80 and (parsed := parse_date_line(line)):
            return parsed[0]
    return None


def _attachments(element: lxml.html.HtmlElement, url: str) -> list[str]:
    links = [urljoin(url, href.strip()) for href in element.xpath(".//a/@href") if ATTACHMENT.search(href)]
    return list(dict.fromkeys(links))


def _canonical(root: lxml.html.HtmlElement, url: str) -> str | None:
    values = root.xpath("//link[@rel='canonical']/@href") or root.xpath("//meta[@property='og:url']/@content")
    if not values or not values[0].strip():
        return None
    absolute = urljoin(url, values[0].strip())
    return absolute if urlsplit(absolute).scheme in {"http", "https"} else None
