"""Ingest stage: read articles (and their extractor records), write them to the database.

Input articles are JSON lines or a directory of JSON files, each {id, url, text, published?,
title?, site?, ...}. Their records come from a records file written by `pipeline.py extract`
(same order, one per article) or, when none is given, from running the extractor.
`reextract` re-derives stored articles from their body text with the current extractor.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from progress import Progress
from store import load_programmes, record_error, save_articles, save_stream

log = logging.getLogger("pipeline.ingest")

Extractor = Callable[..., dict]
PROGRAMMES_YML = Path(__file__).resolve().parent.parent / "data" / "programmes.yml"


@dataclass
class IngestStats:
    """Outcome counts of an ingest or re-extraction run."""

    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    failed: int = 0

    def count(self, status: str) -> None:
        """Count one save_articles status ("new", "changed+invalid", "failed", ...)."""
        self.total += 1
        base, _, flag = status.partition("+")
        setattr(self, base, getattr(self, base) + 1)
        if flag == "invalid":
            self.invalid += 1

    def summary(self) -> str:
        """One line for the command line."""
        return (f"{self.total} articles: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
                f"{self.invalid} with invalid records, {self.failed} failed")


def default_extractor() -> Extractor:
    """The project's extractor (`extract.extract_record`), imported only when needed."""
    from extract import extract_record

    return extract_record


def count_articles(path: str | Path) -> int:
    """How many entries `read_articles` will yield (for the progress ETA).

    :param path: file or directory
    """
    path = Path(path)
    if path.is_dir():
        return sum(1 for _ in path.glob("*.json"))
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def read_articles(path: str | Path) -> Iterator[dict | str]:
    """Articles from a JSON-lines file or a directory of *.json files, in order.

    :param path: file or directory
    :return: article dicts; a string (the problem) for an entry that cannot be read
    """
    path = Path(path)
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            try:
                yield json.loads(file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as error:
                yield f"{file}: {error}"
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    yield f"{path}:{number}: {error}"


def to_article(entry: dict) -> dict:
    """An input entry as the article dict save_articles expects (body = text).

    Entries without a URL get "urn:article:<id>" so they still have a stable key.

    :param entry: {id, url?, text, published?, title?, site?, ...}
    :raises ValueError: when the entry has neither text nor body
    """
    body = entry.get("text", entry.get("body"))
    if not isinstance(body, str):
        raise ValueError(f"entry {entry.get('id')!r} has no text")
    article = {key: value for key, value in entry.items() if key not in ("text", "gold", "notes", "record")}
    article["body"] = body
    article["url"] = entry.get("url") or f"urn:article:{entry.get('id')}"
    return article


def ingest(db: sqlite_utils.Database, articles_path: str | Path, records_path: str | Path | None = None,
           batch_size: int = 2000, extractor: Extractor | None = None) -> IngestStats:
    """Store every article of a file or directory with its record.

    Batches of `batch_size` articles are written in one transaction each, so an interrupted
    run leaves whole articles only and can simply be run again.

    :param db: open database
    :param articles_path: JSON-lines file or directory of JSON files
    :param records_path: JSON lines of extractor records in the same order, or None to extract
    :param batch_size: articles per transaction
    :param extractor: function(text, url=, published=) -> record; default the project's extractor
    :return: counts by outcome
    """
    if PROGRAMMES_YML.exists():
        load_programmes(db, PROGRAMMES_YML)
    records = _read_records(records_path) if records_path else None
    extract = None if records is not None else (extractor or default_extractor())
    stats = IngestStats()
    progress = Progress("articles ingested", total=count_articles(articles_path))
    for statuses in save_stream(db, _pairs(db, articles_path, records, extract, stats), batch_size):
        for status in statuses:
            stats.count(status)
        progress.advance(len(statuses), failed=_problems(statuses))
    progress.close()
    return stats


def _pairs(db: sqlite_utils.Database, articles_path: str | Path, records: Iterator[dict | None] | None,
           extract: Extractor | None, stats: IngestStats) -> Iterator[tuple[dict, dict | None]]:
    """(article, record) for every readable input entry; the others are logged and counted."""
    for entry in read_articles(articles_path):
        record = next(records, None) if records is not None else None
        item = _pair_for(db, entry, record, extract, records is not None, stats)
        if item is not None:
            yield item


def _read_records(path: str | Path) -> Iterator[dict | None]:
    """Records file lines as dicts (None for an unreadable line)."""
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield None


def _pair_for(db: sqlite_utils.Database, entry: dict | str, record: dict | None, extract: Extractor | None,
             from_file: bool, stats: IngestStats) -> tuple[dict, dict | None] | None:
    """(article, record) for one input entry, or None after logging why it is skipped."""
    if isinstance(entry, str):
        return _skip(db, None, entry, stats)
    try:
        article = to_article(entry)
    except ValueError as error:
        return _skip(db, entry.get("url"), str(error), stats)
    if from_file:
        if record is None:
            return _skip(db, article["url"], "records file has no readable record for this article", stats)
        for key in ("id", "url"):  # the extractor echoes the url it was given, and the id when it has one
            if record.get(key) is not None and entry.get(key) is not None and str(record[key]) != str(entry[key]):
                return _skip(db, article["url"], f"record {key} {record[key]!r} does not match the article's "
                                                 f"{entry[key]!r}: records file out of order", stats)
    else:
        record = _run_extractor(db, extract, article)
    return article, _usable(db, article["url"], record)


def _run_extractor(db: sqlite_utils.Database, extract: Extractor, article: dict) -> dict | None:
    """The extractor's record for an article; None (and an errors row) when it raises."""
    try:
        return extract(article["body"], url=article.get("url"), published=article.get("published"))
    except Exception as error:  # an extractor bug must not stop the batch
        record_error(db, article["url"], "extract", f"{type(error).__name__}: {error}")
        return None


def _usable(db: sqlite_utils.Database, url: str, record: dict | None) -> dict | None:
    """The record, or None (and an errors row) when the extractor reported that it failed."""
    if record is not None and record.get("error"):
        record_error(db, url, "extract", record["error"])
        return None
    return record


def _skip(db: sqlite_utils.Database, url: str | None, message: str, stats: IngestStats) -> None:
    log.warning("skipped %s: %s", url or "entry", message)
    record_error(db, url, "ingest", message)
    stats.count("failed")
    return None


def _problems(statuses: list[str]) -> int:
    """How many save_articles statuses report an invalid record or a failure."""
    return sum(status not in ("new", "changed", "unchanged") for status in statuses)


def reextract(db: sqlite_utils.Database, batch_size: int = 200, extractor: Extractor | None = None,
              extractor_version: str | None = None) -> IngestStats:
    """Re-derive events and mentions of every article not yet processed by this extractor version.

    Works from the stored body text. Each batch commits with the new extractor_version, so an
    interrupted run resumes where it stopped.

    :param db: open database
    :param batch_size: articles per transaction
    :param extractor: function(text, url=, published=) -> record; default the project's extractor
    :param extractor_version: version to bring articles to; default: what the extractor reports
    :return: counts by outcome (re-derived articles count as "unchanged")
    """
    extract = extractor or default_extractor()
    if extractor is None and extractor_version is None:
        from extract import EXTRACTOR_VERSION

        extractor_version = EXTRACTOR_VERSION
    stats = IngestStats()
    pending = db.execute("select count(*) from articles where extractor_version is not ?",
                         [extractor_version]).fetchone()[0] if extractor_version else None
    progress = Progress("articles re-extracted", total=pending)
    last_id = 0
    while True:
        rows = list(db.query(
            "select id, url, title, published, body, content_hash from articles "
            "where id > ? and (? is null or extractor_version is not ?) order by id limit ?",
            [last_id, extractor_version, extractor_version, batch_size]))
        if not rows:
            break
        last_id = rows[-1]["id"]
        batch = []
        for row in rows:
            article = {key: row[key] for key in ("url", "title", "published", "body", "content_hash")}
            record = _usable(db, row["url"], _run_extractor(db, extract, article))
            if record is not None and extractor_version is None:
                extractor_version = record["extractor_version"]
            batch.append((article, record))
        statuses = save_articles(db, batch, stage="reextract")
        for status in statuses:
            stats.count(status)
        progress.advance(len(statuses), failed=_problems(statuses))
    progress.close()
    return stats
