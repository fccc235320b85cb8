"""Crawler benchmark: end-to-end throughput next to `scrapy bench`, and the cost of a re-crawl.

1. Throughput: the sample portal replicated to 2,040 articles, served on loopback, crawled with
   politeness off by the real spider (fetch, parse, extract, store), in pages per second, next to
   `scrapy bench` on the same machine in the same run, taken before and after the crawl (the
   machine's load drifts) and averaged; the ratio of the two (target ≥ 0.8). The same crawl with
   the extractor in a thread of the crawl process (CRAWL_EXTRACT_PROCESSES=0) instead of worker
   processes shows what taking extraction off the event loop and onto another core gives.
2. Incremental cost: a second crawl of the unchanged portal, requests per configured listing
   section or feed (target ≤ 2 plus robots.txt).

    .venv/bin/python bench/bench_crawl.py [--copies 60] [--out bench/out] [--no-thread-baseline]

Not part of the test suite (it takes minutes).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_sample_portal import build  # noqa: E402

from siteconfig import load_sites  # noqa: E402
from stages.sample_server import SamplePortalServer  # noqa: E402

# Politeness off: this is loopback, and the point is the crawler's own cost. That includes the
# pause before retrying a server error: the sample portal serves one page that always fails (500),
# and its three retries after 2, 4 and 8 s kept the crawl open 14 s after everything else was
# fetched (34 s for 14 s of work: a ratio of 0.66 instead of the crawler's throughput).
UNTHROTTLED = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
               "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "RETRY_BACKOFF_BASE": "0", "LOG_LEVEL": "WARNING"}
REPORT_LINE = re.compile(r"^(\S+): (\d+) requests, (\d+) new")
BENCH_RATE = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")


def crawl(server: SamplePortalServer, portal: Path, db: Path,
          **settings: str) -> tuple[float, dict[str, tuple[int, int]]]:
    """Run `pipeline.py crawl` on every sample site; return wall seconds and {site: (requests, new)}."""
    command = [sys.executable, str(ROOT / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
               str(portal / "sites"), "--proxy", server.proxy, "-s", f"WARC_DIR={db.parent / 'archive'}"]
    for name, value in {**UNTHROTTLED, **settings}.items():
        command += ["-s", f"{name}={value}"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode not in (0, 1):
        raise RuntimeError(f"crawl failed:\n{result.stderr[-3000:]}")
    sites = {m[1]: (int(m[2]), int(m[3])) for m in map(REPORT_LINE.match, result.stdout.splitlines()) if m}
    return elapsed, sites


def first_crawl(server: SamplePortalServer, portal: Path, db: Path, label: str, **settings: str) -> float:
    """Crawl the portal into a new database; print and return pages per second."""
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    shutil.rmtree(db.parent / "archive", ignore_errors=True)
    before = len(server.requests)
    elapsed, sites = crawl(server, portal, db, **settings)
    pages = len(server.requests) - before
    stored = sum(new for _, new in sites.values())
    print(f"first crawl, {label}: {pages} requests, {stored} articles stored in {elapsed:.1f} s "
          f"= {pages / elapsed:.1f} pages/s, {stored / elapsed:.1f} articles/s (fetch, parse, extract, store)")
    return pages / elapsed


def scrapy_bench(seconds: int) -> float:
    """Pages per second of `scrapy bench` (its own loopback server and spider, Scrapy defaults)."""
    with tempfile.TemporaryDirectory() as outside_project:  # no scrapy.cfg: Scrapy's default settings
        result = subprocess.run([str(Path(sys.executable).parent / "scrapy"), "bench", "-s",
                                 f"CLOSESPIDER_TIMEOUT={seconds}"], cwd=outside_project,
                                capture_output=True, text=True)
    rates = [int(m[2]) for m in BENCH_RATE.finditer(result.stderr)]
    pages = [int(m[1]) for m in BENCH_RATE.finditer(result.stderr)]
    if not rates:
        raise RuntimeError(f"scrapy bench printed no rate:\n{result.stderr[-2000:]}")
    # The first report is at start-up (0 pages); average the per-minute rates after it.
    steady = [r for r, p in zip(rates, pages) if p > 0] or rates
    return sum(steady) / len(steady) / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=60, help="articles per dev text (60 → 2,040)")
    parser.add_argument("--bench-seconds", type=int, default=20, help="duration of `scrapy bench`")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "crawl")
    parser.add_argument("--no-thread-baseline", dest="thread_baseline", action="store_false",
                        help="skip the crawl with the extractor in a thread of the crawl process")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    portal, db = args.out / "portal", args.out / "bench.db"
    articles = build(portal, copies=args.copies, per_page=20)
    sections = {d: len(s.sections) + len(s.feeds.get("rss", [])) + len(s.feeds.get("sitemaps", []))
                for d, s in load_sites(portal / "sites").items()}
    print(f"portal: {articles} articles on {len(sections)} sites, {sum(sections.values())} sections and feeds")

    before = scrapy_bench(args.bench_seconds)
    print(f"scrapy bench (before): {before:.1f} pages/s")
    with SamplePortalServer(portal) as server:
        if args.thread_baseline:
            threaded = first_crawl(server, portal, db, "extractor in a thread of the crawl process",
                                   CRAWL_EXTRACT_PROCESSES="0")
        ours = first_crawl(server, portal, db, "extractor in worker processes (default)")
        before_second = len(server.requests)
        _, second = crawl(server, portal, db)
        again = len(server.requests) - before_second
    after = scrapy_bench(args.bench_seconds)
    reference = (before + after) / 2
    print(f"scrapy bench (after): {after:.1f} pages/s; mean {reference:.1f}")
    if args.thread_baseline:
        print(f"ratio to scrapy bench, extractor in a thread: {threaded / reference:.2f}")
    print(f"ratio crawler / scrapy bench: {ours / reference:.2f} (target >= 0.8)")
    print(f"second crawl of the unchanged portal: {again} requests in all, "
          f"{sum(new for _, new in second.values())} new")
    for domain, (requests, _) in sorted(second.items()):
        per_section = (requests - 1) / sections[domain]
        print(f"  {domain:32} {requests} requests = robots.txt + {per_section:.1f} per section/feed "
              f"({sections[domain]}; target <= 2)")


if __name__ == "__main__":
    main()
