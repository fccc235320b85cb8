"""Search with and without diacritics (schema/search.py, store.search_articles)."""
from __future__ import annotations

from pathlib import Path

import pytest

from schema.search import HIT_TIERS, fold, fts_match_expression, query_terms, ranked_hit_expressions
from store import open_database, save_articles, search_articles

ARTICLES = {
    "https://a.vn/exact": "Tập huấn ở Đồng Tháp\n\nSở Lao động tỉnh Đồng Tháp tập huấn công tác giảm nghèo.",
    "https://a.vn/near": "Thời tiết\n\nGió mùa đông thấp, trời rét.",
    "https://a.vn/plain": "Tin ngan\n\nDong Thap to chuc tap huan giam ngheo (ban khong dau).",
    "https://a.vn/other": "Hội nghị\n\nHà Nội tổ chức hội nghị về chuyển đổi số.",
    # Both syllables of "Đồng Tháp", folded, but far apart and in other words: not a match.
    "https://a.vn/apart": "Quảng Ngãi\n\nCác đồng chí cán bộ xã dự hội nghị về công tác giảm nghèo, được hướng "
                          "dẫn cách điều tra, rà soát hộ nghèo và phương pháp thu thập, cập nhật dữ liệu.",
    # Words close together but in another order: found, after the phrase.
    "https://a.vn/order": "Lớp học\n\nCông tác giảm nghèo: tập huấn cho cán bộ cơ sở.",
    "https://a.vn/dash": "Kế hoạch\n\nGiai đoạn 2021–2025 “Nông thôn mới”…tiếp tục.",
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


def test_fold_keeps_word_boundaries_at_non_ascii_punctuation() -> None:
    assert fold("2021–2025").split() == ["2021", "2025"]
    assert fold("“Nông thôn mới”…tiếp").split() == ["Nong", "thon", "moi", "tiep"]
    # A run of such characters is one space; a mark between two of them (a decomposed input) splits it.
    assert fold("a“…”b – c") == "a b   c"
    assert fold("a–\u0301–b") == "a  b"


def test_query_terms_keep_quoted_phrases_and_ignore_syntax() -> None:
    assert query_terms('Đồng "Tháp Mười" OR -x*') == [["Đồng"], ["Tháp", "Mười"], ["OR"], ["x"]]
    assert query_terms(" -*( ") == []


def test_match_expression_is_folded_words_close_together() -> None:
    assert fts_match_expression("Đồng Tháp") == 'NEAR("Dong" "Thap", 12)'
    assert fts_match_expression("Đồng Tháp") == fts_match_expression("Dong Thap")
    assert fts_match_expression('"Tháp Mười" tập') == 'NEAR("Thap Muoi" "tap", 13)'
    assert fts_match_expression("huấn") == '"huan"'
    assert fts_match_expression(" -*( ") is None


def test_ranked_expressions_go_from_exact_phrase_in_the_title_to_the_match_expression() -> None:
    tiers = ranked_hit_expressions("Đồng Tháp")
    assert tiers[0] == '{title} : "Đồng Tháp"'
    assert tiers[-1] == fts_match_expression("Đồng Tháp")
    assert len(tiers) == len(set(tiers)) == len(HIT_TIERS)
    assert ranked_hit_expressions("!!!") == []


def test_a_query_without_diacritics_or_of_one_word_skips_the_tiers_it_cannot_tell_apart() -> None:
    unaccented = ranked_hit_expressions("Dong Thap")
    assert [tier for tier, expression in enumerate(unaccented) if expression is None] == [0, 3]
    assert unaccented[1:3] == ranked_hit_expressions("Đồng Tháp")[1:3]
    one_word = ranked_hit_expressions("huấn")
    assert one_word[:3] == ['{title} : "huấn"', '{title_folded} : "huan"', '"huan"'] and one_word[3:] == [None] * 3


@pytest.mark.parametrize("query", ["Dong Thap", "dong thap", "đồng tháp", "Đồng Tháp", "ĐỒNG THÁP", "Đong Thap"])
def test_all_spellings_find_the_same_articles(db, query: str) -> None:
    assert set(urls(search_articles(db, query))) == {"https://a.vn/exact", "https://a.vn/near",
                                                      "https://a.vn/plain"}


def test_syllables_far_apart_are_not_the_word(db) -> None:
    assert "https://a.vn/apart" not in urls(search_articles(db, "Dong Thap"))
    assert "https://a.vn/apart" in urls(search_articles(db, "thu thap du lieu"))


def test_a_title_spelled_as_typed_ranks_first(tmp_path: Path) -> None:
    database = open_database(tmp_path / "training.db")
    save_articles(database, [({"url": url, "title": body.split("\n")[0], "body": body}, None)
                             for url, body in ARTICLES.items()])
    assert urls(search_articles(database, "Tập huấn ở Đồng Tháp"))[0] == "https://a.vn/exact"
    assert urls(search_articles(database, "gió mùa đông thấp"))[0] == "https://a.vn/near"
    # In the title any spelling comes before the text, where every spelling counts the same: newest first.
    assert urls(search_articles(database, "đông thấp")) == ["https://a.vn/exact", "https://a.vn/plain",
                                                           "https://a.vn/near"]


def test_phrase_ranks_before_words_in_another_order(db) -> None:
    found = urls(search_articles(db, "tập huấn giảm nghèo"))
    assert set(found) == {"https://a.vn/order", "https://a.vn/exact", "https://a.vn/plain"}
    assert found.index("https://a.vn/plain") < found.index("https://a.vn/order")
    assert urls(search_articles(db, "giảm nghèo tập huấn"))[0] == "https://a.vn/order"


def test_accentless_query_finds_accented_text(db) -> None:
    assert set(urls(search_articles(db, "giam ngheo"))) == {"https://a.vn/exact", "https://a.vn/plain",
                                                            "https://a.vn/apart", "https://a.vn/order"}
    assert urls(search_articles(db, "chuyen doi so")) == ["https://a.vn/other"]
    assert urls(search_articles(db, "2021-2025")) == ["https://a.vn/dash"]
    assert urls(search_articles(db, "moi tiep")) == ["https://a.vn/dash"]
    assert search_articles(db, "!!!") == []


def test_index_follows_deleted_text(tmp_path: Path) -> None:
    database = open_database(tmp_path / "training.db")
    save_articles(database, [({"url": "https://a.vn/1", "body": "Tập huấn ở Đồng Tháp"}, None)])
    save_articles(database, [({"url": "https://a.vn/1", "body": "Tập huấn ở Cà Mau"}, None)])
    assert search_articles(database, "Dong Thap") == []
    assert urls(search_articles(database, "ca mau")) == ["https://a.vn/1"]


def test_migration_moves_a_database_with_stored_folded_copies_to_the_indexes_without_text(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    database = open_database(path)
    save_articles(database, [({"url": "https://a.vn/1", "title": "Tập huấn ở Đồng Tháp", "body": "Giai đoạn 2021–2025"},
                              None)])
    # The file as it was before m011: folded copies stored in articles, one index reading them.
    for name in ("articles_fts", "titles_fts"):
        database.execute(f"drop table {name}")
    for column in ("title_folded", "body_folded"):
        database.execute(f"alter table articles add column {column} text")
    database.execute("update articles set title_folded = 'Tap huan o Dong Thap', body_folded = 'Giai doan 2021 2025'")
    database["articles"].enable_fts(["title", "body", "title_folded", "body_folded"], fts_version="FTS5")
    database["articles"].rebuild_fts()
    database.execute("delete from _sqlite_migrations where name = 'm011_search_indexes_without_text'")
    database.conn.commit()
    database.close()
    reopened = open_database(path)
    assert "body_folded" not in reopened["articles"].columns_dict
    assert urls(search_articles(reopened, "2021 2025")) == urls(search_articles(reopened, "dong thap")) == [
        "https://a.vn/1"]
    assert reopened.execute("select rowid from titles_fts where titles_fts match 'Đồng'").fetchall() == [(1,)]
    reopened.close()


def test_within_a_tier_the_title_comes_first_then_the_newest(tmp_path: Path) -> None:
    database = open_database(tmp_path / "training.db")
    save_articles(database, [({"url": f"https://a.vn/{name}", "title": title, "body": body}, None)
                             for name, title, body in [
                                 ("titled", "Tập huấn ở Đồng Tháp", "Nội dung."),
                                 ("old", "Tin tức", "Lớp tập huấn ở Đồng Tháp."),
                                 ("new", "Tin tức", "Lớp tập huấn ở Đồng Tháp năm nay.")]])
    assert urls(search_articles(database, "Đồng Tháp")) == ["https://a.vn/titled", "https://a.vn/new",
                                                            "https://a.vn/old"]
    assert urls(search_articles(database, "Đồng Tháp", limit=2)) == ["https://a.vn/titled", "https://a.vn/new"]


def test_hit_expressions_try_each_tier_in_the_title_first() -> None:
    hits = ranked_hit_expressions("Đồng Tháp")
    assert [in_title for _, in_title in HIT_TIERS] == [True, True, False, True, True, False]
    assert hits[1:3] == ['{title_folded} : "Dong Thap"', '"Dong Thap"']
    assert hits[-2] == '{title_folded} : NEAR("Dong" "Thap", 12)'


def test_only_the_first_words_of_a_very_long_query_count(db) -> None:
    from schema.search import MAX_QUERY_WORDS

    pasted = "Dong Thap " + " ".join(["tập huấn"] * 5000)
    terms = query_terms(pasted)
    assert sum(len(term) for term in terms) == MAX_QUERY_WORDS and terms[:2] == [["Dong"], ["Thap"]]
    assert query_terms('"' + "a " * 40 + '"') == []  # a phrase longer than the cap is left out whole
    assert set(urls(search_articles(db, pasted))) <= set(urls(search_articles(db, "Dong Thap")))  # and at once
