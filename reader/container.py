"""Where the article's text sits: the family's body selector when it holds text, else the block
of the page that holds the densest run of paragraph text (links, menus and side lists score
little), and the lead paragraph printed apart from it.
"""
from __future__ import annotations

import re

import lxml.html

from reader.dom import BLOCK_TAGS, flat_text, has_text, hints_of, is_inside, link_text_length, read_lines, select, tag_of
from reader.vocabulary import vocabulary

_PARAGRAPH_TAGS = frozenset({"p", "td", "pre", "blockquote", "li", "dd", "h2", "h3", "h4"})
_CONTAINER_TAGS = frozenset({"div", "article", "section", "main", "td", "body", "form", "span", "font", "center"})
_CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})
_MIN_PARAGRAPH = 25  # shorter texts are labels, menu items, dates
_STRONG = 0.3        # a candidate this close to the best one may be the article
_RUNNING_TEXT = re.compile(r"[,.;]\s+\S.*[.!?…]$")  # sentences, not a date line or a label


def family_container(root: lxml.html.HtmlElement, selectors: list[str]) -> lxml.html.HtmlElement | None:
    """The first element a family body selector finds that holds any text."""
    for selector in selectors:
        for element in select(root, selector):
            if has_text(element):
                return element
    return None


def _own_text_length(element: lxml.html.HtmlElement) -> int:
    """Length of the text an element holds outside its block children."""
    length = len((element.text or "").strip())
    for child in element:
        if tag_of(child) not in BLOCK_TAGS:
            length += len(child.text_content().strip())
        length += len((child.tail or "").strip())
    return length


def _own_link_length(element: lxml.html.HtmlElement) -> int:
    """Length of the link text among an element's own (non-block) children."""
    return sum(len(child.text_content().strip()) for child in element
               if tag_of(child) == "a" or (tag_of(child) not in BLOCK_TAGS and child.find(".//a") is not None))


def _chrome_region(element: lxml.html.HtmlElement, hints) -> bool:
    """Whether the element or one of its four nearest ancestors says it is chrome (class, id)."""
    node: lxml.html.HtmlElement | None = element
    for _ in range(5):
        if node is None or tag_of(node) in {"body", "html"}:
            return False
        if hints.search(hints_of(node)):
            return True
        node = node.getparent()
    return False


def _in_chrome(element: lxml.html.HtmlElement) -> bool:
    node: lxml.html.HtmlElement | None = element
    while node is not None:
        if tag_of(node) in _CHROME_TAGS:
            return True
        node = node.getparent()
    return False


def _link_lengths(body: lxml.html.HtmlElement) -> dict[lxml.html.HtmlElement, int]:
    """Length of the link text inside every element, summed bottom-up in one pass."""
    below: dict[lxml.html.HtmlElement, int] = {}
    for link in body.iter("a"):
        length = len(flat_text(link))
        node = link
        while node is not None and length:
            below[node] = below.get(node, 0) + length
            node = node.getparent()
    return below


def generic_container(root: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None = None,
                      order: dict[lxml.html.HtmlElement, int] | None = None) -> lxml.html.HtmlElement | None:
    """The element holding the article's paragraphs, by text density (readability's idea).

    Each paragraph-like block with enough text and few links scores its parent fully and its
    grandparent half (less inside chrome such as sidebars); an element's score is discounted by its
    own link density and by chrome hints in its class or id. Among the strong candidates the one
    that holds or follows the headline wins (a long teaser list elsewhere does not), else the best.

    :param headline: the headline element, when known
    :param order: document position of every element (needed with `headline`)
    """
    words = vocabulary()
    body = root.find("body")
    if body is None:
        return None
    links_below = _link_lengths(body)
    scores: dict[lxml.html.HtmlElement, float] = {}
    for element in body.iter():
        tag = tag_of(element)
        if tag in _PARAGRAPH_TAGS:
            leaf = not any(tag_of(c) in BLOCK_TAGS - {"br"} for c in element)
            length = len(flat_text(element)) if leaf else _own_text_length(element)
            links = links_below.get(element, 0) if leaf else _own_link_length(element)
        elif tag in _CONTAINER_TAGS:
            length = _own_text_length(element)
            links = _own_link_length(element)
        else:
            continue
        if length < _MIN_PARAGRAPH or links > length / 2 or _in_chrome(element):
            continue
        score = 1 + flat_text(element).count(",") + min(length / 100, 3)
        if _chrome_region(element, words.chrome_hints):
            score *= 0.2  # a teaser list in a sidebar, "other news" with summaries
        # A container holding its text directly is the text's holder, unless it is a paragraph
        # written as a <div> (no block inside: SharePoint and rich-text editors write one per
        # paragraph) inside some block, whose parent holds the text as a <p>'s does; a <div>
        # right under the page's body is a banner or footer, not a paragraph of the page.
        parent = element.getparent()
        as_paragraph = tag in _PARAGRAPH_TAGS or (
            tag == "div" and parent is not None and tag_of(parent) not in {"body", "form", "html"}
            and not any(tag_of(c) in BLOCK_TAGS for c in element))
        holder = parent if as_paragraph else element
        for weight in (1, 1 / 2):
            if holder is None:
                break
            scores[holder] = scores.get(holder, 0) + score * weight
            holder = holder.getparent()
    if not scores:
        return None

    def final(element: lxml.html.HtmlElement) -> float:
        density = min(links_below.get(element, 0) / max(len(element.text_content()), 1), 1)
        hint = hints_of(element)
        factor = 1.0
        if words.chrome_hints.search(hint):
            factor *= 0.3
        if words.content_hints.search(hint):
            factor *= 1.3
        if tag_of(element) in {"article", "main"}:
            factor *= 1.2
        if tag_of(element) in {"body", "form"}:
            factor *= 0.7
        return scores[element] * (1 - density) ** 2 * factor

    finals = {element: final(element) for element in scores}
    best = max(finals, key=finals.get)
    if headline is None or order is None:
        return best
    at = order.get(headline, 0)
    strong = [e for e, value in finals.items() if value >= _STRONG * finals[best] and tag_of(e) not in {"body", "form"}]
    holding = [e for e in strong if is_inside(headline, e)]
    following = [e for e in strong if order.get(e, 0) > at and not is_inside(headline, e)]
    inner = max(holding, key=lambda e: (order.get(e, 0), finals[e])) if holding else None  # the innermost wrapper
    if inner is not None:
        # Unless a block after it outscores it: then the wrapper holds the headline and a long
        # lead, and the text is in that block.
        following = [e for e in following if not is_inside(e, inner)]
        if not following or max(finals[e] for e in following) <= finals[inner]:
            return inner
    if following:
        # The first block after the headline that scores like the text, not a byline or date
        # line printed between them.
        bar = max(finals[e] for e in following) / 2
        return min((e for e in following if finals[e] >= bar), key=lambda e: order.get(e, 0))
    return best


def find_lead(root: lxml.html.HtmlElement, container: lxml.html.HtmlElement, family_selectors: list[str],
              headline: lxml.html.HtmlElement | None,
              order: dict[lxml.html.HtmlElement, int]) -> lxml.html.HtmlElement | None:
    """The lead (sapo) printed outside the content container, between the headline and the body.

    :param family_selectors: the family's lead selectors, tried before the general ones
    :param headline: the headline element, when the title came from one
    :param order: document position of every element
    """
    words = vocabulary()
    start = order.get(headline, -1) if headline is not None else -1
    general = (e for e in root.iter() if isinstance(e.tag, str) and (e.get("class") or e.get("id"))
               and any(words.lead_class.search(word) for word in hints_of(e).split()))
    for found in [*(select(root, selector) for selector in family_selectors), general]:
        for element in found:
            if is_inside(element, container) or is_inside(container, element) or _in_chrome(element):
                continue
            text = flat_text(element)
            if len(text) < 20 or link_text_length(element) > len(text) / 2:
                continue
            near = _common_depth(element, container) <= 3
            if order.get(element, 0) > start and (near or order.get(element, 0) < order.get(container, 0)):
                return element
    return _lead_beside_headline(headline, container)


_MIN_LEAD = 80


def _lead_beside_headline(headline: lxml.html.HtmlElement | None,
                          container: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """A lead with no class to tell it: running text printed after the headline inside the
    headline's own wrapper, when the text's container lies outside that wrapper (a title block of
    headline and summary, then the text)."""
    if headline is None or headline.getparent() is None or is_inside(headline, container):
        return None
    wrapper = headline.getparent()
    if tag_of(wrapper) in {"body", "form", "html"} or is_inside(container, wrapper):
        return None
    for sibling in headline.itersiblings():
        text = flat_text(sibling)
        if len(text) >= _MIN_LEAD and link_text_length(sibling) < len(text) / 4 and _RUNNING_TEXT.search(text):
            return sibling
    return None


def _common_depth(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> int:
    """How many levels above `container` the common ancestor of both lies."""
    ancestors = []
    node: lxml.html.HtmlElement | None = container
    while node is not None:
        ancestors.append(node)
        node = node.getparent()
    node = element
    while node is not None:
        if node in ancestors:
            return ancestors.index(node)
        node = node.getparent()
    return len(ancestors)


_SIGN_OFF_LINES = 4
_SIGN_OFF_CHARS = 150
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def lines_after(container: lxml.html.HtmlElement) -> list[str]:
    """The short lines printed right after the content container, in its parent, before any
    heading or list of links: where a CMS prints the author and source apart from the text
    (NukeViet's `p.h5.text-right` after `#news-bodyhtml`, a newspaper's author box after the
    article's text). Empty when the first block after the container is no such line.

    :param container: the content container
    """
    lines: list[str] = []
    for sibling in container.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        text = flat_text(sibling)
        if not text:
            continue
        if next(sibling.iter(*_HEADING_TAGS), None) is not None or link_text_length(sibling) > len(text) / 2:
            break
        texts = read_lines(sibling).texts
        if len(lines) + len(texts) > _SIGN_OFF_LINES or any(len(line) > _SIGN_OFF_CHARS for line in texts):
            break
        lines += texts
    return lines


def drop_related_boxes(container: lxml.html.HtmlElement) -> None:
    """Remove boxes of links headed "Tin liên quan", "Xem thêm" … wherever they sit in the text
    (newspapers put one between paragraphs); the text after such a box is still the article's."""
    words = vocabulary()
    for heading in list(container.iter()):
        label = (heading.text or "").strip() if isinstance(heading.tag, str) else ""
        if not label or len(label) > 60 or not words.stop_line.match(label) or not is_inside(heading, container) \
                or len(flat_text(heading)) > 60 or heading.find(".//a") is not None or tag_of(heading) == "a":
            continue
        box = heading.getparent()
        for _ in range(3):  # the heading's wrapper, or the wrapper's
            if box is None or box is container:
                break
            rest = len(flat_text(box)) - len(flat_text(heading))
            if rest > 0 and link_text_length(box) >= rest / 2:
                box.drop_tree()
                break
            box = box.getparent()


def drop_inner_chrome(container: lxml.html.HtmlElement, family_selectors: list[str]) -> None:
    """Remove what the family marks as chrome inside the body, and nested header/footer/nav/aside."""
    for selector in family_selectors:
        for element in select(container, selector):
            if element is not container and element.getparent() is not None:
                element.drop_tree()
    for element in list(container.iter(*_CHROME_TAGS)):
        if element is not container and element.getparent() is not None:
            element.drop_tree()
