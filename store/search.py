"""Full-text search over the stored articles, with or without diacritics (đ/d included)."""
from __future__ import annotations

import sqlite_utils

from schema.search import fold, fts_match_expression
from schema.tables import FTS_TABLE, FTS_WEIGHTS, SEARCH_CANDIDATES

RANKED_SEARCH_SQL = f"""
select a.id, a.url, a.title, a.published from (
  select rowid, score from (
    select rowid, bm25({FTS_TABLE}, {', '.join(map(str, FTS_WEIGHTS))}) as score from {FTS_TABLE}
    where {FTS_TABLE} match ? order by rowid desc limit ?)
  order by score limit ?) ranked
join articles a on a.id = ranked.rowid order by ranked.score
"""
# Catalogue rows shared by many articles: fill in what is missing, never overwrite.


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
