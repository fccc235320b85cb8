"""Save articles with everything derived from their extractor records, in batched transactions.

Writes are idempotent: saving the same article and record again changes nothing. A changed body
makes a new version (the old one goes to article_versions) and replaces the derived rows in the
same transaction. A record that violates schema/record.schema.json is not written: the article
is kept without derived rows and the violation goes to ``errors``.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

import sqlite_utils

from schema.search_index import delete_rows, insert_rows, search_values
from schema.tables import TABLES_BY_NAME
from store.corrections import apply_corrections
from store.database import describe_storage_error, utc_now, write_transaction
from store.rows import DerivedRows, InvalidRecord, article_row, derive_rows, validate_record
from store.runs import insert_error, record_error

log = logging.getLogger("pipeline.store")

FETCH_COLUMNS = ("fetched_at", "etag", "last_modified", "http_status", "warc_file", "warc_offset")
MERGED_TABLES = {"places": "code", "programmes": "id", "documents": "id"}
# Columns written for a new article (after id and version), in this order.
ARTICLE_VALUE_COLUMNS = tuple(c for c in TABLES_BY_NAME["articles"].column_names() if c not in ("id", "version"))
# Columns written for the rows that belong to one article: article id, then the event id (the
# id of an event, the event of an organiser or mention), then the rest.
CHILD_COLUMNS = {
    table: ("article_id", event_column,
            *(c for c in TABLES_BY_NAME[table].column_names() if c not in ("id", "article_id", event_column)))
    for table, event_column in (("events", "id"), ("event_organizers", "event_id"), ("mentions", "event_id"))
}




def save_article(db: sqlite_utils.Database, article: dict, record: dict | None) -> str:
    """Store one crawled article and everything derived from its extractor record, atomically.

    :param db: open database
    :param article: url (canonical), site (domain), title, published, byline, body,
        content_hash, warc_file, warc_offset, fetched_at, etag, last_modified, http_status
    :param record: extractor output for the body, or None when not extracted yet
    :return: "new", "unchanged" or "changed"; with the suffix "+invalid" when the record violated
        the schema (article stored without derived rows, error logged); "failed" when nothing
        could be stored (e.g. no url or body; error logged)
    """
    return save_articles(db, [(article, record)])[0]


@dataclass
class Prepared:
    """An article made ready for writing without touching the database (so another thread can
    prepare the next batch while one is written).

    :param article: the article as given
    :param row: its articles row (no id or version yet); None when it could not be made
    :param derived: rows derived from a valid record; None without one
    :param problem: why the record was rejected (the article is stored without derived rows)
    :param failure: why nothing of the article can be stored
    :param values: the row's values in ARTICLE_VALUE_COLUMNS order
    :param children: table -> the derived rows of events, event_organizers and mentions as
        tuples in CHILD_COLUMNS order, article id empty and events numbered 1, 2, ...
    """

    article: dict
    row: dict | None
    derived: DerivedRows | None
    problem: str | None = None
    failure: str | None = None
    values: tuple = ()
    children: dict[str, list[tuple]] = field(default_factory=dict)


def prepare(article: dict, record: dict | None) -> Prepared:
    """Validate the record and build every row of an article (pure; no database).

    :param article: see save_article
    :param record: extractor output for the body, or None
    """
    problem = None
    if record is not None:
        try:
            validate_record(record)
        except InvalidRecord as error:
            problem, record = str(error), None
    try:
        row = article_row(article, record)
        derived = derive_rows(record, row["body"]) if record is not None else None
    except (ValueError, KeyError, IndexError, TypeError) as error:
        return Prepared(article, None, None, problem, f"not stored: {type(error).__name__}: {error}")
    children = {}
    if derived is not None:
        for table, columns in CHILD_COLUMNS.items():
            children[table] = [tuple(map(child.get, columns)) for child in getattr(derived, table)]
    return Prepared(article, row, derived, problem, values=tuple(map(row.get, ARTICLE_VALUE_COLUMNS)),
                    children=children)


def for_writer(item: Prepared, body_held: bool = False) -> Prepared:
    """A prepared article as it is sent to the writing process: what `save_prepared` reads, in
    as few objects as it takes (the writer pays the unpickling of each object sent, and that is
    time the writer does not write). Of the article its url; of the derived rows the catalogue
    rows; the row as its column values with the values the search indexes take; the events,
    event_organizers and mentions travel as `children` (tuples).

    :param item: output of `prepare`
    :param body_held: the writing process holds the article it sent (`with_article_body`): a row
        whose body is the article's travels without it (a body crossing back costs the writer its
        decoding, and the encoding again when it is written; the article's was encoded when sent)
    """
    return _SentToWriter(item.article, item.row, item.derived, item.problem, item.failure, item.values,
                         item.children, body_held)


class _ArticleBody:
    """Stands for the body among the values of a row sent without it (`for_writer`)."""

    def __reduce__(self) -> str:
        return "ARTICLE_BODY"  # (the one instance, by its name in this module)


ARTICLE_BODY = _ArticleBody()
_BODY = ARTICLE_VALUE_COLUMNS.index("body")


@dataclass
class _SentToWriter(Prepared):
    """A Prepared that pickles as `for_writer` says."""

    body_held: bool = False

    def __reduce__(self):
        row, derived, values = self.row, self.derived, self.values
        indexed = None if row is None else tuple(row[column] for column in INDEXED_ONLY_COLUMNS)
        catalogue = None if derived is None else (derived.places, derived.programmes, derived.documents)
        if self.body_held and row is not None and row["body"] is self.article.get("body"):
            values = (*values[:_BODY], ARTICLE_BODY, *values[_BODY + 1:])
        return (_received, (self.article.get("url"), values, indexed, catalogue, self.problem, self.failure,
                            self.children))


def with_article_body(item: Prepared, article: dict) -> Prepared:
    """A prepared article received from `for_writer(..., body_held=True)` with its body again,
    taken from the article it was prepared from (as sent).

    :param item: as received
    :param article: the article sent to be prepared
    """
    if item.values and item.values[_BODY] is ARTICLE_BODY:
        item.values = (*item.values[:_BODY], article["body"], *item.values[_BODY + 1:])
        item.row["body"] = article["body"]
    return item


# What an article's row holds beyond its columns: the values only its search indexes take.
INDEXED_ONLY_COLUMNS = tuple(column for column in search_values(None, None) if column not in ARTICLE_VALUE_COLUMNS)


def _received(url: object, values: tuple, indexed: tuple | None, catalogue: tuple | None, problem: str | None,
              failure: str | None, children: dict[str, list[tuple]]) -> Prepared:
    """The Prepared a `for_writer` item was made from, as far as `save_prepared` reads it."""
    row = None
    if indexed is not None:
        row = dict(zip(ARTICLE_VALUE_COLUMNS, values))
        row.update(zip(INDEXED_ONLY_COLUMNS, indexed))
    derived = None if catalogue is None else DerivedRows(*catalogue)
    return Prepared({"url": url}, row, derived, problem, failure, values, children)


def save_articles(db: sqlite_utils.Database, items: Iterable[tuple[dict, dict | None]],
                  stage: str = "ingest") -> list[str]:
    """Store a batch of (article, record) pairs in one transaction.

    A record that violates the schema is logged to ``errors`` and its article stored without
    derived rows (status gets the suffix "+invalid"); an article that cannot be stored at all
    gets status "failed" and an ``errors`` row. Neither stops the rest of the batch.

    :param db: open database
    :param items: (article, record) pairs
    :param stage: stage name written to errors rows
    :return: one status per item: "new", "unchanged", "changed", optionally "+invalid", or "failed"
    """
    return save_prepared(db, [prepare(article, record) for article, record in items], stage)


def save_stream(db: sqlite_utils.Database, items: Iterable[tuple[dict, dict | None]], batch_size: int = 2000,
                stage: str = "ingest") -> Iterator[list[str]]:
    """Store many (article, record) pairs, one transaction per batch, preparing the next batch in a
    second thread while the current one is written.

    SQLite releases Python's GIL while it works, but a writer that runs many short statements has
    to win the GIL back after each one, and while the other thread runs Python that takes up to
    the switch interval (5 ms) every time. So the next batch is prepared while the current one
    runs its one long statement, the commit, in which SQLite writes the batch's search index
    segment and its pages (see `_apply`).

    :param db: open database (used from the calling thread only)
    :param items: (article, record) pairs, read in the calling thread
    :param batch_size: articles per transaction
    :param stage: stage name written to errors rows
    :return: the statuses of each batch, in order, as it is committed
    """
    def prepare_all(batch: list[tuple[dict, dict | None]], start: threading.Event) -> list[Prepared]:
        start.wait()
        return [prepare(article, record) for article, record in batch]

    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as pool:
        pending = None
        while batch := list(islice(iterator, batch_size)):
            start = threading.Event()
            if pending is None:
                start.set()
            upcoming = pool.submit(prepare_all, batch, start)
            if pending is not None:
                try:
                    statuses = save_prepared(db, pending.result(), stage, on_bulk=start.set)
                finally:
                    start.set()  # never leave the preparing thread waiting
                yield statuses
            pending = upcoming
        if pending is not None:
            yield save_prepared(db, pending.result(), stage)


def save_prepared_stream(db: sqlite_utils.Database, prepared: Iterable[Prepared], batch_size: int = 2000,
                         stage: str = "ingest") -> Iterator[list[str]]:
    """Store many articles already prepared elsewhere (`prepare` run in worker processes), one
    transaction per batch: this process only writes. Statuses and errors rows are those of
    save_stream for the same articles.

    :param db: open database
    :param prepared: `prepare` outputs, in order, read in the calling thread
    :param batch_size: articles per transaction
    :param stage: stage name written to errors rows
    :return: the statuses of each batch, in order, as it is committed
    """
    iterator = iter(prepared)
    while batch := list(islice(iterator, batch_size)):
        yield save_prepared(db, batch, stage)


def save_prepared(db: sqlite_utils.Database, prepared: list[Prepared], stage: str = "ingest",
                  on_bulk: Callable[[], None] | None = None) -> list[str]:
    """Write prepared articles in one transaction; if that fails, each in its own transaction.

    :param db: open database
    :param prepared: output of `prepare`
    :param stage: stage name written to errors rows
    :param on_bulk: called when only the commit is left (in which SQLite writes the batch's search
        index segment and its pages without holding the GIL)
    :return: statuses as for save_articles
    """
    merged = _merged_rows(db)
    outermost = not db.conn.in_transaction
    try:
        with write_transaction(db):  # (the spider's connection writes too: see write_transaction)
            statuses, catalogue = _write_batch(db, prepared, stage, merged, on_bulk)
        if outermost:  # committed: these rows need not be merged again
            if len(merged) > MERGED_ROWS_KEPT:
                merged.clear()
            merged.update(catalogue)
        return statuses
    except (sqlite3.Error, ValueError) as error:
        merged.clear()
        if describe_storage_error(error) is not None:  # a full disk or a broken file: no article would fare better
            raise
        if len(prepared) == 1:
            record_error(db, _url_of(prepared[0].article), stage,
                         f"not stored: {type(error).__name__}: {error}")
            return ["failed"]
        log.warning("batch of %d failed (%s); retrying one article at a time", len(prepared), error)
    return [save_prepared(db, [item], stage, on_bulk)[0] for item in prepared]


@dataclass
class _Stored:
    """What the database already holds for one URL."""

    id: int
    content_hash: str
    extractor_version: str | None
    version: int
    fetch: dict


@dataclass
class _Batch:
    """Rows to write for a batch, grouped by table, in the order they are written."""

    sites: dict = field(default_factory=dict)
    new_articles: list = field(default_factory=list)  # tuples: id, version, ARTICLE_VALUE_COLUMNS
    versions: list = field(default_factory=list)
    replaced_ids: list = field(default_factory=list)
    updated_articles: list = field(default_factory=list)
    fetch_updates: list = field(default_factory=list)
    derived: list = field(default_factory=list)  # (article id, the ids of its events in order, Prepared)
    searchable: list = field(default_factory=list)  # (article id, its row, holding the search_values) to index


_MERGED_ROWS: "weakref.WeakKeyDictionary[sqlite_utils.Database, set]" = weakref.WeakKeyDictionary()
MERGED_ROWS_KEPT = 100_000  # bound on the memory of a long-running crawler


def _merged_rows(db: sqlite_utils.Database) -> set:
    """Catalogue rows (table, row items) this connection has merged into the database and
    committed. Merging such a row again changes nothing (a merge only fills empty values and
    nothing deletes catalogue rows), so later batches skip it. Forgotten after a failed batch
    (the retry merges everything again) and never filled inside a caller's transaction, which
    may still roll back."""
    return _MERGED_ROWS.setdefault(db, set())


def _write_batch(db: sqlite_utils.Database, prepared: list[Prepared], stage: str,
                 merged: set = frozenset(), on_bulk: Callable[[], None] | None = None) -> tuple[list[str], list]:
    """Write a prepared batch; the caller holds the transaction.

    :param merged: catalogue rows known to be merged already (see `_merged_rows`)
    :param on_bulk: see `save_prepared`
    :return: the statuses, and the catalogue rows this batch merged
    """
    # Child and parent rows of a batch are written table by table: check keys at commit.
    db.execute("PRAGMA defer_foreign_keys=ON")
    urls = [item.row["url"] for item in prepared if item.row is not None]
    if len(set(urls)) != len(urls):
        raise ValueError("a URL appears twice in one batch")
    stored = _stored_articles(db, urls)
    stored_events = _stored_event_ids(db, [previous.id for previous in stored.values()])
    next_article_id = _next_id(db, "articles")
    next_event_id = _next_id(db, "events")
    now = utc_now()
    batch = _Batch()
    statuses = []
    for item in prepared:
        row, derived = item.row, item.derived
        if row is None:
            insert_error(db, _url_of(item.article), stage, item.failure or "not stored")
            statuses.append("failed")
            continue
        previous = stored.get(row["url"])
        batch.sites.setdefault(row["site"], {"domain": row["site"], "name": row["site"]})
        if previous is None:
            status, article_id = "new", next_article_id
            next_article_id += 1
            batch.new_articles.append((article_id, 1, *item.values))
            batch.searchable.append((article_id, row))
        elif previous.content_hash != row["content_hash"]:
            status, article_id = "changed", previous.id
            batch.versions.append((previous.id, now))
            batch.replaced_ids.append(article_id)
            batch.updated_articles.append({"id": article_id, "version": previous.version + 1,
                                           **dict(zip(ARTICLE_VALUE_COLUMNS, item.values))})
            batch.searchable.append((article_id, row))
        else:
            status, article_id = "unchanged", previous.id
            fetch = {column: row[column] for column in FETCH_COLUMNS if row[column] is not None}
            if any(previous.fetch.get(column) != value for column, value in fetch.items()):
                batch.fetch_updates.append((article_id, fetch))
            if derived is None or row["extractor_version"] == previous.extractor_version:
                derived = None  # the stored derived rows are current
            else:
                batch.replaced_ids.append(article_id)
                batch.fetch_updates.append((article_id, {"extractor_version": row["extractor_version"],
                                                         "is_training": row["is_training"]}))
        if item.problem:
            insert_error(db, row["url"], stage, item.problem)
            status += "+invalid"
        if derived is not None:
            # Re-derived events keep the ids of the events they replace, position by position, so
            # links to /events/ID, exports and corrections made by id stay true after reextract.
            events = len(item.children["events"])
            event_ids = stored_events.get(article_id, [])[:events]
            fresh = events - len(event_ids)
            event_ids += range(next_event_id, next_event_id + fresh)
            next_event_id += fresh
            batch.derived.append((article_id, event_ids, item))
        statuses.append(status)
    return statuses, _apply(db, batch, merged, on_bulk)


def _apply(db: sqlite_utils.Database, batch: _Batch, merged: set, on_bulk: Callable[[], None] | None) -> list:
    """Execute the writes of a batch, many rows per statement; return the catalogue rows merged.

    The search index rows come last (then only the commit is left).
    """
    conn = db.conn
    _insert(conn, "sites", list(batch.sites.values()), on_conflict="ignore")
    if batch.versions:
        columns = [c for c in TABLES_BY_NAME["article_versions"].column_names()
                   if c not in ("id", "article_id", "replaced_at")]
        conn.executemany(
            f"insert or ignore into article_versions (article_id, {', '.join(columns)}, replaced_at) "
            f"select id, {', '.join(columns)}, ? from articles where id = ?",
            [(when, article_id) for article_id, when in batch.versions])
    for table in ("event_organizers", "mentions", "events"):
        conn.executemany(f"delete from {table} where article_id = ?", [(i,) for i in batch.replaced_ids])
    # The search indexes keep no text: an old text's entries are removed with the values they
    # were made from, before the row changes.
    delete_rows(conn, [(article_id, search_values(title, body)) for article_id, title, body in
                       _stored_texts(conn, [article["id"] for article in batch.updated_articles])])
    for article in batch.updated_articles:
        assignments = ", ".join(f"[{column}] = :{column}" for column in article if column != "id")
        conn.execute(f"update articles set {assignments} where id = :id", article)
    for article_id, values in batch.fetch_updates:
        assignments = ", ".join(f"[{column}] = :{column}" for column in values)
        conn.execute(f"update articles set {assignments} where id = :id", {"id": article_id, **values})
    if batch.new_articles:
        columns = ("id", "version", *ARTICLE_VALUE_COLUMNS)
        conn.executemany(f"insert into articles ({', '.join(f'[{c}]' for c in columns)}) "
                         f"values ({', '.join('?' for _ in columns)})", batch.new_articles)
    catalogue = set()
    for table, key in MERGED_TABLES.items():
        rows = []
        for _, _, item in batch.derived:
            for row in getattr(item.derived, table):
                identity = (table, *row.items())
                try:
                    if identity in merged or identity in catalogue:
                        continue
                    catalogue.add(identity)
                except TypeError:  # an unhashable value: merge it every time
                    pass
                rows.append(row)
        _insert(conn, table, _merge_by_key(rows, key), on_conflict="merge")
    for table, columns in CHILD_COLUMNS.items():
        _insert_children(conn, table, columns, batch.derived)
    insert_rows(conn, batch.searchable)
    if on_bulk is not None:
        on_bulk()
    apply_corrections(conn, [article_id for article_id, _, _ in batch.derived])
    return list(catalogue)


def _insert_children(conn: sqlite3.Connection, table: str, columns: tuple[str, ...],
                     derived: list[tuple[int, list[int], Prepared]]) -> None:
    """Insert one table's rows of the articles' derived rows, giving them article and event ids.

    :param derived: (article id, the ids of the article's events 1, 2, ..., Prepared) per article
    """
    rows = []
    for article_id, event_ids, item in derived:
        for _, event_number, *rest in item.children[table]:
            rows.append((article_id, None if event_number is None else event_ids[event_number - 1], *rest))
    if rows:
        conn.executemany(f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                         f"values ({', '.join('?' for _ in columns)})", rows)


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict], on_conflict: str | None = None) -> None:
    """Insert rows (dicts; missing columns become NULL) with one prepared statement.

    :param on_conflict: None (fail), "ignore" (keep the stored row) or "merge" (fill stored NULLs)
    """
    if not rows:
        return
    definition = TABLES_BY_NAME[table]
    present = set().union(*(row.keys() for row in rows))
    columns = [c for c in definition.column_names() if c in present]
    sql = (f"insert {'or ignore ' if on_conflict == 'ignore' else ''}into [{table}] "
           f"({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' for _ in columns)})")
    if on_conflict == "merge":
        fills = ", ".join(f"[{c}] = coalesce([{table}].[{c}], excluded.[{c}])" for c in columns if c != definition.pk)
        sql += f" on conflict([{definition.pk}]) do update set {fills}"
    conn.executemany(sql, [tuple(map(row.get, columns)) for row in rows])


def _merge_by_key(rows: Iterable[dict], key: str) -> list[dict]:
    """One row per key: the first seen, its empty values filled from later rows (as the SQL merge does)."""
    merged: dict[str, dict] = {}
    for row in rows:
        first = merged.get(row[key])
        if first is None:
            merged[row[key]] = dict(row)
        else:
            for column, value in row.items():
                if first.get(column) is None and value is not None:
                    first[column] = value
    return list(merged.values())


def _stored_articles(db: sqlite_utils.Database, urls: list[str]) -> dict[str, _Stored]:
    """What is stored for these URLs (looked up in chunks under SQLite's parameter limit)."""
    stored = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        sql = (f"select url, id, content_hash, extractor_version, version, {', '.join(FETCH_COLUMNS)} "
               f"from articles where url in ({', '.join('?' for _ in chunk)})")
        for url, article_id, hash_, extractor_version, version, *fetch in db.execute(sql, chunk):
            stored[url] = _Stored(article_id, hash_, extractor_version, version,
                                  dict(zip(FETCH_COLUMNS, fetch)))
    return stored


def _stored_texts(conn: sqlite3.Connection, article_ids: list[int]) -> list[tuple[int, str | None, str]]:
    """(id, title, body) as stored for these articles (in chunks under SQLite's parameter limit)."""
    rows = []
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start:start + 500]
        rows += conn.execute(f"select id, title, body from articles where id in ({', '.join('?' for _ in chunk)})",
                             chunk).fetchall()
    return rows


def _url_of(article: dict) -> str | None:
    """The article's url for its errors row; None when it is not a string (the message says why)."""
    url = article.get("url")
    return url if isinstance(url, str) else None


def _stored_event_ids(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the stored events of these articles, in event order (none for new articles)."""
    ids: dict[int, list[int]] = {}
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start:start + 500]
        for article_id, event_id in db.execute(
                f"select article_id, id from events where article_id in ({', '.join('?' for _ in chunk)}) "
                "order by article_id, event_no, id", chunk):
            ids.setdefault(article_id, []).append(event_id)
    return ids


def _next_id(db: sqlite_utils.Database, table: str) -> int:
    return db.execute(f"select coalesce(max(id), 0) + 1 from [{table}]").fetchone()[0]
