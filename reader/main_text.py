"""HTML given where text was expected: the article's text with paragraph breaks.

The crawler has a full page parser (reader/article.py); this is what the extractor does when a
caller hands it a raw page: the main text as trafilatura finds it (menus, related-news lists and
footers left out), else every visible block.
"""
from __future__ import annotations

import re
import warnings

import trafilatura
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "title", "section", "article")


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


_MIN_MAIN_TEXT = 200  # shorter than this, trafilatura probably missed the article


def html_to_text(html: str) -> str:
    """Text of `html`: the title first, then the main text (or every visible block)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # feeds and XHTML are read as HTML on purpose
        soup = BeautifulSoup(html or "", "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    page_text_length = len((soup.body or soup).get_text(strip=True))
    main = trafilatura.extract(html, include_comments=False, include_tables=True) \
        if page_text_length >= _MIN_MAIN_TEXT else None
    if main and len(main) >= _MIN_MAIN_TEXT:
        body = main
    else:
        for tag in soup.find_all(_BLOCKS):
            tag.insert_before("\n")
        body = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in body.splitlines()]
    text = "\n".join(line for line in lines if line)
    return f"{title}\n\n{text}".strip() if title else text
