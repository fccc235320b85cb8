"""Full-text search over the stored articles, with or without diacritics (đ/d included)."""
from __future__ import annotations

import sqlite_utils

from schema.search import ranked_match_expressions
from schema.tables import FTS_TABLE, FTS_WEIGHTS, SEARCH_CANDIDATES

RANKED_SEARCH_SQL = f"""
select a.id, a.url, a.title, a.published from (
  select rowid, score from (
    select rowid, bm25({FTS_TABLE}, {', '.join(map(str, FTS_WEIGHTS))}) as score from {FTS_TABLE}
    where {FTS_TABLE} match ? order by rowid desc limit ?)
  order by score limit ?) ranked
join articles a on a.id = ranked.rowid order by ranked.score
"""


def search_articles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles and bodies, with or without diacritics; the exact phrase first.

    The articles are those of `schema.search.fts_match_expression` (every word, folded, close
    together), listed tier by tier (`ranked_match_expressions`: the phrase as typed, the phrase
    folded, the words as typed, the words folded); within a tier by bm25 (title above body)
    over the SEARCH_CANDIDATES most recent matches, which keeps common words fast.

    :param db: open database
    :param query: words as a user types them ("giam ngheo", "Đồng Tháp", '"Tháp Mười" tập huấn')
    :param limit: maximum number of articles
    :return: [{"id", "url", "title", "published"}] best first; [] when the query has no words
    """
    found: dict[int, dict] = {}
    for expression in ranked_match_expressions(query):
        if len(found) >= limit:
            break
        for row in db.query(RANKED_SEARCH_SQL, [expression, SEARCH_CANDIDATES, limit]):
            found.setdefault(row["id"], row)
    return list(found.values())[:limit]
