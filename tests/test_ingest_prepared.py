"""Rows made in worker processes and written by one (`store_pairs`, `ingest --jobs`) give exactly
the database of the in-process path (issue 13, item 3)."""
from __future__ import annotations

import json
import os
import pickle
import sqlite3
from pathlib import Path

import pytest

from stages import ingest as ingest_stage
from stages.ingest import ingest, store_pairs
from store import for_writer, open_database, prepare, save_prepared, table_counts, with_article_body

from test_ingest_parallel import database_content
from test_store_ingest import load_bench

ARTICLES = 90
BAD_AT, INVALID_AT = 31, 57  # positions of an article that cannot be stored and of an invalid record


def errors_of(path: Path) -> list[tuple]:
    """The errors rows without their ids and times (ids follow the order rows are written in,
    which the worker processes' reading ahead may change)."""
    db = open_database(path)
    try:
        return sorted(db.execute("select url, stage, message from errors").fetchall())
    finally:
        db.close()


@pytest.fixture(scope="module")
def pairs(dev_records: list) -> list[tuple[dict, dict | None]]:
    """Varied dev articles with their records; one without a body, one with a record that
    violates the schema."""
    varied = list(load_bench().vary(dev_records, ARTICLES))
    article, record = varied[BAD_AT]
    varied[BAD_AT] = (dict(article, body=None), None)
    article, record = varied[INVALID_AT]
    varied[INVALID_AT] = (article, dict(record, is_training="yes"))
    return varied


def store(path: Path, pairs: list, jobs: int, batch_size: int = 20) -> list[str]:
    db = open_database(path)
    try:
        return [status for batch in store_pairs(db, iter(pairs), batch_size, jobs) for status in batch]
    finally:
        db.close()


def test_rows_made_in_worker_processes_store_what_one_process_stores(tmp_path: Path, pairs: list) -> None:
    databases = {jobs: tmp_path / f"jobs{jobs}.db" for jobs in (1, 2)}
    statuses = {jobs: store(path, pairs, jobs) for jobs, path in databases.items()}
    assert statuses[1] == statuses[2]
    assert statuses[2][BAD_AT] == "failed" and statuses[2][INVALID_AT] == "new+invalid"
    assert statuses[2].count("new") == ARTICLES - 2
    one, two = database_content(databases[1]), database_content(databases[2])
    assert len(one["articles"]) == ARTICLES - 1 and len(one["events"]) > ARTICLES // 2 and one["mentions"]
    assert {table: rows for table, rows in one.items() if table != "errors"} == \
        {table: rows for table, rows in two.items() if table != "errors"}
    errors = errors_of(databases[2])
    assert errors == errors_of(databases[1]) and len(errors) == 2
    bad_url, invalid_url = pairs[BAD_AT][0]["url"], pairs[INVALID_AT][0]["url"]
    assert [url for url, _, _ in errors] == sorted([bad_url, invalid_url])
    assert any(url == bad_url and "no body text" in message for url, _, message in errors)
    # Again: nothing changes, every stored article is "unchanged", the bad one fails again.
    again = store(databases[2], pairs, 2)
    assert again.count("unchanged") == ARTICLES - 2 and again[BAD_AT] == "failed"
    assert {table: rows for table, rows in database_content(databases[2]).items() if table != "errors"} == \
        {table: rows for table, rows in two.items() if table != "errors"}


def test_what_crosses_to_the_writer_is_written_as_the_whole_prepared_article(tmp_path: Path, pairs: list) -> None:
    items = [prepare(article, record) for article, record in pairs[:30]]
    sent = [pickle.dumps(for_writer(item)) for item in items]
    assert sum(map(len, sent)) < sum(len(pickle.dumps(item)) for item in items)
    sent = [pickle.loads(data) for data in sent]
    databases = {"whole": (tmp_path / "whole.db", items), "sent": (tmp_path / "sent.db", sent)}
    for path, batch in databases.values():
        db = open_database(path)
        save_prepared(db, batch)
        db.close()
    whole, slim = (database_content(path) for path, _ in databases.values())
    assert whole == slim and len(whole["mentions"]) > 10 and whole["event_organizers"]


def test_a_body_the_writer_holds_does_not_cross_back(tmp_path: Path, pairs: list) -> None:
    sent_pairs = [pickle.loads(pickle.dumps(pair)) for pair in pairs[:30]]  # as a worker receives them
    # One article's record carries the text its spans point into (given HTML): that body differs from the article's.
    article, record = sent_pairs[5]
    sent_pairs[5] = (dict(article, body=f"<p>{article['body']}</p>"), dict(record, text=article["body"]))
    items = [prepare(article, record) for article, record in sent_pairs]
    held = [pickle.dumps(for_writer(item, body_held=True)) for item in items]
    whole = [pickle.dumps(for_writer(item)) for item in items]
    assert all(len(h) < len(w) - len(item.row["body"]) for h, w, item in zip(held, whole, items) if item is not items[5])
    assert len(held[5]) == len(whole[5])  # the record's text crosses: the writer does not hold it
    received = [with_article_body(pickle.loads(data), article) for data, (article, _) in zip(held, pairs[:30])]
    assert [item.values for item in received] == [item.values for item in items]
    databases = {"whole": (tmp_path / "whole.db", [pickle.loads(data) for data in whole]),
                 "held": (tmp_path / "held.db", received)}
    for path, batch in databases.values():
        db = open_database(path)
        save_prepared(db, batch)
        db.close()
    stored, with_held = (database_content(path) for path, _ in databases.values())
    assert stored == with_held and len(stored["articles"]) == 30
    assert sum(pairs[5][0]["body"] in row for row in stored["articles"]) == 1  # the record's text, not the HTML


# Lines of the input files that the pairing refuses or stores without a record (`pair_with_record`).
NOT_JSON_RECORD, NOT_JSON_ENTRY, OUT_OF_ORDER, FAILED_RECORD, HTML_ENTRY = 3, 7, 11, 13, 17


def test_ingest_of_a_records_file_with_two_jobs_stores_what_one_job_stores(tmp_path: Path, pairs: list) -> None:
    """The worker processes parse and pair the lines (`_pair_and_prepare`); one job does it here."""
    articles, records = tmp_path / "articles.jsonl", tmp_path / "records.jsonl"
    with articles.open("w", encoding="utf-8") as article_lines, records.open("w", encoding="utf-8") as record_lines:
        for number, (article, record) in enumerate(pairs):
            if number == BAD_AT:
                continue
            entry = {"id": f"a{number}", "url": article["url"], "published": article["published"],
                     "text": article["body"]}
            record = dict(record, id=f"a{number}", url=article["url"])  # as the extractor echoes them
            if number == HTML_ENTRY:
                entry, record = entry | {"text": None, "html": f"<p>{article['body']}</p>"}, record | {
                    "text": article["body"]}
            if number == OUT_OF_ORDER:
                record["id"] = "a999"
            if number == FAILED_RECORD:
                record = {"id": f"a{number}", "url": article["url"], "error": "extractor timed out"}
            article_lines.write(("{not json" if number == NOT_JSON_ENTRY else json.dumps(entry, ensure_ascii=False))
                                + "\n")
            if number == 40:
                article_lines.write("\n")
                record_lines.write("  \n")
            if number < ARTICLES - 1:  # the records file has none for the last article
                record_lines.write(("{not json" if number == NOT_JSON_RECORD else json.dumps(record, ensure_ascii=False))
                                   + "\n")
    databases = {jobs: tmp_path / f"ingest{jobs}.db" for jobs in (1, 2)}
    refused = 4  # a record that is not JSON, an entry that is not, a record out of order, the last without one
    for jobs, path in databases.items():
        db = open_database(path)
        stats = ingest(db, articles, records, batch_size=16, jobs=jobs)
        assert (stats.total, stats.new, stats.invalid, stats.failed) == (ARTICLES - 1, ARTICLES - 1 - refused, 1,
                                                                         refused)
        assert table_counts(db)["articles"] == ARTICLES - 1 - refused
        db.close()
    content = database_content(databases[2])
    assert database_content(databases[1]) == content
    messages = [message for _, url, stage, message in content["errors"]]
    assert [(stage, message.split(":")[0]) for _, url, stage, message in content["errors"]] == [
        ("ingest", f"{articles} line {NOT_JSON_RECORD + 1}"), ("ingest", f"{articles} line {NOT_JSON_ENTRY + 1}"),
        ("ingest", f"{articles} line {OUT_OF_ORDER + 1}"), ("extract", f"{records} line {FAILED_RECORD + 1}"),
        ("ingest", "record violates record.schema.json (1 errors)"), ("ingest", f"{articles} line {ARTICLES}")]
    assert "cannot be read" in messages[0] and "bad JSON" in messages[1] and "out of order" in messages[2]
    assert "extractor timed out" in messages[3] and "no record for this article" in messages[5]
    stored = {url: body for url, body in sqlite3.connect(databases[2]).execute("select url, body from articles")}
    assert stored[pairs[HTML_ENTRY][0]["url"]] == pairs[HTML_ENTRY][0]["body"]  # the record's text, not the HTML
    assert pairs[FAILED_RECORD][0]["url"] in stored


def test_with_workers_the_writer_parses_no_line(tmp_path: Path, pairs: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing the lines and sending the articles and records to the workers as objects was half
    of the writer's time: the workers are sent the lines."""
    articles, records = tmp_path / "articles.jsonl", tmp_path / "records.jsonl"
    articles.write_text("".join(json.dumps({"url": article["url"], "text": article["body"]}, ensure_ascii=False) + "\n"
                                for article, _ in pairs[:30]), encoding="utf-8")
    records.write_text("".join(json.dumps(dict(record, url=article["url"]), ensure_ascii=False) + "\n"
                               for article, record in pairs[:30]), encoding="utf-8")
    parsed_here = []
    real_parse = ingest_stage.parse_line
    monkeypatch.setattr(ingest_stage, "parse_line", lambda line: parsed_here.append(os.getpid()) or real_parse(line))
    for jobs, expected in ((2, 0), (1, 60)):  # (the workers' calls are counted in their own copies)
        db = open_database(tmp_path / f"jobs{jobs}.db")
        assert ingest(db, articles, records, batch_size=16, jobs=jobs).new == 30
        db.close()
        assert parsed_here.count(os.getpid()) == expected, jobs
