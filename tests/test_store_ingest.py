"""Ingest, re-extraction, exports and the schema command, run as the pipeline runs them."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from conftest import ROOT, run_pipeline
from schema.datasette import METADATA_PATH, build_metadata, metadata_yaml
from schema.search_index import SEARCH_INDEXES
from schema.tables import TABLES
from stages.ingest import ingest, reextract
from store import describe_storage_error, open_database, table_counts
from store.rows import InvalidRecord, validate_record

CHILD_COUNTS_SQL = """
select a.url,
  (select count(*) from events e where e.article_id = a.id),
  (select count(*) from mentions m where m.article_id = a.id),
  (select count(*) from event_organizers o where o.article_id = a.id)
from articles a order by a.url
"""


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_store", ROOT / "bench" / "bench_store.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_ingest_twice_leaves_identical_database(tmp_path: Path, ingest_input: tuple[Path, Path]) -> None:
    articles, records = ingest_input
    db_path = tmp_path / "training.db"
    assert run_pipeline("ingest", str(articles), "--records", str(records), "--db", str(db_path)).returncode == 0
    first = dump(db_path)
    second_run = run_pipeline("ingest", str(articles), "--records", str(records), "--db", str(db_path))
    assert second_run.returncode == 0
    assert "0 new, 0 changed" in second_run.stderr
    assert dump(db_path) == first


def _is_valid(record: dict) -> bool:
    try:
        validate_record(record)
    except InvalidRecord:
        return False
    return True


def test_built_database_holds_the_dev_articles(built_db: Path, dev_records: list) -> None:
    db = open_database(built_db)
    counts = table_counts(db)
    valid = [record for _, record in dev_records if _is_valid(record)]
    assert counts["articles"] == len(dev_records)
    assert counts["events"] == sum(len(record["events"]) for record in valid)
    invalid_logged = db.execute("select count(*) from errors where stage = 'ingest'").fetchone()[0]
    assert invalid_logged == len(dev_records) - len(valid)
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_records_file_out_of_order_is_refused(tmp_path: Path, ingest_input: tuple[Path, Path]) -> None:
    articles, records = ingest_input
    reversed_records = tmp_path / "records.jsonl"
    reversed_records.write_text("".join(reversed(records.read_text(encoding="utf-8").splitlines(True))),
                                encoding="utf-8")
    db = open_database(tmp_path / "training.db")
    stats = ingest(db, articles, reversed_records)
    article_urls = [json.loads(line).get("url") for line in articles.read_text(encoding="utf-8").splitlines()]
    record_urls = [json.loads(line).get("url") for line in reversed_records.read_text(encoding="utf-8").splitlines()]
    mismatched = sum(bool(a and r and a != r) for a, r in zip(article_urls, record_urls))
    assert mismatched > 20 and stats.failed == mismatched
    assert "out of order" in db.execute("select message from errors limit 1").fetchone()[0]


def write_varied(dev_records: list, total: int, folder: Path) -> tuple[Path, Path, Path]:
    """articles.jsonl and records.jsonl of `total` varied dev articles, and a reference database
    that holds all of them (ingested in this process)."""
    articles, records = folder / "articles.jsonl", folder / "records.jsonl"
    with articles.open("w", encoding="utf-8") as a, records.open("w", encoding="utf-8") as r:
        for article, record in load_bench().vary(dev_records, total):
            a.write(json.dumps({**article, "text": article.pop("body")}, ensure_ascii=False) + "\n")
            # The extractor echoes the url it was given: the record of the varied copy names the copy.
            r.write(json.dumps(dict(record, url=article["url"]), ensure_ascii=False) + "\n")
    reference = folder / "reference" / "training.db"
    ingest(open_database(reference), articles, records)
    return articles, records, reference


def assert_whole_articles(db_path: Path, reference: Path, total: int) -> None:
    """Some but not all articles are stored, each with exactly the child rows of the full run."""
    reference_children = dict((row[0], row[1:]) for row in sqlite3.connect(reference).execute(CHILD_COUNTS_SQL))
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored_children = [(row[0], row[1:]) for row in connection.execute(CHILD_COUNTS_SQL)]
    finally:
        connection.close()
    assert 0 < len(stored_children) < total
    for url, children in stored_children:
        assert children == reference_children[url], url


def test_killed_ingest_leaves_whole_articles_and_resumes(tmp_path: Path, dev_records: list) -> None:
    total = 3000
    articles, records, reference = write_varied(dev_records, total, tmp_path)

    crashed = tmp_path / "crashed" / "training.db"
    process = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "ingest", str(articles), "--records",
                                str(records), "--db", str(crashed), "--batch-size", "20"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 60
    while stored < 100 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        if crashed.exists():
            try:
                stored = sqlite3.connect(crashed).execute("select count(*) from articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0  # schema not created yet
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "ingest finished before it could be killed"

    assert_whole_articles(crashed, reference, total)
    ingest(open_database(crashed), articles, records)
    assert table_counts(open_database(crashed)) == table_counts(open_database(reference))


@contextmanager
def small_filesystem(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` for the test (needs root: skipped elsewhere, where
    test_a_full_database_is_a_crash_with_its_name simulates the full disk instead)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_ingest_on_a_full_disk_says_so_and_keeps_every_committed_batch(tmp_path: Path, dev_records: list) -> None:
    """A real full disk: a 4 MiB tmpfs, filled by ingest itself; then made larger, and the same
    command completes the database."""
    total = 1500
    articles, records, reference = write_varied(dev_records, total, tmp_path)
    with small_filesystem(tmp_path / "disk", "4m") as disk:
        db_path = disk / "training.db"
        command = ["ingest", str(articles), "--records", str(records), "--db", str(db_path), "--batch-size", "50"]
        full = run_pipeline(*command)
        assert full.returncode == 3, full.stderr
        assert f"Error: disk full while writing {db_path}" in full.stderr and "Traceback" not in full.stderr
        assert_whole_articles(db_path, reference, total)
        subprocess.run(["mount", "-o", "remount,size=512m", str(disk)], check=True)
        resumed = run_pipeline(*command)
        assert resumed.returncode == 0, resumed.stderr
        assert table_counts(open_database(db_path)) == table_counts(open_database(reference))


def test_extract_on_a_full_disk_says_so(tmp_path: Path, ingest_input: tuple[Path, Path]) -> None:
    articles, _ = ingest_input
    with small_filesystem(tmp_path / "disk", "64k") as disk:
        output = disk / "records.jsonl"
        full = run_pipeline("extract", "--input", str(articles), "--output", str(output))
    assert full.returncode == 3 and f"Error: disk full while writing {output}" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr


def test_a_full_database_is_a_crash_with_its_name(tmp_path: Path, dev_records: list) -> None:
    """The full disk simulated where no filesystem can be mounted: PRAGMA max_page_count makes
    SQLite raise SQLITE_FULL ("database or disk is full"), the very error of a full disk."""
    total = 300
    articles, records, reference = write_varied(dev_records, total, tmp_path)
    db_path = tmp_path / "capped" / "training.db"
    db = open_database(db_path)
    room = 800 * 1024 // db.execute("pragma page_size").fetchone()[0]  # 800 KiB beyond what the schema takes
    db.execute(f"pragma max_page_count = {db.execute('pragma page_count').fetchone()[0] + room}")
    with pytest.raises(sqlite3.OperationalError) as raised:
        ingest(db, articles, records, batch_size=20)
    assert describe_storage_error(raised.value, db_path) == \
        f"disk full while writing {db_path} (SQLITE_FULL: database or disk is full)"
    assert db.execute("select count(*) from errors where message like '%full%'").fetchone()[0] == 0  # no article blamed
    db.close()
    assert_whole_articles(db_path, reference, total)
    ingest(open_database(db_path), articles, records)
    assert table_counts(open_database(db_path)) == table_counts(open_database(reference))


def test_reextract_brings_every_article_to_the_current_extractor(tmp_path: Path, ingest_input) -> None:
    from extract import EXTRACTOR_VERSION

    articles, records = ingest_input
    old_records = tmp_path / "old.jsonl"
    with records.open(encoding="utf-8") as source, old_records.open("w", encoding="utf-8") as target:
        for line in source:
            record = json.loads(line)
            target.write(json.dumps(dict(record, extractor_version="0-old", events=[]), ensure_ascii=False) + "\n")
    db = open_database(tmp_path / "training.db")
    ingest(db, articles, old_records)
    assert table_counts(db)["events"] == 0
    assert run_pipeline("reextract", "--db", str(tmp_path / "training.db")).returncode == 0
    db = open_database(tmp_path / "training.db")
    versions = dict(db.execute("select coalesce(extractor_version, 'none'), count(*) from articles group by 1"))
    assert set(versions) <= {EXTRACTOR_VERSION, "none"} and versions.get(EXTRACTOR_VERSION, 0) > 0
    assert table_counts(db)["events"] > 0
    before = dump(tmp_path / "training.db")
    stats = reextract(db)
    assert (stats.new, stats.changed) == (0, 0)
    assert dump(tmp_path / "training.db") == before


def test_export_events_csv_and_jsonl(built_db: Path) -> None:
    events = open_database(built_db).execute("select count(*) from events").fetchone()[0]
    as_csv = run_pipeline("export", "events", "--format", "csv", "--db", str(built_db))
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.returncode == 0 and len(rows) == events
    assert {"event_id", "article_url", "province", "programme", "documents", "participant_quote"} <= set(rows[0])
    as_jsonl = run_pipeline("export", "events", "--format", "jsonl", "--db", str(built_db))
    lines = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    assert len(lines) == events
    cited = [line for line in lines if line["documents"] and "90/QĐ-TTg (2022)" in line["documents"]]
    assert cited and all(line["article_url"] for line in cited)


def test_snapshot_copies_database_with_manifest(tmp_path: Path, built_db: Path) -> None:
    result = run_pipeline("export", "snapshot", "--db", str(built_db), "--out-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    copy = folder / "training.db"
    assert manifest["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    assert manifest["counts"] == table_counts(open_database(built_db))
    assert manifest["counts"]["articles"] == sqlite3.connect(copy).execute("select count(*) from articles").fetchone()[0]
    assert manifest["extractor_versions"] and manifest["created_at"]


def test_schema_command_prints_every_table_and_column() -> None:
    result = run_pipeline("schema")
    assert result.returncode == 0
    for table in TABLES:
        assert f"{table.name}: {table.description}" in result.stdout
        for column in table.columns:
            assert column.description in result.stdout


def test_metadata_yml_is_generated_from_the_descriptions(tmp_path: Path) -> None:
    assert METADATA_PATH.read_text(encoding="utf-8") == metadata_yaml(), \
        "schema/metadata.yml is stale: run `pipeline.py schema --write-metadata`"
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    assert metadata == build_metadata()
    db = open_database(tmp_path / "training.db")
    described = metadata["databases"]["training"]["tables"]
    user_tables = [name for name in db.table_names() + db.view_names()
                   if not name.startswith(tuple(f"{index.name}_" for index in SEARCH_INDEXES))
                   and name != "_sqlite_migrations"]
    assert set(user_tables) == set(described)
    for table in TABLES:
        for column in db[table.name].columns_dict:
            assert described[table.name]["columns"][column], f"{table.name}.{column} has no description"


@pytest.mark.parametrize("options", [[], ["--from-files"], ["--rounds", "2", "--jobs", "1,0"]])
def test_bench_smoke(tmp_path: Path, options: list[str]) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_store.py"), "--n", "200", "--repeats", "2",
                             "--db", str(tmp_path / "training.db"), *options], cwd=ROOT, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    from_files = "--from-files" in options
    assert ("ingest: 200 articles from the input files" if from_files else "ingest: 200 articles: ") in result.stdout
    assert "search:" in result.stdout and "datasette events page, 3 facets:" in result.stdout
    # the pairs' ingest splits its time into the rows and what followed the last batch
    assert ("rows written at" in result.stdout) is not from_files
    # with rounds, each --jobs value's line gives the rate of every round
    ingest_lines = [line for line in result.stdout.splitlines() if line.startswith("ingest:")]
    rounds = [re.search(r"; rounds ([\d,]+), ([\d,]+)/s", line) for line in ingest_lines]
    assert len(ingest_lines) == (2 if "--rounds" in options else 1)
    assert all(rounds) if "--rounds" in options else not any(rounds)
    assert open_database(tmp_path / "training.db").execute("select count(*) from articles").fetchone()[0] == 200


@pytest.mark.parametrize("command", [["serve", "--db", "/nonexistent/x.db"], ["export", "events", "--db", "/nonexistent/x.db"]])
def test_commands_report_missing_database(command: list[str]) -> None:
    result = run_pipeline(*command)
    assert result.returncode != 0 and "no database" in result.stderr


def _failing_on(word: str):
    """The project's extractor, raising on texts that hold `word` (an extractor bug on one article)."""
    from extract import extract_record

    def extractor(text, **kwargs):
        if word in (text or ""):
            raise AttributeError("a bug on this article")
        return extract_record(text, **kwargs)
    return extractor


TRAINING = "Ngày 5/3/2024, UBND huyện Tháp Mười tỉnh Đồng Tháp tổ chức lớp tập huấn cho 50 học viên."


def test_an_article_the_extractor_fails_on_is_counted_and_its_stored_rows_kept(tmp_path: Path) -> None:
    lines = tmp_path / "articles.jsonl"
    lines.write_text("".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in [
        {"url": "https://a.gov.vn/ok", "text": TRAINING},
        {"url": "https://a.gov.vn/later", "text": "LATER " + TRAINING}]), encoding="utf-8")
    db = open_database(tmp_path / "training.db")
    first = ingest(db, lines, extractor=_failing_on("NEVER"))
    assert first.new == 2 and not first.some_failed
    events = db.execute("select count(*) from events").fetchone()[0]
    assert events == 2
    # reextract meets a bug on one article: counted, named in errors, its events kept as they were.
    db.execute("update articles set extractor_version = 'old'")
    db.conn.commit()
    again = reextract(db, extractor=_failing_on("LATER"))
    assert again.not_extracted == 1 and again.some_failed and "1 not extracted" in again.summary()
    assert db.execute("select count(*) from events").fetchone()[0] == events
    [(url, message)] = db.execute("select url, message from errors where stage = 'extract'").fetchall()
    assert url == "https://a.gov.vn/later" and "AttributeError: a bug on this article" in message
    # ingest the same: the article is stored, the failure counted (the command exits 1).
    other = open_database(tmp_path / "other.db")
    stats = ingest(other, lines, extractor=_failing_on("LATER"))
    assert stats.new == 2 and stats.not_extracted == 1 and stats.some_failed
    assert other.execute("select count(*) from events").fetchone()[0] == 1
