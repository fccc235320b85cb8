"""Load site configs merged with their CMS family's defaults.

A family (`data/families/<name>.yml`) holds the defaults shared by every portal built on one CMS:
how listings link to articles and to the next page, where an article's parts sit, how its URL is
canonicalised. A site (`data/sites/<domain>.yml`) names its family, its administrative unit, its
news sections and any override. `build_site` merges the two into one `SiteConfig`.

A site may leave its family out: the crawler then detects it from the first listing page
(siteconfig/detect.py) and merges again with `with_family`; until then the generic family's rules apply.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from siteconfig.paths import DEFAULT_FAMILIES_DIR, DEFAULT_SITES_DIR, GENERIC_FAMILY
from siteconfig.schema import FAMILY_SCHEMA, SITE_SCHEMA
from siteconfig.validate import ConfigError, check_patterns, read_yaml, validate


@dataclass(frozen=True)
class SiteConfig:
    """One portal's configuration merged with its family's defaults.

    :param domain: host name; the site key in the database and the only host crawled
    :param name: the portal's name
    :param family: CMS family name; "" when the config names none and it is not detected yet
    :param base_url: scheme and host that section paths are relative to
    :param unit: administrative unit (province, province_code, district, district_code); empty when unknown
    :param sections: absolute listing start URLs
    :param listing: listing-page rules (article_links, article_pattern, next_page, follow_pattern)
    :param article: article-page selectors (title, date, byline, lead, body, captions, drop)
    :param canonical: URL canonicalisation rules
    :param print_view: optional rule turning an article URL into its print view
    :param feeds: absolute RSS and sitemap URLs
    :param data: the site file's own mapping (to merge again with a detected family)
    :param path: the site file
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
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    path: Path | None = field(default=None, compare=False)

    @property
    def unit_code(self) -> str | None:
        """The most precise GSO code of the portal's unit (district if known, else province), if known."""
        return self.unit.get("district_code") or self.unit.get("province_code")

    def as_site_row(self) -> dict[str, Any]:
        """The row describing this portal in the database's sites table."""
        return {"domain": self.domain, "name": self.name, "family": self.family or None,
                "unit_code": self.unit_code, "province": self.unit.get("province"),
                "province_code": self.unit.get("province_code"),
                "district": self.unit.get("district"), "district_code": self.unit.get("district_code"),
                "base_url": self.base_url, "status": self.status}


def load_families(families_dir: Path = DEFAULT_FAMILIES_DIR) -> dict[str, dict[str, Any]]:
    """Read and validate every family file.

    :param families_dir: directory of `<name>.yml` family files
    :raises ConfigError: on the first invalid file
    """
    families: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(families_dir).glob("*.yml")):
        data = read_yaml(path)
        validate(data, FAMILY_SCHEMA, path)
        if data["name"] != path.stem:
            raise ConfigError(f"{path}: name {data['name']!r} differs from the file name")
        check_patterns(data, path)
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
    """Validate one site mapping and merge it with its family (the generic one while it names none).

    :param data: the parsed site YAML
    :param families: families by name, from `load_families`
    :param path: the file it came from, for error messages
    :raises ConfigError: when the site is invalid or names an unknown family
    """
    validate(data, SITE_SCHEMA, path)
    if "family" in data and data["family"] not in families:
        raise ConfigError(f"{path}: unknown family {data['family']!r} (known: {', '.join(sorted(families))})")
    check_patterns(data, path)
    return _merged(data, families, data.get("family", ""), path)


def with_family(site: SiteConfig, family: str, families: dict[str, dict[str, Any]]) -> SiteConfig:
    """The site merged with the family detected for it (a site file that names none).

    :param site: a site built from a file without `family`
    :param family: the detected family's name
    :param families: families by name
    :raises ConfigError: when the family is unknown
    """
    if family not in families:
        raise ConfigError(f"{site.path}: unknown family {family!r} (known: {', '.join(sorted(families))})")
    return _merged(site.data, families, family, site.path)


def _merged(data: dict[str, Any], families: dict[str, dict[str, Any]], family_name: str, path: Path) -> SiteConfig:
    family = families[family_name or GENERIC_FAMILY]
    base_url = data.get("base_url") or f"https://{data['domain']}"
    if urlsplit(base_url).netloc != data["domain"]:
        raise ConfigError(f"{path}: base_url {base_url!r} is not on domain {data['domain']!r}")
    feeds = _merge(family.get("feeds", {}), data.get("feeds", {}))
    return SiteConfig(
        domain=data["domain"], name=data["name"], family=family_name, base_url=base_url,
        unit=data.get("unit", {}), status=data.get("status", "active"), data=copy.deepcopy(data), path=path,
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
        site = build_site(read_yaml(path), families, path)
        if site.domain in sites:
            raise ConfigError(f"{path}: domain {site.domain} is configured twice")
        sites[site.domain] = site
    return sites
