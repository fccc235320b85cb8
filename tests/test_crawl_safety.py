"""Hostile and broken answers from portals, over real loopback HTTP: nothing another host served is
stored, every failure names its URL, the good articles of the crawl survive.

The crawls run `pipeline.py crawl` in a subprocess against a private copy of the sample portal,
served by SamplePortalServer acting as the proxy of its virtual hosts (see tests/test_crawl.py).
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.middlewares import check_loopback_proxy, is_private_host
from crawler.warc import WarcArchive, read_warc_record
from stages.sample_server import SamplePortalServer
from tests.test_crawl import TANDAN, crawl, requested, rows  # the `portal` fixture is in conftest.py

ROOT = Path(__file__).resolve().parent.parent
PAGE = f"{TANDAN}/portal/pages/tin-tuc-su-kien.aspx?p="
VINHPHUC = "http://vinhphuc.sample.test"
SITE = ["--site", "muonglat.thanhhoa.sample.test"]


def _page(root: Path, host: str, path: str, html: str) -> None:
    target = root / host / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def test_redirects_to_other_hosts_are_refused_named_and_never_fetched(portal: SamplePortalServer,
                                                                       tmp_path: Path) -> None:
    root, port = portal.root, urlsplit(portal.proxy).port
    # What the foreign hosts would serve, if they were ever asked.
    secret = "<!DOCTYPE html><html><body><h1>SECRET internal page</h1><p>token=hunter2</p></body></html>"
    _page(root, "127.0.0.1", "internal/secret.html", secret)
    _page(root, "169.254.169.254", "latest/meta-data/index.html", secret.replace("internal page", "metadata"))
    foreign = (root / "muonglat.thanhhoa.sample.test/portal/pages/tin-tuc-su-kien.aspx@p=1014").read_text(
        encoding="utf-8").replace("</h1>", " FOREIGN COPY</h1>", 1)
    _page(root, "evil.example", "portal/pages/tin-tuc-su-kien.aspx@p=1014", foreign)
    _page(root, "evil.example", "meta.html", secret)
    _page(root, "10.0.0.5", "list.html", secret)
    (root / "www.muonglat.thanhhoa.sample.test").symlink_to(root / "muonglat.thanhhoa.sample.test")
    _page(root, "muonglat.thanhhoa.sample.test", "portal/pages/tin-tuc-su-kien.aspx@p=1027",
          '<html><head><meta http-equiv="refresh" content="0; url=http://evil.example/meta.html"></head>'
          "<body></body></html>")
    listing_page_2 = f"{VINHPHUC}/ct/cms/tintuc/Pages/tin-tuc.aspx?page=2"
    portal.faults.update({
        PAGE + "1001": f"redirect:http://127.0.0.1:{port}/internal/secret.html",
        PAGE + "1007": "redirect:http://169.254.169.254/latest/meta-data/",
        PAGE + "1014": f"redirect:http://evil.example/portal/pages/tin-tuc-su-kien.aspx?p=1014",
        PAGE + "1021": f"redirect:http://www.muonglat.thanhhoa.sample.test/portal/pages/tin-tuc-su-kien.aspx?p=1021",
        listing_page_2: "redirect:http://10.0.0.5/list.html",
    })
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, *SITE, "--site", "vinhphuc.sample.test")
    assert result.returncode == 1, result.stderr[-3000:]

    # Nothing was asked of another host, not even its robots.txt.
    hosts = {urlsplit(url).hostname for url in requested(portal)}
    assert hosts <= {"muonglat.thanhhoa.sample.test", "www.muonglat.thanhhoa.sample.test", "vinhphuc.sample.test"}
    # Nothing foreign stored: every stored page came from the portal's own host (the spider may
    # still get a refused article from another of its addresses, e.g. the print view).
    stored = rows(db, "select url, title || ' ' || body, warc_file, warc_offset from articles where site = ?",
                  "muonglat.thanhhoa.sample.test")
    assert stored
    fetched = {url: read_warc_record(warc_file, offset)[0] for url, _, warc_file, offset in stored}
    assert all(urlsplit(source).hostname in hosts - {"vinhphuc.sample.test"} for source in fetched.values())
    assert not any(word in text for _, text, *_ in stored for word in ("SECRET", "FOREIGN", "hunter2"))
    # The redirect within the portal (to its www. host) was followed.
    assert fetched[f"{TANDAN}/portal/pages/print.aspx?p=1021"] == (
        "http://www.muonglat.thanhhoa.sample.test/portal/pages/tin-tuc-su-kien.aspx?p=1021")
    # Each refusal is an error row under the portal's URL, naming the target.
    errors = dict(rows(db, "select url, message from errors"))
    for url, target in ((PAGE + "1001", f"http://127.0.0.1:{port}/internal/secret.html"),
                        (PAGE + "1007", "http://169.254.169.254/latest/meta-data/"),
                        (PAGE + "1014", "http://evil.example/portal/pages/tin-tuc-su-kien.aspx?p=1014"),
                        (PAGE + "1027", "http://evil.example/meta.html"),
                        (listing_page_2, "http://10.0.0.5/list.html")):
        assert f"redirect to {target} refused" in errors[url], (url, errors.get(url))
    assert "private address" in errors[PAGE + "1007"] and "another host" in errors[PAGE + "1014"]
    # The good data of the other site survives: its first listing page's articles are stored.
    assert rows(db, "select count(*) from articles where site = 'vinhphuc.sample.test'")[0][0] >= 2


def test_robots_txt_redirected_to_another_host_means_not_now(portal: SamplePortalServer, tmp_path: Path) -> None:
    _page(portal.root, "evil.example", "robots.txt", "User-agent: *\nAllow: /\n")
    portal.faults[f"{TANDAN}/robots.txt"] = "redirect:http://evil.example/robots.txt"
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, *SITE)
    assert result.returncode == 1, result.stderr[-3000:]
    assert requested(portal) == [f"{TANDAN}/robots.txt"]
    assert rows(db, "select count(*) from articles") == [(0,)]
    assert "redirect to http://evil.example/robots.txt refused" in dict(rows(db, "select url, message from errors"))[
        f"{TANDAN}/robots.txt"]
    assert rows(db, "select status from crawl_runs") == [("incomplete",)]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "10.0.0.5", "192.168.1.1",
                                  "169.254.169.254", "::1", "[::ffff:127.0.0.1]", "fd00::1", "localhost",
                                  "a.localhost", "metadata.google.internal", "0.0.0.0"])
def test_private_and_metadata_hosts_are_recognised(host: str) -> None:
    assert is_private_host(host)


@pytest.mark.parametrize("host", ["muonglat.thanhhoa.gov.vn", "8.8.8.8", "evil.example", "127.0.0.1.nip.example"])
def test_public_hosts_are_not_private(host: str) -> None:
    assert not is_private_host(host)


@pytest.mark.parametrize("proxy", ["http://127.0.0.1:3128", "http://localhost:8080", "http://[::1]:3128",
                                   "http://127.0.0.1:3128/"])
def test_loopback_proxies_are_accepted(proxy: str) -> None:
    check_loopback_proxy(proxy)


@pytest.mark.parametrize("proxy", ["http://127.0.0.1:1@evil.example:3128", "http://127.0.0.1.evil.example:3128",
                                   "http://localhost:1@10.0.0.1:80", "https://127.0.0.1:3128",
                                   "http://10.0.0.1:3128", "http://127.0.0.1", "http://127.0.0.1:3128/x",
                                   "socks5://127.0.0.1:1080"])
def test_other_proxies_are_refused(proxy: str) -> None:
    with pytest.raises(ValueError, match="CRAWL_PROXY must be a loopback address"):
        check_loopback_proxy(proxy)


def test_crawl_with_a_non_loopback_proxy_stops_before_any_request(portal: SamplePortalServer,
                                                                  tmp_path: Path) -> None:
    bad = "http://127.0.0.1:1@evil.example:3128"
    result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(tmp_path / "c.db"),
                             "--sites-dir", str(portal.root / "sites"), *SITE, "--proxy", bad],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert bad in result.stderr and "user name" in result.stderr and "Traceback" not in result.stderr
    assert portal.requests == []


def test_body_over_the_size_cap_without_content_length_is_named(portal: SamplePortalServer, tmp_path: Path) -> None:
    printed = f"{TANDAN}/portal/pages/print.aspx?p=1033"  # the article's other address, tried next
    portal.faults.update({PAGE + "1033": "unsized:400000", printed: "unsized:400000"})
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, *SITE, DOWNLOAD_MAXSIZE="100000")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    [(url, message)] = rows(db, "select url, message from errors where url like '%p=1033'")
    assert "size cap (100000 bytes)" in message and "without Content-Length" in message
    assert [line for line in result.stderr.splitlines() if "size cap" in line and "p=1033" in line]
    assert rows(db, "select count(*) from articles") == [(5,)]


def test_site_domain_must_be_a_host_name_and_the_archive_stays_in_its_folder(portal: SamplePortalServer,
                                                                             tmp_path: Path) -> None:
    config = portal.root / "sites" / "muonglat.thanhhoa.sample.test.yml"
    bad = portal.root / "sites" / "dotdot.yml"
    bad.write_text(config.read_text(encoding="utf-8").replace("domain: muonglat.thanhhoa.sample.test", "domain: ..")
                   .replace("base_url: http://muonglat.thanhhoa.sample.test", "base_url: http://.."), encoding="utf-8")
    check = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "sites", "check", "--sites-dir",
                            str(portal.root / "sites")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 1
    assert f"{bad}: domain '..' is not a host name" in check.stdout + check.stderr
    # Whatever a config says, the archive writes only inside its folder.
    archive = tmp_path / "archive"
    for site in ("..", "../escape", "/etc", "a/../../b"):
        with pytest.raises(ValueError, match="archive"):
            WarcArchive(archive, site, "run")
    assert not (tmp_path / "escape").exists() and sorted(tmp_path.iterdir()) == [tmp_path / "portal"]


def test_a_slow_extraction_does_not_stall_other_sites(portal: SamplePortalServer, tmp_path: Path,
                                                      extractor) -> None:
    """One article whose extraction takes seconds; meanwhile the other site keeps downloading.

    Before, the extractor ran in Scrapy's event loop: no request left for any site until it was
    done. The other site is slowed by a robots.txt Crawl-delay (about twelve requests half a second
    apart) so that it is still crawling then; the slow page is the first article of its site.
    """
    article = portal.root / "muonglat.thanhhoa.sample.test/portal/pages/tin-tuc-su-kien.aspx@p=1001"
    html = article.read_text(encoding="utf-8")
    paragraph = ("<p>Ngày 5/3/2024, UBND huyện Mường Lát tổ chức lớp tập huấn cho 50 học viên tại xã Trung Lý, "
                 "theo Quyết định số 90/QĐ-TTg.</p>")
    anchor = html.index("</p>") + 4
    for paragraphs in (2000, 4000, 8000, 16000):  # grow the page until its extraction takes seconds
        text = "\n".join([paragraph[3:-4]] * paragraphs)
        started = time.monotonic()
        extractor(text, url=PAGE + "1001", published="2024-03-05")
        extraction_s = time.monotonic() - started
        if extraction_s >= 5:
            break
    else:
        pytest.skip("the extractor is fast even on the largest page the size cap lets through")
    article.write_text(html[:anchor] + paragraph * paragraphs + html[anchor:], encoding="utf-8")
    robots = portal.root / "vinhphuc.sample.test" / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8").replace("User-agent: *", "User-agent: *\nCrawl-delay: 0.5"),
                      encoding="utf-8")
    db = tmp_path / "crawl.db"
    result = crawl(portal, db, *SITE, "--site", "vinhphuc.sample.test", extract=True,
                   CRAWL_EXTRACT_PROCESSES="1", CONCURRENT_REQUESTS_PER_DOMAIN="1")
    assert result.returncode == 0, result.stderr[-3000:]
    slow = next(r for r in portal.requests if r.url == PAGE + "1001")
    window = (slow.received_at + 0.5, slow.received_at + extraction_s / 2)
    during = [r.url for r in portal.requests if r.url.startswith(VINHPHUC) and window[0] <= r.received_at <= window[1]]
    assert len(during) >= 2, (window, [(r.url, r.received_at) for r in portal.requests])
    assert rows(db, "select count(*) from articles where url like ? and extractor_version is not null",
                f"%{'p=1001'}") == [(1,)]
    assert rows(db, "select count(*) from articles where site = 'vinhphuc.sample.test'") == [(6,)]


def test_extraction_workers_end_with_a_killed_crawl(portal: SamplePortalServer, tmp_path: Path) -> None:
    from tests.test_crawl import crawl_command

    portal.faults[PAGE + "1033"] = ["sleep:60"]  # the crawl is still running when it is killed
    crawl_process = subprocess.Popen(crawl_command(portal, tmp_path / "crawl.db", *SITE, extract=True,
                                                   DOWNLOAD_TIMEOUT="120", CRAWL_EXTRACT_PROCESSES="2"),
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(crawl_process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) >= 2, "the crawl started no extraction workers"
        os.kill(crawl_process.pid, signal.SIGKILL)
    finally:
        crawl_process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(worker) for worker in workers)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_demo_stops_its_crawl_child_when_stopped(tmp_path: Path, signum: int) -> None:
    demo = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "demo", "--db", str(tmp_path / "demo.db")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (children := _children(demo.pid)) and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert children, "the demo started no crawl"
        time.sleep(1.0)  # the crawl is under way (Scrapy has installed its own signal handlers or not: both must end)
        demo.send_signal(signum)
        _, stderr = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 128 + signum, stderr[-2000:]
    deadline = time.monotonic() + 10
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(child) for child in children)


def _crawl_on_a_small_disk(portal: SamplePortalServer, tmp_path: Path, schemas: int, spare_kib: int
                           ) -> tuple[Path, Path]:
    """Crawl the sample site into a tmpfs with room for `schemas` times the empty schema and
    `spare_kib` more, mounted in a private mount namespace; its files are copied out at the end.

    :return: the disk (as the crawl saw it) and the directory holding its copy, out.txt, err.txt, exit
    """
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("unshare (util-linux) with user namespaces is needed for the disk-full tests")
        pytest.skip("cannot mount a small tmpfs here (unshare -rm)")
    from store.database import open_database
    from tests.test_crawl import crawl_command

    disk, saved = tmp_path / "disk", tmp_path / "saved"
    disk.mkdir()
    saved.mkdir()
    # Measured, as the schema grows with every migration.
    open_database(tmp_path / "empty.db").close()
    room_kib = schemas * (tmp_path / "empty.db").stat().st_size // 1024 + spare_kib
    command = crawl_command(portal, disk / "crawl.db", *SITE, WARC_DIR=str(disk / "archive"))
    script = (f"mount -t tmpfs -o size={room_kib}k tmpfs {disk} && "
              f"{' '.join(map(_quote, command))} > {saved}/out.txt 2> {saved}/err.txt; "
              f"echo $? > {saved}/exit; cp -a {disk}/. {saved}/")
    subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, timeout=300, check=True)
    return disk, saved


def test_disk_full_during_a_crawl_is_named_and_the_run_recorded(portal: SamplePortalServer, tmp_path: Path) -> None:
    """A real full disk: the crawl writes to a small tmpfs mounted in a private mount namespace."""
    # Room for the schema and its write-ahead log, the crawl's 1 MiB reserve (CRAWL_DISK_RESERVE)
    # and a few articles, not for the whole site (its articles are padded).
    for path in (portal.root / "muonglat.thanhhoa.sample.test/portal/pages").glob("tin-tuc-su-kien.aspx@*"):
        html = path.read_text(encoding="utf-8")
        path.write_text(html.replace("</body>", "<!--" + os.urandom(60_000).hex() + "--></body>"), encoding="utf-8")
    disk, saved = _crawl_on_a_small_disk(portal, tmp_path, 2, 1024 + 600)
    stderr = (saved / "err.txt").read_text()
    assert (saved / "exit").read_text().strip() == "1", stderr[-3000:]
    assert "disk I/O error" not in stderr
    full = [line for line in stderr.splitlines() if "disk full while writing" in line]
    assert full and all(f"{TANDAN}/" in line for line in full), stderr[-3000:]  # each names the article
    db = saved / "crawl.db"
    with sqlite3.connect(db) as connection:
        assert connection.execute("pragma integrity_check").fetchone() == ("ok",)
    # The night is recorded, as ended by the full disk, and the write that stopped it named in errors.
    assert rows(db, "select site, status from crawl_runs") == [("muonglat.thanhhoa.sample.test", "disk_full")]
    [(url, message)] = rows(db, "select url, message from errors where message like '%disk full%'")
    assert url.startswith(f"{TANDAN}/") and f"disk full while writing {disk}" in message
    # What was stored before the disk filled is whole: every article's raw response reads back.
    stored = rows(db, "select url, warc_file, warc_offset from articles")
    assert 1 <= len(stored) < 6
    for url, warc_file, offset in stored:
        warc = saved / Path(warc_file).relative_to(disk)
        assert read_warc_record(warc, offset)[2].startswith(b"<!DOCTYPE html>")


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def test_a_write_that_loses_a_snapshot_race_to_the_spiders_connection_is_tried_again(tmp_path: Path) -> None:
    """The writer thread and the spider share the database through two connections: a write that
    read before another connection committed fails at once (SQLITE_BUSY_SNAPSHOT) and must be
    tried again, not stop the site's crawl as a storage failure."""
    import asyncio

    from crawler.offload import DatabaseWriter

    path = tmp_path / "crawl.db"
    writer = DatabaseWriter(path)
    spider_side = sqlite3.connect(path, check_same_thread=False)  # used from the writer's thread below
    attempts = []

    def read_then_write(db, url: str) -> int:
        with db.atomic():
            seen = db.execute("select count(*) from errors").fetchone()[0]
            if not attempts:  # the spider commits between this transaction's read and its write
                with spider_side:
                    spider_side.execute("insert into errors (url, stage, message, occurred_at) "
                                        "values ('http://a.sample.test/x', 'crawl', 'HTTP 404', 't')")
            attempts.append(seen)
            db.execute("insert into errors (url, stage, message, occurred_at) values (?, 'crawl', 'm', 't')", [url])
        return len(attempts)

    try:
        assert asyncio.run(writer.run(read_then_write, "http://a.sample.test/y")) == 2
    finally:
        spider_side.close()
        writer.close()
    assert rows(path, "select url from errors order by url") == [("http://a.sample.test/x",), ("http://a.sample.test/y",)]


def test_a_disk_too_full_for_the_schema_stops_the_crawl_before_any_request(
        portal: SamplePortalServer, tmp_path: Path) -> None:
    """A disk with room for the schema's file but not its write-ahead log: the crawl stops with
    one clear line and exit 3, not a traceback and 0 as if the night had gone well."""
    disk, saved = _crawl_on_a_small_disk(portal, tmp_path, 1, 64)
    stderr = (saved / "err.txt").read_text()
    assert (saved / "exit").read_text().strip() == "3", stderr[-3000:]
    assert f"Error: disk full while writing {disk}/crawl.db" in stderr
    assert "Traceback" not in stderr and requested(portal) == []
