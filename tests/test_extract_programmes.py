"""Programmes named by their common names, with the phase of the activity's year."""
from __future__ import annotations

import pytest

from extract import extract_record


def programme_ids(text: str, **kw) -> list[str]:
    return [p["id"] for p in extract_record(text, **kw)["programmes"]]


@pytest.mark.parametrize("text, ids", [
    # "xây dựng nông thôn mới" used as the programme's name: its period, its money, its bodies
    ("Năm 2023, huyện tập trung thực hiện xây dựng nông thôn mới giai đoạn 2021 - 2025.", ["ntm-2021-2025"]),
    ("Năm 2019, xã bố trí nguồn vốn xây dựng nông thôn mới cho các công trình giao thông.", ["ntm-2016-2020"]),
    ("Năm 2024, kinh phí thực hiện xây dựng NTM được phân bổ sớm.", ["ntm-2021-2025"]),
    ("Ngày 5/3/2022, Văn phòng Điều phối nông thôn mới tỉnh tổ chức hội nghị.", ["ntm-2021-2025"]),
    ("Năm 2018, Ban Chỉ đạo xây dựng nông thôn mới huyện họp phiên thường kỳ.", ["ntm-2016-2020"]),
    ("Năm 2014, Chương trình xây dựng nông thôn mới được triển khai ở 20 xã.", ["ntm-2010-2020"]),
    # as a goal or a standard, it names no programme
    ("Năm 2023, người dân tích cực tham gia xây dựng nông thôn mới.", []),
    ("Năm 2023, huyện phổ biến tiêu chí hộ nghèo trong xây dựng nông thôn mới.", []),
    ("Năm 2022, xã Thiết Ống được công nhận đạt chuẩn nông thôn mới.", []),
    # common names of the poverty programme, the phase from the year
    ("Năm 2022, huyện triển khai Chương trình MTQG giảm nghèo trên địa bàn.", ["gnbv-2021-2025"]),
    ("Kết quả thực hiện chương trình giảm nghèo năm 2017 của huyện.", ["gnbv-2016-2020"]),
    ("Chương trình mục tiêu quốc gia giảm nghèo năm 2013.", []),  # no phase of the table covers 2013
    ("Năm 2023, huyện triển khai Chương trình mục tiêu quốc gia GNBV trên địa bàn.", ["gnbv-2021-2025"]),
    ("Năm 2019, kinh phí thực hiện MTQG GNBV được giao sớm.", ["gnbv-2016-2020"]),
    # "chương trình" as a generic noun: a training's or an action programme about the subject
    ("Năm 2023, Sở tổ chức Chương trình tập huấn nâng cao năng lực cho cán bộ làm công tác giảm nghèo bền vững.", []),
    ("Năm 2023, tỉnh ban hành Chương trình hành động về giảm nghèo bền vững.", []),
    ("Năm 2023, Chương trình OCOP gắn với xây dựng nông thôn mới phát triển mạnh.", []),
    # Chương trình 135 by its official name, which holds the DTTS&MN programme's words
    ("Năm 2015, Chương trình phát triển kinh tế - xã hội các xã đặc biệt khó khăn vùng đồng bào dân tộc thiểu "
     "số và miền núi được triển khai ở 20 xã.", ["ct135"]),
    ("Năm 2023, đoàn cán bộ thuộc Chương trình phát triển kinh tế - xã hội các xã đặc biệt khó khăn vùng dân "
     "tộc thiểu số và miền núi (Chương trình 135) của tỉnh đến học tập kinh nghiệm.", ["ct135"]),
    ("Năm 2010, Chương trình phát triển KT-XH các xã đặc biệt khó khăn miền núi và vùng sâu, vùng xa.", ["ct135"]),
    # the DTTS&MN programme's own name stays its own; other support for those communes names no
    # programme
    ("Năm 2023, huyện triển khai Chương trình MTQG phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số "
     "và miền núi.", ["dtts-2021-2025"]),
    ("Năm 2023, Chương trình hỗ trợ học sinh các xã đặc biệt khó khăn được mở rộng.", []),
])
def test_programme_forms(text, ids):
    assert programme_ids(text) == ids


def test_the_phase_comes_from_the_primary_activitys_year_not_the_first_date_named():
    text = ("Tập huấn về Chương trình MTQG giảm nghèo bền vững\n\n"
            "Ngày 2/1/2026, UBND tỉnh ban hành kế hoạch tổng kết các chương trình của giai đoạn vừa qua. "
            "Ngày 5/3/2024, huyện Cam Lộ tổ chức lớp tập huấn cho 60 cán bộ làm công tác giảm nghèo.")
    assert programme_ids(text) == ["gnbv-2021-2025"]
    assert extract_record(text)["events"][0]["programmes"] == ["gnbv-2021-2025"]
