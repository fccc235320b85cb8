"""Search in a real Datasette over HTTP: the search box of articles, events and activities, and the
canned queries, give the same rows for a query with and without diacritics (đ included)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from schema.datasette import RANK_TIER_NAMES
from schema.search import fold
from test_datasette import get_json

EXACT_URL = "https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap"
NEAR_URL = "https://example.gov.vn/ban-tin-thoi-tiet"
# Accented form, then forms without diacritics, with đ as d, or in other cases.
SPELLINGS = [("Đồng Tháp", ["Dong Thap", "dong thap", "ĐỒNG THÁP", "Đong Thap"]),
             ("giảm nghèo", ["giam ngheo", "GIAM NGHEO"]),
             ("đào tạo", ["dao tao", "Đao tao"]),
             ("tập huấn cán bộ", ["tap huan can bo"])]


def folding_connection(path: Path) -> sqlite3.Connection:
    """A connection to the built database with vn_fold() (as Datasette's plugin registers it)."""
    connection = sqlite3.connect(path)
    connection.create_function("vn_fold", 1, fold, deterministic=True)
    return connection


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
    connection = folding_connection(built_db)
    try:
        with_words = {row[0] for row in connection.execute(
            "select e.id from events e join articles a on a.id = e.article_id where vn_fold(a.body) like '%giam ngheo%' "
            "or vn_fold(a.title) like '%giam ngheo%'")}
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
    connection = folding_connection(built_db)
    try:
        texts = dict(connection.execute("select url, lower(coalesce(vn_fold(title), '') || ' ' || vn_fold(body)) "
                                        "from articles"))
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
    assert rows[0]["url"] == EXACT_URL and rows[0]["found"] == RANK_TIER_NAMES[0]
    tiers = [RANK_TIER_NAMES.index(row["found"]) for row in rows]
    assert tiers == sorted(tiers)
    assert not {"tier", "score"} & set(rows[0])  # what was found is said in words
    assert {row["url"]: row["found"] for row in canned(datasette_url, "search_articles", "đông thấp")}[NEAR_URL] \
        == "the phrase"
    assert {row["url"] for row in canned(datasette_url, "search_articles", "Đồng Tháp")} == \
        box(datasette_url, "articles", fold("Đồng Tháp"), "url")


def test_a_query_without_words_finds_nothing(datasette_url: str) -> None:
    assert box(datasette_url, "articles", "-*()", "url") == set()
    assert canned(datasette_url, "search_articles", "  ") == []


def test_event_search_finds_the_events_of_a_province_their_article_does_not_name(datasette_url: str,
                                                                                 built_db: Path) -> None:
    connection = folding_connection(built_db)
    try:
        located = connection.execute(
            "select e.id, p.name, lower(coalesce(vn_fold(a.title), '') || ' ' || vn_fold(a.body)) from events e "
            "join places p on p.code = e.province_code join articles a on a.id = e.article_id").fetchall()
        article_of = dict(connection.execute("select id, article_id from events"))
        unnamed = [(event_id, name) for event_id, name, text in located if fold(name).lower() not in text]
        assert unnamed, "the dev set has events placed in a province their article does not name"
        event_id, name = unnamed[0]
        in_place = {row[0] for row in connection.execute(
            "select e.id from events e join places p on p.code in (e.province_code, e.district_code) "
            "where p.name = ?", [name])}
    finally:
        connection.close()
    assert event_id not in box(datasette_url, "articles", name, "id")  # the text alone does not find it
    for spelling in (name, fold(name), f"tỉnh {name}"):
        found = box(datasette_url, "activities", spelling, "event")
        assert event_id in found and in_place <= found, spelling
        assert box(datasette_url, "events", spelling, "id") == found
    # The place and other words: the other words must be in the article's text.
    assert event_id not in box(datasette_url, "activities", f"{name} zzzqqq", "event")
    with_words = f"tập huấn {name}"
    text_hits = box(datasette_url, "articles", with_words, "id")
    rest_hits = box(datasette_url, "articles", "tập huấn", "id")
    expected = {event for event, article in article_of.items() if article in text_hits} | \
        {event for event in in_place if article_of[event] in rest_hits}
    assert box(datasette_url, "activities", with_words, "event") == expected
    # The canned search lists the same activities as the search box.
    assert {row["event"] for row in canned(datasette_url, "search_events", name)} == \
        box(datasette_url, "activities", name, "event")


def test_a_blank_search_lists_every_row(datasette_url: str, built_db: Path) -> None:
    for table, key in (("articles", "id"), ("events", "id"), ("activities", "event")):
        everything = get_json(datasette_url, f"/training/{table}.json", _shape="array", _size="max")
        assert everything
        assert box(datasette_url, table, "   ", key) == {row[key] for row in everything}, table
