"""Cheap, correct nights over real loopback HTTP: dead links remembered, other addresses of an
article tried, language-suffixed links, the request count of a second night, skips that heal.

Each night is a real `pipeline.py crawl` (a subprocess, Scrapy over HTTP to SamplePortalServer)
into one SQLite file; the portal copy is edited between nights. Nights follow each other within
seconds here, so "the backoff has passed" is said by moving the remembered links' next check into
the past (`backoff_passes`), as days passing would.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from stages.sample_server import SamplePortalServer
from store import open_database, remember_url
from store.urls import SKIPPED, backoff_hours
from tests.conftest import run_pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_portal"
SITE = "sontinh.quangngai.sample.test"
NEWSPAPER = "baothainguyen.sample.test"
SECTION = f"http://{SITE}/thong-tin-chi-dao-dieu-hanh"
ARTICLES = ["nang-cao-ky-nang-nghiep-vu-cho-doi-ngu-can-bo-lam-cong-tac-giam-ngheo",
            "vua-qua-ubnd-huyen-nghi-xuan-da-phoi-hop-voi-cuc-chuyen",
            "noi-dung-cach-thuc-tap-huan-khong-duoc-doi-moi-theo-huong",
            "son-duong-boi-duong-dai-bieu-hoi-dong-nhan-dan-cap-xa",
            "sang-ngay-22-5-ban-thuong-vu-thi-doan-cua-lo-to-chuc"]
DEAD_SIDEBAR = f"{SECTION}/thong-bao-tuyen-dung-vien-chuc-nam-2019-da-go-xuong.html"
LISTINGS = ["index.html", "trang-2.html", "trang-3.html"]
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5",
        "RETRY_TIMES": "1", "RETRY_BACKOFF_BASE": "0.05", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "WARNING",
        "CRAWL_EXTRACT": "False"}


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[SamplePortalServer]:
    root = tmp_path / "portal"
    shutil.copytree(SAMPLE, root)
    for config in (root / "sites").glob("*.yml"):
        if config.stem != SITE:
            config.unlink()
    with SamplePortalServer(root) as server:
        yield server


def listing_file(server: SamplePortalServer, name: str) -> Path:
    return server.root / SITE / "thong-tin-chi-dao-dieu-hanh" / name


def article_file(server: SamplePortalServer, slug: str) -> Path:
    return server.root / SITE / "thong-tin-chi-dao-dieu-hanh" / f"{slug}.html"


def add_to_every_listing(server: SamplePortalServer, html: str, where: str = '<div class="footer">') -> None:
    for name in LISTINGS:
        page = listing_file(server, name)
        page.write_text(page.read_text(encoding="utf-8").replace(where, html + where, 1), encoding="utf-8")


def night(server: SamplePortalServer, db: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
               str(server.root / "sites"), "--proxy", server.proxy, *args]
    for name, value in {**FAST, "WARC_DIR": str(db.parent / "archive"), **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)


def backoff_passes(db: Path) -> None:
    """Days pass: every remembered link is due again."""
    with sqlite3.connect(db) as connection:
        connection.execute("update url_states set next_check = '2000-01-01T00:00:00+00:00'")


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def stored(db: Path) -> set[str]:
    return {url for (url,) in rows(db, "select url from articles")}


def requested(server: SamplePortalServer, since: int = 0) -> list[str]:
    return [request.url for request in server.requests[since:]]


def test_second_night_with_dead_links_variants_and_language_suffixes_is_cheap(portal: SamplePortalServer,
                                                                              tmp_path: Path) -> None:
    # A dead link (404) in the sidebar of every listing page, and a language switch appended to an
    # article's address (it would serve the section listing).
    add_to_every_listing(portal, f'<div class="sidebar"><a href="{DEAD_SIDEBAR}">Thông báo đã gỡ</a> '
                                 f'<a href="{SECTION}/{ARTICLES[0]}.html/en">English</a></div>')
    db = tmp_path / "crawl.db"

    first = night(portal, db)
    assert first.returncode == 1, first.stderr[-3000:]  # the sample's 404 and 500 articles fail on purpose
    assert stored(db) == {f"{SECTION}/{slug}.html" for slug in ARTICLES}
    asked = requested(portal)
    assert not any(url.endswith("/en") for url in asked)  # canonicalised: never requested
    assert asked.count(DEAD_SIDEBAR) == 1  # linked from three pages, requested once
    errors = dict(rows(db, "select url, message from errors"))
    assert errors[DEAD_SIDEBAR] == "HTTP 404"
    states = dict(rows(db, "select url, state from url_states"))
    assert states == {DEAD_SIDEBAR: "dead", f"{SECTION}/bai-viet-da-bi-go-bo-khoi-cong-thong-tin.html": "dead",
                      f"{SECTION}/bai-viet-dang-loi-may-chu-khong-mo-duoc.html": "failed"}
    assert rows(db, "select failed from crawl_runs") == [(3,)]

    # Night 2, nothing changed: robots.txt plus one request per section and per feed.
    since = len(portal.requests)
    second = night(portal, db)
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(requested(portal, since)) == sorted([f"http://{SITE}/robots.txt", f"{SECTION}/",
                                                       f"http://{SITE}/sitemap.xml"])
    assert rows(db, "select requests, failed from crawl_runs order by started_at desc, id desc limit 1") == [(3, 0)]

    # Night 3, the backoff has passed: the dead links are checked again but not reported again, and
    # the article that failed with a 500 is stored now that its server answers.
    portal.faults.clear()
    healed = article_file(portal, "bai-viet-dang-loi-may-chu-khong-mo-duoc")
    text = article_file(portal, ARTICLES[2]).read_text(encoding="utf-8")
    healed.write_text(text.replace("</p>", " Bài đăng lại sau khi máy chủ được sửa.</p>", 1), encoding="utf-8")
    backoff_passes(db)
    since = len(portal.requests)
    third = night(portal, db)
    assert third.returncode == 0, third.stderr[-3000:]
    assert {DEAD_SIDEBAR, f"{SECTION}/bai-viet-dang-loi-may-chu-khong-mo-duoc.html"} <= set(requested(portal, since))
    assert f"{SECTION}/bai-viet-dang-loi-may-chu-khong-mo-duoc.html" in stored(db)
    assert rows(db, "select new, failed from crawl_runs order by started_at desc, id desc limit 1") == [(1, 0)]
    assert dict(rows(db, "select url, attempts from url_states")) == {
        DEAD_SIDEBAR: 2, f"{SECTION}/bai-viet-da-bi-go-bo-khoi-cong-thong-tin.html": 2}


def test_an_article_whose_first_address_fails_is_fetched_at_its_other_one(portal: SamplePortalServer,
                                                                         tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "sites" / f"{NEWSPAPER}.yml", portal.root / "sites")
    listing = portal.root / NEWSPAPER / "xa-hoi" / "index.html"
    article = "/xa-hoi/202401/tham-gia-tap-huan-co-40-hoc-vien-la-can-bo-chi-1012"
    # The main list links the article first without its trailing slash (that address fails), then
    # as the portal serves it.
    listing.write_text(listing.read_text(encoding="utf-8").replace(
        '<div class="list-news">', f'<div class="list-news"><div class="story"><a href="{article}">Tin</a></div>', 1),
        encoding="utf-8")
    portal.faults[f"http://{NEWSPAPER}{article}"] = "status:404"
    db = tmp_path / "crawl.db"
    result = night(portal, db, "--site", NEWSPAPER)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    asked = requested(portal)
    assert asked.index(f"http://{NEWSPAPER}{article}") < asked.index(f"http://{NEWSPAPER}{article}/")
    assert f"http://{NEWSPAPER}{article}" in stored(db)
    assert rows(db, "select count(*) from errors where url like ?", f"%{article}%") == [(0,)]
    assert rows(db, "select count(*) from url_states where url like ?", f"%{article}%") == [(0,)]


def test_skips_heal_on_a_later_night_and_make_the_site_partial(portal: SamplePortalServer, tmp_path: Path) -> None:
    pdf, refused, big = (f"{SECTION}/{slug}.html" for slug in ARTICLES[:3])
    page = article_file(portal, ARTICLES[0])
    html = page.read_bytes()
    page.write_bytes(b"%PDF-1.4 an error page served as a document")          # not HTML this night
    robots = portal.root / SITE / "robots.txt"
    allowed = robots.read_text(encoding="utf-8")
    robots.write_text(allowed.replace("Disallow: /private/", f"Disallow: /private/\nDisallow: {refused.split(SITE)[1]}"),
                      encoding="utf-8")                                            # refused this night
    portal.faults[big] = ["oversize:300000"]                                     # over the size cap this night
    db = tmp_path / "crawl.db"

    first = night(portal, db, DOWNLOAD_MAXSIZE="100000", RETRY_TIMES="0")
    assert "3 skipped" in first.stdout, first.stdout + first.stderr[-3000:]
    assert pdf not in stored(db) and refused not in stored(db) and big not in stored(db)
    assert dict(rows(db, "select url, state from url_states where state = 'skipped'")) == dict.fromkeys(
        (pdf, refused, big), SKIPPED)
    status = run_pipeline("status", "--db", str(db))
    line = next(line for line in status.stdout.splitlines() if line.startswith(SITE))
    assert line.split()[1] == "partial" and "3 skipped" in line

    # The next night, before the backoff: the skipped links are not asked again, and not new.
    page.write_bytes(html)
    robots.write_text(allowed, encoding="utf-8")
    since = len(portal.requests)
    assert night(portal, db).returncode == 0
    assert not {pdf, refused, big} & set(requested(portal, since))

    # Once the backoff has passed they are tried again, and stored: the skip healed.
    backoff_passes(db)
    third = night(portal, db)
    assert {pdf, refused, big} <= stored(db), third.stdout + third.stderr[-3000:]
    assert rows(db, "select count(*) from url_states where state = 'skipped'") == [(0,)]


def test_a_site_where_nothing_could_be_stored_is_failing(portal: SamplePortalServer, tmp_path: Path) -> None:
    for slug in ARTICLES:
        article_file(portal, slug).write_bytes(b"%PDF-1.4 only documents here")
    db = tmp_path / "crawl.db"
    night(portal, db)
    assert stored(db) == set()
    status = run_pipeline("status", "--db", str(db))
    line = next(line for line in status.stdout.splitlines() if line.startswith(SITE))
    assert line.split()[1] == "failing" and "nothing of the site could be stored" in line


def test_backoff_doubles_per_attempt_up_to_its_longest_wait(tmp_path: Path) -> None:
    db = open_database(tmp_path / "memory.db")
    url = f"{SECTION}/x.html"
    times = ["2026-01-01T01:00:00+00:00", "2026-01-02T01:00:00+00:00", "2026-01-04T01:00:00+00:00"]
    memories = [remember_url(db, url, SITE, url, SKIPPED, "not HTML (text/plain)", now, (20, 60)) for now in times]
    waits = [(datetime.fromisoformat(m.next_check) - datetime.fromisoformat(now)).total_seconds() / 3600
             for m, now in zip(memories, times)]
    assert [m.attempts for m in memories] == [1, 2, 3] and waits == [20, 40, 60]
    assert memories[-1].first_seen == times[0]
    # Another state starts the count again.
    assert remember_url(db, url, SITE, url, "dead", "HTTP 404", times[-1], (168, 2160)).attempts == 1
    assert backoff_hours(100, 20, 60) == 60
