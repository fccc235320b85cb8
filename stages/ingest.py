"""Ingest stage: read articles (and their extractor records), write them to the database.

Input articles are JSON lines or a directory of JSON files, each {id, url, text or html,
published?, title?, site?, ...}, read and judged one entry at a time (`stages.jsonl_input`, the
same rule as `extract`): a bad entry is counted, logged to ``errors`` naming its file and line,
and costs nothing else. Their records come from a records file written by `pipeline.py extract`
(same order, one per article) or, when none is given, from running the extractor. Unless `jobs`
is 1, worker processes extract (or, with a records file, parse and pair the lines) and make each
article's rows (`store.prepare`, one round trip per article) and this process only reads the input
and writes; the database is the same whatever `jobs` is.
`reextract` re-derives stored articles from their body text with the current extractor.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from progress import Progress
from stages.jsonl_input import Entry, JsonLine, RawLine, count_entries, entry_of, parse_line, read_entries, read_lines
from stages.workers import map_in_order, worker_processes
from store import (Prepared, for_writer, load_programmes, prepare, record_error, save_prepared_stream, save_stream,
                   with_article_body)
from store.bulk import indexes_deferred, is_bulk_load

log = logging.getLogger("pipeline.ingest")

Extractor = Callable[..., dict]
Pair = tuple[dict, dict | None]  # an article and its extractor record
PROGRAMMES_YML = Path(__file__).resolve().parent.parent / "data" / "programmes.yml"
# Articles per task sent to a worker that only makes rows (~0.15 ms an article): at 16, sending
# and receiving the tasks cost the writer and the worker as much as the work.
ROWS_PER_TASK = 256


@dataclass
class IngestStats:
    """Outcome counts of an ingest or re-extraction run."""

    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    failed: int = 0
    not_extracted: int = 0  # stored (or kept as stored) without a new record: the extractor raised

    @property
    def some_failed(self) -> bool:
        """Whether any entry failed to be stored or extracted (the command then exits 1)."""
        return bool(self.failed or self.not_extracted)

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
                f"{self.invalid} with invalid records, {self.failed} failed"
                + (f", {self.not_extracted} not extracted (see errors)" if self.not_extracted else ""))


def default_extractor() -> Extractor:
    """The project's extractor (`extract.extract_record`), imported only when needed."""
    from extract import extract_record

    return extract_record


def to_article(fields: dict) -> dict:
    """A validated input entry as the article dict save_articles expects (body = text).

    Entries without a URL get "urn:article:<id>" so they still have a stable key. An entry with
    only `html` keeps it for `extract_article`; its body is the plain text the extractor reads
    from it.

    :param fields: Entry.fields: {id, url?, text or html, published?, title?, site?, ...}
    """
    article = {key: value for key, value in fields.items() if key not in ("text", "html", "gold", "notes", "record")}
    article["body"] = fields["text"]
    if fields["text"] is None:
        article["html"] = fields["html"]
    article["url"] = fields.get("url") or f"urn:article:{fields.get('id')}"
    return article


def extract_article(extractor: Extractor, article: dict) -> tuple[dict, dict | None, str | None]:
    """Run the extractor on one article (in a worker process when extraction is parallel).

    :param extractor: function(text, url=, published=) -> record; for an article with only HTML,
        function(None, html=, url=, published=), whose record carries the plain `text`
    :param article: url, body (or html when the entry had no text), published, ...
    :return: the article (its body the record's text when it had only HTML), the record, and the
        problem when the extractor raised or reported an error (record None)
    """
    html = article.get("html")
    if html is not None:
        article = _without_html(article)
    try:
        if html is not None:
            record = extractor(None, html=html, url=article.get("url"), published=article.get("published"))
            article["body"] = record.get("text") if isinstance(record.get("text"), str) else None
        else:
            record = extractor(article["body"], url=article.get("url"), published=article.get("published"))
    except Exception as error:  # an extractor bug must not stop the batch
        return article, None, f"{type(error).__name__}: {error}"
    if record is not None and record.get("error"):
        return article, None, str(record["error"])
    return article, record, None


def _without_html(article: dict) -> dict:
    return {key: value for key, value in article.items() if key != "html"}


def warm_up(extractor: Extractor) -> None:
    """Load the extractor's reference data in this process (before worker processes fork, so
    they share it instead of each loading it)."""
    extractor("Ngày 5/3/2024, UBND tỉnh Đồng Tháp tổ chức tập huấn cho 85 cán bộ.", url=None, published=None)
    warm_up_prepare()


def warm_up_prepare() -> None:
    """Load what `store.prepare` reads (the record schema's validators, the title vocabulary) in
    this process, before worker processes fork."""
    prepare({"url": "urn:article:warm-up", "title": "Tập huấn …", "body": "Tập huấn\nTập huấn cán bộ"}, {})


def store_pairs(db: sqlite_utils.Database, pairs: Iterable[Pair], batch_size: int = 2000, jobs: int = 1,
                stage: str = "ingest", expected: int | None = None) -> Iterator[list[str]]:
    """Store (article, record) pairs, one transaction per batch; unless `jobs` is 1 their rows
    are made in worker processes (two batches ahead of the writer) and this process only writes. A
    bulk load (`store.bulk`) builds the indexes only readers use after its last batch.

    :param db: open database
    :param pairs: (article, record) pairs, read in the calling thread
    :param batch_size: articles per transaction
    :param jobs: 1 prepares rows in this process (in a thread beside the writer), N in N worker
        processes, 0 in one per core but the writer's (at least one: `worker_processes`); the
        writer makes rows too whenever the next ones are not back yet (`map_in_order`'s
        help_when_waiting: 6% of them at 300,000 articles, when it had waited 12% of its time)
    :param stage: stage name written to errors rows
    :param expected: how many pairs there are, when known (a bulk load is a large one)
    :return: the statuses of each batch, in order, as it is committed
    """
    processes = worker_processes(jobs, writer_core=True)
    if processes == 0:
        return in_bulk(db, expected, save_stream(db, pairs, batch_size, stage))
    sent: deque[Pair] = deque()  # the pairs in the workers' hands, in order: their rows come back without the body

    def sending() -> Iterator[Pair]:
        for pair in pairs:
            sent.append(pair)
            yield pair

    prepared = (with_article_body(item, sent.popleft()[0])
                for item in map_in_order(_prepare_pair, sending(), processes, warm_up=warm_up_prepare,
                                         ahead=2 * batch_size, chunk_size=ROWS_PER_TASK, help_when_waiting=True))
    return in_bulk(db, expected, save_prepared_stream(db, prepared, batch_size, stage))


def in_bulk(db: sqlite_utils.Database, expected: int | None, batches: Iterator[list[str]]) -> Iterator[list[str]]:
    """The batches of a load of `expected` articles, written as a bulk load when it is one
    (`store.bulk.is_bulk_load`: its indexes for readers built after the last batch)."""
    with indexes_deferred(db, is_bulk_load(db, expected)):
        yield from batches


def _prepare_pair(pair: Pair) -> Prepared:
    return for_writer(prepare(*pair), body_held=True)


@dataclass
class Extracted:
    """One article's extraction, as it comes back from a worker process.

    :param where: the input file and line, or None (reextract)
    :param url: the article's url
    :param problem: why the extractor failed (the record is then None)
    :param extractor_version: the record's, when there is one
    :param item: the (article, record) pair, or its `Prepared` rows when made in the worker
    """

    where: str | None
    url: str
    problem: str | None
    extractor_version: str | None
    item: Pair | Prepared


def _extract_one(extractor: Extractor, prepared: bool, located: tuple[str | None, dict]) -> Extracted:
    """Extract one (where, article); with `prepared`, make its rows too (in the same worker call,
    so the article crosses between processes once each way)."""
    where, article = located
    article, record, problem = extract_article(extractor, article)
    version = record.get("extractor_version") if isinstance(record, dict) else None
    item = for_writer(prepare(article, record)) if prepared else (article, record)
    return Extracted(where, article["url"], problem, version, item)


def _extract_and_store(db: sqlite_utils.Database, located: Iterable[tuple[str | None, dict]], extractor: Extractor,
                       jobs: int, batch_size: int, stats: IngestStats, stage: str,
                       on_extracted: Callable[[Extracted], None] = lambda extracted: None) -> Iterator[list[str]]:
    """Extract (where, article) items in `jobs` processes (two batches ahead of the writer, so they
    extract the next batch while it is written), log the extractor's failures, store the rest.

    :param on_extracted: called with each result before it is stored
    :return: the statuses of each batch as it is committed
    """
    processes = worker_processes(jobs)
    in_workers = processes > 0
    results = map_in_order(partial(_extract_one, extractor, in_workers), located, processes,
                           warm_up=partial(warm_up, extractor), ahead=2 * batch_size)

    def logged() -> Iterator[Pair | Prepared]:
        for extracted in results:
            if extracted.problem is not None:  # an article already stored keeps its record and rows
                where = f"{extracted.where}: " if extracted.where else ""
                record_error(db, extracted.url, "extract", where + extracted.problem)
                stats.not_extracted += 1
            on_extracted(extracted)
            yield extracted.item

    if in_workers:
        return save_prepared_stream(db, logged(), batch_size, stage)
    return save_stream(db, logged(), batch_size, stage)


def ingest(db: sqlite_utils.Database, articles_path: str | Path, records_path: str | Path | None = None,
           batch_size: int = 2000, extractor: Extractor | None = None, jobs: int = 1) -> IngestStats:
    """Store every article of a file or directory with its record.

    Batches of `batch_size` articles are written in one transaction each, so an interrupted
    run leaves whole articles only and can simply be run again. The database is the same
    whatever `jobs` is.

    :param db: open database
    :param articles_path: JSON-lines file or directory of JSON files
    :param records_path: JSON lines of extractor records in the same order, or None to extract
    :param batch_size: articles per transaction
    :param extractor: function(text, url=, published=) -> record; default the project's extractor
        (picklable, i.e. module-level, when jobs is not 1)
    :param jobs: processes that extract (when there are no records) or parse the lines of both
        files (`_store_paired`), and make the rows; 1 does it all in this process, 0 uses one
        per core
    :return: counts by outcome; entries that could not be read count as failed
    :raises InputUnreadable: when an input file cannot be opened
    """
    if PROGRAMMES_YML.exists():
        load_programmes(db, PROGRAMMES_YML)
    stats = IngestStats()
    progress = Progress("articles ingested", total=count_entries(articles_path))
    if records_path is not None:
        batches = in_bulk(db, progress.total, _store_paired(db, articles_path, records_path, batch_size, jobs, stats,
                                                            progress))
    else:
        located = ((entry.where, article) for entry, article in _accepted(db, read_entries(articles_path), stats,
                                                                          progress) if article is not None)
        batches = in_bulk(db, progress.total, _extract_and_store(db, located, extractor or default_extractor(), jobs,
                                                                  batch_size, stats, "ingest"))
    for statuses in batches:
        for status in statuses:
            stats.count(status)
        progress.advance(len(statuses), failed=_problems(statuses))
    progress.close()
    return stats


def _accepted(db: sqlite_utils.Database, entries: Iterable[Entry], stats: IngestStats,
              progress: Progress) -> Iterator[tuple[Entry, dict | None]]:
    """(entry, article) for every entry; article None for a refused entry, which is logged and counted."""
    for entry in entries:
        if entry.fields is None:
            _skip(db, entry.url, entry.message, stats, progress)
            yield entry, None
        else:
            yield entry, to_article(entry.fields)


@dataclass
class Paired:
    """An input entry with the record of its position in the records file (`pair_with_record`):
    what to store, or why it is not stored.

    :param url: the article's url (or the entry's, when it could be read), for an errors row
    :param item: the (article, record) pair, or its `Prepared` rows when made in a worker; None
        when the entry is refused
    :param refused: why the entry is not stored (logged as stage "ingest", counted as failed)
    :param record_failed: the failure its record reports (logged as stage "extract"; the article
        is stored without a record)
    """

    url: str | None
    item: Pair | Prepared | None
    refused: str | None = None
    record_failed: str | None = None


def pair_with_record(entry: Entry, line: JsonLine | None) -> Paired:
    """The one rule that pairs an entry with the record of the same position in the records file
    (one per non-blank entry line, refused entries included, as `pipeline.py extract` writes them).

    :param entry: an input entry (`stages.jsonl_input.entry_of`)
    :param line: the parsed records line of the same position, None when the records file ended
    """
    if entry.fields is None:
        return Paired(entry.url, None, entry.message)
    article = to_article(entry.fields)
    url = article["url"]
    if line is None:
        return Paired(url, None, f"{entry.where}: the records file has no record for this article")
    record = line.value
    if line.problem is not None or not isinstance(record, dict):
        return Paired(url, None, f"{entry.where}: its record ({line.where}) cannot be read: "
                                 f"{line.problem or 'not a JSON object'}")
    mismatch = next((key for key in ("id", "url")  # the extractor echoes the url, and the id when it has one
                     if record.get(key) is not None and entry.fields.get(key) is not None
                     and str(record[key]) != str(entry.fields[key])), None)
    if mismatch:
        return Paired(url, None, f"{entry.where}: record {mismatch} {record[mismatch]!r} ({line.where}) does not "
                                 f"match the article's {entry.fields[mismatch]!r}: records file out of order")
    if article["body"] is None:  # an HTML entry: the record carries the text its spans point into
        article = _without_html(article) | {"body": record.get("text") if isinstance(record.get("text"), str)
                                            else None}
    if record.get("error"):
        return Paired(url, (article, None), record_failed=f"{line.where}: {record['error']}")
    return Paired(url, (article, record))


def paired_lines(entry_line: RawLine, record_line: RawLine | None) -> Paired:
    """An entry line and its record line, parsed and paired (`pair_with_record`).

    :param entry_line: a line of the articles file (`stages.jsonl_input.read_lines`)
    :param record_line: the records file's line of the same position, None when it ended
    """
    return pair_with_record(entry_of(parse_line(entry_line)), None if record_line is None else parse_line(record_line))


def _pair_and_prepare(lines: tuple[RawLine, RawLine | None]) -> Paired:
    """`paired_lines` and the article's rows (in a worker process: the writer only reads the lines
    and writes the rows)."""
    paired = paired_lines(*lines)
    if paired.item is not None:
        paired.item = for_writer(prepare(*paired.item))
    return paired


def _store_paired(db: sqlite_utils.Database, articles_path: str | Path, records_path: str | Path, batch_size: int,
                  jobs: int, stats: IngestStats, progress: Progress) -> Iterator[list[str]]:
    """Store the entries of an articles file with the records of a records file, one transaction
    per batch. Unless `jobs` is 1, worker processes parse the lines, pair them and make the rows,
    and this process reads the lines and writes (parsing a line here and sending its article and
    record to a worker as objects cost the writer half its time).

    :return: the statuses of each batch, in order, as it is committed
    """
    # The workers parse, pair and prepare (about 300 us an article), a little more than the writer
    # does; 0 leaves the writer a core of its own, and it makes rows itself whenever the next ones
    # are not back yet (bench_store --from-files, 2 cores, 100,000 articles, 5 alternating runs:
    # 3,630 articles/s on average so, 3,384 with a worker on each core and a writer that waited).
    processes = worker_processes(jobs, writer_core=True)
    records = read_lines(records_path)
    lines = ((entry_line, next(records, None)) for entry_line in read_lines(articles_path))
    if processes == 0:
        return save_stream(db, _kept(db, (paired_lines(*pair) for pair in lines), stats, progress), batch_size)
    paired = map_in_order(_pair_and_prepare, lines, processes, warm_up=warm_up_prepare, ahead=2 * batch_size,
                          chunk_size=ROWS_PER_TASK, help_when_waiting=True)
    return save_prepared_stream(db, _kept(db, paired, stats, progress), batch_size)


def _kept(db: sqlite_utils.Database, paired: Iterable[Paired], stats: IngestStats,
          progress: Progress) -> Iterator[Pair | Prepared]:
    """The items to store; the refused entries and the failures records report are logged (and
    the refused counted)."""
    for outcome in paired:
        if outcome.record_failed is not None:
            record_error(db, outcome.url, "extract", outcome.record_failed)
        if outcome.item is None:
            _skip(db, outcome.url, outcome.refused, stats, progress)
        else:
            yield outcome.item


def _skip(db: sqlite_utils.Database, url: str | None, message: str, stats: IngestStats, progress: Progress) -> None:
    log.warning("skipped %s", message)
    record_error(db, url, "ingest", message)
    stats.count("failed")
    progress.advance(failed=1)


def _problems(statuses: list[str]) -> int:
    """How many save_articles statuses report an invalid record or a failure."""
    return sum(status not in ("new", "changed", "unchanged") for status in statuses)


def reextract(db: sqlite_utils.Database, batch_size: int = 200, extractor: Extractor | None = None,
              extractor_version: str | None = None, jobs: int = 1) -> IngestStats:
    """Re-derive events and mentions of every article not yet processed by this extractor version.

    Works from the stored body text. Each batch commits with the new extractor_version, so an
    interrupted run resumes where it stopped. The database is the same whatever `jobs` is.

    :param db: open database
    :param batch_size: articles per transaction
    :param extractor: function(text, url=, published=) -> record; default the project's extractor
        (picklable, i.e. module-level, when jobs is not 1)
    :param extractor_version: version to bring articles to; default: what the extractor reports
    :param jobs: processes that extract and prepare rows; 1 does both in this process, 0 uses one per core
    :return: counts by outcome (re-derived articles count as "unchanged")
    """
    extract = extractor or default_extractor()
    if extractor is None and extractor_version is None:
        from extract import EXTRACTOR_VERSION

        extractor_version = EXTRACTOR_VERSION
    target = {"version": extractor_version}  # learnt from the first record when not given
    stats = IngestStats()
    pending = db.execute("select count(*) from articles where extractor_version is not ?",
                         [extractor_version]).fetchone()[0] if extractor_version else None
    progress = Progress("articles re-extracted", total=pending)

    def stored() -> Iterator[dict]:
        last_id = 0
        while rows := list(db.query(
                "select id, url, title, published, body, content_hash from articles "
                "where id > ? and (? is null or extractor_version is not ?) order by id limit ?",
                [last_id, target["version"], target["version"], batch_size])):
            last_id = rows[-1]["id"]
            for row in rows:
                yield {key: row[key] for key in ("url", "title", "published", "body", "content_hash")}

    def learn_version(extracted: Extracted) -> None:
        if extracted.problem is None and target["version"] is None:
            target["version"] = extracted.extractor_version

    located = ((None, article) for article in stored())
    for statuses in _extract_and_store(db, located, extract, jobs, batch_size, stats, "reextract", learn_version):
        for status in statuses:
            stats.count(status)
        progress.advance(len(statuses), failed=_problems(statuses))
    progress.close()
    return stats
