"""What a search finds among events: their article's text, or the names of their places.

An event is read from an article, so a query matches the event when it matches the article's
text (schema.search). An article may name only the districts ("Hồng Ngự", "Tháp Mười") of an
event that the extractor placed in their province, so a query also matches an event when it
names the event's province or district ("Đồng Tháp", "tỉnh Đồng Tháp", "dong thap"), and the
words left once the place is taken out, if any, match its article ("tập huấn Đồng Tháp").

`place_rest` is that test for one place (registered as the SQL function `vn_place_rest` by
schema/plugins/vn_search.py); `event_match_sql` is the condition the search box of events and
activities, and the search page, put on their rows.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from schema.search import fold, query_terms
from schema.search_index import ARTICLES_FTS

_WORD = re.compile(r"\w+", re.UNICODE)
# Events carry the codes of a province and a district: only units of these levels can be theirs,
# which keeps the scan of `places` short (some 770 units of Vietnam, against 10,000 communes).
EVENT_PLACE_LEVELS = ("province", "district")


def _keys(text: str | None) -> list[str]:
    """The words of a text as the search compares them: folded, lower case."""
    return [fold(word).lower() for word in _WORD.findall(unicodedata.normalize("NFC", text or ""))]


@lru_cache(maxsize=8192)
def place_rest(query: str | None, name: str | None, unit_type: str | None = None) -> str | None:
    """Whether a query names a place, and what else it asks for.

    The place's name must stand in the query as whole words, in order (diacritics and case do
    not matter), optionally after its unit type ("tỉnh", "huyện").

    :param query: what the user typed
    :param name: the place's name, e.g. "Đồng Tháp"
    :param unit_type: its unit type, e.g. "tỉnh"
    :return: None when the query does not name the place; else the rest of the query as a query
             ("" when the place was all it asked for), quoted phrases kept
    """
    name_keys = _keys(name)
    if not query or not name_keys:
        return None
    terms = query_terms(query)
    words = [(index, word) for index, term in enumerate(terms) for word in term]
    keys = [fold(word).lower() for _, word in words]
    size = len(name_keys)
    start = next((at for at in range(len(keys) - size + 1) if keys[at:at + size] == name_keys), None)
    if start is None:
        return None
    end = start + size
    type_keys = _keys(unit_type)
    if type_keys and start >= len(type_keys) and keys[start - len(type_keys):start] == type_keys:
        start -= len(type_keys)
    rest: dict[int, list[str]] = {}
    for position, (index, word) in enumerate(words):
        if not start <= position < end:
            rest.setdefault(index, []).append(word)
    return " ".join(f'"{" ".join(term)}"' if len(term) > 1 else term[0] for term in rest.values())


def event_match_sql(article_column: str, place_columns: list[str], param: str, text: bool = True) -> str:
    """The SQL condition of the rows of an events table (or view) that a query finds.

    :param article_column: SQL expression of the article's id (the search index's rowid), e.g. `[article_id]`
    :param place_columns: SQL expressions of the place codes (province, district)
    :param param: name of the SQL parameter holding the query
    :param text: False for the rows found through their places' names only (ranked searches
                 find the others through the text themselves)
    :return: a condition for a WHERE clause; every subquery in it is computed once per query
    """
    levels = ", ".join(f"'{level}'" for level in EVENT_PLACE_LEVELS)
    rest = f"vn_place_rest(:{param}, p.name, p.type)"
    named_alone = f"select p.code from places p where p.level in ({levels}) and {rest} = ''"
    named_with_words = (f"select p.code, {ARTICLES_FTS.name}.rowid from places p, {ARTICLES_FTS.name} "
                        f"where p.level in ({levels}) and {rest} != '' and {ARTICLES_FTS.name} match vn_match({rest})")
    conditions = [f"{article_column} in (select rowid from {ARTICLES_FTS.name} where {ARTICLES_FTS.name} match vn_match(:{param}))"
                  ] if text else []
    for column in place_columns:
        conditions.append(f"{column} in ({named_alone})")
        conditions.append(f"({column}, {article_column}) in ({named_with_words})")
    return "(" + "\n or ".join(conditions) + ")"
