"""Datasette plugin: diacritic-insensitive Vietnamese search in SQL and in the search box.

- vn_fold(text): text without diacritics, đ as d (schema.search.fold).
- vn_match(query): the FTS5 MATCH expression of what a query finds (schema.search);
  vn_match(query, tier): the tier-th ranked expression (schema.search.ranked_hit_expressions:
  1 = the exact phrase as typed in the title; each tier runs on the index schema.search.HIT_TIERS
  names), for queries that rank; a tier the query does not have matches nothing.
- escape_fts(query): Datasette's search box (`?_search=`) runs `match escape_fts(:search)`;
  it is replaced by vn_match, so the box follows the same rule as the canned queries.
- vn_place_rest(query, name, type): whether a query names a place, and its other words
  (schema.event_search.place_rest).
- filters_from_request: the search box of the event tables (metadata `plugins.vn_search.event_search`)
  finds an event through its article's text or the names of its province and district
  (schema.event_search.event_match_sql).
- asgi_wrapper: a search of blanks (`?_search=%20`) is no search: every row, not none.
"""
from __future__ import annotations

import sqlite3
import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite

from schema.event_search import event_match_sql, place_rest
from schema.datasette import SEARCH_PLUGIN
from schema.search import fold, fts_match_expression, ranked_hit_expressions

# A phrase no tokenizer can produce: an empty query matches nothing instead of raising an error.
_MATCH_NOTHING = '"\u2060"'


def _match(query: str | None, tier: int | None = None) -> str:
    if tier is None:
        return fts_match_expression(query or "") or _MATCH_NOTHING
    expressions = ranked_hit_expressions(query or "")
    return (expressions[tier - 1] if 1 <= tier <= len(expressions) else None) or _MATCH_NOTHING


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register vn_fold(), vn_match(), vn_place_rest() and our escape_fts() on every Datasette connection.

    trylast: pluggy calls it after Datasette's own hook, which registers the stock escape_fts.
    """
    conn.create_function("vn_fold", 1, fold, deterministic=True)
    conn.create_function("vn_match", 1, _match, deterministic=True)
    conn.create_function("vn_match", 2, _match, deterministic=True)
    conn.create_function("escape_fts", 1, _match, deterministic=True)
    conn.create_function("vn_place_rest", 3, place_rest, deterministic=True)


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """`?_search=` on an events table: its article's text or its places' names (module docstring).

    trylast: the search box's context set here wins over Datasette's (which finds no index for
    these tables and would hide the box).
    """
    roles = ((datasette.plugin_config(SEARCH_PLUGIN) or {}).get("event_search") or {}).get(table)
    if not roles:
        return None
    search = request.args.get("_search") or ""
    context = {"supports_search": True, "search": search}
    if not search.strip():
        return FilterArguments([], extra_context=context)
    condition = event_match_sql(escape_sqlite(roles["article"]), [escape_sqlite(name) for name in roles["places"]],
                                "vn_search")
    return FilterArguments([condition], {"vn_search": search},
                           [f'search matches "{search}"'], context)


def _without_blank_searches(query_string: bytes) -> bytes | None:
    """The query string without `_search` arguments that hold only blanks; None when it has none."""
    pairs = urllib.parse.parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    kept = [(key, value) for key, value in pairs
            if not (key.startswith("_search") and key != "_searchmode" and not value.strip())]
    if len(kept) == len(pairs):
        return None
    return urllib.parse.urlencode(kept, encoding="latin-1").encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    """A search of nothing but blanks lists every row, like an empty search box (Datasette's own
    search would run it and find nothing)."""
    def wrap(app):
        async def blank_search_is_no_search(scope, receive, send):
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                cleaned = _without_blank_searches(scope["query_string"])
                if cleaned is not None:
                    scope = {**scope, "query_string": cleaned}
            await app(scope, receive, send)
        return blank_search_is_no_search
    return wrap
