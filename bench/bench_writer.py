"""Benchmark of the frontier's one writer: articles a second it stores from the Redis outbox,
beside `save_stream` (what `ingest` uses) on the same articles in the same run.

The articles are the dev articles with their records, varied as bench_store.py does; they are
pushed to a private redis-server as workers push them (one JSON message each), then one writer
drains them into a fresh database.

    .venv/bin/python bench/bench_writer.py --n 20000
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import extract_dev_records, vary  # noqa: E402
from stages.frontier import local_redis  # noqa: E402
from store import open_database, save_stream  # noqa: E402
from store.outbox import Outbox, connect  # noqa: E402
from store.writer import Writer  # noqa: E402


def bench_save_stream(db_path: Path, pairs: list[tuple[dict, dict]]) -> float:
    """Articles per second through save_stream (the baseline)."""
    db = open_database(db_path)
    started = time.perf_counter()
    for _ in save_stream(db, iter(pairs)):
        pass
    elapsed = time.perf_counter() - started
    db.close()
    return len(pairs) / elapsed


def bench_writer(db_path: Path, pairs: list[tuple[dict, dict]], batch_size: int) -> tuple[float, float]:
    """(messages pushed per second, articles stored per second by the writer)."""
    with local_redis() as url:
        server = connect(url)
        outbox = Outbox(server)
        started = time.perf_counter()
        for article, record in pairs:
            outbox.push({"kind": "article", "run_id": "bench", "site": article["site"], "row": article,
                         "record": record})
        pushed = len(pairs) / (time.perf_counter() - started)
        outbox.push({"kind": "stop", "mark": "bench"})
        db = open_database(db_path)
        started = time.perf_counter()
        stats = Writer(db, server, "bench", batch_size).run()
        stored = stats.articles["new"] / (time.perf_counter() - started)
        db.close()
    return pushed, stored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="articles")
    parser.add_argument("--batch-size", type=int, default=500, help="outbox messages per transaction")
    args = parser.parse_args(argv)
    pairs = list(vary(extract_dev_records(), args.n))
    with tempfile.TemporaryDirectory() as folder:
        baseline = bench_save_stream(Path(folder) / "save_stream.db", pairs)
        pushed, stored = bench_writer(Path(folder) / "writer.db", pairs, args.batch_size)
    print(f"{args.n} articles with their records")
    print(f"save_stream (ingest's path):   {baseline:8.0f} articles/s")
    print(f"frontier writer (outbox):      {stored:8.0f} articles/s  ({stored / baseline:.2f}x save_stream)")
    print(f"workers' pushes to the outbox: {pushed:8.0f} messages/s (one process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
