"""Full-text search over the stored articles, with or without diacritics (đ/d included)."""
from __future__ import annotations

import sqlite_utils

from schema.search import ranked_hit_expressions
from schema.tables import FTS_TABLE

# The newest matches of one tier (FTS5 reads its index backwards and stops at the limit).
TIER_HITS_SQL = f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? order by rowid desc limit ?"


def search_articles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles and bodies, with or without diacritics; the exact phrase first.

    The articles are those of `schema.search.fts_match_expression` (every word, folded, close
    together), listed tier by tier (`ranked_hit_expressions`: the phrase as typed, the phrase
    folded, the words as typed, the words folded; each in the title before anywhere), and
    within a tier newest first. A tier reads only as many matches as the page still needs, so a
    common word costs no more than a rare one.

    :param db: open database
    :param query: words as a user types them ("giam ngheo", "Đồng Tháp", '"Tháp Mười" tập huấn')
    :param limit: maximum number of articles
    :return: [{"id", "url", "title", "published"}] best first; [] when the query has no words
    """
    ranked: dict[int, None] = {}
    for expression in ranked_hit_expressions(query):
        if len(ranked) >= limit:
            break
        # An article of an earlier tier may match again: ask for enough to fill the page anyway.
        for (rowid,) in db.execute(TIER_HITS_SQL, [expression, limit]).fetchall():
            ranked.setdefault(rowid, None)
    ids = list(ranked)[:limit]
    if not ids:
        return []
    rows = {row["id"]: row for row in db.query(
        f"select id, url, title, published from articles where id in ({', '.join('?' * len(ids))})", ids)}
    return [rows[article_id] for article_id in ids if article_id in rows]
