"""Validate configuration files: read the YAML, check it against its schema, compile its patterns.

Every error names the file, so `sites check` and a night's report point at what to fix.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from cssselect import GenericTranslator, SelectorError

from siteconfig.schema import DOMAIN_PATTERN


class ConfigError(ValueError):
    """A site or family configuration file is invalid; the message names the file."""


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def check_domain(domain: Any, path: Path) -> None:
    """Refuse a site domain that is not a host name (`..`, `a/b`, an IP address, a bad port).

    :param domain: the `domain` value of a site file
    :param path: the file, named in the message
    :raises ConfigError: saying what a domain must look like
    """
    port = domain.rpartition(":")[2] if isinstance(domain, str) and ":" in domain else None
    if not isinstance(domain, str) or not re.fullmatch(DOMAIN_PATTERN, domain) or (
            port is not None and not 0 < int(port) < 65536):
        raise ConfigError(f"{path}: domain {domain!r} is not a host name like 'muonglat.thanhhoa.gov.vn' "
                          "(lower-case letters, digits and hyphens in dot-separated labels, optional :port; "
                          "no IP address, no path)")


def validate(data: dict[str, Any], schema: dict[str, Any], path: Path) -> None:
    """Check a parsed file against its schema; a site's domain first, with a message of its own.

    :param data: the parsed YAML
    :param schema: FAMILY_SCHEMA or SITE_SCHEMA
    :param path: the file, named in the message
    :raises ConfigError: on the first problem
    """
    if schema.get("properties", {}).get("domain", {}).get("pattern") == DOMAIN_PATTERN and "domain" in data:
        check_domain(data["domain"], path)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: e.path)
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(top)"
        raise ConfigError(f"{path}: {where}: {errors[0].message}")


def check_patterns(parts: dict[str, Any], path: Path) -> None:
    """Compile every regex and CSS selector so a typo fails `sites check`, not a night's crawl."""
    regexes = [parts.get("listing", {}).get("article_pattern"), parts.get("listing", {}).get("follow_pattern"),
               *[r["pattern"] for r in parts.get("canonical", {}).get("path_rewrites", [])],
               (parts.get("print_view") or {}).get("pattern"),
               *[regex for key, value in (parts.get("fingerprints") or {}).items()
                 for regex in ([value] if key == "generator" else value)]]
    for regex in filter(None, regexes):
        try:
            re.compile(regex)
        except re.error as exc:
            raise ConfigError(f"{path}: pattern {regex!r} does not compile: {exc}") from exc
    selectors = [*parts.get("listing", {}).get("article_links", []), *parts.get("listing", {}).get("next_page", [])]
    for key in ("title", "date", "byline", "lead", "body", "captions", "drop"):
        selectors += parts.get("article", {}).get(key, [])
    for selector in selectors:
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as exc:
            raise ConfigError(f"{path}: CSS selector {selector!r} is invalid: {exc}") from exc
