"""The articles' search indexes: two FTS5 tables that keep no text of their own.

- ``articles_fts`` (title_folded, body_folded): what a search finds, every article whose title or
  body holds the query's words, folded (`schema.search`).
- ``titles_fts`` (title, title_folded): the headlines alone, as written and folded. Ranking looks
  for the query in the title first; in an index of its own a title tier reads title-sized lists
  of matches, not every body that uses the same common syllables.

Both are contentless (``content=''``): the text is stored once, in articles.title and body, and
its folded copy is made by `fold` when an article is indexed (stored beside the text, the folded
copies were half of the file: 3.5 GB at a million articles). FTS5 cannot read a contentless row
back, so a row is removed by handing the index the values it was given (`delete_rows`): fold()
must therefore not change without a migration that runs `rebuild_search_indexes`. (The table of
per-row token counts stays although nothing ranks by bm25: without it FTS5 cannot list the rows
of a contentless table, which a dump of the file and Datasette's table pages do.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sqlite_utils

from progress import Progress
from schema.search import fold

# Tone marks are kept in the index so that a title spelled as typed can rank first; the folded
# columns give the diacritic-free (and đ-free) matches.
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# FTS5 write settings (bench/bench_store.py measured them): the terms of a whole batch of articles
# are held in memory and written as one segment (FTS5's 1 MB wrote a batch of 2,000 as several,
# merged again later), and segments are merged eight at a time instead of four, so each entry is
# rewritten fewer times as the index grows.
FTS_SETTINGS = {"hashsize": 16 * 1024 * 1024, "automerge": 8, "crisismerge": 16}
# During a bulk load (store.bulk) segments are not merged as they come: the load ends with one
# 'optimize', which rewrites every entry once, so merges on the way only rewrite them more often
# (bench/bench_store.py: at a million articles the load wrote 22.6 GB with automerge, 16.6
# without). crisismerge is FTS5's bound on the segments of one level: set to FTS5's largest
# (1,999; a higher value is read as it), so that a load of up to about 4 million articles in
# batches of 2,000 merges nothing either. (At 256, a million-article load stopped for 14 s at
# its 256th batch to merge them, and the final 'optimize' rewrote those entries again.)
BULK_LOAD_FTS_SETTINGS = {"automerge": 0, "crisismerge": 1999}


@dataclass(frozen=True)
class SearchIndex:
    """One contentless FTS5 table over articles (rowid = articles.id).

    :param name: table name
    :param columns: indexed columns: "title", "title_folded" or "body_folded"
    :param description: what it holds, for the data dictionary
    """

    name: str
    columns: tuple[str, ...]
    description: str

    def create_sql(self) -> str:
        return (f"create virtual table if not exists [{self.name}] using fts5({', '.join(self.columns)}, "
                f"content='', tokenize='{FTS_TOKENIZE}')")


ARTICLES_FTS = SearchIndex("articles_fts", ("title_folded", "body_folded"),
                           "Full-text index of article titles and bodies without diacritics (đ as d), so "
                           "'Dong Thap' finds 'Đồng Tháp'; rowid = articles.id. Holds no text of its own.")
TITLES_FTS = SearchIndex("titles_fts", ("title", "title_folded"),
                         "Full-text index of article titles, as written and without diacritics, for ranking "
                         "matches in the title first; rowid = articles.id. Holds no text of its own.")
SEARCH_INDEXES = (ARTICLES_FTS, TITLES_FTS)
# Every rowid an index can hold (SQLite's 64-bit integers): the bounds of a search over all articles.
ANY_ARTICLE_ID = (-(2 ** 63), 2 ** 63 - 1)


def search_values(title: str | None, body: str | None) -> dict[str, str | None]:
    """The value of each indexed column for an article's title and body.

    :param title: the headline as stored
    :param body: the text as stored
    """
    return {"title": title, "title_folded": fold(title), "body_folded": fold(body)}


def create_search_indexes(db: sqlite_utils.Database) -> None:
    """Create the search indexes that are missing, with their write settings.

    :param db: open database
    """
    for index in SEARCH_INDEXES:
        db.execute(index.create_sql())
    set_search_settings(db, FTS_SETTINGS)


def set_search_settings(db: sqlite_utils.Database, settings: dict[str, int]) -> None:
    """Give each search index these FTS5 settings (kept in the file, for every connection).

    :param db: open database
    :param settings: FTS5 configuration option -> value (FTS_SETTINGS, BULK_LOAD_FTS_SETTINGS)
    """
    for index in SEARCH_INDEXES:
        for name, value in settings.items():
            db.execute(f"insert into [{index.name}] ([{index.name}], rank) values (?, ?)", [name, value])


def search_settings(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    """The FTS5 settings stored for each search index: index name -> option -> value (the options
    never set are missing).

    :param db: open database
    """
    return {index.name: dict(db.execute(f"select k, v from [{index.name}_config] where k != 'version'").fetchall())
            for index in SEARCH_INDEXES}


def left_by_bulk_load(db: sqlite_utils.Database) -> bool:
    """Whether a search index still has a bulk load's settings: the load was stopped before it
    could restore them and merge the segments it wrote.

    :param db: open database
    """
    return any(stored.get("automerge") == BULK_LOAD_FTS_SETTINGS["automerge"]
               for stored in search_settings(db).values())


def insert_rows(conn, articles: Sequence[tuple[int, dict[str, str | None]]]) -> None:
    """Index articles: (id, `search_values` of its title and body) each.

    :param conn: sqlite3 connection, inside the caller's transaction
    """
    _write(conn, articles, delete=False)


def delete_rows(conn, articles: Sequence[tuple[int, dict[str, str | None]]]) -> None:
    """Take articles out of the indexes: (id, `search_values` of the title and body they were
    indexed with) each.

    :param conn: sqlite3 connection, inside the caller's transaction
    """
    _write(conn, articles, delete=True)


def _write(conn, articles: Sequence[tuple[int, dict[str, str | None]]], delete: bool) -> None:
    if not articles:
        return
    for index in SEARCH_INDEXES:
        columns = ", ".join(index.columns)
        marks = ", ".join("?" for _ in index.columns)
        if delete:  # FTS5's 'delete' command: the row's id and the values it was indexed with
            sql = f"insert into [{index.name}] ([{index.name}], rowid, {columns}) values ('delete', ?, {marks})"
        else:
            sql = f"insert into [{index.name}] (rowid, {columns}) values (?, {marks})"
        conn.executemany(sql, [(article_id, *map(values.get, index.columns)) for article_id, values in articles])


def merge_search_indexes(db: sqlite_utils.Database) -> None:
    """Merge each search index into one segment (FTS5's 'optimize'), as after a bulk load: a
    query then reads each word's list of matches from one place instead of from each of the
    segments the batches left.

    :param db: open database, not inside a transaction
    """
    for index in SEARCH_INDEXES:
        with db.atomic():
            db.execute(f"insert into [{index.name}] ([{index.name}]) values ('optimize')")


def rebuild_search_indexes(db: sqlite_utils.Database, batch_size: int = 2000) -> int:
    """Index every article again from its title and body (after fold() changed, or to repair).

    :param db: open database; one transaction per batch (a savepoint each inside the caller's,
        as in a migration)
    :param batch_size: articles read and indexed at a time (memory stays bounded)
    :return: the number of articles indexed
    """
    with db.atomic():
        for index in SEARCH_INDEXES:
            db.execute(f"insert into [{index.name}] ([{index.name}]) values ('delete-all')")
    last_id = 0
    progress = Progress("articles indexed for search", total=db.execute("select count(*) from articles").fetchone()[0])
    while True:
        rows = db.execute("select id, title, body from articles where id > ? order by id limit ?",
                          [last_id, batch_size]).fetchall()
        if not rows:
            break
        with db.atomic():
            insert_rows(db.conn, [(article_id, search_values(title, body)) for article_id, title, body in rows])
        progress.advance(len(rows))
        last_id = rows[-1][0]
    progress.close()
    return progress.count
