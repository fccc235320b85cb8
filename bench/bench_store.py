"""Benchmark of the store: ingest rate, search latency and the Datasette events page.

The dev articles are extracted once; N articles are then made by varying copies of those records
(URL, site, dates, place, counts), so the benchmark measures the store, not the extractor.

    .venv/bin/python bench/bench_store.py --n 100000

Targets: ingest >= 2,000 articles/s with all child rows; search p95 <= 50 ms; events page with
three facets <= 500 ms; the analyst pages (landing, activities list with facets, article reading
page, event page) p95 <= 300 ms.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from progress import Progress  # noqa: E402
from stages.serve import datasette_command, datasette_env  # noqa: E402
from store import open_database, save_stream, search_articles  # noqa: E402

DEV_DIR = ROOT / "tests" / "fixtures" / "dev"
SEARCH_QUERIES = ["giam ngheo", "giảm nghèo", "Dong Thap", "đồng tháp", "Đồng Tháp", "tập huấn",
                  "chuyen doi so", "nông thôn mới", "Định Hóa", "hoa giai vien", "90/QĐ-TTg", "dân tộc thiểu số"]
# Paths of pages under the database, which Datasette names after the file ({db}).
FACET_PAGE = "/{db}/events?_facet=province_code&_facet=year&_facet=programme_id"
# The analyst pages (schema/templates): path -> name; {article} and {event} become ids.
ANALYST_PAGES = {"/": "landing page", "/{db}/activities": "activities list, 3 facets",
                 "/{db}/activities?_search=giam+ngheo": "activities search 'giam ngheo'",
                 "/{db}/articles/{article}": "article reading page", "/{db}/events/{event}": "event page"}
TARGETS = {"ingest": 2000.0, "search_p95_ms": 50.0, "page_ms": 500.0, "analyst_p95_ms": 300.0}


def extract_dev_records() -> list[tuple[dict, dict]]:
    """(entry, record) for each dev article, from the project's extractor."""
    from extract import extract_record

    pairs = []
    for path in sorted(DEV_DIR.glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        record = extract_record(entry["text"], url=entry.get("url"), published=entry.get("published"))
        pairs.append((entry, record))
    return pairs


def _shift_year(date: str | None, years: int) -> str | None:
    """Move an ISO date (YYYY..., not --MM-DD) by whole years."""
    if date and date[:4].isdigit():
        return f"{int(date[:4]) + years:04d}{date[4:]}"
    return date


def vary(base: list[tuple[dict, dict]], n: int) -> Iterator[tuple[dict, dict]]:
    """N (article, record) pairs made from the base pairs by cheap, deterministic variation.

    Copy i gets its own URL and site, dates moved by i % 8 years, a province taken from another
    base record, counts scaled, and a closing line so that its body (and hash) is unique.

    :param base: (entry with text/url/published, record) pairs
    :param n: number of pairs to produce
    """
    places = [(loc["code"], loc.get("province") or loc["name"], loc.get("lat"), loc.get("lon"))
              for _, record in base for loc in record["locations"] if loc.get("code") and loc["level"] == "province"]
    for i in range(n):
        entry, record = base[i % len(base)]
        shift = i % 8
        suffix = f"\n\nBản tin số {i}."
        body = record.get("text") or entry["text"]
        place = places[i % len(places)] if places else None
        events = []
        for event in record["events"]:
            varied = dict(event, start_date=_shift_year(event["start_date"], shift),
                          end_date=_shift_year(event["end_date"], shift))
            if event["participant_total"] is not None:
                varied["participant_total"] = event["participant_total"] * (1 + i % 5) + i % 13
            if place:
                varied.update(province_code=place[0], province=place[1], lat=place[2], lon=place[3],
                              district_code=None)
            events.append(varied)
        varied_record = dict(record, events=events, published=_shift_year(record.get("published"), shift))
        varied_record.pop("text", None)
        article = {"url": f"https://site{i % 40}.bench.gov.vn/tin-tuc/{i}.html", "site": f"site{i % 40}.bench.gov.vn",
                   "title": record.get("title"), "published": _shift_year(entry.get("published") or record.get("published"), shift),
                   "body": body + suffix, "fetched_at": "2026-01-01T00:00:00+00:00", "http_status": 200}
        yield article, varied_record


def bench_ingest(db_path: Path, pairs: Iterator[tuple[dict, dict]], n: int, batch_size: int) -> float:
    """Ingest all pairs; return articles per second."""
    db = open_database(db_path)
    progress = Progress("articles stored", total=n)
    started = time.perf_counter()
    for statuses in save_stream(db, pairs, batch_size):
        progress.advance(len(statuses), failed=sum(status == "failed" for status in statuses))
    elapsed = time.perf_counter() - started
    progress.close()
    db.close()
    return n / elapsed


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def bench_search(db_path: Path, repeats: int) -> tuple[float, float]:
    """p50 and p95 in ms of search_articles over SEARCH_QUERIES."""
    db = open_database(db_path)
    samples = []
    for _ in range(repeats):
        for query in SEARCH_QUERIES:
            started = time.perf_counter()
            search_articles(db, query, limit=20)
            samples.append((time.perf_counter() - started) * 1000)
    db.close()
    return _percentiles(samples)


def bench_pages(db_path: Path, paths: list[str], repeats: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 in ms of each page, from a live Datasette (each loaded once first, to warm caches)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(datasette_command(db_path, "127.0.0.1", port), env=datasette_env(), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, tuple[float, float]] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Datasette did not start")
                time.sleep(0.2)
        for path in paths:
            urllib.request.urlopen(base + path, timeout=60).read()  # warm the page cache
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
                samples.append((time.perf_counter() - started) * 1000)
            timings[path] = _percentiles(samples)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return timings


def analyst_paths(db_path: Path) -> dict[str, str]:
    """ANALYST_PAGES for this database, with the article and event of its middle filled in."""
    db = open_database(db_path)
    article = db.execute("select id from articles order by id limit 1 offset (select count(*) / 2 from articles)").fetchone()[0]
    event = db.execute("select id from events where article_id >= ? order by id limit 1", [article]).fetchone()[0]
    db.close()
    return {path.format(db=db_path.stem, article=article, event=event): name for path, name in ANALYST_PAGES.items()}


def _size_mb(db_path: Path) -> float:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 1e6


def run(args: argparse.Namespace, db_path: Path) -> None:
    """Generate and ingest the articles, then measure search and the events page."""
    base = extract_dev_records()
    rate = bench_ingest(db_path, vary(base, args.n), args.n, args.batch_size)
    print(f"ingest: {args.n} articles, {rate:,.0f} articles/s (target >= {TARGETS['ingest']:,.0f}); "
          f"db {_size_mb(db_path):.1f} MB")
    p50, p95 = bench_search(db_path, args.repeats)
    print(f"search: {len(SEARCH_QUERIES)} queries x {args.repeats}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 <= {TARGETS['search_p95_ms']:.0f} ms); db {_size_mb(db_path):.1f} MB")
    pages = analyst_paths(db_path)
    facet_page = FACET_PAGE.format(db=db_path.stem)
    timings = bench_pages(db_path, [facet_page, *pages], args.repeats)
    p50, p95 = timings[facet_page]
    print(f"datasette events page, 3 facets: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
          f"(target <= {TARGETS['page_ms']:.0f} ms); db {_size_mb(db_path):.1f} MB")
    for path, name in pages.items():
        p50, p95 = timings[path]
        print(f"datasette {name} ({path}): p50 {p50:.0f} ms, p95 {p95:.0f} ms "
              f"(target p95 <= {TARGETS['analyst_p95_ms']:.0f} ms)")


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print them with the database size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles to generate and ingest")
    parser.add_argument("--batch-size", type=int, default=2000, help="articles per transaction")
    parser.add_argument("--repeats", type=int, default=10, help="repetitions of each query / page load")
    parser.add_argument("--db", type=Path, help="database file (default: a temporary training.db)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)

    if args.db is not None:
        if args.db.exists():
            parser.error(f"{args.db} exists; the benchmark needs a fresh database")
        run(args, args.db)
    else:  # a temporary database, removed afterwards (100,000 articles take about 750 MB)
        with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
            run(args, Path(folder) / "training.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
