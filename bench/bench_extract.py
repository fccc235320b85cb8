"""Extraction speed: articles per second on one core, side by side with underthesea's NER.

The development articles are replicated to --n articles (default 2,000) and extracted in this
process, after one pass over them that loads the reference data (gazetteer, word lists, document
codes: loaded once per process, as in a crawl). A second figure extracts the 96 distinct
development and stream articles once each, with the extractor's word caches emptied first: the
rate on text it has not seen. underthesea's `ner` (the usual off-the-shelf baseline) runs over a
sample of the same texts in the same run, and the ratio is printed. Rates are per CPU second of
this process (the machine is shared: wall-clock rates move with the load, which is printed).

With --against REV the extractor as it was at REV (git archive; the working tree is not touched)
and this checkout's run side by side, in two processes that take turns on the same replicated
articles (--rounds turns each): on a shared machine the load moves between turns, so the best
turn and the median of each side are printed, and their ratios.

    .venv/bin/python bench/bench_extract.py --n 1000 [--against REV [--rounds 15]] [--no-baseline]

Figures only: no pass/fail.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import extract_record  # noqa: E402
from extract.gazetteer import place_key  # noqa: E402
from extract.normalize import ascii_key, canonical  # noqa: E402


def _fixtures(*folders: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))
            for folder in folders for p in sorted((ROOT / "tests/fixtures" / folder).glob("*.json"))]


def load_articles(n: int) -> list[dict]:
    items = _fixtures("dev")
    return [items[i % len(items)] for i in range(n)]


def _extract_all(articles: list[dict]) -> None:
    for a in articles:
        extract_record(a["text"], url=a.get("url"), published=a.get("published"))


def bench_extract(articles: list[dict]) -> tuple[float, float]:
    """(articles per wall-clock second, articles per CPU second of this process)."""
    _extract_all({id(a): a for a in articles}.values())  # load the reference data once
    wall, cpu = time.perf_counter(), time.process_time()
    _extract_all(articles)
    return len(articles) / (time.perf_counter() - wall), len(articles) / (time.process_time() - cpu)


def bench_unseen(articles: list[dict]) -> float:
    """Articles per CPU second over distinct articles, each once, the word caches emptied first."""
    for cache in (place_key, canonical, ascii_key):
        cache.cache_clear()
    cpu = time.process_time()
    _extract_all(articles)
    return len(articles) / (time.process_time() - cpu)


def bench_underthesea(articles: list[dict], sample: int) -> tuple[float, float]:
    from underthesea import ner
    ner("Khởi động mô hình.")
    chosen = articles[:sample]
    wall, cpu = time.perf_counter(), time.process_time()
    for a in chosen:
        for line in a["text"].splitlines():
            if line.strip():
                ner(line)
    return len(chosen) / (time.perf_counter() - wall), len(chosen) / (time.process_time() - cpu)


# One side of --against: a process that extracts the replicated articles once per line it reads
# and answers with its rate per CPU second (the reference data loaded and warmed up first).
_TURNS = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from extract import extract_record
articles = [(a["text"], a.get("url"), a.get("published")) for a in __import__("json").loads(sys.stdin.readline())]
for text, url, published in {id(t): (t, u, p) for t, u, p in articles}.values():
    extract_record(text, url=url, published=published)
print("ready", flush=True)
for _ in sys.stdin:
    cpu = time.process_time()
    for text, url, published in articles:
        extract_record(text, url=url, published=published)
    print(len(articles) / (time.process_time() - cpu), flush=True)
"""


def side_by_side(revision: str, articles: list[dict], rounds: int) -> dict[str, list[float]]:
    """Rates per CPU second of the extractor at `revision` and of this checkout, taking turns.

    :param revision: a git revision of this repository
    :param articles: the articles each turn extracts
    :param rounds: turns of each side
    """
    from bench_store import checkout
    with tempfile.TemporaryDirectory() as folder:
        roots = {revision: checkout(revision, Path(folder)), "this checkout": ROOT}
        sides = {label: subprocess.Popen([sys.executable, "-c", _TURNS, str(root)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True) for label, root in roots.items()}
        try:
            payload = json.dumps([{k: a.get(k) for k in ("text", "url", "published")} for a in articles])
            for process in sides.values():
                process.stdin.write(payload + "\n")
                process.stdin.flush()
                process.stdout.readline()  # ready
            rates: dict[str, list[float]] = {label: [] for label in sides}
            for turn in range(rounds):
                for label, process in sides.items():
                    process.stdin.write("go\n")
                    process.stdin.flush()
                    rates[label].append(float(process.stdout.readline()))
                print(f"\rturn {turn + 1}/{rounds}", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
        finally:
            for process in sides.values():
                process.stdin.close()
                process.wait()
    return rates


def print_side_by_side(rates: dict[str, list[float]]) -> None:
    """Best turn and median per CPU second of each side, and this checkout's ratio to the revision."""
    (base_label, base), (label, this) = rates.items()
    for name, values in rates.items():
        print(f"{name}: best turn {max(values):.1f}, median {statistics.median(values):.1f} articles/s per CPU second")
    print(f"{label} / {base_label}: {max(this) / max(base):.3f}x best turn, "
          f"{statistics.median(this) / statistics.median(base):.3f}x median")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000, help="articles to extract (dev set replicated)")
    ap.add_argument("--baseline-sample", type=int, default=36, help="articles for the underthesea baseline")
    ap.add_argument("--no-baseline", action="store_true", help="skip the underthesea baseline")
    ap.add_argument("--against", metavar="REV", help="also run the extractor as it was at this commit, side by side")
    ap.add_argument("--rounds", type=int, default=15, help="turns of each side with --against")
    args = ap.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    articles = load_articles(args.n)
    ours_wall, ours_cpu = bench_extract(articles)
    print(f"extract: {len(articles)} articles, {ours_wall:.1f} articles/s wall clock, "
          f"{ours_cpu:.1f} articles/s per CPU second (one core)")
    unseen = _fixtures("dev", "stream")
    print(f"extract, {len(unseen)} distinct articles once each, word caches emptied: "
          f"{bench_unseen(unseen):.1f} articles/s per CPU second")
    if args.against:
        print_side_by_side(side_by_side(args.against, articles, args.rounds))
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.no_baseline:
        return
    try:
        base_wall, base_cpu = bench_underthesea(articles, args.baseline_sample)
    except Exception as e:  # the baseline is informative; a broken model must not hide our figure
        print(f"underthesea ner baseline unavailable: {e}")
        return
    print(f"underthesea.ner: {args.baseline_sample} articles, {base_wall:.2f} articles/s wall clock, "
          f"{base_cpu:.2f} per CPU second")
    print(f"ratio extract / underthesea.ner: {ours_wall / base_wall:.0f}x wall clock, {ours_cpu / base_cpu:.0f}x CPU")


if __name__ == "__main__":
    main()
