"""Full-text search over the stored articles, with or without diacritics (đ/d included)."""
from __future__ import annotations

import sqlite_utils

from schema.search import HIT_TIERS, ranked_hit_expressions
from schema.search_index import ANY_ARTICLE_ID, ARTICLES_FTS, TITLES_FTS

_INDEX_OF_TIER = {True: TITLES_FTS.name, False: ARTICLES_FTS.name}  # in the title alone, or anywhere
# The newest matches of one tier, in the index the tier looks in, between two article ids (FTS5
# reads its index backwards from the upper bound and stops at the limit or the lower bound).
TIER_HITS_SQL = {in_title: f"select rowid from [{index}] where [{index}] match ? and rowid between ? and ? "
                           "order by rowid desc limit ?" for in_title, index in _INDEX_OF_TIER.items()}


def search_articles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles and bodies, with or without diacritics; the exact phrase first.

    The articles are those of `schema.search.fts_match_expression` (every word, folded, close
    together), listed tier by tier (`schema.search.HIT_TIERS`: the phrase before the words apart,
    the title before the body, the spelling as typed first), and within a tier newest first. A
    tier reads only as many matches as the page still needs, so a common word costs no more than
    a rare one. The widest tier (every match) is read first: when it holds fewer articles than a
    page, they are all the matches, and the other tiers look only between the oldest and the
    newest of them (a query that matches nothing reads the index once, not once per tier).

    :param db: open database
    :param query: words as a user types them ("giam ngheo", "Đồng Tháp", '"Tháp Mười" tập huấn')
    :param limit: maximum number of articles
    :return: [{"id", "url", "title", "published"}] best first; [] when the query has no words
    """
    tiers = [(in_title, expression) for (_, in_title), expression in zip(HIT_TIERS, ranked_hit_expressions(query))
             if expression is not None]
    if not tiers or limit < 1:
        return []
    every_match = _tier_hits(db, *tiers[-1], ANY_ARTICLE_ID, limit)
    if not every_match:
        return []
    bounds = (min(every_match), max(every_match)) if len(every_match) < limit else ANY_ARTICLE_ID
    ranked: dict[int, None] = {}
    for tier, (in_title, expression) in enumerate(tiers):
        if len(ranked) >= limit:
            break
        # An article of an earlier tier may match again: ask for enough to fill the page anyway.
        hits = every_match if tier == len(tiers) - 1 else _tier_hits(db, in_title, expression, bounds, limit)
        ranked.update(dict.fromkeys(hit for hit in hits if hit not in ranked))
    ids = list(ranked)[:limit]
    rows = {row["id"]: row for row in db.query(
        f"select id, url, title, published from articles where id in ({', '.join('?' * len(ids))})", ids)}
    return [rows[article_id] for article_id in ids if article_id in rows]


def _tier_hits(db: sqlite_utils.Database, in_title: bool, expression: str, bounds: tuple[int, int],
               limit: int) -> list[int]:
    """The ids of the newest `limit` articles a tier's expression matches between two ids."""
    return [rowid for (rowid,) in db.execute(TIER_HITS_SQL[in_title], [expression, *bounds, limit])]
