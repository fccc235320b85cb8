"""Canonical article URLs, so one article reached by several addresses is stored once.

Rules come from the family configuration (`canonical:`): which query parameters carry the
article's identity (SharePoint `ItemID`, Thanh Hóa `p`), which are noise, and path rewrites (print
view to normal view, `+`-padded SharePoint list names, zero-padded dated paths). On every family,
a language switch appended to a page address (`…/<id>-<slug>.html/en`) is not part of it: such an
address serves the same article, or the section listing, never another article.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Parameters that never identify an article on any portal.
TRACKING_PARAMS = frozenset({
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid",
    "zarsrc", "_afrloop", "_adf.ctrl-state", "jsessionid", "lang", "otitem", "print",
})


# A language code after a page's file name: `/en`, `/vi/`, `/en-US`.
LANGUAGE_SUFFIX = re.compile(r"(\.(?:html?|aspx?|php|jsp|do))/[a-z]{2}(?:[-_][a-z]{2})?/?$", re.I)


def without_language_suffix(url: str) -> str:
    """The address without a language switch appended to the page's file name (`….html/en` -> `….html`).

    :param url: absolute URL
    """
    parts = urlsplit(url)
    path = LANGUAGE_SUFFIX.sub(r"\1", parts.path)
    return url if path == parts.path else urlunsplit(parts._replace(path=path))


def canonical_url(url: str, rules: dict[str, Any] | None = None) -> str:
    """Return the canonical form of an article URL.

    :param url: absolute URL as found on a page
    :param rules: the family's `canonical` rules (identity_params, drop_params, path_rewrites,
        keep_trailing_slash)
    """
    rules = rules or {}
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    path = LANGUAGE_SUFFIX.sub(r"\1", re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I)) or "/"
    for rewrite in rules.get("path_rewrites", []):
        path = re.sub(rewrite["pattern"], rewrite["replace"], path)
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~")
    if not rules.get("keep_trailing_slash") and len(path) > 1:
        path = path.rstrip("/") or "/"
    query = _canonical_query(parts.query, rules)
    return urlunsplit((scheme, netloc, path, query, ""))


def _canonical_query(query: str, rules: dict[str, Any]) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if "identity_params" in rules:
        # Identity parameters alone define the article (none at all: the path does); spell them
        # as the family does.
        identity = {name.lower(): name for name in rules["identity_params"]}
        kept = [(identity[k.lower()], v) for k, v in pairs if k.lower() in identity]
    else:
        drop = TRACKING_PARAMS | {p.lower() for p in rules.get("drop_params", [])}
        kept = [(k, v) for k, v in pairs if k.lower() not in drop]
    return urlencode(sorted(kept))


def print_view_url(url: str, rule: dict[str, str] | None) -> str | None:
    """The print view of an article URL, when the family has one and the URL fits the rule.

    :param url: canonical article URL
    :param rule: the family's `print_view` rule {pattern, replace}
    """
    if not rule:
        return None
    printed, count = re.subn(rule["pattern"], rule["replace"], url)
    return printed if count else None
