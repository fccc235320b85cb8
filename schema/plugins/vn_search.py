"""Datasette plugin: diacritic-insensitive Vietnamese search in SQL and in the search box.

- vn_fold(text): text without diacritics, đ as d (schema.search.fold).
- vn_match(query): the FTS5 MATCH expression of what a query finds (schema.search);
  vn_match(query, tier): the tier-th ranked expression (1 = exact phrase as typed), for
  queries that rank; a tier the query does not have matches nothing.
- escape_fts(query): Datasette's search box (`?_search=`) runs `match escape_fts(:search)`;
  it is replaced by vn_match, so the box follows the same rule as the canned queries.
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl

from schema.search import fold, fts_match_expression, ranked_match_expressions

# A phrase no tokenizer can produce: an empty query matches nothing instead of raising an error.
_MATCH_NOTHING = '"\u2060"'


def _match(query: str | None, tier: int | None = None) -> str:
    if tier is None:
        return fts_match_expression(query or "") or _MATCH_NOTHING
    expressions = ranked_match_expressions(query or "")
    return expressions[tier - 1] if 1 <= tier <= len(expressions) else _MATCH_NOTHING


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register vn_fold(), vn_match() and our escape_fts() on every Datasette connection.

    trylast: pluggy calls it after Datasette's own hook, which registers the stock escape_fts.
    """
    conn.create_function("vn_fold", 1, fold, deterministic=True)
    conn.create_function("vn_match", 1, _match, deterministic=True)
    conn.create_function("vn_match", 2, _match, deterministic=True)
    conn.create_function("escape_fts", 1, _match, deterministic=True)
