"""HTML of an article page → title, date, byline, source, lead and body, captions, attachments.

`read_page` is the one way the project reads a page (the crawler, and `extract` when handed HTML):

1. decode the bytes and repair every text node (legacy fonts, double UTF-8) before anything
   reads text;
2. find the content container (the family's body selector when it holds text, else the densest
   block of paragraph text);
3. choose the headline by agreement of its candidates, never site chrome;
4. take the date line nearest the headline;
5. take captions out structurally, then chrome lines, the date line, byline, source and posting
   accounts; prepend the lead printed outside the container.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from reader.byline import People, bare_byline, byline_within, read_selected, split_people
from reader.captions import take_captions
from reader.container import (drop_inner_chrome, drop_related_boxes, family_container, find_lead, generic_container,
                              lines_after)
from reader.dom import PageError, convert_legacy_nodes, has_text, is_inside, meta_content, parse, read_lines, select, text_of
from reader.encoding import clean_inline, decode_html, fix_double_utf8, may_hold_legacy
from reader.dates import parse_date_line
from reader.published import Published, date_line_rest, find_published
from reader.title import Candidate, candidates, choose_title, clean_title, completed_title, is_chrome, title_key
from reader.vocabulary import vocabulary

ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|rar|zip|7z)(?:$|[?#])", re.I)
# C0 controls other than tab and line breaks, lone surrogates, U+FFFE and U+FFFF: no text holds
# them, and lxml refuses them in a tree.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A first body line that is the headline printed again inside the body, not a sentence.
_HEADLINE_LIKE = re.compile(r"[^.!?;:]{10,250}")

__all__ = ["Article", "PageError", "looks_like_html", "read_page"]


@dataclass
class Article:
    """What an article page says, as clean NFC text.

    :param url: the URL the page was fetched from
    :param title: headline
    :param published: ISO date-time in +07:00, a date, or a year-month; None when unknown
    :param published_source: where `published` came from: "meta", "page", "url" or None
    :param byline: author line ("Tin, ảnh: …"), without its label
    :param body: lead and body text, paragraphs separated by a blank line, captions excluded
    :param captions: photo captions, in page order
    :param source: the source the article names ("Nguồn: …"), without its label
    :param attachments: absolute URLs of attached documents (PDF, DOC, …)
    :param canonical_url: the page's own canonical URL (`link rel=canonical` / `og:url`)
    :param encoding: the character encoding the page was decoded with
    :param legacy_encoding: "tcvn3" or "vni" when legacy-font text was converted
    :param method: "selectors" when family selectors found the body, "fallback" otherwise
    :param chrome_candidates: title keys of this page's headline candidates; those that recur on
        other pages of the site are site chrome (the caller passes them back as `site_chrome`)
    """

    url: str | None
    title: str | None
    published: str | None
    published_source: str | None
    byline: str | None
    body: str
    captions: list[str] = field(default_factory=list)
    source: str | None = None
    attachments: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    encoding: str = "utf-8"
    legacy_encoding: str | None = None
    method: str = "selectors"
    chrome_candidates: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The text handed to the extractor: title, blank line, body."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    @property
    def complete(self) -> bool:
        """Whether every part a news article has was found (title and date)."""
        return bool(self.title and self.published)


def looks_like_html(text: str) -> bool:
    """Whether a text handed in as plain text is really an HTML page."""
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def head_text(page: str, url: str | None = None) -> str:
    """What a page without a body still says: its title and description, one per paragraph.

    :param page: decoded HTML
    :param url: the page's URL
    """
    try:
        root = parse(page, url)
    except PageError:  # not even a head: nothing to say
        return ""
    title = root.find(".//title")
    parts = [text_of(title) if title is not None else "",
             meta_content(root, "og:description", "description") or ""]
    return "\n\n".join(dict.fromkeys(part.strip() for part in parts if part.strip()))


def read_page(page: bytes | str, url: str | None = None, family_selectors: dict[str, Any] | None = None, *,
              content_type: str | None = None, site_chrome: Iterable[str] = (),
              site_name: str | None = None) -> Article:
    """Read an article page.

    :param page: raw page bytes (decoded here) or already-decoded HTML
    :param url: the page's URL (resolves relative links; last resort for the date)
    :param family_selectors: the family's `article` rules merged with the site's overrides
        (title, date, byline, lead, body, captions, drop); none: the generic reading alone
    :param content_type: the Content-Type header, for the declared charset
    :param site_chrome: title keys (`reader.title.title_key`) of texts known to repeat across the
        site's pages (banners, section headers), never taken as a title
    :param site_name: the portal's name, never taken as a title
    :raises PageError: when the page holds no readable text
    """
    rules = family_selectors or {}
    chrome = frozenset(site_chrome)
    html, encoding = decode_html(page, content_type) if isinstance(page, bytes) else (page, "utf-8")
    # Text repairs before anything reads the page. Mojibake runs and the inline repairs never
    # touch markup, so they run on the whole text; legacy fonts need the page's blocks.
    html = _CONTROL_CHARACTERS.sub("", fix_double_utf8(html))  # after: a repaired run may decode to U+FFFE
    legacy_suspect = may_hold_legacy(html)
    root = parse(html if legacy_suspect else clean_inline(unicodedata.normalize("NFC", html)), url)
    legacy = convert_legacy_nodes(root, html) if legacy_suspect else None
    body_element = root.find("body")
    if body_element is None or not has_text(body_element):
        raise PageError(f"{url or 'page'}: no text on the page")
    order = {element: index for index, element in enumerate(root.iter())}

    found = candidates(root, rules.get("title", []), chrome, site_name)
    container = family_container(root, rules.get("body", []))
    method = "selectors" if container is not None else "fallback"
    if container is None:
        # The text that follows the headline, when the headline is known without the container.
        provisional = choose_title(found, None, order)
        generic = generic_container(root, provisional.element if provisional is not None else None, order)
        container = generic if generic is not None else body_element
    chosen = choose_title(found, container, order)
    headline = chosen.element if chosen is not None else None
    published = find_published(root, body_element, headline if headline is not None else container,
                               rules.get("date", []), url, order, anchor_is_headline=headline is not None)

    selected = [text_of(e) for selector in rules.get("byline", []) for e in select(root, selector)]
    for selector in rules.get("byline", []):
        for element in select(container, selector):
            if element is not container:
                element.drop_tree()
    lead = find_lead(root, container, rules.get("lead", []), headline, order)
    attachments = _attachments(container, url)
    if headline is not None and is_inside(headline, container) and headline is not container:
        headline.drop_tree()
    drop_inner_chrome(container, rules.get("drop", []))
    drop_related_boxes(container)
    captions = take_captions(container, rules.get("captions", []))
    lines = _body_lines(read_lines(container).texts, chrome, site_name)
    title = chosen.text if chosen is not None else None
    lines = _without_top_chrome(lines)
    if title:
        title = completed_title(title, lines[:3])  # a headline cut with "…" printed in full atop the body
    if title:
        lines = [line for index, line in enumerate(lines)
                 if not (index < 3 and title_key(clean_title(line)) == title_key(title))]
    elif lines and _HEADLINE_LIKE.fullmatch(lines[0]) and len(lines) > 1 and not is_chrome(lines[0], chrome, site_name):
        title, lines = clean_title(lines[0]), lines[1:]  # no headline element: the body's first line is it

    lines, head_byline, date_line = _take_date_lines(lines, published.line)
    people = read_selected(selected)
    tail = split_people(lines, lambda line: _is_tail_chrome(line, chrome, site_name))
    lines = tail.lines
    signed = _signed_after(container, lambda line: _is_tail_chrome(line, chrome, site_name), chrome, site_name)
    byline = people.byline or tail.byline or signed.byline or head_byline
    if byline is None:
        lines, byline = _top_byline(lines)
    byline = byline or _byline_by_headline(headline, container, [published.line, date_line])
    source = people.source or tail.source or signed.source
    if lead is not None:
        lead_lines = _body_lines(read_lines(lead).texts, chrome, site_name)
        if lead_lines and (not lines or title_key(lead_lines[0]) != title_key(lines[0])):
            lines = lead_lines + lines
    if not lines or (method == "fallback" and not any(_is_sentence(line) for line in lines)):
        raise PageError(f"{url or 'page'}: no body text found")
    if published.value is None and date_line:
        published = Published(parse_date_line(date_line)[0], "page", date_line)
    return Article(url=url, title=title or None, published=published.value, published_source=published.source,
                   byline=byline, body="\n\n".join(lines), captions=captions, source=source,
                   attachments=attachments or _attachments(root, url), canonical_url=_canonical(root, url),
                   encoding=encoding, legacy_encoding=legacy, method=method,
                   chrome_candidates=list(dict.fromkeys(_chrome_keys(found))))


def _chrome_keys(found: list[Candidate]) -> Iterable[str]:
    """Candidates that would be chrome if other pages repeat them: not the linked ones (a list of
    the site's latest headlines repeats on every page, and each is some article's title); and the
    last part of a "<headline> | <site>" `<title>` or og:title (the site's part recurs on every
    page, whatever the site calls itself; not the first: "Sơn Tịnh - tập huấn …" starts many
    headlines of one district's portal)."""
    for candidate in found:
        if not candidate.linked:
            yield candidate.key
        if candidate.last_part_key:
            yield candidate.last_part_key


def _without_top_chrome(lines: list[str]) -> list[str]:
    """Portlet and section labels ("CHUYÊN MỤC", "Chi tiết bài viết") and the portal's contact
    line printed above the text, before or after the date line (which `_take_date_lines` takes
    later)."""
    words = vocabulary()
    labels = set()
    for index, line in enumerate(lines[:min(5, len(lines) - 1)]):
        if words.chrome_title.match(line) or (len(line) < 150 and words.contact_line.search(line)):
            labels.add(index)
        elif date_line_rest(line) is None:
            break
    return [line for index, line in enumerate(lines) if index not in labels]


def _is_sentence(line: str) -> bool:
    """A line of running text, not a label, a date or a contact line."""
    return len(line) >= 40 and not vocabulary().contact_line.search(line)


def _body_lines(lines: list[str], chrome: frozenset[str], site_name: str | None) -> list[str]:
    """Body lines up to the first "related news" line, without widget chrome."""
    words = vocabulary()
    kept: list[str] = []
    for line in lines:
        if words.stop_line.match(line) and len(line) < 60:
            break
        if words.chrome_line.match(line):
            continue
        kept.append(line)
    return kept


def _is_tail_chrome(line: str, chrome: frozenset[str], site_name: str | None) -> bool:
    """Footer lines that end up inside a content container: contacts, the portal's name."""
    words = vocabulary()
    if len(line) > 200:
        return False
    return bool(words.contact_line.search(line) and len(line) < 150) or \
        (title_key(line) in chrome) or bool(words.chrome_title.match(line)) or bool(words.unit_name.match(line)) \
        or bool(site_name and title_key(line) == title_key(site_name))


def _signed_after(container: lxml.html.HtmlElement, is_chrome_line, chrome: frozenset[str],
                  site_name: str | None) -> People:
    """Byline and source printed in their own blocks right after the text's container
    (`lines_after`), when every such line names people or is chrome; none otherwise (a teaser
    or a note after the text is no signature)."""
    after = _body_lines(lines_after(container), chrome, site_name)
    if not after:
        return People()
    signed = split_people(["", *after], is_chrome_line)  # the first line is never taken
    return signed if signed.lines == [""] else People()


def _top_byline(lines: list[str]) -> tuple[list[str], str | None]:
    """A labelled byline in a meta line atop the text ("Tin, ảnh: Minh Thu | Lượt xem: 20"): the
    lines without that line, and the name."""
    for index, line in enumerate(lines[:3]):
        if len(line) < 150 and (name := byline_within(line)):
            return lines[:index] + lines[index + 1:], name
    return lines, None


def _byline_by_headline(headline: lxml.html.HtmlElement | None, container: lxml.html.HtmlElement,
                        date_lines: list[str | None]) -> str | None:
    """A labelled byline printed with the date line or between the headline and the text
    ("Thứ Năm, 16/11/2023, 14:00 | Tác giả: Minh Thu"), outside what the body is read from.

    :param headline: the headline element, when known (dropped from the tree when it was inside
        the container)
    :param container: the content container
    :param date_lines: the date lines found (the published date's, the one taken off the body)
    """
    for line in date_lines:
        if line and (name := byline_within(line)):
            return name
    if headline is None or headline.getparent() is None or container.getparent() is None:
        return None  # no headline, or one inside the text (its lines were the body's)
    common = headline.getparent()  # the lines between the two: those of their nearest common block
    while common is not None and not is_inside(container, common):
        common = common.getparent()
    if common is None:
        return None
    page = read_lines(common)
    start, end = page.first_line.get(headline), page.first_line.get(container)
    if start is None or end is None:
        return None
    for line in page.texts[start + 1:min(end, start + 1 + vocabulary().date_window_after)]:
        if name := byline_within(line):
            return name
    return None


def _take_date_lines(lines: list[str], date_line: str | None) -> tuple[list[str], str | None, str | None]:
    """Take date lines off the top and bottom of the body; a name printed with the date
    ("Dương Hưng 15:32, 07/11/2023") is a byline."""
    byline = None
    taken = None
    kept = list(lines)
    for index in [*range(min(3, len(kept))), *range(max(len(kept) - 2, 0), len(kept))]:
        if index >= len(kept) or kept[index] is None:
            continue
        rest = date_line_rest(kept[index])
        if rest is None:
            continue
        if rest and bare_byline(rest):
            byline = byline or rest
        elif rest and kept[index] != date_line:
            continue
        taken = taken or kept[index]
        kept[index] = None  # type: ignore[call-overload]
    return [line for line in kept if line is not None], byline, taken


def _attachments(element: lxml.html.HtmlElement, url: str | None) -> list[str]:
    links = [urljoin(url or "", href.strip()) for href in element.xpath(".//a/@href") if ATTACHMENT.search(href)]
    return list(dict.fromkeys(links))


def _canonical(root: lxml.html.HtmlElement, url: str | None) -> str | None:
    values = root.xpath("//link[@rel='canonical']/@href") or root.xpath("//meta[@property='og:url']/@content")
    if not values or not values[0].strip():
        return None
    absolute = urljoin(url or "", values[0].strip())
    return absolute if urlsplit(absolute).scheme in {"http", "https"} else None
