"""Extraction speed: articles per second on one core, side by side with underthesea's NER.

The development articles are replicated to --n articles (default 2,000) and extracted in this
process; underthesea's `ner` (the usual off-the-shelf baseline) runs over a sample of the same
texts in the same run, and the ratio is printed. Figures only: no pass/fail.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import extract_record  # noqa: E402


def load_articles(n: int) -> list[dict]:
    items = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/fixtures/dev").glob("*.json"))]
    return [items[i % len(items)] for i in range(n)]


def bench_extract(articles: list[dict]) -> tuple[float, float]:
    """(articles per wall-clock second, articles per CPU second of this process)."""
    extract_record(articles[0]["text"], url=articles[0].get("url"))  # load the gazetteer once
    wall, cpu = time.perf_counter(), time.process_time()
    for a in articles:
        extract_record(a["text"], url=a.get("url"), published=a.get("published"))
    return len(articles) / (time.perf_counter() - wall), len(articles) / (time.process_time() - cpu)


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000, help="articles to extract (dev set replicated)")
    ap.add_argument("--baseline-sample", type=int, default=36, help="articles for the underthesea baseline")
    args = ap.parse_args()
    articles = load_articles(args.n)
    ours_wall, ours_cpu = bench_extract(articles)
    print(f"extract: {len(articles)} articles, {ours_wall:.1f} articles/s wall clock, "
          f"{ours_cpu:.1f} articles/s per CPU second (one core)")
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
