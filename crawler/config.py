"""Site and CMS-family configuration: load, merge and validate the YAML files.

A family (`data/families/<name>.yml`) holds the defaults shared by every portal built on one CMS:
how listings link to articles and to the next page, where an article's parts sit, how its URL is
canonicalised. A site (`data/sites/<domain>.yml`) names its family, its administrative unit, its
news sections and any override. `load_site` merges the two into one `SiteConfig`.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema
import yaml
from cssselect import GenericTranslator, SelectorError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITES_DIR = ROOT / "data" / "sites"
DEFAULT_FAMILIES_DIR = ROOT / "data" / "families"
GENERIC_FAMILY = "generic"

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
FAMILY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "listing", "article", "canonical"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                   "generator": {"type": "string"}, **_PARTS_SCHEMA},
}
SITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["domain", "name", "family", "unit", "sections"],
    "additionalProperties": False,
    "properties": {
        "domain": {"type": "string", "pattern": r"^[a-z0-9.-]+(:\d+)?$"},
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


class ConfigError(ValueError):
    """A site or family configuration file is invalid; the message names the file."""


@dataclass(frozen=True)
class SiteConfig:
    """One portal's configuration merged with its family's defaults.

    :param domain: host name; the site key in the database and the only host crawled
    :param name: the portal's name
    :param family: CMS family name
    :param base_url: scheme and host that section paths are relative to
    :param unit: administrative unit (province, province_code, district, district_code)
    :param sections: absolute listing start URLs
    :param listing: listing-page rules (article_links, article_pattern, next_page, follow_pattern)
    :param article: article-page selectors (title, date, byline, lead, body, captions, drop)
    :param canonical: URL canonicalisation rules
    :param print_view: optional rule turning an article URL into its print view
    :param feeds: absolute RSS and sitemap URLs
    """

    domain: str
    name: str
    family: str
    base_url: str
    unit: dict[str, str]
    sections: list[str]
    listing: dict[str, Any] = field(default_factory=dict)
    article: dict[str, Any] = field(default_factory=dict)
    canonical: dict[str, Any] = field(default_factory=dict)
    print_view: dict[str, str] | None = None
    feeds: dict[str, list[str]] = field(default_factory=dict)
    status: str = "active"

    @property
    def unit_code(self) -> str:
        """The most precise GSO code of the portal's unit (district if known, else province)."""
        return self.unit.get("district_code") or self.unit["province_code"]

    def as_site_row(self) -> dict[str, Any]:
        """The row describing this portal in the database's sites table."""
        return {"domain": self.domain, "name": self.name, "family": self.family,
                "unit_code": self.unit_code, "province": self.unit["province"],
                "province_code": self.unit["province_code"],
                "district": self.unit.get("district"), "district_code": self.unit.get("district_code"),
                "base_url": self.base_url, "status": self.status}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _validate(data: dict[str, Any], schema: dict[str, Any], path: Path) -> None:
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: e.path)
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(top)"
        raise ConfigError(f"{path}: {where}: {errors[0].message}")


def _check_patterns(parts: dict[str, Any], path: Path) -> None:
    """Compile every regex and CSS selector so a typo fails `sites check`, not a night's crawl."""
    regexes = [parts.get("listing", {}).get("article_pattern"), parts.get("listing", {}).get("follow_pattern"),
               *[r["pattern"] for r in parts.get("canonical", {}).get("path_rewrites", [])],
               (parts.get("print_view") or {}).get("pattern")]
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


def load_families(families_dir: Path = DEFAULT_FAMILIES_DIR) -> dict[str, dict[str, Any]]:
    """Read and validate every family file.

    :param families_dir: directory of `<name>.yml` family files
    :raises ConfigError: on the first invalid file
    """
    families: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(families_dir).glob("*.yml")):
        data = _read_yaml(path)
        _validate(data, FAMILY_SCHEMA, path)
        if data["name"] != path.stem:
            raise ConfigError(f"{path}: name {data['name']!r} differs from the file name")
        _check_patterns(data, path)
        families[data["name"]] = data
    if GENERIC_FAMILY not in families:
        raise ConfigError(f"{families_dir}: the {GENERIC_FAMILY!r} fallback family is missing")
    return families


def _merge(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Site values replace family values key by key (a site's list replaces the family's list)."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        merged[key] = copy.deepcopy(value)
    return merged


def build_site(data: dict[str, Any], families: dict[str, dict[str, Any]], path: Path) -> SiteConfig:
    """Validate one site mapping and merge it with its family.

    :param data: the parsed site YAML
    :param families: families by name, from `load_families`
    :param path: the file it came from, for error messages
    :raises ConfigError: when the site is invalid or names an unknown family
    """
    _validate(data, SITE_SCHEMA, path)
    if data["family"] not in families:
        raise ConfigError(f"{path}: unknown family {data['family']!r} (known: {', '.join(sorted(families))})")
    _check_patterns(data, path)
    family = families[data["family"]]
    base_url = data.get("base_url") or f"https://{data['domain']}"
    if urlsplit(base_url).netloc != data["domain"]:
        raise ConfigError(f"{path}: base_url {base_url!r} is not on domain {data['domain']!r}")
    feeds = _merge(family.get("feeds", {}), data.get("feeds", {}))
    return SiteConfig(
        domain=data["domain"], name=data["name"], family=data["family"], base_url=base_url,
        unit=data["unit"], status=data.get("status", "active"),
        sections=[urljoin(base_url + "/", s) for s in data["sections"]],
        listing=_merge(family.get("listing", {}), data.get("listing", {})),
        article=_merge(family.get("article", {}), data.get("article", {})),
        canonical=_merge(family.get("canonical", {}), data.get("canonical", {})),
        print_view=data.get("print_view", family.get("print_view")),
        feeds={kind: [urljoin(base_url + "/", u) for u in urls] for kind, urls in feeds.items()},
    )


def load_sites(sites_dir: Path = DEFAULT_SITES_DIR,
               families_dir: Path = DEFAULT_FAMILIES_DIR) -> dict[str, SiteConfig]:
    """Read, validate and merge every site file; keyed by domain.

    :param sites_dir: directory of `<domain>.yml` site files
    :param families_dir: directory of family files
    :raises ConfigError: on the first invalid file or a domain configured twice
    """
    families = load_families(families_dir)
    sites: dict[str, SiteConfig] = {}
    for path in sorted(Path(sites_dir).glob("*.yml")):
        site = build_site(_read_yaml(path), families, path)
        if site.domain in sites:
            raise ConfigError(f"{path}: domain {site.domain} is configured twice")
        sites[site.domain] = site
    return sites


def check_sites(sites_dir: Path = DEFAULT_SITES_DIR,
                families_dir: Path = DEFAULT_FAMILIES_DIR) -> list[str]:
    """Validate every file and collect all problems instead of stopping at the first.

    :returns: one message per invalid file (empty when everything is valid)
    """
    try:
        families = load_families(families_dir)
    except ConfigError as exc:
        return [str(exc)]
    problems, seen = [], set()
    for path in sorted(Path(sites_dir).glob("*.yml")):
        try:
            site = build_site(_read_yaml(path), families, path)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if site.domain in seen:
            problems.append(f"{path}: domain {site.domain} is configured twice")
        seen.add(site.domain)
    return problems
