"""The database: open it, save articles with everything derived from them, record crawl health.

Interface used by the crawler and the ingest stage (also in schema/README.md):

- ``open_database(path)`` creates or migrates the schema; WAL mode, foreign keys on.
- ``known_articles(db, site=None)`` canonical URL -> {content_hash, etag, last_modified, fetched_at, version}.
- ``save_article(db, article, record)`` -> "new" | "unchanged" | "changed"; one transaction.
- ``save_articles(db, items)`` the same for a batch, in one transaction; ``save_stream(db, items)``
  for many batches, preparing the next batch in a second thread (what ingest uses).
- ``upsert_sites(db, sites)``, ``record_crawl_run(db, run)``, ``record_error(db, url, stage, message)``,
  ``mark_checked(db, url, checked_at)`` after a 304 on a re-check.
- ``load_programmes(db, path)`` loads the programme catalogue (data/programmes.yml).
- ``search_articles(db, query)`` full-text search with or without diacritics; ``table_counts(db)``.

Writes are idempotent: saving the same article and record again changes nothing. A changed body
makes a new version (the old one goes to article_versions) and replaces the derived rows in the
same transaction. A record that violates schema/record.schema.json is not written: the article
is kept without derived rows and the violation goes to ``errors``.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils
import yaml

from schema.migrations import migrations
from schema.search import fold, fts_match_expression
from schema.tables import FTS_COLUMNS, FTS_TABLE, FTS_WEIGHTS, SEARCH_CANDIDATES, TABLES_BY_NAME
from stages.store_rows import DerivedRows, InvalidRecord, article_row, derive_rows, validate_record

log = logging.getLogger("pipeline.store")

ARTICLE_STATE_COLUMNS = ("content_hash", "etag", "last_modified", "fetched_at", "version")
FETCH_COLUMNS = ("fetched_at", "etag", "last_modified", "http_status", "warc_file", "warc_offset")
RANKED_SEARCH_SQL = f"""
select a.id, a.url, a.title, a.published from (
  select rowid, score from (
    select rowid, bm25({FTS_TABLE}, {', '.join(map(str, FTS_WEIGHTS))}) as score from {FTS_TABLE}
    where {FTS_TABLE} match ? order by rowid desc limit ?)
  order by score limit ?) ranked
join articles a on a.id = ranked.rowid order by ranked.score
"""
# Catalogue rows shared by many articles: fill in what is missing, never overwrite.
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


def utc_now() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the pipeline database.

    Idempotent: opening an up-to-date database changes nothing.

    :param path: SQLite file; its directory is created if missing
    :return: a sqlite_utils.Database in WAL mode with foreign keys enforced
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    # NORMAL is crash-safe in WAL mode (a crash loses at most the last commits, never consistency).
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    # A larger page cache keeps the search index and the indexes of child tables in memory.
    db.execute("PRAGMA cache_size=-65536")
    migrations.apply(db)
    return db


def known_articles(db: sqlite_utils.Database, site: str | None = None) -> dict[str, dict]:
    """What is stored about each article, for conditional re-fetching and change detection.

    :param db: open database
    :param site: only this site's articles (domain), or all
    :return: canonical URL -> {"content_hash", "etag", "last_modified", "fetched_at", "version"}
    """
    sql = f"select url, {', '.join(ARTICLE_STATE_COLUMNS)} from articles"
    params: list[str] = []
    if site is not None:
        sql += " where site = ?"
        params.append(site)
    return {row[0]: dict(zip(ARTICLE_STATE_COLUMNS, row[1:])) for row in db.execute(sql, params)}


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
    runs its two long statements, the search index insert and the commit (see `_apply`).

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


def save_prepared(db: sqlite_utils.Database, prepared: list[Prepared], stage: str = "ingest",
                  on_bulk: Callable[[], None] | None = None) -> list[str]:
    """Write prepared articles in one transaction; if that fails, each in its own transaction.

    :param db: open database
    :param prepared: output of `prepare`
    :param stage: stage name written to errors rows
    :param on_bulk: called when only the long statements of the transaction are left (the search
        index insert and the commit), during which SQLite does not hold the GIL
    :return: statuses as for save_articles
    """
    merged = _merged_rows(db)
    outermost = not db.conn.in_transaction
    try:
        with db.atomic():
            statuses, catalogue = _write_batch(db, prepared, stage, merged, on_bulk)
        if outermost:  # committed: these rows need not be merged again
            if len(merged) > MERGED_ROWS_KEPT:
                merged.clear()
            merged.update(catalogue)
        return statuses
    except (sqlite3.Error, ValueError) as error:
        merged.clear()
        if len(prepared) == 1:
            record_error(db, prepared[0].article.get("url"), stage,
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
    derived: list = field(default_factory=list)  # (article id, id of its first event, Prepared)


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
    next_article_id = _next_id(db, "articles")
    next_event_id = _next_id(db, "events")
    now = utc_now()
    batch = _Batch()
    statuses = []
    for item in prepared:
        row, derived = item.row, item.derived
        if row is None:
            _record_error_now(db, item.article.get("url"), stage, item.failure or "not stored")
            statuses.append("failed")
            continue
        previous = stored.get(row["url"])
        batch.sites.setdefault(row["site"], {"domain": row["site"], "name": row["site"]})
        if previous is None:
            status, article_id = "new", next_article_id
            next_article_id += 1
            batch.new_articles.append((article_id, 1, *item.values))
        elif previous.content_hash != row["content_hash"]:
            status, article_id = "changed", previous.id
            batch.versions.append((previous.id, now))
            batch.replaced_ids.append(article_id)
            batch.updated_articles.append({"id": article_id, "version": previous.version + 1, **row})
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
            _record_error_now(db, row["url"], stage, item.problem)
            status += "+invalid"
        if derived is not None:
            batch.derived.append((article_id, next_event_id, item))
            next_event_id += len(derived.events)
        statuses.append(status)
    return statuses, _apply(db, batch, merged, on_bulk)


def _apply(db: sqlite_utils.Database, batch: _Batch, merged: set, on_bulk: Callable[[], None] | None) -> list:
    """Execute the writes of a batch, many rows per statement; return the catalogue rows merged.

    The search index insert, one long statement, comes last (then only the commit is left).
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
    fts_columns = ", ".join(FTS_COLUMNS)
    # External-content index: remove the old text's entries before the row changes.
    conn.executemany(f"insert into {FTS_TABLE} ({FTS_TABLE}, rowid, {fts_columns}) "
                     f"select 'delete', id, {fts_columns} from articles where id = ?",
                     [(article["id"],) for article in batch.updated_articles])
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
    if on_bulk is not None:
        on_bulk()
    # The index reads the text from the rows just written: one statement for the batch, which
    # SQLite runs without taking the GIL back (see save_stream).
    conn.execute(f"insert into {FTS_TABLE} (rowid, {fts_columns}) select id, {fts_columns} from articles "
                 "where id in (select value from json_each(?))",
                 [json.dumps([article["id"] for article in batch.updated_articles]
                             + [values[0] for values in batch.new_articles])])
    return list(catalogue)


def _insert_children(conn: sqlite3.Connection, table: str, columns: tuple[str, ...],
                     derived: list[tuple[int, int, Prepared]]) -> None:
    """Insert one table's rows of the articles' derived rows, giving them article and event ids.

    :param derived: (article id, id of the article's first event, Prepared) per article
    """
    rows = []
    for article_id, first_event_id, item in derived:
        offset = first_event_id - 1
        for _, event_number, *rest in item.children[table]:
            rows.append((article_id, None if event_number is None else event_number + offset, *rest))
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


def _next_id(db: sqlite_utils.Database, table: str) -> int:
    return db.execute(f"select coalesce(max(id), 0) + 1 from [{table}]").fetchone()[0]


def upsert_sites(db: sqlite_utils.Database, sites: list[dict]) -> None:
    """Insert or update sites; keys domain (required), name, family, unit_code, province, base_url.

    :param db: open database
    :param sites: one dict per site; keys that are not columns of `sites` are ignored
    :raises ValueError: when a site has no domain
    """
    columns = set(TABLES_BY_NAME["sites"].column_names())
    rows = []
    for site in sites:
        if not site.get("domain"):
            raise ValueError(f"site without domain: {site!r}")
        rows.append({key: value for key, value in site.items() if key in columns})
    with db.atomic():
        for row in rows:
            db["sites"].upsert(row, pk="domain")


def record_crawl_run(db: sqlite_utils.Database, run: dict) -> int:
    """Store (or update) the health figures of one crawl run for one site.

    :param db: open database
    :param run: run_id, site, started_at, finished_at, requests, new, changed, failed,
        duration_s, status
    :return: id of the crawl_runs row (same id when the same run_id and site are recorded again)
    """
    if not run.get("run_id") or not run.get("site"):
        raise ValueError(f"crawl run needs run_id and site: {run!r}")
    columns = [c for c in TABLES_BY_NAME["crawl_runs"].column_names() if c != "id"]
    row = {column: run.get(column) for column in columns}
    with db.atomic():
        db.execute("insert or ignore into sites (domain, name) values (?, ?)", [row["site"], row["site"]])
        db.execute(
            f"insert into crawl_runs ({', '.join(f'[{c}]' for c in columns)}) "
            f"values ({', '.join(f':{c}' for c in columns)}) on conflict(run_id, site) do update set "
            + ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in ("run_id", "site")), row)
    return db.execute("select id from crawl_runs where run_id = ? and site = ?",
                      [row["run_id"], row["site"]]).fetchone()[0]


def record_error(db: sqlite_utils.Database, url: str | None, stage: str, message: str) -> None:
    """Log a problem in the errors table (an identical url/stage/message is recorded once).

    :param db: open database
    :param url: URL concerned, or None
    :param stage: pipeline stage, e.g. "crawl", "extract", "ingest"
    :param message: what went wrong
    """
    with db.atomic():
        _record_error_now(db, url, stage, message)


def _record_error_now(db: sqlite_utils.Database, url: str | None, stage: str, message: str) -> None:
    """Insert an errors row inside the caller's transaction (or autocommit)."""
    already = db.execute("select 1 from errors where url is ? and stage = ? and message = ?",
                         [url, stage, message]).fetchone()
    if not already:
        db.execute("insert into errors (url, stage, message, occurred_at) values (?, ?, ?, ?)",
                   [url, stage, message, utc_now()])


def load_programmes(db: sqlite_utils.Database, path: str | Path) -> int:
    """Load the programme catalogue: a YAML list of {id, name, period?, abbreviations?, ...}.

    Keys other than id, name, period and abbreviations are kept as JSON in `details`.

    :param db: open database
    :param path: YAML file (data/programmes.yml)
    :return: number of programmes loaded
    :raises ValueError: when the file is not a list or an entry lacks id or name
    """
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if isinstance(entries, dict):  # also accept {programmes: [...]}
        entries = entries.get("programmes", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of programmes")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise ValueError(f"{path}: programme without id or name: {entry!r}")
        details = {k: v for k, v in entry.items() if k not in ("id", "name", "period", "abbreviations")}
        abbreviations = entry.get("abbreviations")
        period = entry.get("period")
        if period is None and isinstance(entry.get("years"), list) and len(entry["years"]) == 2:
            period = "{}-{}".format(*entry["years"])
        rows.append({
            "id": str(entry["id"]), "name": entry["name"],
            "period": None if period is None else str(period),
            "abbreviations": json.dumps(abbreviations, ensure_ascii=False) if abbreviations else None,
            "details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
            "in_catalogue": 1,
        })
    with db.atomic():
        for row in rows:
            db["programmes"].upsert(row, pk="id")
    return len(rows)


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Row count of every table of the schema.

    :param db: open database
    """
    return {name: db.execute(f"select count(*) from [{name}]").fetchone()[0] for name in TABLES_BY_NAME}


def search_articles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles and bodies, with or without diacritics; exact spellings first.

    A query typed with diacritics first lists articles spelled the same way, then those matching
    only without diacritics. Ranking is bm25 (title above body, as-typed above folded) over the
    SEARCH_CANDIDATES most recent matches of each group, which keeps common words fast.

    :param db: open database
    :param query: words as a user types them ("giam ngheo", "Đồng Tháp")
    :param limit: maximum number of articles
    :return: [{"id", "url", "title", "published"}] best first; [] when the query has no words
    """
    found: dict[int, dict] = {}
    expressions = [fts_match_expression(query)]
    if fold(query) != query:
        # Typed with diacritics: text spelled the same way comes first. (Without diacritics the
        # exact spelling is rare; bm25 already weights the as-typed columns higher.)
        expressions.insert(0, fts_match_expression(query, folded=False))
    for expression in expressions:
        if expression is None or len(found) >= limit:
            break
        for row in db.query(RANKED_SEARCH_SQL, [expression, SEARCH_CANDIDATES, limit]):
            found.setdefault(row["id"], row)
    return list(found.values())[:limit]


def mark_checked(db: sqlite_utils.Database, url: str, checked_at: str) -> None:
    """Note that a stored article was re-checked and had not changed (HTTP 304), so that the next
    crawl does not re-check it before its recheck horizon.

    :param db: open database
    :param url: the article's canonical URL
    :param checked_at: UTC ISO time of the check
    """
    with db.conn:
        db.execute("update articles set fetched_at = ? where url = ?", [checked_at, url])
