"""Search in a real Datasette over HTTP: the search box of articles, events and activities, and the
canned queries, give the same rows for a query with and without diacritics (đ included)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from schema.search import fold
from test_datasette import get_json

EXACT_URL = "https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap"
NEAR_URL = "https://example.gov.vn/ban-tin-thoi-tiet"
# Accented form, then forms without diacritics, with đ as d, or in other cases.
SPELLINGS = [("Đồng Tháp", ["Dong Thap", "dong thap", "ĐỒNG THÁP", "Đong Thap"]),
             ("giảm nghèo", ["giam ngheo", "GIAM NGHEO"]),
             ("đào tạo", ["dao tao", "Đao tao"]),
             ("tập huấn cán bộ", ["tap huan can bo"])]


def box(base: str, table: str, query: str, key: str) -> set:
    """What the table's own search box (?_search=) finds, every page."""
    rows = get_json(base, f"/training/{table}.json", _search=query, _shape="array", _size="max")
    return {row[key] for row in rows}


def canned(base: str, name: str, query: str) -> list[dict]:
    return get_json(base, f"/training/{name}.json", q=query, _shape="array")


@pytest.mark.parametrize("accented, others", SPELLINGS)
@pytest.mark.parametrize("table, key", [("articles", "url"), ("events", "id"), ("activities", "event")])
def test_search_box_finds_the_same_rows_with_or_without_diacritics(datasette_url: str, table: str, key: str,
                                                                   accented: str, others: list[str]) -> None:
    expected = box(datasette_url, table, accented, key)
    for spelling in others:
        assert box(datasette_url, table, spelling, key) == expected, spelling


def test_search_box_finds_what_is_written(datasette_url: str, built_db: Path) -> None:
    assert EXACT_URL in box(datasette_url, "articles", "Dong Thap", "url")
    connection = sqlite3.connect(built_db)
    try:
        with_words = {row[0] for row in connection.execute(
            "select e.id from events e join articles a on a.id = e.article_id where a.body_folded like '%giam ngheo%' "
            "or a.title_folded like '%giam ngheo%'")}
        article_id = connection.execute("select id from articles where url = ?", [EXACT_URL]).fetchone()[0]
    finally:
        connection.close()
    # The events of an article are found through its text: every event whose article has the words.
    assert with_words and box(datasette_url, "events", "giảm nghèo", "id") == with_words
    assert box(datasette_url, "activities", "giảm nghèo", "event") == with_words
    assert {row["article_id"] for row in get_json(datasette_url, "/training/activities.json", _search="Dong Thap",
                                                  _shape="array")} >= {article_id}


def test_syllables_far_apart_do_not_make_the_word(datasette_url: str, built_db: Path) -> None:
    found = box(datasette_url, "articles", "Dong Thap", "url")
    connection = sqlite3.connect(built_db)
    try:
        texts = dict(connection.execute("select url, lower(coalesce(title_folded, '') || ' ' || body_folded) from articles"))
    finally:
        connection.close()
    # Articles holding both syllables only apart ("đồng chí ... thu thập") are not "Đồng Tháp".
    apart = {url for url, text in texts.items() if " dong " in f" {text} " and "thap" in text
             and "dong thap" not in text}
    assert apart and not (found & apart)
    assert EXACT_URL in found


@pytest.mark.parametrize("accented, others", SPELLINGS)
def test_canned_searches_find_the_same_rows(datasette_url: str, accented: str, others: list[str]) -> None:
    for name, key in (("search_articles", "url"), ("search_events", "event")):
        expected = {row[key] for row in canned(datasette_url, name, accented)}
        for spelling in others:
            assert {row[key] for row in canned(datasette_url, name, spelling)} == expected, (name, spelling)


def test_canned_search_ranks_the_spelling_as_typed_first(datasette_url: str) -> None:
    rows = canned(datasette_url, "search_articles", "Đồng Tháp")
    assert rows[0]["url"] == EXACT_URL and rows[0]["tier"] == 1
    assert [row["tier"] for row in rows] == sorted(row["tier"] for row in rows)
    assert canned(datasette_url, "search_articles", "đông thấp")[0]["url"] == NEAR_URL
    assert {row["url"] for row in canned(datasette_url, "search_articles", "Đồng Tháp")} == \
        box(datasette_url, "articles", fold("Đồng Tháp"), "url")


def test_a_query_without_words_finds_nothing(datasette_url: str) -> None:
    assert box(datasette_url, "articles", "-*()", "url") == set()
    assert canned(datasette_url, "search_articles", "  ") == []
