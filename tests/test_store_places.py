"""Places of both maps in one store: the 2025 map reuses codes of other communes, so its communes
are keyed apart (schema.tables.place_key_of) and each article's mentions name its own unit."""
from __future__ import annotations

from pathlib import Path

from extract import extract_record
from store import open_database, save_article

BEFORE = ("Tập huấn cho cán bộ phường\n\nNgày 5/6/2024, UBND phường Trúc Bạch, quận Ba Đình, thành phố Hà Nội "
          "tổ chức tập huấn cho 60 cán bộ.")
AFTER = ("Tập huấn cho cán bộ phường\n\nNgày 9/9/2025, UBND phường Ba Đình, thành phố Hà Nội tổ chức tập huấn "
         "cho 60 cán bộ.")


def _store(db, url: str, text: str, published: str) -> None:
    record = extract_record(text, url=url, published=published)
    assert save_article(db, {"url": url, "site": "hanoi.example.gov.vn", "title": text.split("\n")[0], "body": text,
                             "published": published}, record) == "new"


def test_a_2025_commune_and_the_commune_that_had_its_code_before_are_two_places(tmp_path: Path) -> None:
    db = open_database(tmp_path / "training.db")
    _store(db, "https://hanoi.example.gov.vn/truc-bach", BEFORE, "2024-06-05")
    _store(db, "https://hanoi.example.gov.vn/ba-dinh", AFTER, "2025-09-10")
    communes = {row["code"]: row for row in db.query("select * from places where level = 'commune'")}
    assert communes["00004"]["name"] == "Trúc Bạch" and communes["00004"]["post_2025_name"] == "Ba Đình"
    assert communes["2025-00004"]["name"] == "Ba Đình" and communes["2025-00004"]["post_2025_code"] == "00004"
    assert communes["2025-00004"]["parent_code"] == "01"
    named = {row["url"].rsplit("/", 1)[1]: row["name"] for row in db.query(
        "select a.url, p.name from mentions m join articles a on a.id = m.article_id join places p on p.code = m.place_code "
        "where p.level = 'commune'")}
    assert named == {"truc-bach": "Trúc Bạch", "ba-dinh": "Ba Đình"}


def test_the_successor_after_the_reform_is_another_unit_and_linked_only_as_a_commune() -> None:
    from schema.tables import reform_successor

    commune = {"code": "00004", "name": "Trúc Bạch", "level": "commune", "post_2025_code": "00004",
               "post_2025_name": "Ba Đình"}
    assert reform_successor(commune) == ("Ba Đình", "2025-00004")  # the same code, another unit
    assert reform_successor({**commune, "code": "2025-00004", "name": "Ba Đình"}) == (None, None)  # itself
    assert reform_successor({**commune, "name": "Ba Đình"}) == (None, None)  # unchanged by the reform
    province = {"code": "64", "name": "Gia Lai", "level": "province", "post_2025_code": "52", "post_2025_name": "Gia Lai"}
    assert reform_successor(province) == ("Gia Lai", None)  # the 2025 map's provinces are not stored
