"""Photo captions, found by their place in the page and taken out of the body.

A caption is recognised by structure, whatever the CMS calls it: a `figcaption` (or the text of
a `figure`), the text cells of a small table that holds an image (`td.image_desc` and its kin), a
short text sharing a block with an image, a short centred or italic block right next to an image,
a short text wholly in brackets right after one, and credit lines ("… (Ảnh: …)", "Ảnh: …"). Class names ("caption", "image_desc") are one more
signal, as are the family's caption selectors.
"""
from __future__ import annotations

import re

import lxml.html

from reader.byline import source_of
from reader.dom import BLOCK_TAGS, flat_text, has_text, hints_of, read_lines, select, tag_of
from reader.vocabulary import vocabulary

_CENTRED_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_CENTRED_CLASS = re.compile(r"(?:^|[\s_-])(?:center|centre|aligncenter|text-center|tac)(?:$|[\s_-])", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)
_ITALIC_TAGS = frozenset({"em", "i", "cite"})


def take_captions(container: lxml.html.HtmlElement, family_selectors: list[str]) -> list[str]:
    """Remove every caption from `container` (in place) and return their texts in page order.

    :param container: the article's content element
    :param family_selectors: the family's caption selectors
    """
    words = vocabulary()
    found: list[lxml.html.HtmlElement] = []

    def mark(element: lxml.html.HtmlElement | None) -> None:
        if element is not None and element is not container and element not in found and has_text(element):
            found.append(element)

    for selector in family_selectors:
        for element in select(container, selector):
            mark(element)
    for element in container.iter():
        tag = tag_of(element)
        if tag == "figcaption" or (tag and words.caption_classes.search(hints_of(element))
                                   and len(flat_text(element)) <= words.caption_max_chars):
            mark(element)
    for table in container.iter("table"):
        if table.find(".//img") is not None and len(flat_text(table)) <= words.caption_max_chars:
            for cell in table.iter("td", "th"):
                if cell.find(".//img") is None:
                    mark(cell)
    for image in list(container.iter("img")):
        for element in _beside_image(image, container):
            mark(element)
    for element in container.iter():
        if tag_of(element) in BLOCK_TAGS and not any(tag_of(c) in BLOCK_TAGS for c in element):
            text = flat_text(element)
            if text and len(text) <= words.caption_max_chars and words.caption_credit.match(text) \
                    and not words.byline.match(text):
                mark(element)
    captions = []
    for element in found:
        if not any(other is not element and _inside(element, other) for other in found):
            captions.append(" ".join(read_lines(element).texts))
    for element in found:
        if element.getparent() is not None:
            element.drop_tree()  # keeps its tail: the text after it belongs to the parent
    return list(dict.fromkeys(captions))


def _inside(element: lxml.html.HtmlElement, other: lxml.html.HtmlElement) -> bool:
    node = element.getparent()
    while node is not None:
        if node is other:
            return True
        node = node.getparent()
    return False


def _beside_image(image: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The caption blocks of one image: a short text sharing its block (`<p><img><br><em>…</em></p>`),
    or a short centred or italic block right after it (before it: only when both)."""
    words = vocabulary()
    block = image.getparent()
    while block is not None and block is not container and tag_of(block) not in BLOCK_TAGS:
        block = block.getparent()
    if block is None:
        return []
    if block is not container and not any(tag_of(d) in BLOCK_TAGS - {"br"} and has_text(d) for d in block.iterdescendants()):
        text = flat_text(block)
        if text:
            return [block] if len(text) <= words.caption_max_chars else []
    image_block = block if block is not container else image
    out = []
    following, preceding = _next_block(image_block), _previous_block(image_block)
    for neighbour in (following, preceding):
        if neighbour is None or neighbour.find(".//img") is not None or tag_of(neighbour) == "img":
            continue
        text = flat_text(neighbour)
        if not text or len(text) > words.caption_max_chars or words.byline.match(text):
            continue
        centred, italic = _centred(neighbour), _italic(neighbour)
        if neighbour is following and (centred or italic or words.caption_credit.match(text)
                                       or _bracketed_caption(text)):
            out.append(neighbour)
        elif neighbour is preceding and centred and italic:
            out.append(neighbour)
    return out


def _bracketed_caption(text: str) -> bool:
    """A short text wholly in brackets ("(Quang cảnh lớp tập huấn)"), not a source ("(Nguồn: …)")."""
    return bool(vocabulary().caption_bracketed.match(text)) and source_of(text) is None


def _siblings_skipping_empty(element: lxml.html.HtmlElement, forward: bool) -> lxml.html.HtmlElement | None:
    node = element
    while True:
        between = node.tail if forward else None
        node = node.getnext() if forward else node.getprevious()
        if between and between.strip():
            return None  # text between the image and the next block: no adjacency
        if node is None:
            return None
        if not forward and node.tail and node.tail.strip():
            return None
        if tag_of(node) == "br" or (not has_text(node) and node.find(".//img") is None):
            continue
        return node


def _next_block(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return _siblings_skipping_empty(element, forward=True)


def _previous_block(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return _siblings_skipping_empty(element, forward=False)


def _centred(element: lxml.html.HtmlElement) -> bool:
    node: lxml.html.HtmlElement | None = element
    for _ in range(3):  # the block, or its only child wrapper
        if node is None:
            return False
        if (tag_of(node) == "center" or (node.get("align") or "").lower() == "center"
                or _CENTRED_STYLE.search(node.get("style") or "") or _CENTRED_CLASS.search(node.get("class") or "")):
            return True
        children = [c for c in node if has_text(c)]
        node = children[0] if len(children) == 1 and not (node.text or "").strip() else None
    return False


def _italic(element: lxml.html.HtmlElement) -> bool:
    """Whether all of the element's text is set in italics."""
    if _ITALIC_STYLE.search(element.get("style") or "") or tag_of(element) in _ITALIC_TAGS:
        return True
    if (element.text or "").strip():
        return False
    children = list(element)
    if not children:
        return False
    for child in children:
        if (child.tail or "").strip():
            return False
        if has_text(child) and not _italic(child):
            return False
    return any(has_text(c) for c in children)
