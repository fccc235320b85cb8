"""Extraction in worker processes (`--jobs N`) gives exactly what one process gives (issue 13, item 4)."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, run_pipeline
from stages.extract_jsonl import extract_jsonl
from stages.ingest import ingest, reextract
from stages.workers import map_in_order
from store import open_database, table_counts

from test_store_ingest import load_bench

ARTICLES = 120


def database_content(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, without the columns that say when a run happened."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "select name from sqlite_master where type = 'table' and name not like 'articles_fts%' "
            "and name not like 'titles_fts%' "
            "and name != '_sqlite_migrations' order by name")]
        content = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f"pragma table_info([{table}])")
                       if not row[1].endswith("_at")]
            content[table] = connection.execute(
                f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] order by 1").fetchall()
        return content
    finally:
        connection.close()


@pytest.fixture(scope="module")
def varied_articles(tmp_path_factory: pytest.TempPathFactory, dev_records: list) -> Path:
    """ARTICLES varied dev articles as input lines (text, no records), one broken line among them."""
    path = tmp_path_factory.mktemp("parallel") / "articles.jsonl"
    lines = [json.dumps({"id": f"a{number}", "url": article["url"], "published": article["published"],
                         "text": article["body"]}, ensure_ascii=False)
             for number, (article, _) in enumerate(load_bench().vary(dev_records, ARTICLES))]
    lines.insert(ARTICLES // 2, '{"id": "broken", "url": 5, "text": "Tập huấn"}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# The comparisons run in this process: the workers fork from it, so both runs use the very same
# extractor code (a subprocess started later could import files edited in between).

def test_ingest_with_two_jobs_stores_what_one_job_stores(tmp_path: Path, varied_articles: Path) -> None:
    databases = {jobs: tmp_path / f"jobs{jobs}.db" for jobs in (1, 2)}
    for jobs, path in databases.items():
        db = open_database(path)
        stats = ingest(db, varied_articles, batch_size=25, jobs=jobs)
        assert (stats.new, stats.failed) == (ARTICLES, 1)
        db.close()
    one, two = database_content(databases[1]), database_content(databases[2])
    assert len(one["articles"]) == ARTICLES and len(one["events"]) > ARTICLES // 2
    assert one == two
    command = run_pipeline("ingest", str(varied_articles), "--jobs", "2", "--db", str(tmp_path / "cli.db"))
    assert command.returncode == 1 and f"{ARTICLES} new" in command.stderr and "1 failed" in command.stderr
    assert f"{varied_articles} line {ARTICLES // 2 + 1}: url must be a string" in command.stderr


def test_reextract_with_two_jobs_derives_what_one_job_derives(tmp_path: Path, varied_articles: Path) -> None:
    stale = tmp_path / "stale.db"
    records = tmp_path / "old-records.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for line in varied_articles.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            out.write(json.dumps({"id": entry["id"], "url": entry["url"], "extractor_version": "0-old",
                                  "is_training": False, "events": [], "documents": [], "programmes": [],
                                  "locations": [], "organizers": [], "dates": []}) + "\n")
    db = open_database(stale)
    ingest(db, varied_articles, records)
    assert table_counts(db)["events"] == 0
    db.close()  # checkpoints the write-ahead log into the file that is copied
    copies = {jobs: tmp_path / f"reextract{jobs}.db" for jobs in (1, 2, "cli")}
    for jobs, path in copies.items():
        shutil.copy(stale, path)
    for jobs in (1, 2):
        db = open_database(copies[jobs])
        assert reextract(db, batch_size=30, jobs=jobs).total == ARTICLES
        db.close()
    one, two = database_content(copies[1]), database_content(copies[2])
    assert len(one["events"]) > ARTICLES // 2
    assert one == two
    command = run_pipeline("reextract", "--jobs", "2", "--db", str(copies["cli"]))
    assert command.returncode == 0 and f"{ARTICLES} articles" in command.stderr, command.stderr


def test_extract_with_every_core_writes_what_one_job_writes(tmp_path: Path, varied_articles: Path) -> None:
    outputs = {jobs: tmp_path / f"records{jobs}.jsonl" for jobs in (1, 0)}
    for jobs, output in outputs.items():
        stats = extract_jsonl(str(varied_articles), str(output), jobs=jobs)
        assert (stats.total, stats.failed) == (ARTICLES + 1, 1)
    assert outputs[1].read_bytes() == outputs[0].read_bytes()
    assert len(outputs[1].read_text(encoding="utf-8").splitlines()) == ARTICLES + 1


def square_in_a_worker(number: int) -> tuple[int, int]:
    time.sleep(0.001)  # long enough that one worker cannot take every chunk before the other starts
    return number * number, os.getpid()


def test_results_come_back_in_order_from_other_processes() -> None:
    results = list(map_in_order(square_in_a_worker, iter(range(500)), processes=2))
    assert [square for square, _ in results] == [number * number for number in range(500)]
    assert os.getpid() not in {pid for _, pid in results} and len({pid for _, pid in results}) == 2


def test_a_caller_that_waits_makes_chunks_itself_in_order_within_the_bound() -> None:
    drawn = 0

    def numbers() -> Iterator[int]:
        nonlocal drawn
        for number in range(3000):
            drawn += 1
            yield number

    results, ahead = [], []
    for result in map_in_order(square_in_a_worker, numbers(), processes=1, chunk_size=16, help_when_waiting=True):
        results.append(result)
        ahead.append(drawn - len(results))
    assert [square for square, _ in results] == [number * number for number in range(3000)]
    made_here = sum(pid == os.getpid() for _, pid in results)
    assert 0 < made_here < 3000 and made_here % 16 == 0  # whole chunks, by both processes
    # Items in hand: the chunks at the worker (4 + none ahead) and at most half as many made here.
    assert max(ahead) <= (4 + 2) * 16


def test_a_chunk_made_by_the_caller_that_fails_ends_the_run() -> None:
    with pytest.raises(ValueError, match="not in the calling process"):
        list(map_in_order(fails_in_the_calling_process, iter(range(1000)), processes=1, chunk_size=16,
                          help_when_waiting=True))


def fails_in_the_calling_process(number: int) -> int:
    if multiprocessing.parent_process() is None:  # (the worker's first chunk takes 16 ms: the caller helps at once)
        raise ValueError(f"{number}: not in the calling process")
    time.sleep(0.001)
    return number


def extractor_that_dies_on_a_marker(text: str, **_: object) -> dict:
    """An extractor whose process dies (as on a segfault or the OOM killer) on one article."""
    if "DIE HERE" in text:
        os._exit(1)
    from extract import extract_record

    return extract_record(text, **_)


def test_a_worker_that_dies_ends_the_run_and_keeps_committed_batches(tmp_path: Path, varied_articles: Path) -> None:
    lines = varied_articles.read_text(encoding="utf-8").splitlines()
    dying = json.dumps({"id": "dies", "url": "https://a.gov.vn/dies", "text": "DIE HERE"})
    source = tmp_path / "articles.jsonl"
    source.write_text("\n".join(lines[:110] + [dying] + lines[110:]) + "\n", encoding="utf-8")
    db_path = tmp_path / "training.db"
    with pytest.raises(BrokenProcessPool):
        ingest(open_database(db_path), source, batch_size=20, extractor=extractor_that_dies_on_a_marker, jobs=2)
    connection = sqlite3.connect(db_path)
    stored = connection.execute("select count(*) from articles").fetchone()[0]
    assert connection.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert 0 < stored < 110 and stored % 20 == 0  # whole batches, all before the article that killed its worker


def _process_state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a live process, from /proc; None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else (int(fields[1]), fields[0])


def test_killing_ingest_ends_its_workers(tmp_path: Path, varied_articles: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the worker processes")
    lines = varied_articles.read_text(encoding="utf-8").splitlines()
    source = tmp_path / "articles.jsonl"
    with source.open("w", encoding="utf-8") as out:  # long enough to be killed mid-way
        for copy in range(10):
            for line in lines:
                entry = json.loads(line)
                if isinstance(entry["url"], str):
                    out.write(json.dumps(dict(entry, url=f"{entry['url']}?copy={copy}"), ensure_ascii=False) + "\n")
    process = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "ingest", str(source), "--jobs", "2",
                                "--db", str(tmp_path / "training.db")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
        workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                   and (_process_state(int(p.name)) or (0, ""))[0] == process.pid]
    assert len(workers) == 2, "the workers did not start"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(_process_state(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _process_state(pid)]
    for pid in survivors:  # leave no process behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "workers outlived the killed ingest"


def fails_on_seven(number: int) -> int:
    if number == 7:
        raise ValueError("seven is not allowed")
    return number


def test_an_exception_in_a_worker_ends_the_run_with_its_message() -> None:
    with pytest.raises(RuntimeError, match="ValueError: seven is not allowed"):
        list(map_in_order(fails_on_seven, iter(range(100)), processes=2))


def test_a_caller_that_stops_reading_early_ends_the_workers() -> None:
    results = map_in_order(square_in_a_worker, iter(range(10_000)), processes=2)
    first = [next(results) for _ in range(40)]
    workers = {pid for _, pid in first}
    results.close()
    for pid in workers:  # ended and reaped: no process of that id is left
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
