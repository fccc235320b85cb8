"""Search with and without diacritics (schema/search.py, store.search_articles)."""
from __future__ import annotations

from pathlib import Path

import pytest
from datasette.utils import escape_fts

from schema.search import fold, fts_match_expression
from store import open_database, save_articles, search_articles

ARTICLES = {
    "https://a.vn/exact": "Tập huấn ở Đồng Tháp\n\nSở Lao động tỉnh Đồng Tháp tập huấn công tác giảm nghèo.",
    "https://a.vn/near": "Thời tiết\n\nGió mùa đông thấp, trời rét.",
    "https://a.vn/plain": "Tin ngan\n\nDong Thap to chuc tap huan giam ngheo (ban khong dau).",
    "https://a.vn/other": "Hội nghị\n\nHà Nội tổ chức hội nghị về chuyển đổi số.",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory):
    database = open_database(tmp_path_factory.mktemp("search") / "training.db")
    save_articles(database, [({"url": url, "body": body}, None) for url, body in ARTICLES.items()])
    yield database
    database.close()


def urls(rows: list[dict]) -> list[str]:
    return [row["url"] for row in rows]


def test_fold_removes_tones_and_d_stroke() -> None:
    assert fold("Đồng Tháp, ĐẮK LẮK, hoà, thuỷ, Ðà") == "Dong Thap, DAK LAK, hoa, thuy, Da"
    assert fold("giảm nghèo") == "giam ngheo"
    assert fold(None) is None


def test_match_expression_quotes_words_and_ignores_syntax() -> None:
    assert fts_match_expression('Đồng "Tháp" OR') == (
        '({title body} : ("Đồng" "Tháp" "OR")) OR ({title_folded body_folded} : ("Dong" "Thap" "OR"))')
    assert fts_match_expression(" -*( ") is None


@pytest.mark.parametrize("query", ["Dong Thap", "dong thap", "đồng tháp", "Đồng Tháp", "ĐỒNG THÁP"])
def test_all_spellings_find_the_same_articles(db, query: str) -> None:
    assert set(urls(search_articles(db, query))) == {"https://a.vn/exact", "https://a.vn/near",
                                                      "https://a.vn/plain"}


def test_exact_spelling_ranks_first(db) -> None:
    assert urls(search_articles(db, "Đồng Tháp"))[0] == "https://a.vn/exact"
    assert urls(search_articles(db, "đông thấp"))[0] == "https://a.vn/near"
    assert urls(search_articles(db, "Dong Thap"))[0] == "https://a.vn/plain"


def test_accentless_query_finds_accented_text(db) -> None:
    assert set(urls(search_articles(db, "giam ngheo"))) == {"https://a.vn/exact", "https://a.vn/plain"}
    assert urls(search_articles(db, "chuyen doi so")) == ["https://a.vn/other"]
    assert search_articles(db, "!!!") == []


def test_datasette_style_query_matches_folded_columns(db) -> None:
    # Datasette's search box runs `match escape_fts(:search)` against the whole index.
    rows = db.execute("select a.url from articles_fts join articles a on a.id = articles_fts.rowid "
                      "where articles_fts match ? order by a.url", [escape_fts("Dong Thap")]).fetchall()
    assert [row[0] for row in rows] == ["https://a.vn/exact", "https://a.vn/near", "https://a.vn/plain"]


def test_index_follows_deleted_text(tmp_path: Path) -> None:
    database = open_database(tmp_path / "training.db")
    save_articles(database, [({"url": "https://a.vn/1", "body": "Tập huấn ở Đồng Tháp"}, None)])
    save_articles(database, [({"url": "https://a.vn/1", "body": "Tập huấn ở Cà Mau"}, None)])
    assert search_articles(database, "Dong Thap") == []
    assert urls(search_articles(database, "ca mau")) == ["https://a.vn/1"]
