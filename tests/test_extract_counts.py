"""Participants of the primary activity: the stated total, wherever the sentence stating it."""
from __future__ import annotations

import pytest

from extract import extract_record

HEADLINE = "Tập huấn kỹ năng cho cán bộ cơ sở\n\n"
LEAD = "Ngày 5/3, Sở Nội vụ tổ chức lớp tập huấn kỹ năng cho cán bộ cơ sở. "


def participants(text: str):
    return extract_record(text, published="2024-05-01")["events"][0]["participant_total"]


@pytest.mark.parametrize("sentence, total", [
    # the total in a sentence with no training word, in its usual shapes
    ("Tham dự có 120 học viên là cán bộ các xã.", 120),
    ("Về dự có 60 đại biểu đến từ các xã, thị trấn.", 60),
    ("Hơn 200 người tham gia.", 200),
    ("Có 85 cán bộ, công chức dự.", 85),
    ("Lớp học thu hút gần 1.000 hội viên.", 1000),
    ("Với sự góp mặt của 150 cán bộ các phòng, ban.", 150),
    ("95 cán bộ các xã đã được trang bị kiến thức về chuyển đổi số.", 95),
    # the total stated after its noun
    ("Tổng số học viên tham gia lớp học là 45 người.", 45),
    ("Số lượng đại biểu: hơn 120.", 120),
    ("Số học viên của lớp là 38.", 38),
    # participant nouns of every trade
    ("Tham gia lớp học có 90 trưởng, phó thôn.", 90),
    ("Tham dự có 40 công an viên và dân quân.", 40),
    ("Lớp học có 35 phóng viên, biên tập viên tham gia.", 35),
    # a total after the share of each unit is no part of it
    ("Lớp học dành cho 02 cán bộ mỗi xã, tổng cộng 180 cán bộ.", 180),
])
def test_the_stated_total(sentence, total):
    assert participants(HEADLINE + LEAD + sentence) == total


@pytest.mark.parametrize("sentence, total", [
    ("Tham dự có hơn một nghìn hội viên.", 1000),
    ("Lớp học thu hút hai trăm rưỡi học viên.", 250),
    ("Về dự có một trăm mười lăm đại biểu.", 115),   # not the "mười lăm" at its end
    ("Tham dự có gần một nghìn hai trăm cán bộ.", 1200),
])
def test_a_total_written_in_words(sentence, total):
    assert participants(HEADLINE + LEAD + sentence) == total


@pytest.mark.parametrize("sentence", [
    "Lớp thứ nhất có 50 học viên, lớp thứ hai có 45 học viên.",    # only the parts of several classes
    "Trong đó có 80 nữ cán bộ.",                                   # a part of a total not given
    "Huyện có 1.250 hội viên nông dân.",                           # a count about something else
    "Giải quyết việc làm cho 2.000 lao động.",
    "Tỷ lệ học viên đạt yêu cầu là 98%.",                          # a share, not a count
    "Tham dự có hàng trăm cán bộ.",                                # a vague amount
    "Năm 2023, Sở đã tổ chức 15 lớp tập huấn cho 1.500 học viên.",  # another year's summary (the lead's is 2024)
])
def test_no_total(sentence):
    assert participants(HEADLINE + LEAD + sentence) is None


def test_a_total_with_its_parts_is_the_total():
    assert participants(HEADLINE + LEAD + "Tổng số 3 lớp với 210 học viên, mỗi lớp 70 học viên.") == 210


def test_the_count_of_the_dated_activity_not_of_the_years_summary_before_it():
    text = (HEADLINE + "Năm 2023, huyện tổ chức 15 lớp tập huấn cho 1.200 lượt người. Ngày 5/3/2024, lớp tập huấn "
            "kỹ năng lần này khai mạc với 80 học viên.")
    assert participants(text) == 80


def test_the_count_in_the_sentence_that_dates_the_activity():
    text = ("Chuyển giao kỹ thuật cho nông dân\n\nSáng 5/3, Hội Nông dân huyện phối hợp với Trạm Khuyến nông "
            "hướng dẫn kỹ thuật chăm sóc lúa cho 60 hội viên. Đây là lớp tập huấn thứ ba trong năm.")
    assert participants(text) == 60


@pytest.mark.parametrize("digits", [16, 400, 5000])
def test_a_run_of_digits_is_not_a_count(digits):
    record = extract_record("Tập huấn cho " + "1" * digits + " học viên")
    assert all(c["value"] is None or c["value"] < 10 ** 15 for c in record["counts"])


# Attendees of trades the vocabulary does not list: the slot makes the count, not the noun.
TRADES = ["công nhân", "tiểu thương", "thuyền trưởng, chủ tàu", "hiệu trưởng, phó hiệu trưởng", "y tá, điều dưỡng",
          "chủ rừng", "cô nuôi", "giảng viên nguồn", "báo cáo viên pháp luật", "thầy thuốc", "lái xe", "xã viên",
          "thợ may", "chủ hộ kinh doanh", "doanh nghiệp", "phạm nhân", "trẻ em", "kỹ sư", "du khách"]


@pytest.mark.parametrize("trade", TRADES)
@pytest.mark.parametrize("shape", [
    "Ngày 5/3, Sở Nội vụ tổ chức lớp tập huấn cho {n} {trade} trên địa bàn.",
    "Sáng 5/3, lớp tập huấn khai mạc với sự tham gia của {n} {trade}.",
    "Ngày 5/3, lớp tập huấn khai mạc. Có {n} {trade} của các xã tham dự.",
    "Ngày 5/3, lớp tập huấn khai mạc. Hơn {n} {trade} đã tham gia lớp học.",
])
def test_attendees_of_any_trade(trade, shape):
    assert participants(HEADLINE + shape.format(n=145, trade=trade)) == 145


@pytest.mark.parametrize("sentence", [
    "Lớp tập huấn được tổ chức cho 12 xã, thị trấn.",                 # places
    "Lớp tập huấn gồm 5 chuyên đề, với 3 nội dung thực hành.",        # parts of the course
    "Lớp tập huấn được triển khai tương ứng với 10 cụm thi đua.",     # groups of units
    "Tập huấn xong, huyện hỗ trợ cho 50 hộ dân mỗi hộ 2 triệu đồng.",  # households, money
    "Lớp tập huấn có 40 máy tính cho học viên thực hành.",            # objects
])
def test_counted_things_are_no_attendees(sentence):
    assert participants(HEADLINE + "Ngày 5/3, Sở Nội vụ tổ chức lớp tập huấn kỹ năng. " + sentence) is None


@pytest.mark.parametrize("parts, total", [
    ("Hội nghị có 50 đại biểu tham dự trực tiếp và 300 đại biểu dự trực tuyến tại các điểm cầu. Tổng cộng có 350 "
     "đại biểu tham dự.", 350),
    ("Tham dự có 40 cán bộ cấp huyện và 85 cán bộ cấp xã; tổng số 125 học viên.", 125),
    ("Điểm cầu tỉnh có 30 đại biểu, các điểm cầu huyện có 210 đại biểu. Tổng số đại biểu tham gia là 240.", 240),
])
def test_a_total_stated_after_its_parts_is_the_total(parts, total):
    assert participants(HEADLINE + LEAD + parts) == total


@pytest.mark.parametrize("sentence", [
    "Năm nay, huyện mở 40 lớp, trong đó 25 lớp trồng trọt cho 875 học viên và 15 lớp chăn nuôi cho 525 học viên.",
    "Huyện mở 3 lớp may cho 90 học viên, 2 lớp nấu ăn cho 60 học viên và 1 lớp điện cho 30 học viên.",
    "Lớp thứ nhất khai giảng ngày 5/3 tại xã Yên Lễ, có 45 học viên; lớp thứ hai khai giảng ngày 7/3 có 52 học viên.",
])
def test_counts_of_each_class_with_no_total_give_none(sentence):
    assert participants(HEADLINE + "Sở Nội vụ tổ chức các lớp tập huấn kỹ năng cho cán bộ cơ sở. " + sentence) is None


def test_a_meeting_that_sums_up_last_years_trainings_has_their_count():
    # (the day dates the meeting, not a training: the year's count is the article's own)
    text = ("Tổng kết công tác tập huấn năm 2023\n\nNgày 5/1/2024, Hội Nông dân huyện tổ chức hội nghị tổng kết "
            "công tác năm 2023. Năm 2023, Hội đã tổ chức 15 lớp tập huấn cho 1.500 hội viên.")
    assert participants(text) == 1500
