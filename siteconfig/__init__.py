"""Site and CMS-family configuration, beneath both the crawler and the stages.

- ``paths``: default locations (`data/sites/`, `data/families/`).
- ``schema``: the JSON Schemas of family and site files.
- ``validate``: read a file, check it against its schema, compile its regexes and selectors
  (``ConfigError`` names the file).
- ``load``: ``load_families``, ``build_site``, ``load_sites`` -> ``SiteConfig`` (a site merged
  with its family's defaults); ``with_family`` for a site whose family was detected.
- ``detect``: ``detect_family(html, url, families)`` -> the family whose fingerprints the page
  carries, with the reasons (pure: no fetching).
- ``check``: ``check_sites`` collects every problem of a directory of configs.
"""
from siteconfig.check import check_sites
from siteconfig.load import SiteConfig, build_site, load_families, load_sites, with_family
from siteconfig.paths import DEFAULT_FAMILIES_DIR, DEFAULT_SITES_DIR, GENERIC_FAMILY, ROOT
from siteconfig.validate import ConfigError

__all__ = ["ConfigError", "DEFAULT_FAMILIES_DIR", "DEFAULT_SITES_DIR", "GENERIC_FAMILY", "ROOT", "SiteConfig",
           "build_site", "check_sites", "load_families", "load_sites", "with_family"]
