"""The one grammar of day-first dates: every form with its spacing variants, and what is not a date."""
from __future__ import annotations

from datetime import date

import pytest

from extract import extract_record
from extract.dates import YearContext, find_dates, resolve
from extract.document import Doc
from extract.documents import find_documents

PUBLISHED = date(2023, 9, 1)


def spans(text: str, published: date | None = PUBLISHED) -> list[tuple[str, str, str]]:
    """(start, end, quoted text) of every date in `text`, in order."""
    doc = Doc(text)
    ctx = YearContext(published, None, None)
    return [(*resolve(m, ctx)[:2], doc.norm.text[m.start:m.end])
            for m in find_dates(doc, [(d.start, d.end) for d in find_documents(doc)])]


def first(text: str, published: date | None = PUBLISHED) -> tuple[str, str]:
    found = spans(text, published)
    assert found, f"no date in {text!r}"
    return found[0][:2]


@pytest.mark.parametrize("text, start, end", [
    # day and month, any spacing around "/" and "-"; "." without spaces
    ("Ngày 7/6, tổ chức", "2023-06-07", "2023-06-07"),
    ("Ngày 7/ 6, tổ chức", "2023-06-07", "2023-06-07"),
    ("Ngày 7 /6, tổ chức", "2023-06-07", "2023-06-07"),
    ("Ngày 7 / 6, tổ chức", "2023-06-07", "2023-06-07"),
    ("Ngày 11 – 6, khai mạc", "2023-06-11", "2023-06-11"),
    ("Sáng 11 - 6 tại hội trường", "2023-06-11", "2023-06-11"),
    ("Chiều 11- 6, khai mạc", "2023-06-11", "2023-06-11"),
    ("Tối 18.6, khai mạc", "2023-06-18", "2023-06-18"),
    # with a year, the same separator before it, or "năm"
    ("ngày 5 / 3 / 2022 khai mạc", "2022-03-05", "2022-03-05"),
    ("ngày 5- 3 -2022 khai mạc", "2022-03-05", "2022-03-05"),
    ("ngày 5.3.2022 khai mạc", "2022-03-05", "2022-03-05"),
    ("ngày 5/3 năm 2022 khai mạc", "2022-03-05", "2022-03-05"),
    # a range of days sharing the month, spaced or not
    ("từ 4 đến 7/ 6, tập huấn", "2023-06-04", "2023-06-07"),
    ("từ ngày 4 đến ngày 7 / 6, tập huấn", "2023-06-04", "2023-06-07"),
    ("Từ ngày 24-26/8/2022, tập huấn", "2022-08-24", "2022-08-26"),
    ("Từ ngày 24 - 26/8/2022, tập huấn", "2022-08-24", "2022-08-26"),
    ("từ ngày 7 đến 11-11, tập huấn", "2023-11-07", "2023-11-11"),
    ("trong 2 ngày 16 và 17/1, tập huấn", "2023-01-16", "2023-01-17"),
    # a range that repeats the month, or crosses months and years
    ("từ ngày 16/8 -18/8/2023 tập huấn", "2023-08-16", "2023-08-18"),
    ("từ ngày 16/8 - 18/8/2023 tập huấn", "2023-08-16", "2023-08-18"),
    ("từ 16/8 đến 18/8, tập huấn", "2023-08-16", "2023-08-18"),
    ("từ ngày 28/11 đến ngày 02/12/2022", "2022-11-28", "2022-12-02"),
    ("từ 30/12/2022 – 02/01/2023", "2022-12-30", "2023-01-02"),
    ("từ 31/10 đến 01/11 năm 2020", "2020-10-31", "2020-11-01"),
    # lists of days: first to last
    ("trong các ngày 22, 23, 24, 27/6", "2023-06-22", "2023-06-27"),
    ("các ngày 22, 23 và 24/6", "2023-06-22", "2023-06-24"),
    ("vào các ngày 3,4,5/7/2022", "2022-07-03", "2022-07-05"),
    ("ngày 13, 14/11", "2023-11-13", "2023-11-14"),
    # long forms
    ("Sáng ngày 27 tháng 6 năm 2022, tại hội trường", "2022-06-27", "2022-06-27"),
    ("từ ngày 13 đến ngày 15 tháng 12 năm 2012", "2012-12-13", "2012-12-15"),
    ("các ngày 22, 23, 24 tháng 6", "2023-06-22", "2023-06-24"),
    ("từ ngày 28 tháng 11 đến ngày 2 tháng 12 năm 2022 tại", "2022-11-28", "2022-12-02"),
])
def test_date_forms(text, start, end):
    assert first(text) == (start, end)


@pytest.mark.parametrize("text", [
    # fractions and shares
    "tổn thương 1/3 dưới đáy phổi", "có 6/8 người đạt yêu cầu", "đạt 18/19 tiêu chí", "(2/3 số xã)",
    "hơn 2/3 số đại biểu tán thành", "chiếm 1/4 diện tích", "9/10 xã đã hoàn thành", "trong 1/2 ngày",
    # scores and ranges of amounts
    "thắng với tỷ số 2-1", "tỉ số 3 - 0 nghiêng về đội nhà", "từ 2-3 người", "khoảng 5 - 6 lớp",
    # numbers, times, codes
    "3.130 đại biểu", "lúc 14:30", "giai đoạn 2021-2025", "SĐT 0915.023.667",
])
def test_things_that_are_not_dates(text):
    assert spans(text) == []


@pytest.mark.parametrize("text, start", [
    ("Ngày 6/8, 50 người đã tham gia", "2023-08-06"),         # a date word before it: a date, whatever follows
    ("Sáng 1/3 dưới sự chủ trì của", "2023-03-01"),
    ("Hôm nay (9/10) xã tổ chức", "2023-10-09"),
])
def test_a_date_word_wins_over_a_count_after_it(text, start):
    assert first(text)[0] == start


def test_days_of_a_list_go_forward():
    assert first("các ngày 25, 24/6") == ("2023-06-24", "2023-06-24")


@pytest.mark.parametrize("text, end", [
    ("Ngày 6/9, khai giảng lớp học. Lớp học bắt đầu từ ngày 7/9, kết thúc vào ngày 7/11/2024.", "2024-11-07"),
    ("Ngày 6/9, khai giảng lớp học. Lớp học sẽ bế giảng ngày 20/10.", "2024-10-20"),
    ("Ngày 12/8, khai mạc lớp tập huấn. Chương trình kéo dài đến hết ngày 6/10.", "2024-10-06"),
])
def test_the_end_of_an_activity_named_after_its_first_day(text, end):
    event = extract_record("Tập huấn kỹ thuật\n\n" + text, published="2024-09-07")["events"][0]
    assert event["end_date"] == end


def test_the_year_comes_from_a_dated_address():
    record = extract_record("Sáng ngày 25/11, tỉnh khai giảng lớp bồi dưỡng cho 100 học viên.",
                            url="https://qbtv.vn/portal/pages/2024-11-25/Khai-giang-lop-boi-duong.aspx")
    assert record["events"][0]["start_date"] == "2024-11-25"


def test_the_year_comes_from_another_dated_sentence_of_the_text():
    record = extract_record("Ngày 6/9, huyện khai giảng lớp học cho 35 học viên. Lớp học kết thúc vào ngày 7/11/2024.")
    assert record["events"][0]["start_date"] == "2024-09-06"


@pytest.mark.parametrize("lead", [
    "Sáng 5/3, Hội Nông dân huyện phối hợp với Trạm Khuyến nông hướng dẫn kỹ thuật chăm sóc lúa cho 60 hội viên.",
    "Ngày 5/3, tại hội trường UBND xã, 60 hội viên nông dân được chuyên gia chia sẻ kinh nghiệm chăm sóc lúa.",
])
def test_the_lead_dates_the_primary_activity_even_without_a_training_word(lead):
    text = ("Tập huấn kỹ thuật chăm sóc lúa cho nông dân\n\n" + lead + " Trước đó, ngày 1/3, Hội đã tổ chức lớp tập "
            "huấn khác. Các lớp tập huấn tiếp theo sẽ diễn ra vào ngày 20/3.")
    assert extract_record(text, published="2024-03-06")["events"][0]["start_date"] == "2024-03-05"


def test_a_lead_that_dates_a_document_does_not_date_the_activity():
    text = ("Tập huấn kỹ năng cho cán bộ hội\n\nNgày 10/3/2024, UBND tỉnh ban hành kế hoạch tổ chức các hoạt động "
            "trong năm. Ngày 15/3/2024, Hội Nông dân tỉnh tổ chức hội nghị cho 120 hội viên.")
    assert extract_record(text)["events"][0]["start_date"] == "2024-03-15"


@pytest.mark.parametrize("published", ["9999-12-31", "0001-01-01"])
def test_publication_dates_at_the_ends_of_the_calendar(published):
    record = extract_record("Ngày 31/12, tổ chức lớp tập huấn trong 3 ngày cho 30 học viên.", published=published)
    assert record["events"][0]["start_date"].endswith("-12-31")


@pytest.mark.parametrize("weekday", ["Thứ 2", "thứ 3", "Thứ 5", "Thứ 7", "T4", "thứ Sáu", "Chủ nhật"])
@pytest.mark.parametrize("date_text", ["ngày 17/7/2023", "17/7/2023", "(17/7)", "ngày 17-7"])
def test_a_weekday_by_its_number_is_no_day_of_a_list(weekday, date_text):
    start, end = first(f"{weekday}, {date_text}, Sở tổ chức khai mạc lớp học")
    assert (start, end) == ("2023-07-17", "2023-07-17")


@pytest.mark.parametrize("duration, end", [
    ("Lớp học kéo dài 3 ngày.", "2024-03-07"),
    ("Lớp tập huấn kéo dài trong 02 ngày.", "2024-03-06"),
    ("Thời gian tập huấn 4 ngày, từ lý thuyết đến thực hành.", "2024-03-08"),
    ("Thời gian học: 03 ngày.", "2024-03-07"),
    ("Khóa học kéo dài 1 tuần.", "2024-03-11"),
    ("Lớp học diễn ra trong hai ngày.", "2024-03-06"),
])
def test_a_duration_gives_the_end_date(duration, end):
    text = "Bồi dưỡng nghiệp vụ cho cán bộ xã\n\nNgày 5/3/2024, Sở Nội vụ khai mạc lớp bồi dưỡng cho 60 học viên. "
    assert extract_record(text + duration)["events"][0]["end_date"] == end


@pytest.mark.parametrize("text, start, end", [
    ("Từ tháng 4 đến tháng 6/2023, huyện mở lớp", "2023-04", "2023-06"),
    ("từ tháng 7 - 9/2023, huyện mở lớp", "2023-07", "2023-09"),
    ("Trong tháng 7 – 9 năm 2022, huyện mở lớp", "2022-07", "2022-09"),
    ("trong tháng 4 và tháng 5/2023, huyện mở lớp", "2023-04", "2023-05"),
    ("từ tháng 3/2023 đến tháng 5, huyện mở lớp", "2023-03", "2023-05"),
    ("từ tháng 11 đến tháng 2/2024, huyện mở lớp", "2023-11", "2024-02"),
    ("từ tháng 10/2022 đến hết tháng 1/2023, huyện mở lớp", "2022-10", "2023-01"),
])
def test_a_range_of_months_keeps_its_end(text, start, end):
    assert first(text) == (start, end)


@pytest.mark.parametrize("name", ["đường 30/4", "Đường 3/2", "phố 19/5", "Quảng trường 3/2", "Trường THPT 30/4",
                                  "Trường Tiểu học 19/5", "Sân vận động 19/8", "Công viên 29/3", "chợ 30/4"])
def test_a_name_made_of_a_date_is_not_a_date_of_the_event(name):
    text = (f"Tập huấn kỹ năng cho giáo viên\n\nNgày 12/10, tại hội trường số 5 {name}, Sở Giáo dục tổ chức tập "
            f"huấn cho 80 giáo viên. Lớp học do {name} đón tiếp.")
    record = extract_record(text, published="2023-10-13")
    assert [d["start"] for d in record["dates"] if d["role"] == "event"] == ["2023-10-12"]
    assert record["events"][0]["end_date"] == "2023-10-12"
