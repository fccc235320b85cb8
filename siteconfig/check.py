"""Check every configuration file at once (`pipeline.py sites check`), collecting all problems."""
from __future__ import annotations

from pathlib import Path

from siteconfig.load import build_site, load_families
from siteconfig.paths import DEFAULT_FAMILIES_DIR, DEFAULT_SITES_DIR
from siteconfig.validate import ConfigError, read_yaml


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
            site = build_site(read_yaml(path), families, path)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if site.domain in seen:
            problems.append(f"{path}: domain {site.domain} is configured twice")
        seen.add(site.domain)
    return problems
