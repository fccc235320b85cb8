"""Diacritic folding and the search rule for Vietnamese text.

FTS5's unicode61 tokenizer can strip tone marks but never maps đ to d, while users type
"Dong Thap" for "Đồng Tháp". The search indexes (schema/search_index.py) therefore hold each text
folded (`fold` is the one folding rule: store, index, queries and SQL all use it), and the
titles also as written.

What a query matches (`fts_match_expression`, used by Datasette's search box through the
escape_fts override in schema/plugins/vn_search.py, by the canned queries and by
store.search_articles): every word of the query, folded, in the folded text, all within a few
words of each other. Vietnamese writes one syllable per token, so syllables far apart are other
words: "Dong Thap" must not find "đồng chí ... thu thập". Accented and unaccented forms of a
query therefore match the same rows. Ranking (`ranked_hit_expressions`) puts the exact phrase
before the words apart and the title before the body, and a title spelled as typed first; a
search lists a tier newest first. No bm25: it counts every match of each phrase to weigh it, and
a common word ("tập huấn") matches most of a million articles.
"""
from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r'"([^"]*)"')
# After NFD, anything outside ASCII but the combining diacritics (U+0300-U+036F) is punctuation
# or a symbol: each run of them becomes a space, so "2021–2025" folds to two words as the
# tokenizer reads it. (The class is written out once before its repetition: Python's re skips to a
# pattern's first character only when it opens with a class, not with a repeat; written "[...]+"
# it tried every position of the text: three fifths of fold()'s instructions.)
_NON_ASCII_SYMBOL = re.compile(r"[^\x00-\x7f\u0300-\u036f][^\x00-\x7f\u0300-\u036f]*")
# How many other words may stand between the first and the last word of a query (FTS5 NEAR),
# beyond the query's own length: about a clause.
NEAR_WINDOW = 10
MAX_QUERY_WORDS = 32  # words of a query that count (see query_terms)
MAX_QUERY_CHARACTERS = 2000  # read no further (32 words are far shorter)


def fold(text: str | None) -> str | None:
    """Remove Vietnamese diacritics and write đ as d: "Đồng Tháp" -> "Dong Thap".

    The result is ASCII: after decomposition the tone and vowel marks are separate characters
    and are dropped; other characters outside ASCII (typographic quotes, dashes, ellipses)
    become spaces, so the folded text has the same words as the original.

    :param text: any text (None passes through)
    :return: the folded text, same letters in the same case
    """
    if text is None:
        return None
    # đ/Đ (and the look-alike Ð) are letters of their own in Unicode, not d plus a mark.
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D"))
    if not text.isascii():
        text = _NON_ASCII_SYMBOL.sub(" ", text)
    return text.encode("ascii", "ignore").decode("ascii")


def query_terms(query: str) -> list[list[str]]:
    """The terms of a query: each word alone, or the words of a "quoted phrase" together.

    FTS syntax (AND, OR, *, -, parentheses) is read as plain words. Only the first
    MAX_QUERY_WORDS words count: FTS5's cost grows faster than a NEAR group's length, and a pasted
    page of text would hold a search worker for seconds.

    :param query: what the user typed
    :return: one list of words per term, in order; [] when the query has no words
    """
    query = unicodedata.normalize("NFC", query[:MAX_QUERY_CHARACTERS])
    terms: list[list[str]] = []
    position = 0
    for quoted in _QUOTED.finditer(query):
        terms += [[word] for word in _TOKEN.findall(query[position:quoted.start()])]
        phrase = _TOKEN.findall(quoted.group(1))
        if phrase:
            terms.append(phrase)
        position = quoted.end()
    terms += [[word] for word in _TOKEN.findall(query[position:])]
    kept, words = [], 0
    for term in terms:
        if words + len(term) > MAX_QUERY_WORDS:
            break
        kept.append(term)
        words += len(term)
    return kept


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def _near(terms: list[list[str]]) -> str:
    if len(terms) == 1:
        return _phrase(terms[0])
    length = sum(len(term) for term in terms)
    return f"NEAR({' '.join(_phrase(term) for term in terms)}, {NEAR_WINDOW + length})"


def _folded_terms(terms: list[list[str]]) -> list[list[str]]:
    return [[fold(word) for word in term] for term in terms]


def fts_match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression of what a query finds in `articles_fts` (whose columns are the
    folded title and body): its words, folded, close together.

    :param query: what the user typed
    :return: the expression, or None when the query has no words
    """
    terms = query_terms(query)
    if not terms:
        return None
    return _near(_folded_terms(terms))


# The tiers of a ranked search, best first: (what it looks for, whether it looks in the title
# alone). A title tier runs on `titles_fts` (title as typed, title folded), the others on
# `articles_fts` (title and body folded); see schema/search_index.py.
HIT_TIERS = (("the phrase as typed", True), ("the phrase", True), ("the phrase", False),
             ("the words as typed", True), ("the words close together", True), ("the words close together", False))


def ranked_hit_expressions(query: str) -> list[str | None]:
    """The MATCH expression of each tier of `HIT_TIERS` for a query; None for a tier it does not
    have. A row belongs to its first tier; the last tier is `fts_match_expression(query)`.

    1. the whole query as one phrase, spelled as typed, in the title; 2. the phrase folded, in the
    title; 3. the phrase folded, anywhere; 4.-6. the same with the words close together instead of
    in one phrase. A query typed without diacritics has no tiers "as typed" (its spelling is the
    folded one), a one-word query no tiers 4-6 (the word is the phrase).

    :param query: what the user typed
    :return: HIT_TIERS expressions or None, best first; [] when the query has no words
    """
    terms = query_terms(query)
    if not terms:
        return []
    words = [word for term in terms for word in term]
    folded_terms = _folded_terms(terms)
    as_typed = folded_terms != terms
    phrase, folded_phrase = _phrase(words), _phrase([word for term in folded_terms for word in term])
    near, folded_near = _near(terms), _near(folded_terms)
    expressions = [f"{{title}} : {phrase}" if as_typed else None, f"{{title_folded}} : {folded_phrase}",
                   folded_phrase, f"{{title}} : {near}" if as_typed else None,
                   f"{{title_folded}} : {folded_near}", folded_near]
    seen: set[str] = set()
    for tier, expression in enumerate(expressions):
        if expression in seen:
            expressions[tier] = None  # the same rows as a tier before it (one word: the phrase is the NEAR group)
        seen.add(expression)
    return expressions
