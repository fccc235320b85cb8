"""`pipeline.py sites add URL` over real loopback HTTP, family detection, and a config without a family.

The portals are the sample portal (data/sample_portal/) and the fixture portals
(tests/fixtures/portals/, one per family), with home pages from tests/fixtures/detect/ laid over
them; every fetch goes through the real Scrapy stack (robots.txt, User-Agent, proxy) to
SamplePortalServer.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from siteconfig import load_families, load_sites
from siteconfig.detect import detect_family, section_candidates
from stages.sample_server import SamplePortalServer
from stages.sites import portal_name, portal_unit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_portal"
FIXTURES = ROOT / "tests" / "fixtures" / "portals"
HOMES = ROOT / "tests" / "fixtures" / "detect"
GOLD = json.loads((FIXTURES / "gold.json").read_text(encoding="utf-8"))
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5",
        "RETRY_TIMES": "1", "RETRY_BACKOFF_BASE": "0.05", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "WARNING"}


def fixture_root(folder: Path) -> Path:
    """Sample and fixture portals in one served tree, with the detection home pages on top."""
    root = folder / "portals"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("sites", "_faults.json"))
    for host in FIXTURES.iterdir():
        if host.is_dir() and host.name != "sites":
            shutil.copytree(host, root / host.name)
    for host in HOMES.iterdir():
        if host.is_dir():
            shutil.copytree(host, root / host.name, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamplePortalServer]:
    with SamplePortalServer(fixture_root(tmp_path_factory.mktemp("sites-add"))) as server:
        yield server


def pipeline(*args: str, server: SamplePortalServer, **settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "pipeline.py"), *args, "--proxy", server.proxy]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)


# (address given, family expected, unit code, sections, feeds)
PORTALS = [
    # Its robots.txt names a sitemap that lists the articles.
    ("http://muonglat.thanhhoa.sample.test/", "thanhhoa", "384", ["/portal/KenhTin/tin-tuc.aspx"],
     {"sitemaps": ["/sitemap.xml"]}),
    ("http://sct.dongnai.sample.test/", "nukeviet", "75", ["/vi/news/chuyen-doi-so/"], {"rss": ["/vi/news/rss/"]}),
    ("http://sldtbxh.kontum.test/", "wordpress", "62", ["/category/tin-tuc/"], {"rss": ["/feed/"]}),
    ("http://caolanh.dongthap.test/", "liferay", "873", ["/web/caolanh/tin-tuc/"], None),
    ("http://tanlap.longan.test/", None, "80", ["/tin-tuc/danh-sach.aspx"], None),
]


@pytest.mark.parametrize("url, family, unit_code, sections, feeds", PORTALS, ids=[p[0].split("/")[2] for p in PORTALS])
def test_sites_add_detects_family_sections_feeds_and_unit(portals: SamplePortalServer, tmp_path: Path, url: str,
                                                         family: str | None, unit_code: str, sections: list[str],
                                                         feeds: dict | None) -> None:
    result = pipeline("sites", "add", url, "--sites-dir", str(tmp_path), server=portals)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    domain = url.split("/")[2]
    data = yaml.safe_load((tmp_path / f"{domain}.yml").read_text(encoding="utf-8"))
    assert data.get("family") == family
    assert data["sections"] == sections and data.get("feeds") == feeds
    site = load_sites(tmp_path)[domain]  # the written config loads as it is
    assert site.unit_code == unit_code
    # It says what it chose and why, and previews articles read with the family's rules.
    assert f"family: {family or 'none named'}" in result.stdout and "named by the address" in result.stdout
    assert "menu link 'Tin tức" in result.stdout or "menu link 'Chuyển đổi số'" in result.stdout
    titles = [line for line in result.stdout.splitlines() if line.strip().startswith("title: ")]
    assert titles and all("title: None" not in line for line in titles)
    gold_titles = {article["title"] for article in GOLD if article["host"] == domain}
    if gold_titles:
        assert all(any(f"title: {title!r}" in line for title in gold_titles) for line in titles)
    assert "no article (" not in result.stdout
    # Robots.txt was asked first, every request identified itself, nothing left the portal's host.
    asked = [r for r in portals.requests if r.url.split("/")[2] == domain]
    assert asked and all(r.headers.get("User-Agent", "").startswith("vn-training-crawler/") for r in asked)


def test_sites_add_by_a_section_address_keeps_that_section(portals: SamplePortalServer, tmp_path: Path) -> None:
    section = "http://vinhphuc.sample.test/ct/cms/tintuc/Pages/tin-tuc.aspx"
    result = pipeline("sites", "add", section, "--sites-dir", str(tmp_path), server=portals)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    data = yaml.safe_load((tmp_path / "vinhphuc.sample.test.yml").read_text(encoding="utf-8"))
    # Its pager's "2" and "3" name the section too, but they are later pages of it, not sections.
    assert (data["family"], data["sections"]) == ("sharepoint", ["/ct/cms/tintuc/Pages/tin-tuc.aspx"])
    assert "the address given" in result.stdout or "the start page" in result.stdout


def test_sites_add_again_changes_nothing_and_keeps_a_different_config(portals: SamplePortalServer,
                                                                       tmp_path: Path) -> None:
    url = "http://sldtbxh.kontum.test/"
    assert pipeline("sites", "add", url, "--sites-dir", str(tmp_path), server=portals).returncode == 0
    path = tmp_path / "sldtbxh.kontum.test.yml"
    written = path.read_text(encoding="utf-8")
    again = pipeline("sites", "add", url, "--sites-dir", str(tmp_path), server=portals)
    assert again.returncode == 0 and "unchanged" in again.stdout and path.read_text(encoding="utf-8") == written
    edited = written.replace("name: ", "name: Edited ")
    path.write_text(edited, encoding="utf-8")
    kept = pipeline("sites", "add", url, "--sites-dir", str(tmp_path), server=portals)
    assert kept.returncode == 1 and "--force" in kept.stdout and path.read_text(encoding="utf-8") == edited
    forced = pipeline("sites", "add", url, "--sites-dir", str(tmp_path), "--force", server=portals)
    assert forced.returncode == 0 and yaml.safe_load(path.read_text(encoding="utf-8"))["name"] == (
        "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum")


def test_sites_add_without_news_writes_nothing_and_says_why(portals: SamplePortalServer, tmp_path: Path) -> None:
    (portals.root / "empty.sample.test").mkdir()
    (portals.root / "empty.sample.test" / "index.html").write_text(
        "<html><head><title>Trang chủ</title></head><body><a href='/lien-he'>Liên hệ</a></body></html>",
        encoding="utf-8")
    result = pipeline("sites", "add", "http://empty.sample.test/", "--sites-dir", str(tmp_path), server=portals)
    assert result.returncode == 1 and "http://empty.sample.test/: no news section found" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_portal_added_by_its_address_alone_crawls_every_article(portals: SamplePortalServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    for url in ("http://sldtbxh.kontum.test/", "http://caolanh.dongthap.test/"):
        assert pipeline("sites", "add", url, "--sites-dir", str(sites), server=portals).returncode == 0
    db = tmp_path / "crawl.db"
    crawled = pipeline("crawl", "--db", str(db), "--sites-dir", str(sites), server=portals,
                       WARC_DIR=str(tmp_path / "archive"), CRAWL_EXTRACT="False")
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr[-3000:]
    with sqlite3.connect(db) as connection:
        stored = {url: title for url, title in connection.execute("select url, title from articles")}
    gold = {article["url"]: article["title"] for article in GOLD
            if article["host"] in ("sldtbxh.kontum.test", "caolanh.dongthap.test")}
    assert stored == gold


def test_a_config_without_family_is_detected_at_crawl_time(portals: SamplePortalServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    config = yaml.safe_load((FIXTURES / "sites" / "sct.binhphuoc.test.yml").read_text(encoding="utf-8"))
    del config["family"]
    (sites / "sct.binhphuoc.test.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "crawl.db"
    crawled = pipeline("crawl", "--db", str(db), "--sites-dir", str(sites), server=portals,
                       WARC_DIR=str(tmp_path / "archive"), CRAWL_EXTRACT="False", LOG_LEVEL="INFO")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert "sct.binhphuoc.test: family nukeviet, detected from http://sct.binhphuoc.test/vi/news/" in crawled.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("select family from sites where domain = 'sct.binhphuoc.test'").fetchall() == [
            ("nukeviet",)]
        stored = {url for (url,) in connection.execute("select url from articles")}
    assert stored == {article["url"] for article in GOLD if article["host"] == "sct.binhphuoc.test"}


def fixture_sites() -> list[tuple[Path, object]]:
    return [(root, site) for root in (SAMPLE, FIXTURES) for site in load_sites(root / "sites").values()]


def served_file(root: Path, url: str) -> Path:
    """The file SamplePortalServer answers a URL with."""
    host, _, rest = url.removeprefix("http://").partition("/")
    path, _, query = rest.partition("?")
    relative = path if path and not path.endswith("/") else path + "index.html"
    for candidate in ([f"{relative}@{query}"] if query else []) + [relative]:
        if (root / host / candidate).is_file():
            return root / host / candidate
        if (root / host / candidate / "index.html").is_file():
            return root / host / candidate / "index.html"
    raise FileNotFoundError(url)


def test_the_family_of_every_fixture_portal_is_detected_from_its_first_listing_page() -> None:
    families = load_families()
    outcomes = {}
    for root, site in fixture_sites():
        html = served_file(root, site.sections[0]).read_text(encoding="utf-8", errors="replace")
        outcomes[site.domain] = (detect_family([(site.sections[0], html)], families).family, site.family)
    wrong = {domain: pair for domain, pair in outcomes.items() if pair[0] != pair[1]}
    print(f"family detection from the first listing page: {len(outcomes) - len(wrong)}/{len(outcomes)} right")
    assert len(outcomes) >= 16 and not wrong


def test_detection_says_why_and_is_not_fooled_by_article_links_alone() -> None:
    families = load_families()
    nukeviet = detect_family([("http://x.test/", '<html><head><meta name="generator" content="NukeViet v4.5">'
                               '</head><body><div class="news_column"></div></body></html>')], families)
    assert nukeviet.family == "nukeviet" and "meta generator 'NukeViet v4.5'" in nukeviet.reasons
    # One link shaped like many families' articles is no evidence of any one of them.
    plain = detect_family([("http://x.test/", '<html><body><a href="/tin-tuc/tap-huan-can-bo-giam-ngheo-nam-2024-1234.html">'
                            "x</a></body></html>")], families)
    assert plain.family == "generic" and "no family's fingerprints are clear" in plain.reasons[0]


def test_section_candidates_are_menu_links_that_name_news() -> None:
    html = (HOMES / "muonglat.thanhhoa.sample.test" / "index.html").read_text(encoding="utf-8")
    candidates = section_candidates(html, "http://muonglat.thanhhoa.sample.test/",
                                    load_families()["thanhhoa"]["listing"]["article_pattern"])
    assert [c.url for c in candidates] == ["http://muonglat.thanhhoa.sample.test/portal/KenhTin/tin-tuc.aspx"]
    assert "menu link 'Tin tức - Sự kiện'" in candidates[0].reason


def test_portal_unit_from_the_address_or_the_page_title() -> None:
    assert portal_unit("https://muonglat.thanhhoa.gov.vn", "Trang chủ")[0] == {
        "province": "Thanh Hóa", "province_code": "38", "district": "Mường Lát", "district_code": "384"}
    # Two units share the name Cao Lãnh; the title's "huyện" settles it.
    unit, why = portal_unit("https://caolanh.dongthap.gov.vn", "Cổng thông tin điện tử huyện Cao Lãnh")
    assert unit["district_code"] == "873" and why.endswith("named by the address and the page title")
    unit, why = portal_unit("https://cttdt.example.vn", "Cổng thông tin điện tử huyện Tháp Mười, tỉnh Đồng Tháp")
    assert unit["district_code"] == "872" and why.endswith("named by the page title")
    assert portal_unit("https://portal.example.vn", "Cổng thông tin") == (
        {}, "no administrative unit named by the address or the page title")


def test_portal_name_drops_the_page_part_of_the_title() -> None:
    assert portal_name("Trang chủ - Cổng thông tin điện tử huyện Mường Lát", "x") == (
        "Cổng thông tin điện tử huyện Mường Lát")
    assert portal_name("Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum", "x") == (
        "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum")
    assert portal_name("Trang chủ", "x.gov.vn") == "x.gov.vn"

