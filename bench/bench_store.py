"""Benchmark of the store: ingest rate, search latency and the analyst's Datasette pages.

The dev articles are extracted once; N articles are then made by varying copies of those records
(URL, site, dates, place, counts), so the benchmark measures the store, not the extractor.

    .venv/bin/python bench/bench_store.py --n 100000 [--baseline REV] [--jobs 1,2] [--rounds 3]

The ingest stores the pairs as `pipeline.py ingest --jobs N` stores those of a records file: rows
made in N worker processes (default: one per core), written by one; with several values, an
ingest line for each, side by side (the later phases use the last value's database). With
--from-files the pairs are first written as an articles file and a records file, and the ingest
is `pipeline.py ingest ARTICLES --records RECORDS --jobs N` itself, reading and parsing included.

With --baseline the project as it was at REV (git archive; the working tree is not touched) is
measured in the same run on the same articles, phase by phase beside this checkout (page loads
alternate between the two servers), and each line ends with the ratio. Each ingest and search
runs in a process of its own, which reports its CPU seconds and peak memory; the load average is
printed with the figures, since other work on the machine slows every wall-clock figure.
The ingest of pairs also says how fast the rows were written and how long a bulk load's end took
after them (merging the search indexes, building the deferred indexes, checking references).
With --rounds K every ingest runs K times, in turn, each into a new database, and its line gives
the median round and the rate of each: the machine's speed drifts between two ingests of a
million articles as much as a change moves it.

Targets (issue 13, at 1,000,000 articles): ingest >= 5,000 articles/s with all child rows; search
p95 <= 20 ms; the events page with facets p95 <= 300 ms; the analyst pages (landing, activities
list with facets, article reading page, event page) p95 <= 300 ms (issue 11: at 100,000).
"""
from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = ROOT / "tests" / "fixtures" / "dev"
SEARCH_QUERIES = ["giam ngheo", "giảm nghèo", "Dong Thap", "đồng tháp", "Đồng Tháp", "tập huấn",
                  "chuyen doi so", "nông thôn mới", "Định Hóa", "hoa giai vien", "90/QĐ-TTg", "dân tộc thiểu số"]
# Paths of pages under the database, which Datasette names after the file ({db}).
FACET_PAGE = "/{db}/events?_facet=province_code&_facet=year&_facet=programme_id"
# The analyst pages (schema/templates): path -> name; {article} and {event} become ids.
ANALYST_PAGES = {"/": "landing page", "/{db}/activities": "activities list, 3 facets",
                 "/{db}/activities?_search=giam+ngheo": "activities search 'giam ngheo'",
                 "/{db}/articles/{article}": "article reading page", "/{db}/events/{event}": "event page"}
TARGETS = {"ingest": 5000.0, "search_p95_ms": 20.0, "page_ms": 300.0, "analyst_p95_ms": 300.0}
THIS = "this checkout"
# Datasette's note on a table page whose facets took longer than facet_time_limit_ms (table.html).
FACETS_TIMED_OUT = re.compile(r'<p class="facets-timed-out">These facets timed out: ([^<]*)</p>')


def extract_dev_records() -> list[tuple[dict, dict]]:
    """(entry, record) for each dev article, from this checkout's extractor."""
    sys.path.insert(0, str(ROOT))
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


def write_input_files(base: list[tuple[dict, dict]], n: int, folder: Path) -> None:
    """The N varied pairs as `pipeline.py ingest` reads them: articles.jsonl, and records.jsonl with
    the record of each article on the same line (echoing its url, as the extractor's do)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as articles, \
            (folder / "records.jsonl").open("w", encoding="utf-8") as records:
        for article, record in vary(base, n):
            articles.write(json.dumps(article, ensure_ascii=False) + "\n")
            records.write(json.dumps(dict(record, url=article["url"]), ensure_ascii=False) + "\n")


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- measurements, each run in a process of its own by `child` --------------------------------------


def child_ingest(args: argparse.Namespace) -> dict:
    """Ingest the varied records into a new database with the project's store, the way
    `pipeline.py ingest --jobs` stores (article, record) pairs (`stages.ingest.store_pairs`: rows
    made in worker processes, written by this one); a project without it stores through
    `save_stream` (rows made in a thread beside the writer) and reports jobs None."""
    from progress import Progress
    from store import open_database, save_stream

    try:
        from stages.ingest import store_pairs
        from stages.workers import resolve_jobs
    except ImportError:  # an older project (a baseline)
        store_pairs, processes = None, None
    else:
        try:  # how store_pairs reads --jobs
            from stages.workers import worker_processes
            processes = worker_processes(args.jobs[-1], writer_core=True)
        except ImportError:  # a project whose --jobs counted the processes, 1 being this one
            processes = resolve_jobs(args.jobs[-1])
    base = [tuple(pair) for pair in json.loads(args.records.read_text(encoding="utf-8"))]
    db = open_database(args.db)
    progress = Progress("articles stored", total=args.n)
    started, cpu, workers_cpu, written = time.perf_counter(), time.process_time(), _children_cpu_s(), _written_bytes()
    if args.input_files is not None:  # `pipeline.py ingest ARTICLES --records RECORDS --jobs N`
        from stages import ingest as ingest_stage
        from stages.ingest import ingest

        if hasattr(ingest_stage, "records_file_workers"):  # (older projects: their own count; now as for pairs)
            processes = ingest_stage.records_file_workers(args.jobs[-1])
        stats = ingest(db, args.input_files / "articles.jsonl", args.input_files / "records.jsonl", args.batch_size,
                       jobs=args.jobs[-1])
        if stats.new != args.n:
            raise RuntimeError(f"ingest of the input files: {stats.summary()}")
        batches = [["new"] * stats.new]
    elif store_pairs is not None:
        known_count = "expected" in inspect.signature(store_pairs).parameters  # (a bulk load since then)
        batches = store_pairs(db, vary(base, args.n), args.batch_size, args.jobs[-1],
                              **({"expected": args.n} if known_count else {}))
    else:
        batches = save_stream(db, vary(base, args.n), args.batch_size)
    last_batch = None
    for statuses in batches:
        progress.advance(len(statuses), failed=sum(status == "failed" for status in statuses))
        last_batch = time.perf_counter()
    # What follows the last batch's commit, inside the loop's last step: a bulk load's end (its
    # search merge, index builds and reference check: `store.bulk.finish_load`). A files ingest
    # returns its batches only at its end: no split.
    finish_s = time.perf_counter() - last_batch if last_batch is not None and args.input_files is None else None
    db.close()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = None if written is None else _written_bytes() - written
    workers_cpu = _children_cpu_s() - workers_cpu  # the worker processes have ended: they count
    progress.close()
    return {"wall_s": wall, "finish_s": finish_s, "cpu_s": cpu + workers_cpu, "writer_cpu_s": cpu,
            "peak_mb": _peak_memory_mb(),
            "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "jobs": args.jobs[-1], "processes": processes, "load": os.getloadavg()[0], "written": written}


def _written_bytes() -> int | None:
    """The bytes this process has written to files (Linux counts them as it dirties pages, whether
    or not they have reached the disk yet): a figure of the work a load does that, unlike its
    time, does not move with the machine's load. None where the kernel does not count them."""
    try:
        with open("/proc/self/io") as counters:
            return int(next(line for line in counters if line.startswith("write_bytes:")).split()[1])
    except (OSError, StopIteration):
        return None


def _children_cpu_s() -> float:
    """CPU seconds of this process's ended children (the worker processes of an ingest)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_search(args: argparse.Namespace) -> dict:
    """Time search_articles over SEARCH_QUERIES, `repeats` times each (after one warming round)."""
    from store import open_database, search_articles

    db = open_database(args.db)
    for query in SEARCH_QUERIES:
        search_articles(db, query, limit=20)
    samples: dict[str, list[float]] = {query: [] for query in SEARCH_QUERIES}
    cpu = []
    for _ in range(args.repeats):
        for query in SEARCH_QUERIES:
            started, cpu_started = time.perf_counter(), time.thread_time()
            search_articles(db, query, limit=20)
            samples[query].append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
    db.close()
    slowest = max(samples, key=lambda query: statistics.median(samples[query]))
    return {"samples": [s for values in samples.values() for s in values], "cpu": cpu, "slowest": slowest,
            "slowest_ms": statistics.median(samples[slowest]), "load": os.getloadavg()[0]}


def child_serve(args: argparse.Namespace) -> dict:
    """The project's Datasette command line and environment for the database."""
    from stages.serve import datasette_command, datasette_env

    return {"command": datasette_command(args.db, "127.0.0.1", args.port), "env": datasette_env()}


def child_configuration(args: argparse.Namespace) -> dict:
    """What the project's store made of the database: page size, search index settings, indexes."""
    import sqlite3

    with sqlite3.connect(args.db) as conn:
        config = dict(conn.execute("select k, v from articles_fts_config where k != 'version'").fetchall())
        # FTS5's structure record (rowid 10): a 4-byte cookie, then varints: levels, segments, ...
        structure = conn.execute("select block from articles_fts_data where id = 10").fetchone()[0]
        return {"page_size": conn.execute("pragma page_size").fetchone()[0],
                "fts": config,
                "fts_segments": _varints(structure[4:], 2)[1],
                "indexes": conn.execute("select count(*) from sqlite_master where type = 'index'").fetchone()[0],
                "analyzed": bool(conn.execute("select count(*) from sqlite_master where name = 'sqlite_stat1'")
                                 .fetchone()[0])}


def _varints(data: bytes, count: int) -> list[int]:
    """The first `count` SQLite varints (7 bits a byte, high bit: more follow) of data."""
    values, value = [], 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
            if len(values) == count:
                break
    return values


CHILDREN = {"ingest": child_ingest, "search": child_search, "serve": child_serve,
            "configuration": child_configuration}


def child(args: argparse.Namespace) -> None:
    """Run one measurement with the modules of args.project and print its result as JSON."""
    sys.path.insert(0, str(args.project))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    print(json.dumps(CHILDREN[args.child](args)))


# --- the run: the same phases for each project ----------------------------------------------------


class Project:
    """One version of the project and its database."""

    def __init__(self, label: str, root: Path, db: Path) -> None:
        self.label, self.root, self.db = label, root, db
        self.server: subprocess.Popen | None = None
        self.base_url = ""
        self.timed_out: dict[str, set[str]] = {}  # page path -> facets that timed out on some load (`load`)

    def run(self, what: str, **options: object) -> dict:
        """Run a measurement in a child process (this script, the project's modules)."""
        command = [sys.executable, str(Path(__file__).resolve()), "--child", what, "--project", str(self.root),
                   "--db", str(self.db)]
        for name, value in options.items():
            command += [f"--{name.replace('_', '-')}", str(value)]
        result = subprocess.run(command, cwd=self.root, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{self.label}: {what} failed (exit {result.returncode})")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start_server(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        spec = self.run("serve", port=port)
        self.server = subprocess.Popen(spec["command"], env=spec["env"], cwd=self.root,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base_url + "/-/versions.json", timeout=2).read()
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise RuntimeError(f"{self.label}: Datasette did not start")
                time.sleep(0.2)

    def load(self, path: str) -> tuple[float, float]:
        """Milliseconds to load a page (the whole response), and the server's CPU milliseconds for
        it. The facets Datasette gave up on (facet_time_limit_ms) are added to `timed_out`: a page
        that is fast because it left them out is not a fast page."""
        cpu, started = self.server_cpu_ms(), time.perf_counter()
        with urllib.request.urlopen(self.base_url + path, timeout=120) as response:
            page = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000, self.server_cpu_ms() - cpu
        if (found := FACETS_TIMED_OUT.search(page)) is not None:
            self.timed_out.setdefault(path, set()).update(name.strip() for name in found.group(1).split(","))
        return elapsed

    def server_cpu_ms(self) -> float:
        """CPU time the server's threads have run, from the scheduler (ns precision; unlike the wall
        clock, hardly changed by other work on the machine)."""
        total = 0
        for task in Path(f"/proc/{self.server.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # a thread that ended
        return total / 1e6

    def server_peak_mb(self) -> float | None:
        try:
            status = Path(f"/proc/{self.server.pid}/status").read_text()
        except OSError:
            return None
        return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), None)

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.server = None


def checkout(revision: str, folder: Path) -> Path:
    """The project as it was at `revision` (git archive: the working tree is not touched)."""
    target = folder / f"checkout-{revision}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def analyst_paths(db_path: Path) -> dict[str, str]:
    """ANALYST_PAGES for this database, with the article and event of its middle filled in."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        article = conn.execute("select id from articles order by id limit 1 offset "
                               "(select count(*) / 2 from articles)").fetchone()[0]
        event = conn.execute("select id from events where article_id >= ? order by id limit 1", [article]).fetchone()[0]
    return {path.format(db=db_path.stem, article=article, event=event): name for path, name in ANALYST_PAGES.items()}


def _size_mb(db_path: Path) -> float:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 1e6


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _line(name: str, figures: dict[str, str], ratio: str | None = None) -> None:
    """One measurement: this checkout's figures, the baseline's beside them, and the ratio."""
    text = f"{name}: {figures[THIS]}"
    for label, value in figures.items():
        if label != THIS:
            text += f" | {label}: {value}"
    print(text + (f" | {ratio}" if ratio else ""), flush=True)


def run(args: argparse.Namespace, projects: list[Project], folder: Path) -> None:
    """Ingest the same articles with each project, then measure search and the pages side by side."""
    records = folder / "records.json"
    base = extract_dev_records()
    records.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    files = {}
    if args.from_files:
        started = time.perf_counter()
        write_input_files(base, args.n, folder / "input")
        files = {"input_files": folder / "input"}
        print(f"input files: {args.n} articles and their records written in {time.perf_counter() - started:.0f} s, "
              f"{sum(path.stat().st_size for path in (folder / 'input').iterdir()) / 1e9:.2f} GB", flush=True)
    this = projects[-1]
    print(f"{os.cpu_count()} cores, {_load()} before the run", flush=True)

    # Round by round, each ingest once in turn (the baseline's, then this checkout's for each --jobs
    # value), each into a new database: only the last round's of the last value are kept, for the
    # later phases. The machine's speed drifts from one minute to the next (by a tenth at a million
    # articles, alike code or not), so with --rounds the line gives the median round of each.
    runs: dict[tuple[str, int], list[dict]] = {}
    sizes: dict[tuple[str, int], float] = {}
    for round_number in range(1, args.rounds + 1):
        turns = [(p, args.jobs[-1]) for p in projects[:-1]] + [(this, jobs) for jobs in args.jobs]
        for number, (project, jobs) in enumerate(turns, start=1):
            kept = round_number == args.rounds and (project is not this or number == len(turns))
            target = project if kept else Project(project.label, project.root,
                                                  folder / f"round-{round_number}-{number}" / "training.db")
            runs.setdefault((project.label, jobs), []).append(
                target.run("ingest", records=records, n=args.n, batch_size=args.batch_size, jobs=jobs, **files))
            sizes[(project.label, jobs)] = _size_mb(target.db)
            if not kept:
                shutil.rmtree(target.db.parent)
    for jobs in args.jobs:
        keys = {p.label: (p.label, args.jobs[-1] if p is not this else jobs) for p in projects}
        _ingest_line(args.n, {label: _median_run(runs[key]) for label, key in keys.items()},
                     {label: sizes[key] for label, key in keys.items()}, projects, args.from_files,
                     {label: [args.n / run["wall_s"] for run in runs[key]] for label, key in keys.items()})
    configuration = this.run("configuration")
    print(f"configuration of {THIS}: page size {configuration['page_size']}, search index "
          f"{configuration['fts'] or 'defaults'} in {configuration['fts_segments']} segments, "
          f"{configuration['indexes']} indexes, statistics {'yes' if configuration['analyzed'] else 'no'}", flush=True)

    search = {p.label: p.run("search", repeats=args.repeats) for p in projects}
    percentiles = {label: (*_percentiles(result["samples"]), *_percentiles(result["cpu"]))
                   for label, result in search.items()}
    _line(f"search: {len(SEARCH_QUERIES)} queries x {args.repeats}", {
        label: f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 <= {TARGETS['search_p95_ms']:.0f} ms; CPU p50 "
               f"{cpu50:.1f} ms, p95 {cpu95:.1f} ms), slowest {search[label]['slowest']!r} "
               f"{search[label]['slowest_ms']:.1f} ms, load {search[label]['load']:.1f}"
        for label, (p50, p95, cpu50, cpu95) in percentiles.items()},
        _ratio(percentiles, lambda r: r[1], projects, True))

    pages = analyst_paths(this.db)
    facet_page = FACET_PAGE.format(db=this.db.stem)
    names = {facet_page: "events page, 3 facets", **pages}
    targets = {facet_page: TARGETS["page_ms"]}
    try:
        for project in projects:
            project.start_server()
        for path, name in names.items():
            # The landing page and the facet counts are kept per state of the file (schema/cache.py):
            # the first load computes them, as the first view after a crawl does.
            first = {p.label: p.load(path) for p in projects}
            _line(f"datasette {name}, first load" + ("" if path == facet_page else f" ({path})"),
                  {label: f"{ms:.0f} ms (server CPU {cpu:.0f} ms)" for label, (ms, cpu) in first.items()},
                  _ratio(first, lambda r: r[0], projects, True))
            samples: dict[str, list[tuple[float, float]]] = {p.label: [] for p in projects}
            for _ in range(args.repeats):
                for project in projects:  # alternating, so that both see the same load
                    samples[project.label].append(project.load(path))
            timings = {label: (*_percentiles([ms for ms, _ in values]), statistics.median(cpu for _, cpu in values))
                       for label, values in samples.items()}
            target = targets.get(path, TARGETS["analyst_p95_ms"])
            timed_out = {p.label: p.timed_out.get(path) for p in projects}
            _line(f"datasette {name}" + ("" if path == facet_page else f" ({path})"), {
                label: f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (target p95 <= {target:.0f} ms; server CPU p50 {cpu:.0f} ms)"
                       + (f", FACETS TIMED OUT: {', '.join(sorted(timed_out[label]))}" if timed_out[label] else "")
                for label, (p50, p95, cpu) in timings.items()}, _ratio(timings, lambda r: r[1], projects, True))
        _line("datasette peak memory", {p.label: f"{p.server_peak_mb() or 0:.0f} MB, {_load()}" for p in projects})
    finally:
        for project in projects:
            project.stop_server()


def _median_run(results: list[dict]) -> dict:
    """Of an ingest's rounds, the one of median wall time (the slower of the middle two)."""
    return sorted(results, key=lambda result: result["wall_s"])[len(results) // 2]


def _ingest_line(n: int, ingest: dict[str, dict], sizes: dict[str, float], projects: list[Project],
                 from_files: bool, rates: dict[str, list[float]]) -> None:
    """The ingest figures of each project side by side: rate, CPU, memory, the worker processes
    (of its median round, with the rate of every round when there were several)."""
    def figures(result: dict, size_mb: float) -> str:
        processes = result.get("processes")
        workers = (f"jobs {result.get('jobs')}: rows made in a thread beside the writer" if not processes else
                   f"jobs {result['jobs']}: {processes} worker process{'es' if processes > 1 else ''} "
                   f"(writer CPU {n / result['writer_cpu_s']:,.0f} articles/s, "
                   f"worker peak memory {result['workers_peak_mb']:.0f} MB)")
        finish_s = result.get("finish_s")
        split = ("" if finish_s is None else
                 f" (rows written at {n / (result['wall_s'] - finish_s):,.0f}/s, then {finish_s:.1f} s to finish)")
        return (f"{n / result['wall_s']:,.0f} articles/s{split} (target >= {TARGETS['ingest']:,.0f}), "
                f"{n / result['cpu_s']:,.0f} per CPU second, {workers}, peak memory {result['peak_mb']:.0f} MB, "
                f"load {result['load']:.1f}; db {size_mb:.1f} MB"
                + (f", {result['written'] / 1e9:.2f} GB written" if result.get("written") is not None else ""))

    def rounds(label: str) -> str:
        return "" if len(rates[label]) < 2 else f"; rounds {', '.join(f'{rate:,.0f}' for rate in rates[label])}/s"

    _line(f"ingest: {n} articles" + (" from the input files" if from_files else ""),
          {p.label: figures(ingest[p.label], sizes[p.label]) + rounds(p.label) for p in projects},
          _ratio(ingest, lambda r: r["wall_s"], projects, faster_is_smaller=True))


def _ratio(results: dict, figure, projects: list[Project], faster_is_smaller: bool) -> str | None:
    """"1.45x faster" of this checkout against the baseline, when there is one."""
    if len(projects) < 2:
        return None
    baseline, this = figure(results[projects[0].label]), figure(results[projects[-1].label])
    return f"speed-up {baseline / this if faster_is_smaller else this / baseline:.2f}x" if this else None


def _jobs_list(text: str) -> list[int]:
    """--jobs: "2" or "1,2" -> [2] or [1, 2]."""
    try:
        jobs = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes counts separated by commas (1,2), not {text!r}") from None
    if any(count < 0 for count in jobs):
        raise argparse.ArgumentTypeError(f"--jobs counts are 0 (every core) or more, not {text!r}")
    return jobs


def main(argv: list[str] | None = None) -> int:
    """Run the measurements for this checkout (and the baseline) and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles to generate and ingest")
    parser.add_argument("--batch-size", type=int, default=2000, help="articles per transaction")
    parser.add_argument("--jobs", type=_jobs_list, default=[0],
                        help="processes that make the rows (0: one per core), as `pipeline.py ingest --jobs`; "
                             "several, comma-separated (1,2), ingest once each, side by side")
    parser.add_argument("--from-files", action="store_true",
                        help="write the articles and records as files first and ingest those, as `pipeline.py "
                             "ingest --records` does (reading and parsing them included)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="ingest this many times each, in turn (baseline, this checkout, ...), each into a new "
                             "database, and report the median round (the machine's speed drifts meanwhile)")
    parser.add_argument("--repeats", type=int, default=10, help="repetitions of each query / page load")
    parser.add_argument("--db", type=Path, help="database file of this checkout (default: a temporary training.db)")
    parser.add_argument("--baseline", metavar="REV", help="also measure the project at this commit, side by side")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--input-files", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds takes 1 or more, not {args.rounds}")
    if args.child:
        child(args)
        return 0
    if args.db is not None and args.db.exists():
        parser.error(f"{args.db} exists; the benchmark needs a fresh database")
    # Temporary databases are removed afterwards (100,000 articles take about 750 MB each).
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        projects = []
        if args.baseline:
            projects.append(Project(f"baseline {args.baseline[:10]}", checkout(args.baseline, folder),
                                    folder / "baseline" / "training.db"))
        projects.append(Project(THIS, ROOT, args.db or folder / "training.db"))
        run(args, projects, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
