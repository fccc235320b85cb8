"""Full-text search over the stored articles, with or without diacritics (đ/d included)."""
from __future__ import annotations

import sqlite_utils

from schema.search import HIT_TIERS, ranked_hit_expressions
from schema.search_index import ARTICLES_FTS, TITLES_FTS

# The newest matches of one tier, in the index the tier looks in (FTS5 reads its index backwards
# and stops at the limit).
TIER_HITS_SQL = {in_title: f"select rowid from [{index.name}] where [{index.name}] match ? order by rowid desc limit ?"
                 for in_title, index in ((True, TITLES_FTS), (False, ARTICLES_FTS))}


def search_articles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles and bodies, with or without diacritics; the exact phrase first.

    The articles are those of `schema.search.fts_match_expression` (every word, folded, close
    together), listed tier by tier (`schema.search.HIT_TIERS`: the phrase before the words apart,
    the title before the body, the spelling as typed first), and within a tier newest first. A
    tier reads only as many matches as the page still needs, so a common word costs no more than
    a rare one.

    :param db: open database
    :param query: words as a user types them ("giam ngheo", "Đồng Tháp", '"Tháp Mười" tập huấn')
    :param limit: maximum number of articles
    :return: [{"id", "url", "title", "published"}] best first; [] when the query has no words
    """
    ranked: dict[int, None] = {}
    for (_, in_title), expression in zip(HIT_TIERS, ranked_hit_expressions(query)):
        if len(ranked) >= limit:
            break
        if expression is None:
            continue
        # An article of an earlier tier may match again: ask for enough to fill the page anyway.
        for (rowid,) in db.execute(TIER_HITS_SQL[in_title], [expression, limit]).fetchall():
            ranked.setdefault(rowid, None)
    ids = list(ranked)[:limit]
    if not ids:
        return []
    rows = {row["id"]: row for row in db.query(
        f"select id, url, title, published from articles where id in ({', '.join('?' * len(ids))})", ids)}
    return [rows[article_id] for article_id in ids if article_id in rows]
