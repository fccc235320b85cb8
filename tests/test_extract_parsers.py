"""Each parser on the forms real articles use (written for the forms, not for one article)."""
from __future__ import annotations

import unicodedata

import pytest

from extract import extract_record
from extract.counts import find_counts
from extract.dates import YearContext, find_dates, resolve
from extract.document import Doc
from extract.documents import find_documents
from extract.normalize import normalize
from extract.numbers import parse_number, parse_number_words


def dates_of(text: str, published=None, url_year=None):
    doc = Doc(text)
    masked = [(d.start, d.end) for d in find_documents(doc)]
    ctx = YearContext(published, url_year, None)
    return [(m.role, *resolve(m, ctx)[:2]) for m in find_dates(doc, masked)]


# -- normalisation ---------------------------------------------------------------------------

def test_normalisation_folds_tone_placement_eth_and_decomposed_text_but_keeps_offsets():
    original = "Thanh Hoá " + unicodedata.normalize("NFD", "Quyết định") + " 90/QĐ\u2013TTg \u00d0ảm\u00a0bảo x\u200by"
    norm = normalize(original)
    assert norm.text.startswith("Thanh Hóa Quyết định 90/QĐ-TTg Đảm bảo")
    start = norm.text.index("Quyết")
    assert norm.quote(start, start + len("Quyết định")) == unicodedata.normalize("NFD", "Quyết định")
    assert norm.quote(len(norm.text) - 2, len(norm.text)) == "x\u200by"


@pytest.mark.parametrize("new, old", [("hoà", "hòa"), ("thuỷ", "thủy"), ("Khoẻ", "Khỏe"), ("Uỷ ban", "Ủy ban")])
def test_new_tone_placement_matches_the_traditional_one(new, old):
    assert normalize(new).text == old


def test_quy_keeps_its_tone_on_y_and_other_pairs_stay():
    assert normalize("quý").text == "quý"
    assert normalize("UÀ").text == "UÀ"


def test_weekday_and_part_of_day_are_kept():
    record = extract_record("14:8, Thứ Sáu, 8-3-2024\n\nSáng thứ Hai (11/3), khai mạc lớp tập huấn.")
    (pub, event) = record["dates"]
    assert (pub["role"], pub["weekday"]) == ("publication", "Friday")
    assert (event["part_of_day"], event["weekday"], event["start"]) == ("sáng", "Monday", "2024-03-11")


# -- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("s, value", [("3.130", 3130), ("02", 2), ("1.000", 1000), ("2,62", 2.62), ("10.599", 10599),
                                      ("1,5 nghìn", 1500)])
def test_vietnamese_number_forms(s, value):
    assert parse_number(s) == value


@pytest.mark.parametrize("s, value", [("hai mươi mốt", 21), ("một trăm linh năm", 105), ("mười lăm", 15),
                                      ("một trăm mười lăm", 115), ("hai trăm rưỡi", 250), ("một nghìn rưỡi", 1500),
                                      ("một nghìn hai trăm năm mươi", 1250), ("một trăm hai mươi nghìn", 120_000),
                                      ("năm nghìn", 5000), ("hai ngàn linh năm", 2005)])
def test_numbers_in_words(s, value):
    assert parse_number_words(s) == value


@pytest.mark.parametrize("s", ["ba năm", "rưỡi", "hai rưỡi", "một trăm rưỡi hai", "hai nghìn ba nghìn", "số"])
def test_words_that_are_no_one_number(s):
    assert parse_number_words(s) is None


# -- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end", [
    ("Ngày 13/11/2019, khai mạc lớp tập huấn.", "2019-11-13", "2019-11-13"),
    ("Sáng 20-12-2022, hội nghị diễn ra.", "2022-12-20", "2022-12-20"),
    ("Từ ngày 24-26/8/2023, tập huấn.", "2023-08-24", "2023-08-26"),
    ("Từ ngày 25 đến 30/11/2020, tập huấn.", "2020-11-25", "2020-11-30"),
    ("trong 2 ngày 18 và 19/8/2021", "2021-08-18", "2021-08-19"),
    ("từ ngày 28/11 đến ngày 02/12/2023", "2023-11-28", "2023-12-02"),
    ("từ 30/12/2023 - 02/01/2024", "2023-12-30", "2024-01-02"),
    ("Sáng ngày 27 tháng 6 năm 2024, tại hội trường", "2024-06-27", "2024-06-27"),
    ("(22 và 23 tháng 5 năm 2018)", "2018-05-22", "2018-05-23"),
    ("Ngày 18.6.2020 tổ chức", "2020-06-18", "2020-06-18"),
    ("trong tháng 9/2023", "2023-09", "2023-09"),
])
def test_date_forms(text, start, end):
    assert dates_of(text)[0][1:] == (start, end)


def test_year_less_dates_take_the_publication_year_and_the_year_before_after_new_year():
    from datetime import date
    assert dates_of("Ngày 13/11, khai mạc.", published=date(2019, 11, 14))[0][1] == "2019-11-13"
    assert dates_of("Ngày 28/12, khai mạc.", published=date(2024, 1, 2))[0][1] == "2023-12-28"
    assert dates_of("từ nay đến ngày 6/10", published=date(2024, 8, 8))[0][1] == "2024-10-06"
    assert dates_of("Ngày 13/11, khai mạc.", url_year=2021)[0][1] == "2021-11-13"
    assert dates_of("Ngày 13/11, khai mạc.")[0][1] == "--11-13"


@pytest.mark.parametrize("text", ["trong 2 ngày", "giảm 2,62% so với", "Số 46/2022/TT-BTC", "SĐT: 0233.33871544 - 0915.023.667",
                                  "3.130 đại biểu", "đạt 3/4 số xã", "tỷ lệ 10.5", "giai đoạn 2021-2025", "14:8, Thứ Sáu"])
def test_things_that_are_not_dates(text):
    assert dates_of(text) == []


def test_29_february_without_a_leap_year_stays_year_less():
    from datetime import date
    assert dates_of("Ngày 29/2, khai mạc.", published=date(2025, 3, 1))[0][1] == "--02-29"
    assert dates_of("Ngày 29/2, khai mạc.", published=date(2024, 3, 1))[0][1] == "2024-02-29"


def test_a_malformed_url_places_nothing():
    assert extract_record("Tập huấn cho 50 học viên.", url="https://[bad")["locations"] == []


def test_a_documents_issue_date_is_not_an_event_date():
    roles = dates_of("Theo Quyết định số 1722/QĐ-TTg ngày 22/9/2016 của Thủ tướng; ngày 13/11/2019 khai mạc lớp.")
    assert roles[0][0] == "document_issue" and roles[1][0] == "event"


@pytest.mark.parametrize("text", ["Từ đầu năm đến ngày 30/6/2023, huyện đã tổ chức 10 lớp tập huấn.",
                                  "Các đơn vị gửi danh sách trước ngày 15/4/2024.", "Tính đến 31/12/2022, đã đào tạo"])
def test_deadlines_and_reporting_periods_are_not_event_dates(text):
    assert [role for role, *_ in dates_of(text)] == ["other"]


def test_kế_hoạch_ngày_is_an_issue_date():
    assert dates_of("Thực hiện Kế hoạch ngày 05/3/2023 của UBND tỉnh")[0][0] == "document_issue"


# -- documents -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, number", [
    ("46/2022/TT-BTC", "46/2022/TT-BTC"), ("90/QĐ-TTg", "90/QĐ-TTg"), ("119-KL/TW", "119-KL/TW"),
    ("90/QD-TTg", "90/QĐ-TTg"), ("09/2022/TT-BLĐTB&XH", "09/2022/TT-BLĐTBXH"), ("57/2014 / QH13", "57/2014/QH13"),
    ("1722/QĐ–TTg", "1722/QĐ-TTg"), ("1206 /QĐ-HVTC", "1206/QĐ-HVTC"), ("18-2019-TT-BGDĐT", "18/2019/TT-BGDĐT"),
    ("57/NĐ-CP/2017", "57/2017/NĐ-CP"), ("1458/UBDT-VP135", "1458/UBDT-VP135"), ("30a/2008/NQ-CP", "30a/2008/NQ-CP"),
    ("216/KH-UBND", "216/KH-UBND"), ("02-CTr/TU", "02-CTr/TU"),
    # an issuer printed with a space or a hyphen inside, as data/doc_codes.yml lists it: one issuer
    ("01/2024/TT-BGD ĐT", "01/2024/TT-BGDĐT"), ("09/2022/TT-BLĐ-TBXH", "09/2022/TT-BLĐTBXH"),
    ("12/QĐ-LĐ-TBXH", "12/QĐ-LĐTBXH"),
    # a drafting unit after the issuer stays apart
    ("2711/CĐ-BNN-TCLN", "2711/CĐ-BNN-TCLN"), ("12/QĐ-UBND-VX", "12/QĐ-UBND-VX"),
])
def test_document_numbers(raw, number):
    doc = Doc(f"Căn cứ văn bản số {raw} của cơ quan.")
    found = find_documents(doc)
    assert [d.number for d in found] == [number]


def test_document_type_issuer_and_issue_date():
    record = extract_record("Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng Chính phủ.")
    (d,) = record["documents"]
    assert (d["doc_type_name"], d["issuer_name"], d["issued"], d["year"]) == \
        ("Quyết định", "Thủ tướng Chính phủ", "2022-01-18", 2022)


@pytest.mark.parametrize("text", ["ngày 18/01/2022", "3/4 số xã", "Nghị định số 07", "Đề án 1956", "COVID-19", "Sở KH&CN"])
def test_incomplete_or_non_document_references(text):
    assert find_documents(Doc(text)) == []


# -- counts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit, qualifier", [
    ("Tham dự có hơn 200 đại biểu.", 200, "đại biểu", "hơn"),
    ("với 3.130 đại biều tham dự", 3130, "đại biều", None),
    ("cho gần 1.000 cán bộ", 1000, "cán bộ", "gần"),
    ("tổng số 300 lượt người", 300, "lượt người", "tổng số"),
    ("1.267 Tổ Nhân dân tự quản", 1267, "tổ nhân dân tự quản", None),
    ("khoảng 1,5 nghìn học viên", 1500, "học viên", "khoảng"),
    ("với hơn hai trăm đại biểu", 200, "đại biểu", "hơn"),
])
def test_participant_counts(text, value, unit, qualifier):
    (c,) = [c for c in find_counts(Doc(text), []) if c.role == "participants"]
    assert (c.value, c.unit, c.qualifier) == (value, unit, qualifier)


def test_counts_of_single_classes_among_several_are_subcounts():
    counts = find_counts(Doc("Lớp thứ nhất có 50 học viên, lớp thứ hai có 45 học viên."), [])
    assert [c.role for c in counts] == ["subcount", "subcount"]


def test_classes_subcounts_and_vague_amounts_are_not_totals():
    counts = find_counts(Doc("Tổ chức 02 lớp, mỗi lớp 50 học viên, trong đó 30 nữ; hàng trăm cán bộ theo dõi."), [])
    assert [(c.value, c.role) for c in counts] == [(2, "classes"), (50, "subcount"), (None, "other")]


# -- whole records ---------------------------------------------------------------------------

def test_an_article_with_a_lead_organiser_dates_count_places_and_programme():
    text = ("Tập huấn nâng cao năng lực giảm nghèo năm 2022\n\n"
            "Sáng ngày 20-12, tại huyện Bá Thước, Sở Lao động, Thương binh và Xã hội tỉnh Thanh Hóa phối hợp với "
            "UBND huyện Bá Thước tổ chức hội nghị tập huấn cho hơn 150 đại biểu thuộc Tiểu dự án 1, Dự án 7 "
            "Chương trình MTQG giảm nghèo bền vững.")
    record = extract_record(text)
    event = record["events"][0]
    assert (event["start_date"], event["participant_total"], event["province"], event["district"]) == \
        ("2022-12-20", 150, "Thanh Hóa", "Bá Thước")
    assert [o["name"] for o in record["organizers"]] == \
        ["Sở Lao động, Thương binh và Xã hội tỉnh Thanh Hóa", "UBND huyện Bá Thước"]
    (programme,) = record["programmes"]
    assert (programme["id"], programme["component"]) == ("gnbv-2021-2025", "Tiểu dự án 1, Dự án 7")


def test_a_plan_is_not_a_training_report():
    text = "Kế hoạch tổ chức lớp bồi dưỡng năm 2024\n\nUBND tỉnh sẽ tổ chức 5 lớp bồi dưỡng cho 300 học viên."
    assert extract_record(text)["is_training"] is False


def test_a_later_activity_becomes_a_second_event():
    text = ("Ngày 5/3/2023, Hội Nông dân huyện Cam Lộ tổ chức lớp tập huấn cho 60 hội viên. "
            "Bên cạnh đó, Hội cũng đã tổ chức tập huấn kỹ thuật chăn nuôi cho 40 hội viên ngày 20/3/2023.")
    events = extract_record(text)["events"]
    assert [(e["is_primary"], e["participant_total"], e["start_date"]) for e in events] == \
        [(True, 60, "2023-03-05"), (False, 40, "2023-03-20")]


def test_places_resolve_with_codes_coordinates_and_post_2025_unit():
    record = extract_record("Lớp tập huấn tổ chức tại huyện Mường Lát, tỉnh Thanh Hoá cho 50 học viên.")
    district = next(l for l in record["locations"] if l["level"] == "district")
    assert (district["name"], district["code"], district["province"]) == ("Mường Lát", "384", "Thanh Hóa")
    assert district["lat"] and district["lon"]
    assert district["post_2025"]["province"] == "Thanh Hóa"


def test_a_commune_named_like_an_old_district_after_the_reform_is_a_commune():
    record = extract_record("Ngày 4/11/2025, Phòng Văn hóa - Xã hội xã Sơn Tịnh tổ chức tập huấn cho 100 cán bộ.",
                            published="2025-11-05")
    levels = {l["name"]: l["level"] for l in record["locations"] if l["span"]}
    assert levels == {"Sơn Tịnh": "commune"}


def test_the_portal_places_an_article_that_names_no_province():
    record = extract_record("Sáng 20-12, UBND huyện tổ chức hội nghị tập huấn cho hơn 200 đại biểu.",
                            url="https://muonglat.thanhhoa.gov.vn/portal/pages/print.aspx?p=6571")
    assert record["events"][0]["province"] == "Thanh Hóa"
    url_places = [l for l in record["locations"] if l["span"] is None]
    assert {l["name"] for l in url_places} == {"Thanh Hóa", "Mường Lát"}


# -- programmes ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, ids", [
    ("Năm 2023, huyện triển khai 03 Chương trình MTQG: xây dựng nông thôn mới, giảm nghèo bền vững và phát triển "
     "KT-XH vùng đồng bào DTTS&MN.", ["gnbv-2021-2025", "ntm-2021-2025", "dtts-2021-2025"]),
    ("Chương trình MTQG giảm nghèo bền vững năm 2019", ["gnbv-2016-2020"]),
    ("Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2022-2025", ["gnbv-2021-2025"]),
    ("thực hiện Chương trình 135 và Chương trình 30a năm 2014", ["ct135", "ct30a"]),
    ("Chương trình MTQG 1719 năm 2023", ["dtts-2021-2025"]),
    ("Chương trình MTQG xây dựng nông thôn mới năm 2026", ["mtqg-2026-2035"]),
    ("Chương trình tập huấn cho đồng bào dân tộc thiểu số năm 2023", []),
    ("các chính sách giảm nghèo bền vững năm 2020", []),
    ("Chương trình OCOP và Đề án 1956", []),
])
def test_programmes_and_their_phase(text, ids):
    assert [p["id"] for p in extract_record(text)["programmes"]] == ids


def test_a_cited_approving_document_fixes_the_phase_when_no_year_is_known():
    record = extract_record("Tập huấn về Chương trình MTQG giảm nghèo bền vững theo Quyết định số 1722/QĐ-TTg.")
    assert [p["id"] for p in record["programmes"]] == ["gnbv-2016-2020"]


# -- places ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Tập huấn tại H. Mường Lát (Thanh Hóa) và TX. Bỉm Sơn.",
     {("Mường Lát", "district"), ("Thanh Hóa", "province"), ("Bỉm Sơn", "district")}),
    ("các huyện: Sông Lô, Lập Thạch, Tam Dương, Tam Đảo và thành phố Vĩnh Yên",
     {("Sông Lô", "district"), ("Lập Thạch", "district"), ("Tam Dương", "district"), ("Tam Đảo", "district"),
      ("Vĩnh Yên", "district")}),
    ("cho 4 tỉnh gồm: Bình Dương, Bình Phước, Long An và Tây Ninh",
     {("Bình Dương", "province"), ("Bình Phước", "province"), ("Long An", "province"), ("Tây Ninh", "province")}),
    ("Sở TT&TT Hà Tĩnh và TP.HCM", {("Hà Tĩnh", "province"), ("Hồ Chí Minh", "province")}),
    ("giảng viên Trường Đại học Kiến trúc Hà Nội; Đoàn TNCS Hồ Chí Minh; bà Nguyễn Thị Thanh Hà", set()),
    ("Sở Tài nguyên và Môi trường Lào Cai phối hợp với Báo Yên Bái", {("Lào Cai", "province"), ("Yên Bái", "province")}),
    ("tỉnh Đăk Nông và tỉnh Thừa Thiên - Huế", {("Đắk Nông", "province"), ("Thừa Thiên Huế", "province")}),
])
def test_place_forms(text, expected):
    record = extract_record(text)
    assert {(l["name"], l["level"]) for l in record["locations"] if l["span"]} == expected


@pytest.mark.parametrize("text, expected", [
    ("Mở lớp bồi dưỡng kỹ năng\n\nSở Nội vụ sẽ tổ chức lớp bồi dưỡng cho 60 công chức từ ngày 10/4/2024. "
     "Đề nghị các đơn vị cử cán bộ tham gia.", False),
    ("Hội thi tuyên truyền viên giỏi\n\nNgày 5/4, Hội LHPN huyện tổ chức hội thi cho 50 hội viên; trước đó các thí "
     "sinh được bồi dưỡng kiến thức.", False),
    ("Tài liệu tập huấn kỹ năng tuyên truyền\n\nTải tài liệu tập huấn tại đây.", False),
    ("Y tế tập huấn tiêm chủng\n\nNgày 5/3, Trung tâm Y tế huyện tập huấn công tác tiêm chủng.", True),
    ("Bế giảng lớp bồi dưỡng nhận thức về Đảng\n\nChiều 25/11, Trung tâm Chính trị huyện bế giảng lớp bồi dưỡng "
     "cho 86 học viên.", True),
    ("Kinh nghiệm triển khai tổ công nghệ số\n\nViệc tổ chức bồi dưỡng, tập huấn cần tổ chức thường xuyên, "
     "theo chuyên đề.", False),
    ("Nâng cao chất lượng đào tạo nghề\n\nPV: Xin ông cho biết kết quả năm qua?\nÔng A: Huyện đã tổ chức 20 lớp "
     "đào tạo nghề cho 600 học viên.\nPV: Khó khăn là gì?\nÔng A: Kinh phí còn hạn chế.", False),
])
def test_is_training(text, expected):
    assert extract_record(text)["is_training"] is expected


def test_the_venue_is_the_place_introduced_by_tại_in_the_lead_not_a_later_one():
    text = ("Ngày 10/4/2024, UBND huyện Bá Thước tổ chức lớp tập huấn cho 60 cán bộ tại hội trường huyện. "
            "Học viên được giới thiệu mô hình hay. Các mô hình được giới thiệu. Ví dụ là mô hình. "
            "Một mô hình nuôi bò tại tỉnh Lào Cai cũng được nêu.")
    assert extract_record(text)["events"][0]["province"] == "Thanh Hóa"
    lead = "Sáng 13-6, tại Bình Dương, Viện Pasteur thành phố Hồ Chí Minh tổ chức tập huấn cho 300 cán bộ."
    assert extract_record(lead)["events"][0]["province"] == "Bình Dương"


@pytest.mark.parametrize("published", ["2022-12-21", "2022-12-21T08:00:00+07:00", "21/12/2022"])
def test_publication_date_forms_give_the_year(published):
    record = extract_record("Sáng 20-12, UBND huyện tổ chức tập huấn cho 60 học viên.", published=published)
    assert (record["published"], record["events"][0]["start_date"]) == ("2022-12-21", "2022-12-20")


def test_a_count_outside_the_training_and_its_attendance_is_not_the_participants():
    text = ("Huyện có 1.250 hội viên nông dân. Ngày 5/3/2024, Hội Nông dân huyện Cam Lộ tổ chức tập huấn "
            "kỹ thuật chăn nuôi.")
    assert extract_record(text)["events"][0]["participant_total"] is None
    text = "Trong 2 ngày, hơn 200 cán bộ đoàn chủ chốt đã được nghe quán triệt các chuyên đề. Lớp tập huấn bế mạc."
    assert extract_record(text)["events"][0]["participant_total"] == 200


def test_the_event_date_comes_from_a_sentence_about_the_activity():
    text = ("Tập huấn kỹ năng cho cán bộ hội\n\nNgày 10/3/2024, UBND tỉnh ban hành kế hoạch năm. "
            "Ngày 15/3/2024, Hội Nông dân tỉnh tổ chức hội nghị cho 120 hội viên.")
    event = extract_record(text)["events"][0]
    assert (event["start_date"], event["participant_total"]) == ("2024-03-15", 120)
