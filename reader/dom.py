"""The page as a tree: parse, drop non-content tags, repair every text node, read lines out of it.

Text repair (double-encoded UTF-8, legacy Vietnamese fonts, NFC) runs on the tree's text nodes
right after parsing, so every later step (title, date, body, captions) sees the same clean
Unicode text; nothing downstream reads unrepaired text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml.etree import ParserError, iterwalk

from reader.encoding import detect_legacy, fix_double_utf8, legacy_font_hint, may_be_legacy, to_unicode

BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "td", "th", "table", "tbody", "thead", "h1", "h2", "h3",
                        "h4", "h5", "h6", "blockquote", "section", "article", "main", "aside", "nav", "figure",
                        "figcaption", "ul", "ol", "pre", "header", "footer", "dd", "dt", "dl", "center", "form",
                        "address", "title", "body", "caption", "hr"})
# Not "form": ASP.NET portals (SharePoint, Tân Dân) wrap the whole page in one.
JUNK_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "svg", "template", "object",
             "embed", "canvas", "input", "textarea")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


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
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise PageError(f"{url or 'page'}: not parseable as HTML: {exc}") from exc
    for junk in root.xpath("|".join(f"//{tag}" for tag in JUNK_TAGS) + "|//comment()"):
        if junk.getparent() is not None:
            junk.drop_tree()
    return root


def _block_of(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    while tag_of(element) not in BLOCK_TAGS and element.getparent() is not None:
        element = element.getparent()
    return element


def _text_nodes(root: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str, lxml.html.HtmlElement]]:
    """(owner, "text" or "tail", the block the text is read in) for every text node of the tree."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            yield element, "text", _block_of(element)
        if element.tail and element.getparent() is not None:
            yield element, "tail", _block_of(element.getparent())


def repair_text_nodes(root: lxml.html.HtmlElement, html: str) -> str | None:
    """Repair every text node (and meta `content`) in place; return the legacy encoding converted.

    One legacy-font verdict for the page (from a font name in the HTML, else the content of the
    blocks that look legacy); a node is converted when the block it is read in looks legacy, so
    that real Unicode text on the same page (a menu, a footer) is left alone.
    """
    nodes = list(_text_nodes(root))
    block_texts: dict[lxml.html.HtmlElement, list[str]] = {}
    for owner, kind, block in nodes:
        repaired = fix_double_utf8(getattr(owner, kind))
        setattr(owner, kind, repaired)
        block_texts.setdefault(block, []).append(repaired)
    joined = {block: "".join(parts) for block, parts in block_texts.items()}
    legacy = detect_legacy(list(joined.values()), legacy_font_hint(html))
    legacy_blocks = {block for block, text in joined.items() if may_be_legacy(text)} if legacy else set()
    for owner, kind, block in nodes:
        setattr(owner, kind, to_unicode(getattr(owner, kind), legacy if block in legacy_blocks else None))
    for meta in root.iter("meta"):
        if meta.get("content"):
            value = fix_double_utf8(meta.get("content"))
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
    limit on deeply nested pages)."""
    texts: list[str] = []
    blocks: list[lxml.html.HtmlElement] = []
    first_line: dict[lxml.html.HtmlElement, int] = {}
    parts: list[str] = []
    stack: list[lxml.html.HtmlElement] = []
    line_block: list[lxml.html.HtmlElement | None] = [None]

    def flush() -> None:
        line = _SPACES.sub(" ", "".join(parts)).strip()
        parts.clear()
        if line:
            texts.append(line)
            blocks.append(line_block[0] if line_block[0] is not None else element)
        line_block[0] = None

    def add(text: str | None) -> None:
        if text:
            if line_block[0] is None and text.strip():
                line_block[0] = next((b for b in reversed(stack) if tag_of(b) in BLOCK_TAGS), element)
            parts.append(text)

    for event, node in iterwalk(element, events=("start", "end")):
        tag = tag_of(node)
        if event == "start":
            first_line.setdefault(node, len(texts))
            if tag in BLOCK_TAGS:
                flush()
            stack.append(node)
            if tag:
                add(node.text)
        else:
            stack.pop()
            if tag in BLOCK_TAGS:
                flush()
            if node is not element:
                add(node.tail)
    flush()
    return Lines(texts, blocks, first_line)


def text_of(element: lxml.html.HtmlElement) -> str:
    """The element's text on one line (blocks joined by spaces)."""
    return " ".join(read_lines(element).texts)


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
