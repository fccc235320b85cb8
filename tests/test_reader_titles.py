"""One title rule (reader.title) for every title the project stores: a page's headline read by
`read_page`, and a title handed in with an article (`ingest` of JSON lines with a `title` field),
stored through store/rows.py. Issue 11: no "null …", "Chi tiết bài viết - Huyện X", contact lines
or site names as titles; a cut "…" title completed where the full one is printed, never with the
lead."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.article import read_page
from reader.title import completed_title, given_title
from reader.vocabulary import vocabulary
from stages.ingest import ingest
from store import open_database

BODY = ("Ngày 5/3/2024, UBND huyện Cam Lộ tổ chức lớp tập huấn kỹ năng chuyển đổi số cho 85 cán bộ, công "
        "chức cấp xã.\n\nLớp học kéo dài 2 ngày với nhiều nội dung thực hành.")
FULL = "Tập huấn kỹ năng chuyển đổi số cho cán bộ, công chức cấp xã"


@pytest.mark.parametrize("given, expected", [
    ("null Tập huấn kỹ năng chuyển đổi số", "Tập huấn kỹ năng chuyển đổi số"),
    ("undefined Tập huấn kỹ năng chuyển đổi số", "Tập huấn kỹ năng chuyển đổi số"),
    ("Chi tiết bài viết - Huyện Cam Lộ", None),
    ("Chi tiết bài viết - Tập huấn kỹ năng chuyển đổi số", "Tập huấn kỹ năng chuyển đổi số"),
    ("0294.3 863 708 | ctk_travinh@gso.gov.vn", None),
    ("Liên hệ ban biên tập ctk.travinh+tin-bai@gso.gov.vn", None),  # an address alone, no phone number
    ("Tập huấn kỹ năng cho cán bộ tỉnh Trà Vinh (gso.gov.vn)", "Tập huấn kỹ năng cho cán bộ tỉnh Trà Vinh (gso.gov.vn)"),
    ("CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN CAM LỘ", None),
    ("Tập huấn kỹ năng … - Cổng thông tin điện tử huyện Cam Lộ", "Tập huấn kỹ năng …"),
    ("Tập huấn kỹ năng chuyển đổi số | Sở Nội vụ tỉnh Bắc Giang", "Tập huấn kỹ năng chuyển đổi số"),
    ("Tập huấn kỹ năng chuyển đổi số | Báo Kon Tum điện tử", "Tập huấn kỹ năng chuyển đổi số"),
    ("Cam Lộ - tập huấn kỹ năng chuyển đổi số", "Cam Lộ - tập huấn kỹ năng chuyển đổi số"),
    ("Hội nghị tập huấn công tác Đoàn - Hội - Đội", "Hội nghị tập huấn công tác Đoàn - Hội - Đội"),
    ("", None),
    (None, None),
])
def test_given_title_is_cleaned_by_the_readers_rule(given: str | None, expected: str | None) -> None:
    assert given_title(given) == expected


def test_cut_title_is_completed_from_the_text_but_never_with_the_lead() -> None:
    assert given_title("Tập huấn kỹ năng chuyển đổi số …", f"{FULL}\n\n{BODY}") == FULL
    lead = "Tập huấn kỹ năng chuyển đổi số cho 85 cán bộ xã. Lớp học kéo dài 2 ngày."
    assert given_title("Tập huấn kỹ năng chuyển đổi số …", f"{lead}\n\n{BODY}") == "Tập huấn kỹ năng chuyển đổi số …"
    assert completed_title("TP. Hồ Chí Minh tập huấn …", ["TP. Hồ Chí Minh tập huấn kỹ năng số cho cán bộ"]) == \
        "TP. Hồ Chí Minh tập huấn kỹ năng số cho cán bộ"


def _page(h1: str, title_tag: str, first_line: str = "") -> str:
    lines = ([first_line] if first_line else []) + BODY.split("\n\n")
    return (f'<html><head><meta charset="utf-8"><title>{title_tag}</title></head><body><div class="top">Điện thoại: '
            f'0233.3 871 234 | Email: ubnd@camlo.gov.vn</div><div class="main"><h1>{h1}</h1>'
            f'<div class="date">05/03/2024 08:15</div><div class="content">'
            + "".join(f"<p>{line}</p>" for line in lines) + "</div></div></body></html>")


@pytest.mark.parametrize("h1, title_tag, first_line", [
    ("null " + FULL, "Chi tiết bài viết - Huyện Cam Lộ", ""),
    ("Tập huấn kỹ năng chuyển đổi số cho cán bộ, …", f"{FULL} - Cổng thông tin điện tử huyện Cam Lộ", ""),
    ("Tập huấn kỹ năng chuyển đổi số cho cán bộ, …", f"{FULL} | Sở Nội vụ tỉnh Quảng Trị", ""),
    ("Tập huấn kỹ năng chuyển đổi số cho cán bộ, …", "Huyện Cam Lộ", FULL),
    # a <title> cut short without "…" (an SEO title): the printed headline that goes on from it
    (FULL, "Tập huấn kỹ năng chuyển đổi số - Cổng thông tin điện tử huyện Cam Lộ", ""),
    (FULL, "Tập huấn kỹ năng chuyển đổi số cho cán bộ", ""),
])
def test_page_titles_go_through_the_same_rule(h1: str, title_tag: str, first_line: str) -> None:
    article = read_page(_page(h1, title_tag, first_line), "https://camlo.quangtri.gov.vn/tin-tuc/tap-huan-123.html")
    assert article.title == FULL
    assert article.published == "2024-03-05T08:15:00+07:00"  # the date line read after the cut headline
    assert article.body == BODY


def test_page_title_cut_with_no_full_version_keeps_its_lead_apart() -> None:
    lead = "Tập huấn kỹ năng chuyển đổi số cho cán bộ, công chức cấp xã trong 2 ngày. Có 85 học viên dự."
    article = read_page(_page("Tập huấn kỹ năng chuyển đổi số cho cán bộ, …", "Huyện Cam Lộ", lead),
                        "https://camlo.quangtri.gov.vn/tin-tuc/tap-huan-123.html")
    assert article.title == "Tập huấn kỹ năng chuyển đổi số cho cán bộ, …"
    assert article.body.startswith(lead)


def test_ingested_titles_are_stored_clean(tmp_path: Path) -> None:
    """`ingest` of JSON lines with a `title`: the stored titles are the reader's, in a real SQLite file."""
    given = {"a1": "null Tập huấn kỹ năng chuyển đổi số", "a2": "Chi tiết bài viết - Huyện Cam Lộ",
             "a3": "0294.3 863 708 | ctk_travinh@gso.gov.vn", "a4": "Tập huấn kỹ năng chuyển đổi số cho cán bộ, …",
             "a5": f"{FULL} - Cổng thông tin điện tử huyện Cam Lộ"}
    # a2, a3: a given title that is only chrome is no title; the text's own headline line is.
    texts = {key: f"{FULL}\n\n{BODY}" for key in ("a2", "a3", "a4")}
    lines = [json.dumps({"id": key, "url": f"https://camlo.quangtri.gov.vn/tin-tuc/{key}.html", "title": title,
                         "text": texts.get(key, BODY), "published": "2024-03-05"}, ensure_ascii=False)
             for key, title in given.items()]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = open_database(tmp_path / "training.db")
    ingest(db, path)
    stored = {row["url"].rsplit("/", 1)[1][:-5]: row["title"] for row in db.query("select url, title from articles")}
    assert stored == {"a1": "Tập huấn kỹ năng chuyển đổi số", "a2": FULL, "a3": FULL, "a4": FULL, "a5": FULL}


@pytest.mark.parametrize("line", ["Email: ubnd@camlo.gov.vn", "E-mail. abc", "Điện thoại: 0233", "ĐT: 0233", "SĐT: 0233",
                                  "Fax: 0233", "Hotline: 1900", "Đường dây nóng: 1900", "Địa chỉ: số 1 Lê Lợi",
                                  "Tel.: 0233", "liên hệ ctk.travinh+tin@gso.gov.vn", "gọi 0294.3 863 708"])
def test_every_kind_of_contact_line_is_found(line: str) -> None:
    """data/reader.yml's contact_line opens with a lookahead of its branches' first characters:
    each label, an address and a phone number must still be found (in any case)."""
    for text in (line, line.upper(), f"Cổng thông tin | {line}"):
        assert vocabulary().contact_line.search(text), text


@pytest.mark.parametrize("line", ["Tập huấn kỹ năng cho cán bộ xã", "Điện Biên tổ chức hội nghị", "Telex và fax cũ",
                                  "gso.gov.vn", "năm 2023 có 10234 học viên"])
def test_a_line_without_contact_details_is_no_contact_line(line: str) -> None:
    assert not vocabulary().contact_line.search(line)
