"""The real spider against the sample portal on loopback, run as a subprocess (`pipeline.py crawl`)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from reader.article import read_page
from siteconfig import load_sites
from stages.sample_server import SamplePortalServer
from crawler.warc import read_warc_record

ROOT = Path(__file__).resolve().parent.parent
TANDAN = "http://muonglat.thanhhoa.sample.test"
# Loopback: no politeness delays; short time-outs and backoff so faults resolve quickly.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5",
        "RETRY_TIMES": "2", "RETRY_BACKOFF_BASE": "0.05", "DOWNLOAD_TIMEOUT": "3", "LOG_LEVEL": "WARNING"}


def crawl_command(server: SamplePortalServer, db: Path, *args: str, extract: bool = False,
                  **settings: str) -> list[str]:
    command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
               str(server.root / "sites"), "--proxy", server.proxy, *args]
    for name, value in {**FAST, "WARC_DIR": str(db.parent / "archive"), "CRAWL_EXTRACT": str(extract),
                        **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl(server: SamplePortalServer, db: Path, *args: str, extract: bool = False,
          **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crawl_command(server, db, *args, extract=extract, **settings), cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def article_state(db: Path) -> list[tuple]:
    return rows(db, "select url, site, title, published, byline, content_hash, version from articles order by url")


def requested(server: SamplePortalServer, since: int = 0) -> list[str]:
    return [r.url for r in server.requests[since:]]


def test_full_crawl_then_incremental_recrawl(portal: SamplePortalServer, tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    first = crawl(portal, db, extract=True)
    assert first.returncode == 1, first.stderr[-2000:]  # the sample's 404 and 500 links fail on purpose
    per_site = dict(rows(db, "select site, count(*) from articles group by site"))
    # Every article, found through pagination (two per listing page), once per canonical URL.
    assert per_site == {"baothainguyen.sample.test": 5, "muonglat.thanhhoa.sample.test": 6,
                        "sct.dongnai.sample.test": 6, "sontinh.quangngai.sample.test": 5,
                        "thapmuoi.dongthap.sample.test": 6, "vinhphuc.sample.test": 6}
    urls = [url for url, *_ in article_state(db)]
    assert not any("OtItem" in u or "++" in u or "redirect=" in u or "/print/" in u for u in urls)
    # robots.txt: the disallowed article is linked from a listing but never requested.
    assert not any("noi-bo.aspx" in url for url in requested(portal))
    assert all(r.headers.get("User-Agent", "").startswith("vn-training-crawler/") for r in portal.requests)
    errors = dict(rows(db, "select url, message from errors where stage = 'crawl'"))
    assert errors["http://sontinh.quangngai.sample.test/thong-tin-chi-dao-dieu-hanh/"
                  "bai-viet-da-bi-go-bo-khoi-cong-thong-tin.html"] == "HTTP 404"
    assert errors["http://sontinh.quangngai.sample.test/thong-tin-chi-dao-dieu-hanh/"
                  "bai-viet-dang-loi-may-chu-khong-mo-duoc.html"] == "HTTP 500"
    assert "skipped: not HTML (application/pdf)" in errors.values()
    assert errors[f"{TANDAN}/portal/pages/print.aspx?p=9999"] == "skipped: Forbidden by robots.txt"
    # Extracted and stored through the store package; runs recorded.
    assert rows(db, "select count(*) from events")[0][0] > 10
    assert rows(db, "select count(*) from articles where extractor_version is null") == [(0,)]
    assert rows(db, "select count(*) from crawl_runs") == [(6,)]
    assert rows(db, "select sum(failed) from crawl_runs where site = 'sontinh.quangngai.sample.test'") == [(2,)]
    # Every article points to its raw response in a WARC file.
    for url, warc_file, offset, title in rows(db, "select url, warc_file, warc_offset, title from articles"):
        fetched, headers, body = read_warc_record(warc_file, offset)
        assert fetched.startswith(url.split("?")[0].replace("/print.aspx", "")[:30])
        assert headers["Content-Type"].startswith("text/html") and body.startswith(b"<!DOCTYPE html>")
    captions = rows(db, "select count(*) from articles where body like '%Văn Nam%'")
    assert captions == [(0,)]

    # Second run on the unchanged portal: robots.txt and the first listing page (or feed) only.
    before = len(portal.requests)
    second = crawl(portal, db)
    assert second.returncode == 0, second.stderr[-2000:]
    again = requested(portal, before)
    assert article_state(db) and rows(db, "select count(*) from articles") == [(34,)]
    assert {url.rsplit("/", 1)[-1] for url in again if "robots" not in url} <= {
        "tin-tuc.aspx", "", "sitemap.xml", "index.html"}
    assert len(again) == 6 + 6 + 2  # robots.txt and one listing page per site, plus the RSS feed and sitemap


def test_faults_are_retried_logged_and_counted(portal: SamplePortalServer, tmp_path: Path) -> None:
    page = f"{TANDAN}/portal/pages/tin-tuc-su-kien.aspx?p="
    portal.faults.update({
        page + "1001": ["status:500"],                        # then 200: retried, stored once
        page + "1007": "sleep:5",                             # time-out (DOWNLOAD_TIMEOUT=1)
        page + "1014": f"redirect:{TANDAN}/portal/pages/print.aspx?p=1014",   # followed
        page + "1021": f"redirect:{page}1021",                # redirect loop
        page + "1027": "oversize:300000",                     # over DOWNLOAD_MAXSIZE
        page + "1033": "status:404",
    })
    # The print view is the article's other address, tried when the first fails: it fails alike.
    for number in ("1007", "1021", "1027", "1033"):
        portal.faults[f"{TANDAN}/portal/pages/print.aspx?p={number}"] = portal.faults[page + number]
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, "--site", "muonglat.thanhhoa.sample.test", DOWNLOAD_TIMEOUT="1",
                   DOWNLOAD_MAXSIZE="100000", RETRY_TIMES="1")
    assert result.returncode == 1, result.stderr[-2000:]
    # Over the size cap is a skip (tried again on a later night), like the robots.txt refusal; the
    # others are failures.
    assert "muonglat.thanhhoa.sample.test: " in result.stdout and "3 failed, 2 skipped" in result.stdout
    stored = [url for url, *_ in article_state(db)]
    assert stored == [f"{TANDAN}/portal/pages/print.aspx?p=1001", f"{TANDAN}/portal/pages/print.aspx?p=1014"]
    assert requested(portal).count(page + "1001") == 2
    errors = {url.rsplit("=", 1)[-1]: message for url, message in rows(db, "select url, message from errors")}
    assert errors["1033"] == "HTTP 404"
    assert "TimeoutError" in errors["1007"] or "timeout" in errors["1007"].lower()
    assert "redirect" in errors["1021"].lower()
    assert "1027" in errors  # cut off at DOWNLOAD_MAXSIZE
    assert rows(db, "select failed, new, skipped from crawl_runs") == [(3, 2, 2)]


def test_changed_article_becomes_a_new_version_with_conditional_rechecks(portal: SamplePortalServer,
                                                                         tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    site = ["--site", "baothainguyen.sample.test"]
    assert crawl(portal, db, *site).returncode == 0  # its PDF link is skipped and logged, not a failure
    before = dict((url, version) for url, *_, version in article_state(db))
    first_fetch = dict(rows(db, "select url, fetched_at from articles"))
    changed = next((portal.root / "baothainguyen.sample.test" / "xa-hoi").glob("2019*/*/index.html"))
    changed.write_text(changed.read_text(encoding="utf-8").replace("</p>", " Bổ sung.</p>", 1), encoding="utf-8")
    since = len(portal.requests)
    result = crawl(portal, db, *site, "--recheck-days", "0")
    assert "1 changed" in result.stdout and "0 new" in result.stdout, result.stdout + result.stderr[-2000:]
    rechecks = [r for r in portal.requests[since:] if "/xa-hoi/20" in r.url]
    assert len(rechecks) == 5 and all(r.headers.get("If-None-Match") for r in rechecks)
    assert sorted(r.status for r in rechecks) == [200, 304, 304, 304, 304]
    after = {url: version for url, *_, version in article_state(db)}
    assert set(after) == set(before) and sorted(after.values()) == [1, 1, 1, 1, 2]
    assert rows(db, "select count(*) from article_versions") == [(1,)]
    # A 304 counts as a check: every re-checked article's check time moved on, so the next run
    # within the horizon re-checks nothing.
    checked = dict(rows(db, "select url, fetched_at from articles"))
    assert all(checked[url] > first_fetch[url] for url in checked)
    since = len(portal.requests)
    assert crawl(portal, db, *site, "--recheck-days", "1").returncode == 0
    assert [r.url for r in portal.requests[since:] if "/xa-hoi/20" in r.url] == []


def test_kill_mid_crawl_then_rerun_equals_an_uninterrupted_crawl(portal: SamplePortalServer,
                                                                 tmp_path: Path) -> None:
    site = ["--site", "muonglat.thanhhoa.sample.test"]
    reference = tmp_path / "reference" / "crawl.db"
    reference.parent.mkdir()
    assert crawl(portal, reference, *site).returncode == 0

    # One article hangs, so the crawl is certainly still running when the others are stored.
    portal.faults[f"{TANDAN}/portal/pages/tin-tuc-su-kien.aspx?p=1033"] = ["sleep:60"]
    killed = tmp_path / "killed" / "crawl.db"
    killed.parent.mkdir()
    process = subprocess.Popen(crawl_command(portal, killed, *site, DOWNLOAD_TIMEOUT="120"), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if killed.exists() and rows(killed, "select count(*) from sqlite_master where name = 'articles'")[0][0] \
                    and rows(killed, "select count(*) from articles")[0][0] == 5:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the crawl ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert rows(killed, "select count(*) from articles") == [(5,)]

    portal.faults.clear()
    rerun = crawl(portal, killed, *site)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "1 new" in rerun.stdout
    assert article_state(killed) == article_state(reference)
    for warc_file, offset in rows(killed, "select warc_file, warc_offset from articles"):
        assert read_warc_record(warc_file, offset)[2].startswith(b"<!DOCTYPE html>")


def test_robots_txt_answering_503_means_not_now(portal: SamplePortalServer, tmp_path: Path) -> None:
    portal.faults[f"{TANDAN}/robots.txt"] = "status:503"
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, "--site", "muonglat.thanhhoa.sample.test", RETRY_TIMES="1")
    assert result.returncode == 1
    assert set(requested(portal)) == {f"{TANDAN}/robots.txt"}
    assert rows(db, "select count(*) from articles") == [(0,)]
    assert rows(db, "select status from crawl_runs") == [("incomplete",)]


def test_article_page_without_static_body_falls_back_to_its_print_view(portal: SamplePortalServer,
                                                                       tmp_path: Path) -> None:
    page = portal.root / "muonglat.thanhhoa.sample.test" / "portal" / "pages" / "tin-tuc-su-kien.aspx@p=1001"
    html = page.read_text(encoding="utf-8")
    start, end = html.index('<div class="tandan-p-article-main">'), html.index('<div class="tandan-div-article-other">')
    page.write_text(html[:start] + '<div class="tandan-p-article-main"></div>' + html[end:], encoding="utf-8")
    db = tmp_path / "crawl.db"
    assert crawl(portal, db, "--site", "muonglat.thanhhoa.sample.test").returncode == 0
    assert f"{TANDAN}/portal/pages/print.aspx?p=1001" in requested(portal)
    printed = page.with_name("print.aspx@p=1001")
    site = load_sites(portal.root / "sites")["muonglat.thanhhoa.sample.test"]
    expected = read_page(printed.read_bytes(), f"{TANDAN}/portal/pages/print.aspx?p=1001", site.article,
                         site_name=site.name)
    assert rows(db, "select body from articles where url = ?", f"{TANDAN}/portal/pages/print.aspx?p=1001") == [
        (expected.text(),)]
