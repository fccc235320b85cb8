"""When the article was published: the meta tags, else its own date line nearest the headline.

Headers print today's date before the headline, related lists print dates after the body; the
article's own line ("Đăng ngày 07/11/2023 09:01", "14:8, Thứ Sáu, 8-3-2024") sits right after
the headline or in the headline's own wrapper, so the nearest date line wins, to the minute when
the page shows the time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

from reader.dates import date_from_url, parse_date_line, parse_iso
from reader.dom import Lines, is_inside, meta_content, read_lines, select, tag_of, text_of
from reader.vocabulary import vocabulary

META_DATE_NAMES = ("article:published_time", "og:published_time", "datepublished", "pubdate",
                   "publishdate", "dc.date.issued", "dc.date", "date")
# What a date line holds besides the date: labels, weekdays, clock words, counters.
_DATE_LINE_WORDS = re.compile(
    r"(?i)\b(?:ngày\s+đăng|đăng\s+ngày|đăng\s+lúc|ngày\s+cập\s+nhật|cập\s+nhật(?:\s+lúc)?|ngày\s+xuất\s+bản|"
    r"xuất\s+bản|thời\s+gian(?:\s+đăng)?|đăng|ngày|lúc|giờ|thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|"
    r"chủ\s+nhật|tháng|năm|gmt\s*[+-]\s*\d+|am|pm|sa|ch|posted(?:\s+on)?|published|updated|view\s+count|lượt\s+xem|"
    r"\d+)\b")
_DATE_TOKENS = re.compile(r"\d{1,4}\s*[/.:h-]\s*\d{1,2}(?:\s*[/.:-]\s*\d{1,4})?|\d{4}-\d{2}-\d{2}[T\d:.+Z-]*")
_PUNCT = re.compile(r"[|,;:()\[\]/.\-–—]+")
_MAX_DATE_LINE = 120


@dataclass
class Published:
    """The publication date and where it came from ("meta", "page" or "url")."""

    value: str | None
    source: str | None
    line: str | None = None  # the page line it was read from, to keep it out of the body


def date_line_rest(line: str) -> str | None:
    """What a date line holds besides its date and labels ("Dương Hưng" in "Dương Hưng 15:32,
    07/11/2023"); None when the line is not a date line."""
    if len(line) > _MAX_DATE_LINE or not parse_date_line(line):
        return None
    rest = _DATE_LINE_WORDS.sub(" ", _DATE_TOKENS.sub(" ", line))
    rest = " ".join(_PUNCT.sub(" ", rest).split())
    return rest if len(rest.split()) <= 6 else None


def find_published(root: lxml.html.HtmlElement, body: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement | None,
                   family_selectors: list[str], url: str | None, order: dict[lxml.html.HtmlElement, int],
                   anchor_is_headline: bool = True) -> Published:
    """The article's publication date.

    :param root: the page
    :param body: the page's body element (its lines are read only when the date line is searched)
    :param anchor: the headline element (else the content container) the date line is near
    :param family_selectors: the family's date selectors, tried before the page's lines
    :param url: the page's address, last resort
    :param order: document position of every element
    :param anchor_is_headline: the anchor is the headline (its own line is not a date line)
    """
    meta = _meta_date(root)
    if meta and meta[1]:
        return Published(meta[0], "meta")
    page_date = _selected_date(root, anchor, family_selectors, order) or _line_date(read_lines(body), anchor,
                                                                                    anchor_is_headline)
    if meta and page_date and page_date.value and page_date.value.startswith(meta[0]) and "T" in page_date.value:
        return page_date  # the page line adds the time the meta tag left out
    if meta:
        return Published(meta[0], "meta")
    if page_date:
        return page_date
    if url and (from_url := date_from_url(url)):
        return Published(from_url, "url")
    return Published(None, None)


def _meta_date(root: lxml.html.HtmlElement) -> tuple[str, bool] | None:
    value = meta_content(root, *META_DATE_NAMES)
    return (parse_iso(value) or parse_date_line(value)) if value else None


def _selected_date(root: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement | None, family_selectors: list[str],
                   order: dict[lxml.html.HtmlElement, int]) -> Published | None:
    """The family's date element nearest the anchor (a header widget may match the same selector)."""
    at = order.get(anchor, 0) if anchor is not None else 0
    for selector in family_selectors:  # alternatives, most specific first
        found = []
        for element in select(root, selector):
            text = text_of(element)
            if parsed := (_time_value(element) or parse_date_line(text)):
                found.append((order.get(element, at), parsed[0], text))
        if found:
            return _nearest(found, at)
    return None


def _line_date(page: Lines, anchor: lxml.html.HtmlElement | None, anchor_is_headline: bool) -> Published | None:
    """The date line (or `<time datetime>`) nearest the anchor: a few lines after it, or before it
    inside the headline's own wrapper."""
    words = vocabulary()
    at = page.first_line.get(anchor, 0) if anchor is not None else 0
    found: list[tuple[int, str, str]] = []
    for element, index in page.first_line.items():
        if tag_of(element) == "time" and (parsed := _time_value(element)):
            found.append((index, parsed[0], text_of(element)))
    for index in range(at + anchor_is_headline, min(len(page.texts), at + 1 + words.date_window_after)):
        if date_line_rest(page.texts[index]) is not None:
            found.append((index, parse_date_line(page.texts[index])[0], page.texts[index]))
    wrapper = _wrapper(anchor)
    for index in range(max(0, at - words.date_window_before), at):
        if wrapper is not None and is_inside(page.blocks[index], wrapper) and \
                date_line_rest(page.texts[index]) is not None:
            found.append((index, parse_date_line(page.texts[index])[0], page.texts[index]))
    found = [f for f in found if at - words.date_window_before <= f[0] <= at + words.date_window_after]
    return _nearest(found, at) if found else None


def _nearest(found: list[tuple[int, str, str]], at: int) -> Published:
    index, value, line = min(found, key=lambda f: (abs(f[0] - at) + (0.5 if f[0] < at else 0), "T" not in f[1]))
    return Published(value, "page", line)


def _time_value(element: lxml.html.HtmlElement) -> tuple[str, bool] | None:
    if tag_of(element) == "time" and element.get("datetime"):
        return parse_iso(element.get("datetime"))
    return None


def _wrapper(anchor: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement | None:
    """The headline's own wrapper: its parent, unless that is the page itself."""
    parent = anchor.getparent() if anchor is not None else None
    return parent if parent is not None and tag_of(parent) not in {"body", "html", "form"} else None
