"""Datasette plugin: SQL functions for diacritic-insensitive Vietnamese search.

vn_fold(text) writes text without diacritics and đ as d; vn_match(query) builds the FTS5 MATCH
expression that finds the query as typed or folded (used by the search_articles canned query).
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl

from schema.search import fold, fts_match_expression

# A phrase no tokenizer can produce: an empty query matches nothing instead of raising an error.
_MATCH_NOTHING = '"\u2060"'


def _match(query: str | None) -> str:
    return fts_match_expression(query or "") or _MATCH_NOTHING


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register vn_fold() and vn_match() on every Datasette connection."""
    conn.create_function("vn_fold", 1, fold, deterministic=True)
    conn.create_function("vn_match", 1, _match, deterministic=True)
