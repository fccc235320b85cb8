"""HTML → article: family selectors on pages modelled on real portals, encodings, dates."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from reader.article import PageError, read_page
from siteconfig import load_families
from reader.dates import date_from_url, parse_date_line, parse_iso
from reader.encoding import clean_text, fix_double_utf8

PAGES = Path(__file__).parent / "fixtures" / "pages"
FAMILIES = load_families()

# family: (title, published, source, byline, a phrase of the body, a caption)
EXPECTED = {
    "tandan": ("Nâng cao năng lực giảm nghèo cho đội ngũ cán bộ năm 2022", "2022-12-21T15:40:00+07:00", "page",
               "Hồ Thuỷ", "Kế hoạch số 216/KH-UBND ngày 18/11/2022", "Toàn cảnh hội nghị ngày 20/12/2022"),
    "sharepoint": ("Tập huấn nâng cao năng lực cho cán bộ làm công tác giảm nghèo", "2020-11-17T08:23:00+07:00",
                   "page", "Bích Phượng", "cho 150 cán bộ", "Các học viên tham dự lớp tập huấn (Ảnh: Minh Hà)"),
    "liferay": ("Tập huấn kỹ năng quản lý Tổ Nhân dân tự quản", "2019-11-25T15:30:00+07:00", "page",
                "Trần Thắng", "cho 120 tổ trưởng", "Quang cảnh lớp tập huấn"),
    "nukeviet": ("Phê duyệt Đề án nâng cao nhận thức chuyển đổi số", "2023-08-30T20:43:00+07:00", "page",
                 "Văn phòng Sở", "Quyết định số 146/QĐ-TTg", "Ảnh: Hội nghị tập huấn"),
    "slug": ("HỘI NGHỊ TẬP HUẤN CÔNG TÁC GIẢM NGHÈO NĂM 2024", "2024-03-08T14:08:00+07:00", "page",
             "Hồng Nhung", "Kế hoạch số 943/KH-PVHXH", "Bà Nguyễn Thị A – Trưởng phòng LĐ-TB&XH phát biểu"),
    "newspaper": ("Nâng cao năng lực cán bộ làm công tác giảm nghèo", "2023-11-07T15:32:00+07:00", "meta",
                  "Dương Hưng", "cho 100 cán bộ", "Các đại biểu dự lớp tập huấn. Ảnh: Dương Hưng"),
}
# Page chrome that must never reach the body: header date, related lists, footers, view counters.
CHROME = ("23/11/2024", "23 tháng 11 năm 2024", "Tin khác", "Điện thoại", "ĐT:", "Lượt xem", "Các tin đã đưa",
          "Chia sẻ", "Xuất bản thông tin", "Chi tiết bài viết", "Tin liên quan", "Tin cùng chuyên mục")


def parse_fixture(name: str, family: str, url: str = "https://portal.gov.vn/article-1") -> object:
    return read_page((PAGES / name).read_bytes(), url, FAMILIES[family]["article"])


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_family_selectors_find_each_part(family: str) -> None:
    title, published, source, byline, phrase, caption = EXPECTED[family]
    article = parse_fixture(f"{family}.html", family)
    assert article.method == "selectors"
    assert article.title == title
    assert (article.published, article.published_source) == (published, source)
    assert article.byline == byline
    assert phrase in article.body
    assert caption in article.captions and caption not in article.body
    assert byline not in article.body.split("\n")[-1]
    for chrome in CHROME:
        assert chrome not in article.body, chrome
    assert "\n\n" in article.body  # paragraph breaks kept


def test_tandan_br_splits_lines_and_attachment_is_absolute() -> None:
    article = parse_fixture("tandan.html", "tandan", "https://muonglat.thanhhoa.gov.vn/portal/pages/x.aspx?p=1")
    assert "Kế hoạch số 216/KH-UBND ngày 18/11/2022 của UBND huyện.\n\nMục tiêu" in article.body
    assert article.attachments == ["https://muonglat.thanhhoa.gov.vn/Documents/KH216.pdf"]
    assert "\u00a0" not in article.body


def test_nukeviet_canonical_lead_and_document_links() -> None:
    article = parse_fixture("nukeviet.html", "nukeviet", "https://sct.dongnai.gov.vn/vi/news/print/x-3777.html")
    assert article.canonical_url == "https://sct.dongnai.gov.vn/vi/news/Chuyen-doi-so/phe-duyet-de-an-3777.html"
    assert article.body.startswith("Ngày 30/8, Sở Công Thương triển khai Đề án 146.")
    assert article.attachments == ["https://sct.dongnai.gov.vn/uploads/news/QD146.docx"]


def test_text_for_the_extractor_is_title_then_body() -> None:
    article = parse_fixture("slug.html", "slug")
    assert article.text() == f"{article.title}\n\n{article.body}"


def test_generic_fallback_finds_text_and_date_after_title_not_header_date() -> None:
    article = parse_fixture("generic.html", "generic")
    assert article.method == "fallback"
    assert article.title == "Khai giảng lớp đào tạo nghề ngắn hạn may công nghiệp"
    assert article.published == "2020-06-12T10:31:36+07:00"
    assert article.body.startswith("Sáng ngày 11/6, Trung tâm công tác xã hội Nghệ An")
    assert article.byline == "Huy Khôi"
    for chrome in ("Tin mới", "Hội nghị tổng kết năm", "Điện thoại", "23 tháng 11"):
        assert chrome not in article.body


def test_family_selectors_missing_on_page_fall_back_to_generic() -> None:
    article = parse_fixture("generic.html", "nukeviet")
    assert article.method == "fallback"
    assert "cho 35 học viên" in article.body


def test_page_without_text_is_a_clear_error_naming_the_url() -> None:
    with pytest.raises(PageError, match="https://portal.gov.vn/empty"):
        read_page(b"<html><body><div class='detail-content'></div></body></html>", "https://portal.gov.vn/empty",
                      FAMILIES["slug"]["article"])


def test_date_from_url_when_page_has_none() -> None:
    html = "<html><body><h1>Tin</h1><div class='detail-content'><p>Nội dung bài viết.</p></div></body></html>"
    article = read_page(html, "https://baothainguyen.vn/xa-hoi/202311/slug-6811375/", FAMILIES["slug"]["article"])
    assert (article.published, article.published_source) == ("2023-11", "url")


@pytest.mark.parametrize("name", ["utf8_undeclared", "utf8_nfd", "windows1258", "tcvn3", "vni", "double_utf8"])
def test_every_encoding_gives_the_same_clean_nfc_text(name: str) -> None:
    article = parse_fixture(f"encodings/{name}.html", "slug")
    assert article.title == "Tập huấn nâng cao năng lực cho cán bộ làm công tác giảm nghèo"
    assert article.body == ("Sáng ngày 20-12, UBND huyện tổ chức hội nghị tập huấn cho hơn 200 người.\n\n"
                            "Quyết định số 90/QĐ-TTg được phổ biến tới các đại biểu.")
    assert unicodedata.is_normalized("NFC", article.body)
    assert article.published == "2009-12-21T15:40:00+07:00"


def test_legacy_encodings_are_named() -> None:
    assert parse_fixture("encodings/tcvn3.html", "slug").legacy_encoding == "tcvn3"
    assert parse_fixture("encodings/vni.html", "slug").legacy_encoding == "vni"
    assert parse_fixture("encodings/windows1258.html", "slug").encoding == "cp1258"
    assert parse_fixture("encodings/utf8_undeclared.html", "slug").legacy_encoding is None


def test_unicode_text_with_latin1_letters_is_never_converted() -> None:
    html = ("<html><head><meta charset='utf-8'></head><body><h1>Tin</h1><div class='detail-content'>"
            "<p>Hội nghị tại Hà Nội ngày 12/3 có đại biểu của Pháp (Café Français).</p></div></body></html>")
    article = read_page(html.encode(), "https://x.gov.vn/a", FAMILIES["slug"]["article"])
    assert "Café Français" in article.body and article.legacy_encoding is None


def test_clean_text_repairs_confusables_and_invisible_characters() -> None:
    assert clean_text("\u00d0ảm bảo\u200b 90/Q\u00d0-TTg\u00a0 ") == "Đảm bảo 90/QĐ-TTg"
    assert fix_double_utf8("Quyáº¿t Ä‘á»‹nh") == "Quyết định"
    assert fix_double_utf8("Café Hà Nội") == "Café Hà Nội"


@pytest.mark.parametrize("line, expected", [
    ("14:8, Thứ Sáu, 8-3-2024", "2024-03-08T14:08:00+07:00"),
    ("Đăng lúc: 10:31:36 12/06/2020 (GMT+7)", "2020-06-12T10:31:36+07:00"),
    ("03/04/2020 | 10:36 PM", "2020-04-03T22:36:00+07:00"),
    ("Ngày đăng 06/01/2016 | 03:30 PM | View count: 426", "2016-01-06T15:30:00+07:00"),
    ("Thứ tư - 30/08/2023 20:43", "2023-08-30T20:43:00+07:00"),
    ("02:06 19/02/2026", "2026-02-19T02:06:00+07:00"),
    ("Ngày phát hành: 30/05/2021", "2021-05-30"),
    ("Hà Nội, ngày 18 tháng 01 năm 2022", "2022-01-18"),
    ("Lượt xem: 238", None),
    ("Submitted by admin on 18 October 2019 - 10:20am", "2019-10-18T10:20:00+07:00"),
    ("Posted on October 18, 2019", "2019-10-18"),
    ("Lớp may 12 học viên năm 2019", None),
])
def test_visible_date_lines(line: str, expected: str | None) -> None:
    parsed = parse_date_line(line)
    assert (parsed[0] if parsed else None) == expected


def test_meta_dates_convert_to_vietnam_time_and_urls_give_dates() -> None:
    assert parse_iso("2023-11-07T08:32:00Z") == ("2023-11-07T15:32:00+07:00", True)
    assert parse_iso("2023-11-07T08:32:00+07:00") == ("2023-11-07T08:32:00+07:00", True)
    assert parse_iso("2023-11-07") == ("2023-11-07", False)
    assert date_from_url("https://x.gov.vn/portal/Pages/2021-10-5/slugabc123.aspx") == "2021-10-05"
    assert date_from_url("https://dantri.com.vn/noi-vu/slug-20251117153659349.htm") == "2025-11-17"
    assert date_from_url("https://x.gov.vn/tin-tuc/slug-259493") is None
