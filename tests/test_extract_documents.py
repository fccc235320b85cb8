"""Document numbers in citation sentences: shapes, types, every issuer, issue dates.

Written as general forms: each form is tried with several documents, wrappers and spellings.
"""
from __future__ import annotations

import pytest

from extract import extract_record
from extract.document import Doc
from extract.documents import document_record, find_documents


def documents(text: str) -> list[dict]:
    doc = Doc(text)
    return [document_record(doc, d) for d in find_documents(doc)]


def only(text: str) -> dict:
    (d,) = documents(text)
    return d


# -- issue date after the title -------------------------------------------------------------

TITLED = [
    # (citing word, number, title, date as written, ISO date, issuer phrase)
    ("Thông tư số", "13/2011/TT-BNV", "quy định về tổ chức và hoạt động của Ban Thi đua - Khen thưởng",
     "ngày 24/10/2011", "2011-10-24", "của Bộ Nội vụ"),
    ("Nghị định số", "24/2014/NĐ-CP", "quy định tổ chức các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh, "
     "thành phố trực thuộc trung ương", "ngày 04 tháng 4 năm 2014", "2014-04-04", "của Chính phủ"),
    ("Quyết định số", "1719/QĐ-TTg", "phê duyệt Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng "
     "đồng bào dân tộc thiểu số và miền núi giai đoạn 2021 - 2030", "ngày 14/10/2021", "2021-10-14",
     "của Thủ tướng Chính phủ"),
    ("Thông tư liên tịch số", "04/2015/TTLT-BXD-BNV", "hướng dẫn chức năng, nhiệm vụ", "ngày 16-11-2015",
     "2015-11-16", "của liên Bộ Xây dựng và Bộ Nội vụ"),
    ("Kế hoạch số", "216/KH-UBND", "về thực hiện Tiểu dự án 1 của Dự án 7", "ngày 18 / 11 / 2022", "2022-11-18",
     "do UBND huyện ban hành"),
]


@pytest.mark.parametrize("word, number, title, written, iso, issuer", TITLED)
def test_the_issue_date_after_the_documents_title(word, number, title, written, iso, issuer):
    for lead in ("Căn cứ", "Thực hiện", "Theo"):
        d = only(f"{lead} {word} {number} {title} {written} {issuer};")
        assert (d["number"], d["issued"]) == (number, iso)


@pytest.mark.parametrize("word, number, title, written, iso, issuer", TITLED)
def test_the_issue_date_right_after_the_number(word, number, title, written, iso, issuer):
    for join in (" ", ", ", " ban hành ", " (", ", được ban hành "):
        d = only(f"Căn cứ {word} {number}{join}{written} {issuer} {title}.")
        assert d["issued"] == iso


def test_a_date_after_the_title_without_an_issuer_or_of_another_year_is_not_the_issue_date():
    # An event date later in the sentence
    assert only("Thực hiện Kế hoạch số 12/KH-UBND, Hội tổ chức lớp tập huấn ngày 5/3/2023 tại hội trường.")["issued"] is None
    # A normative number carries its year: a date of another year belongs to something else
    assert only("Thông tư số 46/2022/TT-BTC hướng dẫn quản lý kinh phí ngày 28/7/2023 của Bộ Tài chính")["issued"] is None
    # Past a semicolon the sentence cites something else
    assert only("Căn cứ Thông tư số 46/2022/TT-BTC; Luật Tổ chức chính quyền địa phương ngày 19/6/2015 của Quốc hội")[
        "issued"] is None


def test_each_document_of_a_list_gets_its_own_date_and_none_takes_the_next_ones():
    text = ("Căn cứ Nghị định số 27/2022/NĐ-CP ngày 19/4/2022 và Nghị định số 38/2023/NĐ-CP ngày 24/6/2023 của "
            "Chính phủ; Nghị định số 101/2020/NĐ-CP sửa đổi, bổ sung một số điều của Nghị định số 123/2016/NĐ-CP "
            "ngày 01/9/2016 của Chính phủ.")
    assert [(d["number"], d["issued"]) for d in documents(text)] == [
        ("27/2022/NĐ-CP", "2022-04-19"), ("38/2023/NĐ-CP", "2023-06-24"),
        ("101/2020/NĐ-CP", None), ("123/2016/NĐ-CP", "2016-09-01")]


@pytest.mark.parametrize("word, number, title, written, iso, issuer", TITLED)
def test_the_issue_date_after_the_issuer_between_number_and_date(word, number, title, written, iso, issuer):
    for after in ("", f" {title}", ", ban hành kèm theo Quy chế", "."):
        d = only(f"Thực hiện {word} {number} {issuer} {written}{after}")
        assert d["issued"] == iso, after


@pytest.mark.parametrize("word, number, title, written, iso, issuer", [t for t in TITLED if "/20" in t[1]])
def test_a_date_that_ends_the_title_of_a_normative_document_is_its_issue_date(word, number, title, written, iso, issuer):
    for lead, end in (("Căn cứ", ";"), ("Theo", "."), ("Thực hiện", ""), ("Các huyện thuộc", ")")):
        d = only(f"{lead} {word} {number} {title} {written}{end}")
        assert d["issued"] == iso, (lead, end)


@pytest.mark.parametrize("text", [
    "Thực hiện Kế hoạch số 12/KH-UBND, Hội Nông dân tổ chức lớp tập huấn ngày 5/3/2023.",
    "Theo Kế hoạch số 45/KH-SNN về tổ chức lớp tập huấn cho nông dân ngày 12/4/2023.",
    "Căn cứ Công văn số 1458/UBDT-VP135 của Ủy ban Dân tộc, lớp học khai giảng từ ngày 5/6/2023.",
    "Kế hoạch số 216/KH-UBND của UBND huyện tổ chức lớp bồi dưỡng ngày 18/11/2022.",
])
def test_an_activitys_date_after_a_number_is_not_its_issue_date(text):
    assert only(text)["issued"] is None


@pytest.mark.parametrize("number, subject", [
    ("46/2022/TT-BTC", "Sở Tài chính có văn bản hướng dẫn"), ("1719/QĐ-TTg", "UBND huyện đã tổ chức hội nghị"),
    ("90/QĐ-TTg", "Hội Nông dân tỉnh mở lớp tập huấn"), ("12/KH-UBND", "Ban Dân tộc tỉnh tổ chức hội nghị"),
])
def test_a_date_that_opens_the_next_clause_is_not_the_issue_date(number, subject):
    for word in ("Căn cứ Quyết định số", "Thực hiện văn bản số", "Theo"):
        for sep in (" ", ", "):
            assert only(f"{word} {number}, ngày 05/9/2022{sep}{subject}.")["issued"] is None
    # the same date continuing the citation is the issue date
    for continuation in (" của cơ quan ban hành", " về việc hướng dẫn", ", của cơ quan ban hành", " Về việc hướng dẫn",
                         " Phê duyệt Đề án", ";", "."):
        assert only(f"Căn cứ văn bản số {number}, ngày 05/9/2022{continuation} và các quy định")["issued"] == "2022-09-05"


@pytest.mark.parametrize("header", [
    "Số: {n}\nHà Nội, ngày 18 tháng 01 năm 2022\n",
    "Số: {n} | Hà Nội, ngày 18 tháng 01 năm 2022 |\n",
    "Số: {n}\tHà Nội, ngày 18 tháng 01 năm 2022\n",
    "CHÍNH PHỦ\n-------\nSố: {n}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------\n"
    "Hà Nội, ngày 18 tháng 01 năm 2022\n",
    "| ỦY BAN NHÂN DÂN TỈNH THANH HÓA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n| Số: {n} | Thanh Hóa, ngày 18 tháng 01 năm 2022 |\n",
    "Số {n}\nTP. Hồ Chí Minh, ngày 18 tháng 1 năm 2022\n",
    "Số: {n}\nMường Lát, ngày 18/01/2022\n",
])
def test_the_issue_date_of_a_legal_texts_header(header):
    for number in ("90/QĐ-TTg", "4330/BNN-KTHT", "05/2022/TT-BNV", "125/KH-UBND"):
        text = header.format(n=number) + "QUYẾT ĐỊNH\nVề việc phê duyệt Kế hoạch tổ chức lớp bồi dưỡng năm 2022"
        (d,) = [d for d in documents(text) if d["number"] == number]
        assert d["issued"] == "2022-01-18", text
    # a header of another year than the number's is another document's; a number without "Số" is no header
    assert only("Số: 05/2021/TT-BNV\nHà Nội, ngày 18 tháng 01 năm 2022\n")["issued"] is None
    assert only("Theo 4330/BNN-KTHT\nHà Nội, ngày 18 tháng 01 năm 2022\n")["issued"] is None


@pytest.mark.parametrize("raw, number, doc_type, issuer", [
    ("38/2023/NĐCP", "38/2023/NĐ-CP", "NĐ", "CP"), ("30a/2008/NQCP", "30a/2008/NQ-CP", "NQ", "CP"),
    ("1234/QĐUBND", "1234/QĐ-UBND", "QĐ", "UBND"), ("1719/QĐTTg", "1719/QĐ-TTg", "QĐ", "TTg"),
    ("15/2019/TTBGDĐT", "15/2019/TT-BGDĐT", "TT", "BGDĐT"), ("12/KHUBND", "12/KH-UBND", "KH", "UBND"),
    ("04/2015/TTLTBXD-BNV", "04/2015/TTLT-BXD-BNV", "TTLT", "BXD"), ("27/2022/nđcp", "27/2022/NĐ-CP", "NĐ", "CP"),
    ("216/QĐUBND-VX", "216/QĐ-UBND-VX", "QĐ", "UBND"),
])
def test_a_type_and_issuer_without_their_hyphen(raw, number, doc_type, issuer):
    for lead in ("Căn cứ văn bản số", "Thực hiện Quyết định", "theo"):
        d = only(f"{lead} {raw} ngày 24/6/2023 của cơ quan.")
        assert (d["number"], d["doc_type"], d["issuer"]) == (number, doc_type, issuer)
    # a code of its own is never split ("TCCP", "BCĐ", "UBND" are issuers)
    for raw, number in (("55/TCCP", "55/TCCP"), ("12/BCĐ", "12/BCĐ"), ("7/UBND", "7/UBND")):
        assert only(f"Công văn số {raw} ngày 5/3/2020")["number"] == number


@pytest.mark.parametrize("text, iso", [
    ("Ngày 18/01/2022, Thủ tướng Chính phủ đã ký ban hành Quyết định số 90/QĐ-TTg phê duyệt Chương trình.", "2022-01-18"),
    ("Ngày 14 tháng 10 năm 2021, Thủ tướng Chính phủ ban hành Quyết định số 1719/QĐ-TTg.", "2021-10-14"),
    ("Ngày 10/5/2021, Quốc hội thông qua Luật số 12/2021/QH15 về tổ chức.", "2021-05-10"),
    ("Ngày 5/3/2023, UBND huyện ban hành Kế hoạch số 12/KH-UBND về tập huấn.", "2023-03-05"),
    # not tied by a signing verb, or of another year than the number's, or another document between
    ("Ngày 5/3/2023, Hội tổ chức lớp tập huấn theo Kế hoạch số 12/KH-UBND.", None),
    ("Ngày 5/3/2023, Bộ ban hành Thông tư số 46/2022/TT-BTC.", None),
    ("Ngày 5/3/2023, UBND ban hành Quyết định số 5/QĐ-UBND và Kế hoạch số 7/KH-UBND.", None),
])
def test_an_issue_date_before_the_number_tied_by_a_signing_verb(text, iso):
    assert documents(text)[-1]["issued"] == iso


def test_the_issue_date_is_not_an_event_date():
    record = extract_record("Căn cứ Thông tư số 13/2011/TT-BNV quy định chi tiết ngày 24/10/2011 của Bộ Nội vụ, "
                            "ngày 5/3/2012 Sở Nội vụ tổ chức lớp tập huấn cho 80 cán bộ.")
    roles = {d["quote"]: d["role"] for d in record["dates"]}
    assert roles.get("24/10/2011", roles.get("ngày 24/10/2011")) == "document_issue"
    assert record["documents"][0]["issued"] == "2011-10-24"


# -- types of numbers without a type code ---------------------------------------------------

@pytest.mark.parametrize("citation, number, doc_type, type_name, issuer", [
    ("Luật Ngân sách nhà nước số 83/2015/QH13", "83/2015/QH13", "Luật", "Luật", "QH"),
    ("Luật Phổ biến, giáo dục pháp luật số 14/2012/QH13", "14/2012/QH13", "Luật", "Luật", "QH"),
    ("Luật số 80/2015/QH13", "80/2015/QH13", "Luật", "Luật", "QH"),
    ("luật số 64/2025/QH15", "64/2025/QH15", "Luật", "Luật", "QH"),
    ("Bộ luật Lao động số 45/2019/QH14", "45/2019/QH14", "Bộ luật", "Bộ luật", "QH"),
    ("Bộ luật Hình sự số 100/2015/QH13", "100/2015/QH13", "Bộ luật", "Bộ luật", "QH"),
    ("Nghị quyết số 24/2021/QH15", "24/2021/QH15", "NQ", "Nghị quyết", "QH"),
    ("Nghị quyết 88/2019/QH14", "88/2019/QH14", "NQ", "Nghị quyết", "QH"),
    ("Pháp lệnh số 01/2012/UBTVQH13", "01/2012/UBTVQH13", "PL", "Pháp lệnh", "UBTVQH"),
    ("Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14", "02/2020/UBTVQH14", "PL", "Pháp lệnh",
     "UBTVQH"),
    ("Nghị quyết số 76/2025/UBTVQH15", "76/2025/UBTVQH15", "NQ", "Nghị quyết", "UBTVQH"),
    ("Lệnh số 05/2011/L-CTN", "05/2011/L-CTN", "L", "Lệnh", "CTN"),
    ("Lệnh công bố Luật số 12/2011/L-CTN", "12/2011/L-CTN", "L", "Lệnh", "CTN"),
    ("Nghị định số 64/CP", "64/CP", "NĐ", "Nghị định", "CP"),
    ("Nghị định 43/CP", "43/CP", "NĐ", "Nghị định", "CP"),
    ("Quyết định số 72/HĐBT", "72/HĐBT", "QĐ", "Quyết định", "HĐBT"),
    ("Chỉ thị số 24/TTg", "24/TTg", "CT", "Chỉ thị", "TTg"),
])
def test_type_and_issuer_of_laws_ordinances_resolutions_and_issuer_only_numbers(citation, number, doc_type,
                                                                                 type_name, issuer):
    for lead in ("Căn cứ ", "Thực hiện ", ""):
        d = only(f"{lead}{citation} ngày 1/7/2015 của cơ quan ban hành.")
        assert (d["number"], d["doc_type"], d["doc_type_name"], d["issuer"]) == (number, doc_type, type_name, issuer)


def test_a_number_of_the_issuer_alone_needs_a_citing_word():
    assert documents("tỷ lệ 3/CP và 45/TTg") == []
    assert only("Công văn số 123/UBND ngày 5/3/2024")["number"] == "123/UBND"


# -- joint documents: every issuer ----------------------------------------------------------

@pytest.mark.parametrize("raw, number, doc_type, issuers", [
    ("04/2015/TTLT-BXD-BNV", "04/2015/TTLT-BXD-BNV", "TTLT", ["BXD", "BNV"]),
    ("02/2017/TTLT-BTC-BLĐTBXH", "02/2017/TTLT-BTC-BLĐTBXH", "TTLT", ["BTC", "BLĐTBXH"]),
    ("01/2016/TTLT-BTP-BCA-BQP-BTC-VKSNDTC-TANDTC", "01/2016/TTLT-BTP-BCA-BQP-BTC-VKSNDTC-TANDTC", "TTLT",
     ["BTP", "BCA", "BQP", "BTC", "VKSNDTC", "TANDTC"]),
    ("05/2005/NQLT-CP-UBTWMTTQVN", "05/2005/NQLT-CP-UBTWMTTQVN", "NQLT", ["CP", "UBTWMTTQVN"]),
    ("09/2008/NQLT-CP-UBTƯMTTQVN", "09/2008/NQLT-CP-UBTWMTTQVN", "NQLT", ["CP", "UBTWMTTQVN"]),
    ("01/2012/NQLT-CP-TLĐLĐVN-TWĐTN", "01/2012/NQLT-CP-TLĐLĐVN-TWĐTN", "NQLT", ["CP", "TLĐLĐVN", "TWĐTN"]),
    # a slash inside the type
    ("09/2007/TTLT/BLĐTBXH-BTC", "09/2007/TTLT-BLĐTBXH-BTC", "TTLT", ["BLĐTBXH", "BTC"]),
    ("24/2009/TTLT / BTC-BGDĐT", "24/2009/TTLT-BTC-BGDĐT", "TTLT", ["BTC", "BGDĐT"]),
    ("245/QĐ/UB", "245/QĐ-UB", "QĐ", ["UB"]),
    ("12/KH/UBND", "12/KH-UBND", "KH", ["UBND"]),
    # a drafting unit after the issuer is not an issuer
    ("1458/UBDT-VP135", "1458/UBDT-VP135", None, ["UBDT"]),
    ("4330/BNN-KTHT", "4330/BNN-KTHT", None, ["BNN"]),
])
def test_every_issuer_of_a_joint_document(raw, number, doc_type, issuers):
    for word in ("văn bản", "văn bản số", "số"):
        d = only(f"Căn cứ {word} {raw} ngày 20/5/2015;")
        assert (d["number"], d["doc_type"], d["issuers"], d["issuer"]) == (number, doc_type, issuers, issuers[0])
        assert len(d["issuer_names"]) == len(issuers)


@pytest.mark.parametrize("word, doc_type", [("Công văn số", "CV"), ("công văn", "CV"), ("Kế hoạch số", "KH"),
                                            ("Thông báo số", "TB"), ("văn bản số", None)])
def test_the_word_citing_a_letter_names_its_type(word, doc_type):
    for raw in ("1458/UBDT-VP135", "4330/BNN-KTHT", "8070/VPCP-KGVX"):
        d = only(f"Thực hiện {word} {raw} của cơ quan.")
        assert (d["number"], d["doc_type"]) == (raw, doc_type)
    # a type word further back belongs to another document
    d = only("Quyết định phê duyệt kèm theo văn bản số 1458/UBDT-VP135")
    assert d["doc_type"] is None


def test_joint_issuers_have_their_names():
    d = only("Thông tư liên tịch số 02/2017/TTLT-BTC-BLĐTBXH")
    assert d["issuer_names"] == ["Bộ Tài chính", "Bộ Lao động - Thương binh và Xã hội"]


# -- spellings --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, number", [
    ("90/qđ-ttg", "90/QĐ-TTg"), ("46/2022/tt-btc", "46/2022/TT-BTC"), ("1722/qd-ttg", "1722/QĐ-TTg"),
    ("27/2022/nđ-cp", "27/2022/NĐ-CP"), ("216/kh-ubnd", "216/KH-UBND"), ("119-kl/tw", "119-KL/TW"),
    ("80/2015/qh13", "80/2015/QH13"), ("12/2022/nq-hđnd", "12/2022/NQ-HĐND"),
    ("Số 90 / QĐ - TTg", "90/QĐ-TTg"), ("46 /2022/ TT-BTC", "46/2022/TT-BTC"),
])
def test_lower_case_and_spaced_codes(raw, number):
    for lead in ("Căn cứ quyết định số", "theo", "Thực hiện văn bản"):
        assert [d["number"] for d in documents(f"{lead} {raw} của cơ quan.")] == [number]


@pytest.mark.parametrize("text", [
    "3/4 số xã", "ngày 18/01/2022", "tỷ lệ 1/3 dân số", "Nghị định số 07", "Thông tư 02", "năm 2021/2022 và",
    "đạt 20/tp-hà", "COVID-19", "Sở KH&CN", "lớp 10/ca học", "Chương trình 135",
])
def test_lower_case_words_after_a_slash_are_not_documents(text):
    assert documents(text) == []


@pytest.mark.parametrize("raw, issuer, name", [
    ("15/2005/QĐ-BCN", "BCN", "Bộ Công nghiệp"),
    ("31/2006/TT-BTM", "BTM", "Bộ Thương mại"),
    ("1234/QĐ-BVHTT", "BVHTT", "Bộ Văn hóa - Thông tin"),
    ("12/2006/QĐ-BBCVT", "BBCVT", "Bộ Bưu chính, Viễn thông"),
    ("02/2006/QĐ-BTS", "BTS", "Bộ Thủy sản"),
    ("01/2004/TT-UBDSGĐTE", "UBDSGĐTE", "Ủy ban Dân số, Gia đình và Trẻ em"),
    ("05/2011/TT-BVHTTDL", "BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("78/KH-SVHTTDL", "SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
])
def test_current_and_retired_bodies_have_their_full_names(raw, issuer, name):
    d = only(f"Căn cứ văn bản số {raw}.")
    assert (d["issuer"], d["issuer_name"]) == (issuer, name)
