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



# -- one line about training in a short item of other news -------------------------------------

SHORT_NEWS = {
    "statistics": ("Kết quả thực hiện nhiệm vụ kinh tế - xã hội 6 tháng đầu năm",
                   "6 tháng đầu năm, giá trị sản xuất nông nghiệp của huyện ước đạt 820 tỷ đồng, tăng 4,1% so với cùng kỳ.",
                   "Các xã đã mở {n} lớp đào tạo nghề cho lao động nông thôn."),
    "working visit": ("Đoàn công tác tỉnh bạn thăm và làm việc tại huyện",
                      "Sáng 14/6, đoàn công tác của Ban Dân tộc tỉnh bạn do đồng chí Phó Trưởng ban làm trưởng đoàn đã "
                      "đến thăm và làm việc với UBND huyện.",
                      "Hai bên đã trao đổi kinh nghiệm về công tác đào tạo, bồi dưỡng cán bộ người dân tộc thiểu số."),
    "review meeting": ("Trung tâm Khuyến nông tổng kết công tác năm",
                       "Chiều 27/12, Trung tâm Khuyến nông tỉnh tổ chức hội nghị tổng kết công tác năm và triển khai "
                       "nhiệm vụ năm tới.",
                       "Trong năm, Trung tâm đã phối hợp mở {n} lớp tập huấn cho hơn 1.100 lượt nông dân."),
    "gift-giving": ("Trao quà cho học sinh nghèo vượt khó",
                    "Ngày 20/11, Hội Khuyến học huyện trao 50 suất quà cho học sinh nghèo vượt khó của các trường.",
                    "Cô giáo chủ nhiệm, người từng được bồi dưỡng về giáo dục hòa nhập, đã đề xuất danh sách học sinh."),
    "harvest": ("Người trồng cam được mùa được giá",
                "Những ngày này, các hộ trồng cam ở xã vùng cao đang tất bật thu hoạch, giá bán cao hơn năm trước.",
                "Nhờ được tập huấn kỹ thuật chăm sóc theo hướng hữu cơ, nhiều hộ đã có sản phẩm đạt chứng nhận OCOP."),
    "a launch with a training to come": ("Ra mắt mô hình khu dân cư an toàn",
                                         "Sáng 9/5, UBND phường tổ chức lễ ra mắt mô hình khu dân cư an toàn với 200 "
                                         "hộ gia đình tham gia.",
                                         "Các tổ viên sẽ được tập huấn kỹ năng phòng cháy trong thời gian tới."),
}


@pytest.mark.parametrize("kind", SHORT_NEWS)
@pytest.mark.parametrize("extra", ["", " Các đơn vị cũng được khen thưởng vì thành tích xuất sắc trong năm."])
def test_one_training_line_in_a_short_item_is_a_passing_mention(kind, extra):
    title, lead, line = SHORT_NEWS[kind]
    record = extract_record(f"{title}\n\n{lead}\n\n{line.format(n=12)}{extra}")
    assert record["is_training"] is False, record["training_reason"]
    assert record["events"] == []


@pytest.mark.parametrize("opening", [
    "Sau khi được tập huấn về quy trình bảo quản vắc xin, các nhân viên y tế thôn bản lại mang thùng lạnh lên bản.",
    "Sau các buổi tập huấn nghiệp vụ, cách làm việc của các tổ hòa giải ở cơ sở đã thay đổi rõ rệt.",
    "Nhờ được bồi dưỡng kỹ năng tuyên truyền, những người có uy tín trong bản đã vận động bà con bỏ hủ tục.",
    "Kể từ khi tham gia lớp dạy nghề đan lát, nhiều chị em trong thôn đã có thêm thu nhập ổn định.",
])
def test_a_feature_opening_on_a_training_in_a_background_clause(opening):
    record = extract_record(feature("Những bước chân thầm lặng ở vùng cao", opening))
    assert record["is_training"] is False, record["training_reason"]
    assert record["training_reason"] == "training mentioned only in passing"


@pytest.mark.parametrize("title, is_training", [
    # an event of another kind whose subject is training
    ("Hội thảo nâng cao chất lượng đào tạo nghề cho người khuyết tật", False),
    ("Tọa đàm đổi mới công tác bồi dưỡng cán bộ, công chức cấp xã", False),
    ("Hội nghị triển khai kế hoạch tập huấn năm 2024", False),
    ("Hội nghị sơ kết 5 năm công tác đào tạo nghề cho lao động nông thôn", False),
    ("Hội thảo góp ý tài liệu tập huấn về phòng chống bạo lực gia đình", False),
    ("Đoàn công tác kiểm tra việc thực hiện công tác bồi dưỡng tại huyện", False),
    # a training event, or an event with a training besides
    ("Hội nghị tập huấn nghiệp vụ công tác dân số", True),
    ("Hội nghị trực tuyến tập huấn kỹ năng chuyển đổi số", True),
    ("Hội nghị - tập huấn công tác thi đua, khen thưởng", True),
    ("Hội nghị sơ kết 6 tháng và tập huấn nghiệp vụ công tác Hội", True),
    ("Hội nghị triển khai nhiệm vụ năm 2024 kết hợp bồi dưỡng kiến thức cho cán bộ", True),
])
def test_an_event_in_the_headline_and_its_subject(title, is_training):
    lead = ("Sáng 15/4, Sở Lao động - Thương binh và Xã hội tổ chức hội nghị với sự tham gia của 80 học viên là cán "
            "bộ các xã, các cơ sở và các phòng chuyên môn.")
    record = extract_record(f"{title}\n\n{lead} Các đại biểu đã thảo luận, đề xuất nhiều giải pháp.")
    assert record["is_training"] is is_training, record["training_reason"]
    if not is_training:
        assert record["training_reason"] == "headline names another kind of event; training is its subject"


@pytest.mark.parametrize("title", [
    "Trả lời bạn đọc: Quyền lợi của người lao động khi tham gia lớp bồi dưỡng",
    "Hỏi đáp: Chế độ hỗ trợ học viên các lớp đào tạo nghề",
    "Người thầy dạy nghề giữa bản làng vùng cao",
    "Cô giáo dạy nghề may của những phụ nữ vùng biên",
])
def test_columns_and_portraits_are_no_reports(title):
    lead = ("Hơn 15 năm đứng lớp dạy nghề cho đồng bào các dân tộc, người giáo viên ấy đã giúp hàng trăm lao động "
            "có nghề trong tay và thoát nghèo bền vững.")
    record = extract_record(feature(title, lead))
    assert record["is_training"] is False, record["training_reason"]


@pytest.mark.parametrize("school", ["Trường Tiểu học xã", "Trường THPT huyện", "Trường Phổ thông Dân tộc nội trú tỉnh"])
def test_a_school_year_opening_named_again_in_the_body(school):
    text = (f"{school} khai giảng năm học 2024 - 2025\n\nSáng 5/9, {school} tổ chức lễ khai giảng năm học mới với "
            "480 học sinh. Phát biểu tại lễ khai giảng, đại diện Phòng Giáo dục và Đào tạo đề nghị nhà trường nâng "
            "cao chất lượng dạy và học.")
    record = extract_record(text)
    assert record["is_training"] is False, record["training_reason"]


def test_a_class_opened_in_a_school_year_is_a_training():
    text = ("Khai giảng lớp bồi dưỡng nghiệp vụ sư phạm năm học 2024 - 2025\n\nSáng 9/9, Trường Cao đẳng tổ chức lễ "
            "khai giảng lớp bồi dưỡng nghiệp vụ sư phạm cho 60 học viên. Lớp học kéo dài 2 tháng.")
    assert extract_record(text)["is_training"] is True
