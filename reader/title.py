"""The headline: chosen by agreement between the page's candidates, never a piece of site chrome.

Candidates are the family's title selectors, headline-like elements (h1–h3, elements whose class
or id says "title"), `og:title` and the parts of `<title>`. An element whose text agrees with a
meta candidate wins; site chrome never does: texts the caller knows repeat across the site's
pages, the site's name, banners and section headers ("CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN …", "Tin tức"),
a unit's name alone ("Huyện Cam Lộ"), contact lines.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import lxml.html

from reader.dom import BLOCK_TAGS, flat_text, hints_of, is_inside, link_text_length, meta_content, select, tag_of, text_of
from reader.vocabulary import vocabulary

_HEADLINE_HINT = re.compile(r"title|headline|tieu-?de|tieude|heading", re.I)
_ELLIPSIS = re.compile(r"\s*(?:…|\.{3,})\s*$")
_KEY_DROP = re.compile(r"[\W_][\W_]*")  # (not "[\W_]+": see schema.search._NON_ASCII_SYMBOL)
_MAX_TITLE = 300
_MAX_HEADLINE = 250  # a headline printed longer is a lead
_SHORTENED_META = 20  # letters and digits of a meta title cut short, at least
# A lead, unlike a headline, holds a sentence end: a full stop or "!" (a stop after a capital ends
# an abbreviation: "TP. Hồ Chí Minh", "PGS.TS"), or a question mark with more text after it.
_SENTENCE_END = re.compile(r"(?<![A-ZĐ])(?:[.!](?:\s|$)|\?\s)")


@dataclass
class Candidate:
    """One text that may be the headline.

    :param text: the cleaned text
    :param kind: "family", "element", "og" or "title"
    :param element: the element it was read from (None for meta candidates)
    :param linked: the element's text is mostly a link (listings, "related news")
    :param part_keys: title keys of the parts of a "<headline> - <site>" text
    :param last_part_key: for a meta candidate of two parts or more, the title key of its last
    """

    text: str
    kind: str
    element: lxml.html.HtmlElement | None = None
    linked: bool = False
    part_keys: frozenset[str] = frozenset()
    last_part_key: str | None = None

    @property
    def key(self) -> str:
        return title_key(self.text)

    @property
    def truncated(self) -> bool:
        return _truncated(self.text)


def title_key(text: str) -> str:
    """Comparison form of a title: case, punctuation, spacing and a trailing ellipsis ignored."""
    if "…" in text or "..." in text:
        text = _ELLIPSIS.sub("", text)
    return _KEY_DROP.sub("", text.casefold())


def _truncated(text: str) -> bool:
    """Whether a text ends with "…" or "..." (looked for only in texts that hold one: the regex
    alone tries every position)."""
    return ("…" in text or "..." in text) and bool(_ELLIPSIS.search(text))


def _agree(a: Candidate, b: Candidate) -> bool:
    if not a.key or not b.key:
        return False
    if a.key == b.key or a.key in b.part_keys or b.key in a.part_keys:
        return True  # an element agrees with one part of "<headline> - <site name>"
    shorter, longer = sorted((a, b), key=lambda c: len(c.key))
    return shorter.truncated and longer.key.startswith(shorter.key)


def _goes_on_from(element: Candidate, meta: Candidate) -> bool:
    """Whether a printed headline goes on from a `<title>` or og:title cut short without "…" (an
    SEO title): it starts with the whole meta text, long enough to be no section's name, and reads
    as a headline (no sentence end: a lead may start with the same words)."""
    return not element.linked and len(meta.key) >= _SHORTENED_META and len(element.key) > len(meta.key) \
        and element.key.startswith(meta.key) and len(element.text) <= _MAX_HEADLINE \
        and not _SENTENCE_END.search(element.text)


def clean_title(text: str | None) -> str:
    """Template junk off a headline: "null " prefixes, "Chi tiết bài viết - ", spacing."""
    words = vocabulary()
    text = unicodedata.normalize("NFC", " ".join((text or "").split()))
    while (prefix := words.title_junk_prefix.match(text)) and prefix.end() < len(text):
        text = text[prefix.end():].lstrip()
    return text.strip(" -|–:")


def clean_headline(text: str | None, site_chrome: frozenset[str] = frozenset(),
                   site_name: str | None = None) -> str | None:
    """A headline text cleaned by the one rule every title goes through (a page's candidates, a
    title handed in with an article): template junk off ("null ", "Chi tiết bài viết - "), the
    site's parts of "<headline> - <site>" off; None when only chrome is left (a banner, a unit's
    name, a contact line).

    :param text: the text as printed
    :param site_chrome: title keys of texts known to repeat across the site's pages
    :param site_name: the portal's name
    """
    text = clean_title(text)
    if not text or len(text) > _MAX_TITLE:
        return None
    kept = _without_site_parts(text, site_chrome, site_name)
    return clean_title(kept) or None if kept else None


def completed_title(title: str, lines: Iterable[str]) -> str:
    """A title cut with "…" completed from the first of `lines` that starts with it and reads as
    a headline; a lead that happens to start with the same words is no headline (it holds a
    sentence end, or is too long), and the title stays as it is.

    :param title: a cleaned title
    :param lines: the first lines of the text under it
    """
    if not _truncated(title):
        return title
    key = title_key(title)
    for line in lines:
        full = clean_headline(line)
        if full and not _truncated(full) and len(title_key(full)) > len(key) \
                and title_key(full).startswith(key) and 10 <= len(full) <= _MAX_HEADLINE and not _SENTENCE_END.search(full):
            return full
    return title


def given_title(title: str | None, body: str | None = None, site_name: str | None = None) -> str | None:
    """A title handed in with an article (ingest, a JSON line's `title`), cleaned as `read_page`
    cleans a page's: `clean_headline`, then, when cut with "…", completed from the text's first
    lines (`completed_title`).

    :param title: the title as given
    :param body: the article's text, when given (its first lines may print the full headline)
    :param site_name: the portal's name, when known
    """
    cleaned = clean_headline(title, site_name=site_name)
    if cleaned and body:
        cleaned = completed_title(cleaned, _first_lines(body, 3))
    return cleaned


def _first_lines(text: str, count: int) -> Iterator[str]:
    """The first `count` lines of a text that are not blank, read only as far as they are asked
    for (a title without "…" asks for none, and a body may be long)."""
    start = 0
    while count and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if not text[start:end].isspace() and end > start:
            yield text[start:end]
            count -= 1
        start = end + 1


def is_chrome(text: str, site_chrome: frozenset[str] = frozenset(), site_name: str | None = None) -> bool:
    """Whether a headline candidate is site chrome rather than an article's title.

    :param text: a cleaned candidate
    :param site_chrome: title keys of texts known to repeat across the site's pages
    :param site_name: the portal's name
    """
    key = title_key(text)
    return len(key) < 8 or len(text.split()) < 2 or _named_chrome(text, site_chrome, site_name, key)


def _named_chrome(text: str, site_chrome: frozenset[str], site_name: str | None, key: str | None = None) -> bool:
    """Whether a text is known chrome: repeated on the site, its name, a banner or label, a contact line.

    :param key: the text's `title_key`, when the caller has it
    """
    words = vocabulary()
    key = title_key(text) if key is None else key
    if key in site_chrome or (site_name and key == title_key(site_name)):
        return True
    return bool(words.chrome_title.match(text) or words.unit_name.match(text) or words.contact_line.search(text))


def _without_site_parts(text: str, site_chrome: frozenset[str], site_name: str | None) -> str | None:
    """A "<headline> - <site name>" text without its chrome parts; None when every part is chrome."""
    parts = [p for p in vocabulary().title_separators.split(text) if p.strip()]
    if len(parts) == 1:
        return None if is_chrome(text, site_chrome, site_name) else text
    kept = [p for index, p in enumerate(parts)
            if not _site_part(clean_title(p), site_chrome, site_name, last=index == len(parts) - 1)]
    if not kept:
        return None
    if len(kept) == len(parts):
        return text  # a headline with a dash in it ("Sơn Tịnh - tập huấn …")
    start, end = text.find(kept[0]), text.rfind(kept[-1]) + len(kept[-1])
    return text[start:end]


def _site_part(part: str, site_chrome: frozenset[str], site_name: str | None, last: bool) -> bool:
    """Whether a part of "<headline> - <site>" is the site's: known chrome, an office or outlet's
    name ("Sở Nội vụ tỉnh Bắc Giang", "Báo Kon Tum điện tử"), or a short label ending the text.
    One word is the headline's own ("… công tác Đoàn - Hội - Đội") unless it is known chrome, and
    so is a short name opening it ("Sơn Tịnh - tập huấn …").

    :param last: whether the part ends the text
    """
    if _named_chrome(part, site_chrome, site_name) or vocabulary().site_part.match(part):
        return True
    return last and len(part.split()) >= 2 and len(title_key(part)) < 8


def candidates(root: lxml.html.HtmlElement, family_selectors: list[str], site_chrome: frozenset[str],
               site_name: str | None) -> list[Candidate]:
    """Every headline candidate of the page that is not chrome, in page order (meta last)."""
    found: list[Candidate] = []
    seen: set[lxml.html.HtmlElement] = set()
    def add(element: lxml.html.HtmlElement, kind: str) -> None:
        seen.add(element)
        if 0 < len(flat_text(element)) <= _MAX_TITLE:  # a wrapper of whole lists is no headline
            found.append(Candidate(text_of(element), kind, element))

    for selector in family_selectors:  # the first selector that finds anything: they are alternatives
        if matches := select(root, selector):
            for element in matches:
                add(element, "family")
            break
    for element in root.xpath("//body//*[self::h1 or self::h2 or self::h3 or @class or @id]"):
        if element not in seen and (tag_of(element) in {"h1", "h2", "h3"} or _HEADLINE_HINT.search(hints_of(element))):
            add(element, "element")
    if og := meta_content(root, "og:title", "twitter:title"):
        found.append(Candidate(og, "og"))
    if (title := root.find(".//title")) is not None:
        found.append(Candidate(title.text_content() or "", "title"))
    usable = []
    for candidate in found:
        text = clean_title(candidate.text)
        parts = [title_key(clean_title(part)) for part in vocabulary().title_separators.split(text)]
        candidate.part_keys = frozenset(parts)
        if candidate.element is None and len(parts) > 1:
            candidate.last_part_key = parts[-1]
        if candidate.element is not None:
            candidate.linked = link_text_length(candidate.element) > len(text) / 2
        elif len(parts) == 1 and vocabulary().site_part.match(text):
            continue  # a `<title>` or og:title that is the office's or outlet's name alone: every page's
        if cleaned := clean_headline(text, site_chrome, site_name):
            candidate.text = cleaned
            usable.append(candidate)
    return usable


def choose_title(found: list[Candidate], anchor: lxml.html.HtmlElement | None,
                 order: dict[lxml.html.HtmlElement, int]) -> Candidate | None:
    """The headline: an element agreeing with a meta candidate; else one going on from a meta
    candidate cut short; else og:title; else the family's element; else the `<title>`; else the
    headline element nearest before the content.

    :param found: the candidates, from `candidates`
    :param anchor: the content container, when known
    :param order: document position of every element
    """
    metas = [c for c in found if c.element is None]
    elements = [c for c in found if c.element is not None]

    def votes(candidate: Candidate) -> int:
        return sum(1 for m in metas if _agree(candidate, m))

    agreed = [c for c in elements if votes(c)]
    if agreed:
        best = max(agreed, key=lambda c: (votes(c), not c.linked, c.kind == "family", tag_of(c.element) == "h1",
                                          -_distance(c.element, anchor, order)))
        return _untruncated(best, found)
    # The shortest that goes on from it: an element around the headline adds the date line.
    going_on = [c for c in elements if any(_goes_on_from(c, m) for m in metas)]
    if going_on:
        return min(going_on, key=lambda c: (len(c.key), _distance(c.element, anchor, order)))
    unlinked = [c for c in elements if not c.linked]
    og = next((c for c in metas if c.kind == "og"), None)
    family = next((c for c in unlinked if c.kind == "family"), None)
    page_title = next((c for c in metas if c.kind == "title"), None)
    nearest = min(unlinked, key=lambda c: _distance(c.element, anchor, order)) if unlinked else None
    chosen = og or family or page_title or nearest
    if chosen is None:
        return None
    chosen = _untruncated(chosen, found)
    return chosen if chosen.element is not None else _where_printed(chosen, order)


_PRINTED_TAGS = frozenset({"div", "p", "span", "strong", "b", "td", "h4", "h5", "h6", "font", "header"})


def _where_printed(chosen: Candidate, order: dict[lxml.html.HtmlElement, int]) -> Candidate:
    """A title read from the page's meta, with the element that prints it in the page (a plain
    `<div>` or `<strong>` no headline rule knows), whole or cut with "…": the date line and the
    text are looked for after it."""
    for element in order:  # document order
        if tag_of(element) not in _PRINTED_TAGS or any(tag_of(child) in BLOCK_TAGS for child in element) \
                or element.find(".//a") is not None:
            continue
        text = flat_text(element)
        if not 10 <= len(text) <= _MAX_TITLE:
            continue
        key = title_key(clean_title(text))
        if key == chosen.key or (_truncated(text) and len(key) >= 10 and chosen.key.startswith(key)):
            return replace(chosen, element=element)
    return chosen


def _distance(element: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement | None,
              order: dict[lxml.html.HtmlElement, int]) -> float:
    """How far a headline element is from the content: before it (or at its top) is near."""
    if anchor is None:
        return order.get(element, 0)
    gap = order.get(anchor, 0) - order.get(element, 0)
    if is_inside(element, anchor):
        return 0.5
    return gap if gap >= 0 else 10_000 - gap


def _untruncated(chosen: Candidate, found: Iterable[Candidate]) -> Candidate:
    """A title cut with "…" is replaced by a full version found elsewhere on the page."""
    if not chosen.truncated:
        return chosen
    fuller = [c for c in found if c is not chosen and not c.truncated and c.key.startswith(chosen.key)
              and len(c.key) > len(chosen.key)]
    if not fuller:
        return chosen
    # The full text, read where the cut headline is printed (the date line and the text follow it).
    return replace(chosen, text=min(fuller, key=lambda c: len(c.key)).text)
