"""is_training from what the headline and lead report, on the kinds of article a crawl brings in.

Each case is a general form (a long feature, a plan, a meeting, a report) written for this test,
not copied from an article: the rule must hold for the form, whatever the subject.
"""
from __future__ import annotations

import pytest

from extract import extract_record
from extract.resources import lexicon

# Body paragraphs a long feature carries whatever its subject: people, numbers, quotes.
FILLER = [
    "Theo số liệu của địa phương, năm qua toàn huyện có thêm 1.200 hộ thoát nghèo, thu nhập bình quân đầu người đạt "
    "hơn 42 triệu đồng.",
    "Ông Lò Văn Quân, Chủ tịch UBND xã, cho biết địa phương còn nhiều khó khăn, đường giao thông xuống cấp, "
    "nhiều bản ở xa trung tâm.",
    "“Chúng tôi mong muốn cấp trên tiếp tục quan tâm đầu tư để bà con yên tâm sản xuất”, ông Quân chia sẻ.",
    "Trong những năm tới, địa phương xác định phát triển kinh tế rừng là hướng đi chính, gắn với du lịch cộng đồng.",
    "Nhiều hộ gia đình đã mạnh dạn chuyển đổi cây trồng, đưa giống mới vào sản xuất và bước đầu cho thu nhập ổn định.",
    "Hệ thống trường lớp được đầu tư khang trang, tỷ lệ trẻ em đến trường đúng độ tuổi đạt trên 98%.",
]


def feature(title: str, lead: str, *body: str, filler: int = 6) -> str:
    """A newspaper feature: headline, lead, then the given paragraphs among ordinary ones."""
    paragraphs = [lead]
    for i, paragraph in enumerate(body):
        paragraphs += FILLER[(2 * i) % len(FILLER):(2 * i) % len(FILLER) + 2] + [paragraph]
    paragraphs += FILLER[:filler]
    return title + "\n\n" + "\n\n".join(paragraphs)


NOT_TRAINING = {
    "vaccination drive whose staff were trained": feature(
        "Nỗ lực phủ vắc xin sởi cho trẻ em vùng cao",
        "Những ngày này, các trạm y tế xã vùng cao đồng loạt ra quân tiêm vắc xin phòng bệnh sởi cho trẻ em từ 1 "
        "đến 5 tuổi, với mục tiêu không để trẻ nào bị bỏ sót.",
        "Theo Giám đốc Trung tâm Y tế huyện, trước chiến dịch, 100% cán bộ y tế tham gia tiêm chủng đã được tập "
        "huấn về quy trình tiêm an toàn và xử trí phản ứng sau tiêm.",
        "Đến nay, toàn huyện đã tiêm cho hơn 3.200 trẻ, đạt 92% kế hoạch."),
    "feature about a school": feature(
        "Ngôi trường bán trú giữa đại ngàn biên giới",
        "Nằm cách trung tâm huyện hơn 60 km, Trường Phổ thông dân tộc bán trú Tiểu học Pù Nhi hiện có 520 học sinh, "
        "phần lớn là con em đồng bào Mông.",
        "Hằng năm, nhà trường cử giáo viên tham gia các lớp bồi dưỡng chuyên môn, nghiệp vụ do Phòng Giáo dục và "
        "Đào tạo tổ chức."),
    "a farmer's story that mentions the course he once took": feature(
        "Anh Vàng A Sử làm giàu từ nuôi cá tầm",
        "Từ một hộ nghèo của bản Sín Chải, anh Vàng A Sử đã vươn lên trở thành chủ trang trại cá tầm có thu nhập "
        "hàng trăm triệu đồng mỗi năm.",
        "Năm 2018, sau khi tham gia lớp tập huấn kỹ thuật nuôi cá nước lạnh do Trung tâm Khuyến nông tỉnh tổ chức, "
        "anh mạnh dạn vay vốn đào ao."),
    "a congress whose past term is summed up": feature(
        "Đại hội Hội Nông dân xã Thiết Ống lần thứ XII, nhiệm kỳ 2023 - 2028",
        "Ngày 15/3, Hội Nông dân xã Thiết Ống tổ chức Đại hội đại biểu lần thứ XII với sự tham dự của 120 đại biểu "
        "đại diện cho hơn 1.500 hội viên.",
        "Nhiệm kỳ qua, Hội đã phối hợp mở 25 lớp tập huấn chuyển giao khoa học kỹ thuật cho hơn 2.000 lượt hội viên."),
    "a statistics report with training as one figure": feature(
        "Kinh tế - xã hội 9 tháng đầu năm tăng trưởng khá",
        "9 tháng đầu năm 2024, tổng giá trị sản xuất trên địa bàn huyện ước đạt 4.500 tỷ đồng, tăng 8,2% so với "
        "cùng kỳ năm trước.",
        "Công tác đào tạo nghề, giải quyết việc làm được quan tâm; đã tổ chức 15 lớp đào tạo nghề cho 450 lao động "
        "nông thôn, giải quyết việc làm mới cho 1.200 lao động."),
    "a drill whose aim is to train": feature(
        "Diễn tập phương án chữa cháy tại chợ trung tâm huyện",
        "Sáng 12/5, Công an huyện phối hợp với Ban quản lý chợ tổ chức diễn tập phương án chữa cháy và cứu nạn, cứu "
        "hộ tại chợ trung tâm với sự tham gia của hơn 100 người.",
        "Thông qua buổi diễn tập nhằm huấn luyện, nâng cao kỹ năng xử lý tình huống cho lực lượng phòng cháy tại "
        "chỗ."),
    "a meeting where training is one agenda item": (
        "Hội nghị giao ban công tác dân số quý III\n\n"
        "Ngày 25/9, Chi cục Dân số tỉnh tổ chức hội nghị giao ban công tác dân số quý III năm 2024 với 60 đại biểu. "
        "Tại hội nghị, các đại biểu đánh giá kết quả thực hiện các chỉ tiêu; đồng thời được tập huấn cách sử dụng "
        "phần mềm báo cáo thống kê chuyên ngành."),
    "a year-end meeting that spent one session on training": feature(
        "Sở Nội vụ triển khai nhiệm vụ công tác năm 2024",
        "Sáng 10/1, Sở Nội vụ tổ chức hội nghị tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024 với sự tham "
        "dự của lãnh đạo các phòng, đơn vị trực thuộc.",
        "Hội nghị cũng dành một buổi tập huấn về phần mềm quản lý hồ sơ cán bộ, công chức."),
    "a plan announced with its trainings to come": (
        "Huyện Quan Hóa triển khai công tác bồi dưỡng cán bộ năm 2025\n\n"
        "UBND huyện Quan Hóa vừa ban hành Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm 2025. "
        "Theo đó, huyện sẽ tổ chức 12 lớp bồi dưỡng cho khoảng 800 lượt cán bộ, công chức cấp huyện và cấp xã."),
    "a call for registration": (
        "Mở lớp đào tạo nghề may công nghiệp miễn phí cho lao động nông thôn\n\n"
        "Trung tâm Giáo dục nghề nghiệp huyện thông báo tuyển sinh lớp đào tạo nghề may công nghiệp cho 35 lao động "
        "nông thôn trong độ tuổi từ 18 đến 45. Người có nhu cầu đăng ký tại Trung tâm trước ngày 30/6/2024; lớp học "
        "dự kiến khai giảng vào ngày 5/7/2024."),
    "an interview framed in its lead": feature(
        "Giám đốc Sở Lao động: Đào tạo nghề phải gắn với việc làm",
        "Trao đổi với phóng viên, ông Nguyễn Văn An, Giám đốc Sở Lao động - Thương binh và Xã hội cho biết, thời "
        "gian qua công tác đào tạo nghề cho lao động nông thôn đã đạt nhiều kết quả."),
    "a headline that approves a document": (
        "Thủ tướng phê duyệt Đề án đào tạo, bồi dưỡng cán bộ, công chức giai đoạn 2021 - 2025\n\n"
        "Ngày 20/5, Thủ tướng Chính phủ ký Quyết định phê duyệt Đề án với mục tiêu 100% cán bộ, công chức được "
        "bồi dưỡng kiến thức, kỹ năng theo vị trí việc làm."),
    "the opening of a school year": (
        "Các trường học trên địa bàn huyện tổ chức lễ khai giảng năm học mới 2024 - 2025\n\n"
        "Sáng 5/9, hơn 30.000 học sinh các cấp trên địa bàn huyện đã dự lễ khai giảng năm học mới 2024 - 2025."),
    "a coach is not a training": (
        "Đội bóng đá thanh niên huyện vô địch giải bóng đá tỉnh năm 2024\n\n"
        "Chiều 10/8, dưới sự dẫn dắt của huấn luyện viên Nguyễn Văn Bình, đội bóng đá thanh niên huyện đã giành "
        "chức vô địch giải bóng đá thanh niên tỉnh với 20 cầu thủ."),
    "an institution's name is not an activity": feature(
        "Trung tâm Bồi dưỡng chính trị huyện đón nhận Huân chương Lao động hạng Ba",
        "Sáng 20/10, Trung tâm Bồi dưỡng chính trị huyện Như Xuân long trọng tổ chức lễ kỷ niệm 30 năm thành lập và "
        "đón nhận Huân chương Lao động hạng Ba."),
}

TRAINING = {
    "headline about skills, the lead holds the training": (
        "Nâng cao năng lực cho đội ngũ cộng tác viên dân số\n\n"
        "Ngày 12/3, Trung tâm Y tế huyện Như Xuân phối hợp với Chi cục Dân số tỉnh tổ chức lớp tập huấn nâng cao "
        "năng lực cho 85 cộng tác viên dân số các xã, thị trấn."),
    "a long feature about a course": feature(
        "Lớp học nghề dệt giữa đại ngàn",
        "Hơn 30 phụ nữ dân tộc Thái ở bản Na Mèo đang theo học lớp dạy nghề dệt thổ cẩm do Hội Liên hiệp Phụ nữ huyện "
        "mở, mỗi ngày hai buổi tại nhà văn hóa bản.",
        "Giảng viên của lớp là các nghệ nhân trong bản, hướng dẫn học viên từ khâu se sợi đến dệt hoa văn."),
    "no headline captured, the lead opens a course": (
        "Sáng 5/4, tại Hội trường UBND xã, Hội Nông dân xã phối hợp với Trạm Khuyến nông huyện khai giảng lớp bồi "
        "dưỡng kỹ thuật trồng cây ăn quả cho 40 hội viên. Lớp học kéo dài 10 ngày."),
    "a conference that is a training": (
        "Hội nghị triển khai công tác bầu cử\n\n"
        "Trong 2 ngày 16 và 17/1, Sở Nội vụ tổ chức hội nghị tập huấn nghiệp vụ công tác bầu cử cho 250 đại biểu là "
        "thành viên Ủy ban bầu cử các huyện."),
    "a report summing up the trainings held": feature(
        "Năm 2023, huyện Cam Lộ mở 45 lớp tập huấn cho hơn 3.000 lượt người",
        "Năm 2023, từ nguồn vốn các chương trình mục tiêu quốc gia, huyện Cam Lộ đã tổ chức 45 lớp tập huấn chuyển "
        "giao khoa học kỹ thuật cho hơn 3.000 lượt người dân."),
    "a scene-setting sentence first": (
        "Nâng cao kỹ năng tuyên truyền cho báo cáo viên\n\n"
        "Thực hiện Kế hoạch số 12/KH-BTG ngày 10/1/2024 của Ban Tuyên giáo Tỉnh ủy về công tác tuyên truyền năm 2024. "
        "Sáng 5/3, Ban Tuyên giáo Huyện ủy tổ chức hội nghị tập huấn kỹ năng tuyên truyền miệng cho 120 báo cáo viên "
        "cơ sở."),
    "a training for which a plan is cited": (
        "Tập huấn nghiệp vụ công tác thống kê\n\n"
        "Thực hiện Kế hoạch tập huấn năm 2024, ngày 8/4, Chi cục Thống kê huyện tổ chức tập huấn nghiệp vụ cho 60 "
        "điều tra viên."),
    "a militia's training": (
        "Huấn luyện dân quân tự vệ năm thứ nhất\n\n"
        "Từ ngày 10 đến 24/4, Ban Chỉ huy Quân sự huyện tổ chức huấn luyện cho 120 chiến sĩ dân quân năm thứ nhất."),
    "a long feature about an evening literacy class": feature(
        "Những học trò tóc bạc ở lớp học xóa mù chữ",
        "Mỗi tối, lớp học xóa mù chữ ở bản Sa Ná lại sáng đèn, 25 học viên người Thái ở độ tuổi từ 30 đến 60 chăm "
        "chú theo từng nét chữ.",
        "Lớp học do Trường Tiểu học xã mở từ đầu tháng 3, mỗi tuần học năm buổi."),
    "a closing ceremony of a political course": (
        "Bế giảng lớp Trung cấp lý luận chính trị khóa 2023 - 2024\n\n"
        "Chiều 20/6, Trung tâm Chính trị huyện tổ chức lễ bế giảng cho 65 học viên sau 12 tháng học tập."),
    "a report that says what the trainees will learn": (
        "Khai mạc lớp bồi dưỡng kiến thức quốc phòng và an ninh\n\n"
        "Sáng 5/6, Ban Chỉ huy Quân sự huyện khai mạc lớp bồi dưỡng kiến thức quốc phòng và an ninh cho 80 học viên. "
        "Trong 5 ngày, học viên sẽ được bồi dưỡng 8 chuyên đề."),
    "no headline captured, banner lines before the lead": (
        "Cổng thông tin điện tử huyện Mường Lát tỉnh Thanh Hóa chào mừng quý khách ghé thăm\n"
        "Chào mừng kỷ niệm 50 năm ngày giải phóng miền Nam thống nhất đất nước năm 2025 thành công\n"
        "Đường dây nóng tiếp nhận phản ánh kiến nghị của người dân và doanh nghiệp trên địa bàn huyện\n"
        "Sáng 12/4, Hội Liên hiệp Phụ nữ huyện tổ chức lớp tập huấn kỹ năng khởi nghiệp cho 70 hội viên."),
    "a headline about skills, the training named further down": feature(
        "Trang bị kiến thức chuyển đổi số cho hội viên nông dân",
        "Ngày 14/5, Hội Nông dân huyện phối hợp với Trung tâm Viễn thông huyện hướng dẫn 60 hội viên cách bán nông "
        "sản trên sàn thương mại điện tử.",
        "Buổi tập huấn giúp hội viên biết cách chụp ảnh sản phẩm, mở gian hàng và thanh toán trực tuyến."),
    "training words throughout a body without one in the headline": (
        "Tình hình thực hiện công tác giảm nghèo trên địa bàn huyện\n\n"
        "Năm 2023, tỷ lệ hộ nghèo của huyện còn 2,6%, giảm 0,4% so với năm trước. "
        "Huyện đã tập trung đẩy mạnh công tác truyền thông về giảm nghèo. "
        "Ngay từ đầu năm, huyện đã tổ chức nhiều lớp tập huấn cho cán bộ thôn về thông tin, tuyên truyền. "
        "Các lớp tập huấn nhằm nâng cao năng lực cho cán bộ cơ sở. "
        "Tham gia lớp tập huấn có 300 lượt người là cán bộ thông tin, tuyên truyền."),
}


@pytest.mark.parametrize("text", NOT_TRAINING.values(), ids=NOT_TRAINING.keys())
def test_not_a_training_report(text):
    record = extract_record(text)
    assert record["is_training"] is False, record["training_reason"]
    assert record["events"] == []
    assert record["training_reason"]


@pytest.mark.parametrize("text", TRAINING.values(), ids=TRAINING.keys())
def test_a_training_report(text):
    record = extract_record(text)
    assert record["is_training"] is True, record["training_reason"]
    (evidence,) = record["training_evidence"]
    quote = evidence["quote"].lower()
    assert any(w in quote for w in lexicon()["training_terms"] + ["lớp"])  # the deciding sentence


@pytest.mark.parametrize("case, reason", [
    ("vaccination drive whose staff were trained", "training mentioned only in passing"),
    ("a plan announced with its trainings to come", "plan for a future training"),
    ("a call for registration", "plan for a future training"),
])
def test_the_record_says_why_it_is_not_training(case, reason):
    record = extract_record(NOT_TRAINING[case])
    assert record["training_reason"] == reason
    if reason == "training mentioned only in passing":  # the passing mention is quoted
        assert "tập huấn" in record["training_evidence"][0]["quote"]

