"""Extraction in parallel: `reextract --jobs N` and `ingest --jobs N`, articles/s at 1, 2 and all
cores, and the speed-up over one job, measured side by side in the same run.

The dev articles are varied into --n articles (bench_store.vary: own URL, dates, counts, body).
`reextract` runs on copies of one database whose records are stale (so every article is
re-derived); `ingest` runs the extractor over a JSON-lines file of the same articles into fresh
databases. Both write through one writer (this process); the workers only extract.

    .venv/bin/python bench/bench_reextract.py --n 2000

Figures only: no pass/fail. On a machine shared with other work the speed-up is lower than the
number of cores.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import extract_dev_records, vary  # noqa: E402
from stages.ingest import ingest, reextract  # noqa: E402
from store import open_database  # noqa: E402

AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")
STALE_RECORD = {"extractor_version": "0-stale", "is_training": False, "title": None, "published": None,
                "events": [], "documents": [], "programmes": [], "locations": [], "organizers": [], "dates": []}


def write_inputs(folder: Path, n: int) -> tuple[Path, Path]:
    """articles.jsonl (n varied dev articles) and stale-records.jsonl (one stale record each)."""
    articles, records = folder / "articles.jsonl", folder / "stale-records.jsonl"
    with articles.open("w", encoding="utf-8") as out, records.open("w", encoding="utf-8") as stale:
        for number, (article, _) in enumerate(vary(extract_dev_records(), n)):
            out.write(json.dumps({"id": number, "url": article["url"], "published": article["published"],
                                  "title": article["title"], "text": article["body"]}, ensure_ascii=False) + "\n")
            stale.write(json.dumps(dict(STALE_RECORD, id=number, url=article["url"])) + "\n")
    return articles, records


def timed(run) -> tuple[float, float, float, int]:
    """(wall-clock seconds, CPU seconds of this process, CPU seconds of its worker processes,
    articles) of one run."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    stats = run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers are reaped when the pool shuts down
    return wall, cpu, (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime), stats.total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=600, help="articles")
    parser.add_argument("--batch-size", type=int, default=200, help="articles per transaction")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each job count; the fastest is shown")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    cores = os.cpu_count() or 1
    job_counts = sorted({1, 2, cores})

    with tempfile.TemporaryDirectory(prefix="bench-reextract-") as name:
        folder = Path(name)
        articles, stale_records = write_inputs(folder, args.n)
        stale = folder / "stale.db"
        db = open_database(stale)
        ingest(db, articles, stale_records, batch_size=args.batch_size)
        db.close()
        print(f"{args.n} articles, {cores} cores, batches of {args.batch_size}, fastest of {args.repeats} runs")
        for stage in ("reextract", "ingest"):
            baseline = None
            best: dict[int, tuple[float, float, float, int]] = {}
            for repeat in range(args.repeats):  # in turns, so that a busy spell does not favour one count
                for jobs in job_counts:
                    db_path = folder / f"{stage}-{jobs}-{repeat}.db"
                    if stage == "reextract":
                        shutil.copy(stale, db_path)
                        run = timed(lambda: reextract(open_database(db_path), args.batch_size, jobs=jobs))
                    else:
                        run = timed(lambda: ingest(open_database(db_path), articles, batch_size=args.batch_size,
                                                   jobs=jobs))
                    db_path.unlink()
                    if jobs not in best or run[0] < best[jobs][0]:
                        best[jobs] = run
            one_job_cpu = best[1][1]
            for jobs in job_counts:
                seconds, cpu, workers, count = best[jobs]
                rate = count / seconds
                baseline = baseline or rate
                # What the CPU seconds allow on an idle machine: the writer, each worker and the
                # cores as a whole each bound the wall-clock time.
                bound = min(jobs, cores, one_job_cpu / max(cpu, workers / jobs, (cpu + workers) / cores))
                label = f"--jobs {jobs}" + (" (all cores)" if jobs == cores else "")
                print(f"{stage:9} {label:22} {count} articles in {seconds:6.2f} s: {rate:7.1f} articles/s, "
                      f"speed-up {rate / baseline:.2f}x (idle machine, from CPU seconds: {bound:.2f}x); "
                      f"CPU s: writer {cpu:.2f}, workers {workers:.2f}")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} ({cores} cores; above {cores} the "
              f"machine is shared and the speed-up is bounded by it)")
        if AUTOGROUP.exists() and AUTOGROUP.read_text().strip() == "1":
            print("the kernel shares CPU time between sessions (sched_autogroup): while other sessions are busy, "
                  "more workers in this one get no more of it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
