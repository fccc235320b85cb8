"""JSON Schemas of the family files (data/families/*.yml) and site files (data/sites/*.yml)."""
from __future__ import annotations

from typing import Any

# A portal's host name as DNS spells it (RFC 1123 labels: letters, digits, inner hyphens, at most
# 63 characters; a top-level label that starts with a letter, so never an IP address), lower
# case, with an optional port. The domain names the archive folder and the only host crawled.
DOMAIN_PATTERN = (r"^(?=[^:]{1,253}(:|$))(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                  r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$")
_SELECTOR_LIST = {"type": "array", "items": {"type": "string"}}
_REWRITE_LIST = {
    "type": "array",
    "items": {"type": "object", "required": ["pattern", "replace"], "additionalProperties": False,
              "properties": {"pattern": {"type": "string"}, "replace": {"type": "string"}}},
}
_PARTS_SCHEMA = {
    "listing": {
        "type": "object", "additionalProperties": False,
        "properties": {"article_links": _SELECTOR_LIST, "article_pattern": {"type": "string"},
                       "next_page": _SELECTOR_LIST, "follow_pattern": {"type": "string"}},
    },
    "article": {
        "type": "object", "additionalProperties": False,
        "properties": {"title": _SELECTOR_LIST, "date": _SELECTOR_LIST, "byline": _SELECTOR_LIST,
                       "lead": _SELECTOR_LIST, "body": _SELECTOR_LIST, "captions": _SELECTOR_LIST,
                       "drop": _SELECTOR_LIST},
    },
    "canonical": {
        "type": "object", "additionalProperties": False,
        "properties": {"identity_params": {"type": "array", "items": {"type": "string"}},
                       "drop_params": {"type": "array", "items": {"type": "string"}},
                       "path_rewrites": _REWRITE_LIST, "keep_trailing_slash": {"type": "boolean"}},
    },
    "print_view": {
        "type": "object", "additionalProperties": False, "required": ["pattern", "replace"],
        "properties": {"pattern": {"type": "string"}, "replace": {"type": "string"}},
    },
    "feeds": {
        "type": "object", "additionalProperties": False,
        "properties": {"rss": {"type": "array", "items": {"type": "string"}},
                       "sitemaps": {"type": "array", "items": {"type": "string"}}},
    },
}
# What tells a family's pages apart (siteconfig/detect.py): regexes over the meta generator, over
# class and id names, over the page's own links, and over its feed links.
_FINGERPRINTS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"generator": {"type": "string"}, "markup": _SELECTOR_LIST, "links": _SELECTOR_LIST,
                   "feeds": _SELECTOR_LIST, "hosts": _SELECTOR_LIST},
}
FAMILY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "listing", "article", "canonical"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                   "generator": {"type": "string"}, "fingerprints": _FINGERPRINTS_SCHEMA, **_PARTS_SCHEMA},
}
SITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    # No family: detected from the first listing page at crawl time. No unit: the portal's
    # administrative unit is unknown (a national or thematic portal).
    "required": ["domain", "name", "sections"],
    "additionalProperties": False,
    "properties": {
        "domain": {"type": "string", "pattern": DOMAIN_PATTERN},
        "name": {"type": "string", "minLength": 1},
        "family": {"type": "string"},
        "base_url": {"type": "string", "pattern": "^https?://"},
        "unit": {
            "type": "object", "required": ["province", "province_code"], "additionalProperties": False,
            "properties": {"province": {"type": "string"},
                           "province_code": {"type": "string", "pattern": r"^\d{2}$"},
                           "district": {"type": "string"},
                           "district_code": {"type": "string", "pattern": r"^\d{3}$"},
                           "note": {"type": "string"}},
        },
        "sections": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "status": {"enum": ["active", "closed", "merged"]},
        "note": {"type": "string"},
        "source": {"type": "string"},
        **_PARTS_SCHEMA,
    },
}
