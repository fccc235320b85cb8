"""The page as a tree: parse, drop non-content tags, repair every text node, read lines out of it.

Text repair (double-encoded UTF-8, legacy Vietnamese fonts, NFC) runs on the tree's text nodes
right after parsing, so every later step (title, date, body, captions) sees the same clean
Unicode text; nothing downstream reads unrepaired text.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from functools import lru_cache

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, iterwalk

from reader.encoding import detect_legacy, legacy_font_hint, may_be_legacy, to_unicode

BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "td", "th", "table", "tbody", "thead", "h1", "h2", "h3",
                        "h4", "h5", "h6", "blockquote", "section", "article", "main", "aside", "nav", "figure",
                        "figcaption", "ul", "ol", "pre", "header", "footer", "dd", "dt", "dl", "center", "form",
                        "address", "title", "body", "caption", "hr"})
# Not "form": ASP.NET portals (SharePoint, Tân Dân) wrap the whole page in one.
JUNK_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "svg", "template", "object",
             "embed", "canvas", "input", "textarea")
# Deep trees (libxml2 stops at 256 levels otherwise and drops the rest); comments never hold text.
_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
_LATIN1 = re.compile(r"[\u00a1-\u00ff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# What entities can still bring into a line once the page text was repaired: soft hyphens,
# invisible characters, the confusable Ð.
_LINE_REPAIRS = str.maketrans({"\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
                               "\ufeff": None, "\u00d0": "\u0110", "\u00f0": "\u0111"})


class PageError(ValueError):
    """The page cannot be read as an article (empty, not HTML, no text)."""


def tag_of(element: lxml.html.HtmlElement) -> str:
    """Lower-case tag name ("" for comments and processing instructions)."""
    return element.tag.lower() if isinstance(element.tag, str) else ""


def parse(html: str, url: str | None) -> lxml.html.HtmlElement:
    """Parse a page and drop the tags that never hold article text.

    :raises PageError: when the text is not HTML at all
    """
    if not html or not html.strip():
        raise PageError(f"{url or 'page'}: empty page")
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
    except (ParserError, ValueError) as exc:
        raise PageError(f"{url or 'page'}: not parseable as HTML: {exc}") from exc
    for junk in root.xpath("|".join(f"//{tag}" for tag in JUNK_TAGS)):
        if junk.getparent() is not None:
            junk.drop_tree()
    return root


def _block_of(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    while tag_of(element) not in BLOCK_TAGS and element.getparent() is not None:
        element = element.getparent()
    return element


def _text_nodes(root: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """(owner, "text" or "tail") for every text node that is not plain ASCII (nothing to repair there)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and not element.text.isascii():
            yield element, "text"
        if element.tail and not element.tail.isascii() and element.getparent() is not None:
            yield element, "tail"


def convert_legacy_nodes(root: lxml.html.HtmlElement, html: str) -> str | None:
    """Convert legacy-font text nodes (and meta `content`) in place; return the encoding converted.

    One legacy-font verdict for the page (from a font name in the HTML, else the content of the
    blocks that look legacy); a node is converted when the block it is read in looks legacy, so
    that real Unicode text on the same page (a menu, a footer) is left alone. Then every node gets
    the inline repairs, soft hyphens removed only now since TCVN3 writes "ư" as 0xAD.
    """
    nodes = [(owner, kind, getattr(owner, kind)) for owner, kind in _text_nodes(root)]
    block_texts: dict[lxml.html.HtmlElement, list[str]] = {}
    blocks: dict[tuple[lxml.html.HtmlElement, str], lxml.html.HtmlElement] = {}
    for owner, kind, text in nodes:
        if _LATIN1.search(text):
            block = _block_of(owner if kind == "text" else owner.getparent())
            blocks[(owner, kind)] = block
            block_texts.setdefault(block, []).append(text)
    joined = {block: "".join(parts) for block, parts in block_texts.items()}
    legacy = detect_legacy(list(joined.values()), legacy_font_hint(html)) if joined else None
    legacy_blocks = {block for block, text in joined.items() if may_be_legacy(text)} if legacy else set()
    for owner, kind, text in nodes:
        convert = legacy if blocks.get((owner, kind)) in legacy_blocks else None
        setattr(owner, kind, to_unicode(text, convert))
    for meta in root.iter("meta"):
        value = meta.get("content")
        if value and not value.isascii():
            meta.set("content", to_unicode(value, legacy if legacy and may_be_legacy(value) else None))
    return legacy


@dataclass
class Lines:
    """The visible lines of an element, each with the block element it was read in.

    :param texts: the lines, whitespace collapsed, none empty
    :param blocks: for each line, the innermost block element its text came from
    :param first_line: element -> index of the first line at or after its start (document order)
    """

    texts: list[str]
    blocks: list[lxml.html.HtmlElement]
    first_line: dict[lxml.html.HtmlElement, int]


def read_lines(element: lxml.html.HtmlElement) -> Lines:
    """The lines of `element`: a break at every block boundary and `<br>` (iterative: no recursion
    limit on deeply nested pages; one pass, since every page is read this way)."""
    texts: list[str] = []
    blocks: list[lxml.html.HtmlElement] = []
    first_line: dict[lxml.html.HtmlElement, int] = {}
    parts: list[str] = []
    stack: list[lxml.html.HtmlElement] = []   # open block elements
    line_block = None
    spaces, block_tags, repairs = _SPACES, BLOCK_TAGS, _LINE_REPAIRS
    # A final "end" of nothing flushes the last line.
    for event, node in itertools.chain(iterwalk(element, events=("start", "end")), (("end", None),)):
        tag = "" if node is None or not isinstance(node.tag, str) else node.tag
        if parts and (node is None or tag in block_tags):  # a block boundary ends the line
            line = spaces.sub(" ", "".join(parts).translate(repairs)).strip()
            parts.clear()
            if not line.isascii() and not unicodedata.is_normalized("NFC", line):
                line = unicodedata.normalize("NFC", line)  # an entity next to a combining mark
            if line:
                texts.append(line)
                blocks.append(line_block if line_block is not None else element)
            line_block = None
        if node is None:
            break
        if event == "start":
            if node not in first_line:
                first_line[node] = len(texts)
            if tag in block_tags:
                stack.append(node)
            text = node.text if tag else None
        else:
            if tag in block_tags:
                stack.pop()
            text = node.tail if node is not element else None
        if text:
            if line_block is None and not text.isspace():
                line_block = stack[-1] if stack else element
            parts.append(text)
    return Lines(texts, blocks, first_line)


def text_of(element: lxml.html.HtmlElement) -> str:
    """The element's text on one line (blocks joined by spaces), as stored."""
    return " ".join(read_lines(element).texts)


def flat_text(element: lxml.html.HtmlElement) -> str:
    """The element's text with spaces collapsed, fast: for lengths and patterns, not for storing
    (adjacent blocks are not separated)."""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def has_text(element: lxml.html.HtmlElement) -> bool:
    """Whether the element holds any visible text."""
    return any(not piece.isspace() for piece in element.itertext())


@lru_cache(maxsize=512)
def _compiled(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def select(element: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """`element.cssselect(selector)` with the selector compiled once per process."""
    return _compiled(selector)(element)


def meta_content(root: lxml.html.HtmlElement, *names: str) -> str | None:
    """The first non-empty `<meta property|name|itemprop=…>` content among `names` (case-insensitive)."""
    wanted = [name.lower() for name in names]
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key in wanted:
                found.setdefault(key, content)
    return next((found[name] for name in wanted if name in found), None)


def is_inside(element: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    """Whether `element` is `ancestor` or lies inside it."""
    node: lxml.html.HtmlElement | None = element
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def hints_of(element: lxml.html.HtmlElement) -> str:
    """The element's class and id, for hint patterns."""
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def link_text_length(element: lxml.html.HtmlElement) -> int:
    return sum(len((a.text_content() or "").strip()) for a in element.iter("a"))
