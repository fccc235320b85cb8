"""Requests of two nights on an unchanged portal, this checkout against a baseline commit, in one run.

    .venv/bin/python bench/bench_nights.py [--baseline REV]

The portal is the sample's slug site (three listing pages, a sitemap) with a dead link (404) in
the sidebar of every listing page and a language switch appended to an article's address (it
serves nothing), as real portals have. Each checkout crawls it twice with `pipeline.py crawl`
into its own database, over loopback; the server counts what each night asked. The target of
issue 10: the second night is robots.txt plus at most 2 requests per section or feed.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import checkout  # noqa: E402
from stages.sample_server import SamplePortalServer  # noqa: E402

SITE = "sontinh.quangngai.sample.test"
SECTION = f"http://{SITE}/thong-tin-chi-dao-dieu-hanh"
DEAD = f"{SECTION}/thong-bao-tuyen-dung-vien-chuc-nam-2019-da-go-xuong.html"
SUFFIXED = f"{SECTION}/nang-cao-ky-nang-nghiep-vu-cho-doi-ngu-can-bo-lam-cong-tac-giam-ngheo.html/en"
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5", "RETRY_TIMES": "1",
        "RETRY_BACKOFF_BASE": "0.05", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "WARNING", "CRAWL_EXTRACT": "False"}


def portal(folder: Path) -> Path:
    root = folder / "portal"
    shutil.copytree(ROOT / "data" / "sample_portal", root)
    (root / "_faults.json").unlink()  # its 500 would be retried every night by any crawler
    for config in (root / "sites").glob("*.yml"):
        if config.stem != SITE:
            config.unlink()
    sidebar = f'<div class="sidebar"><a href="{DEAD}">Thông báo đã gỡ</a> <a href="{SUFFIXED}">English</a></div>'
    for name in ("index.html", "trang-2.html", "trang-3.html"):
        page = root / SITE / "thong-tin-chi-dao-dieu-hanh" / name
        page.write_text(page.read_text(encoding="utf-8").replace('<div class="footer">', sidebar + '<div class="footer">'),
                        encoding="utf-8")
    return root


def nights(project: Path, server: SamplePortalServer, folder: Path) -> tuple[list[int], list[str], int]:
    """Two crawls by the project at `project`: requests per night, the second night's URLs, articles stored."""
    db = folder / "crawl.db"
    counts, urls = [], []
    for _ in range(2):
        since = len(server.requests)
        command = [sys.executable, str(project / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
                   str(server.root / "sites"), "--proxy", server.proxy]
        for name, value in {**FAST, "WARC_DIR": str(folder / "archive")}.items():
            command += ["-s", f"{name}={value}"]
        subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)
        urls = [request.url for request in server.requests[since:]]
        counts.append(len(urls))
    with sqlite3.connect(db) as connection:
        stored = connection.execute("select count(*) from articles").fetchone()[0]
    return counts, urls, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="c7a752f", help="commit to compare with (default: before issue 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-nights-") as tmp:
        folder = Path(tmp)
        results = {}
        for label, project in (("baseline " + args.baseline, checkout(args.baseline, folder)), ("this checkout", ROOT)):
            work = folder / label.replace(" ", "-")
            work.mkdir()
            with SamplePortalServer(portal(work)) as server:
                results[label] = nights(project, server, work)
        sections_and_feeds = 2  # one section, one sitemap
        print(f"{'':22} {'night 1':>8} {'night 2':>8} {'stored':>7}   (target night 2: 1 + 2 x {sections_and_feeds})")
        for label, (counts, urls, stored) in results.items():
            print(f"{label:22} {counts[0]:8d} {counts[1]:8d} {stored:7d}")
        (base_counts, _, _), (counts, urls, _) = results.values()
        print(f"second night: {counts[1]} requests vs {base_counts[1]} ({base_counts[1] / max(counts[1], 1):.1f}x fewer)")
        print("second night asked:", ", ".join(sorted(url.removeprefix(f"http://{SITE}") for url in urls)))


if __name__ == "__main__":
    main()
