"""HTML given where text was expected: the visible text with paragraph breaks.

The crawler has a full page parser (crawler/article.py); this is the small fallback the
extractor needs when a caller hands it raw HTML.
"""
from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "title", "section", "article")


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def html_to_text(html: str) -> str:
    """Visible text of `html`: the title first, then block elements one per line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # feeds and XHTML are read as HTML on purpose
        soup = BeautifulSoup(html or "", "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
    body = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in body.splitlines()]
    text = "\n".join(line for line in lines if line)
    return f"{title}\n\n{text}".strip() if title else text
