"""Site and family configuration: the shipped configs are valid, bad configs are caught."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from siteconfig import (DEFAULT_FAMILIES_DIR, DEFAULT_SITES_DIR, ConfigError, check_sites, load_families,
                        load_sites, with_family)
from crawler.listing import is_article_url

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "fixtures" / "dev"
SAMPLE_SITES = ROOT / "data" / "sample_portal" / "sites"


def test_shipped_configs_are_valid_and_cover_many_real_portals() -> None:
    assert check_sites() == []
    sites = load_sites()
    assert len(sites) >= 30
    assert {site.family for site in sites.values()} >= {"tandan", "sharepoint", "liferay", "nukeviet", "slug",
                                                       "newspaper", "generic"}
    assert sites["muonglat.thanhhoa.gov.vn"].unit_code == "384"
    assert sites["muonglat.thanhhoa.gov.vn"].unit["province_code"] == "38"
    assert all(site.sections and site.sections[0].startswith("https://" + site.domain) for site in sites.values())


def test_sample_portal_configs_are_valid() -> None:
    assert check_sites(SAMPLE_SITES) == []
    assert len(load_sites(SAMPLE_SITES)) == 6


def test_every_dev_article_of_a_configured_portal_is_recognised_as_an_article() -> None:
    sites = load_sites()
    checked = 0
    for path in sorted(DEV.glob("*.json")):
        url = json.loads(path.read_text(encoding="utf-8")).get("url")
        site = sites.get((urlsplit(url).hostname or "").removeprefix("www.")) if url else None
        if site:
            assert is_article_url(url, site), (site.domain, url)
            checked += 1
    assert checked >= 15


def test_site_overrides_replace_family_values_key_by_key() -> None:
    site = load_sites()["ngochien.camau.gov.vn"]
    family = load_families()["slug"]
    assert site.listing["article_pattern"] != family["listing"]["article_pattern"]
    assert site.listing["follow_pattern"] == family["listing"]["follow_pattern"]
    assert site.article == family["article"]


def write_site(directory: Path, **changes: object) -> Path:
    data = {"domain": "example.gov.vn", "name": "Example", "family": "slug",
            "unit": {"province": "Thanh Hóa", "province_code": "38"}, "sections": ["/tin-tuc"]}
    data.update(changes)
    path = directory / "example.gov.vn.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("changes, message", [
    ({"family": "joomla"}, "unknown family 'joomla'"),
    ({"sections": []}, "sections"),
    ({"unit": {"province": "Thanh Hóa", "province_code": "380"}}, "province_code"),
    ({"listing": {"article_pattern": "(unclosed"}}, "does not compile"),
    ({"article": {"body": ["div[[broken"]}}, "CSS selector"),
    ({"base_url": "https://other.gov.vn"}, "not on domain"),
    ({"colour": "blue"}, "Additional properties"),
])
def test_invalid_site_configs_are_reported_with_the_file(tmp_path: Path, changes: dict, message: str) -> None:
    path = write_site(tmp_path, **changes)
    problems = check_sites(tmp_path)
    assert len(problems) == 1 and str(path) in problems[0] and message in problems[0]
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_sites(tmp_path)


def test_missing_required_key_is_reported(tmp_path: Path) -> None:
    path = write_site(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["sections"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "'sections' is a required property" in check_sites(tmp_path)[0]


def test_family_and_unit_may_be_left_out(tmp_path: Path) -> None:
    path = write_site(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["family"], data["unit"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert check_sites(tmp_path) == []
    site = load_sites(tmp_path)["example.gov.vn"]
    # Until the crawler detects the family, the generic family's rules apply.
    assert (site.family, site.unit_code) == ("", None)
    assert site.listing == load_families()["generic"]["listing"]
    nukeviet = with_family(site, "nukeviet", load_families())
    assert nukeviet.family == "nukeviet" and nukeviet.feeds["rss"] == ["https://example.gov.vn/vi/news/rss/"]
    assert nukeviet.as_site_row()["family"] == "nukeviet" and site.as_site_row()["family"] is None


def test_invalid_family_is_reported(tmp_path: Path) -> None:
    families = tmp_path / "families"
    shutil.copytree(DEFAULT_FAMILIES_DIR, families)
    (families / "slug.yml").write_text("name: slug\ndescription: x\nlisting: {}\narticle: {}\n", encoding="utf-8")
    problems = check_sites(DEFAULT_SITES_DIR, families)
    assert problems and "canonical" in problems[0] and "slug.yml" in problems[0]


def test_sites_commands() -> None:
    listed = subprocess.run([sys.executable, "pipeline.py", "sites", "list"], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert "muonglat.thanhhoa.gov.vn" in listed.stdout and "tandan" in listed.stdout
    checked = subprocess.run([sys.executable, "pipeline.py", "sites", "check"], cwd=ROOT, capture_output=True,
                             text=True)
    assert checked.returncode == 0 and "0 invalid" in checked.stdout


def test_sites_check_exits_non_zero_on_a_bad_config(tmp_path: Path) -> None:
    write_site(tmp_path, family="nonexistent")
    checked = subprocess.run([sys.executable, "pipeline.py", "sites", "check", "--sites-dir", str(tmp_path)],
                             cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 1 and "unknown family" in checked.stderr
