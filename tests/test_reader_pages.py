"""The page reader on single pages: each trap in markup the fixture portals do not use, so that a
rule passing here is a general form, not a fit to one fixture."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import extract_record
from reader.article import PageError, read_page
from reader.chrome import SiteChrome
from siteconfig import load_families

FAMILIES = load_families()
PORTALS = Path(__file__).parent / "fixtures" / "portals"
TODAY = "Thứ Hai, 02/12/2024"
PARAGRAPHS = ["Sáng ngày 14/3, UBND xã Bình Minh tổ chức lớp tập huấn kỹ năng tuyên truyền pháp luật cho 65 "
              "tuyên truyền viên, hòa giải viên ở các thôn.",
              "Các học viên được hướng dẫn phương pháp tuyên truyền miệng, kỹ năng hòa giải và cách lồng ghép "
              "tuyên truyền trong sinh hoạt cộng đồng."]


def page(main: str, title: str = "Tập huấn kỹ năng tuyên truyền pháp luật", head: str = "",
         header: str = "") -> str:
    """A page with the chrome of any portal around `main`."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head><body>'
            f'<div id="top"><span>{TODAY}</span> <a href="/">Trang chủ</a> <a href="/lien-he">Liên hệ</a></div>'
            f'{header}<div id="left"><h3>Tin mới</h3><ul><li><a href="/a-123.html">Hội nghị tổng kết năm 2023 của '
            f'Hội Nông dân xã</a> (20/11/2024)</li><li><a href="/b-124.html">Ra quân làm giao thông nông thôn</a> '
            f'(18/11/2024)</li></ul></div>{main}'
            f'<div id="foot">UBND xã Bình Minh. Điện thoại: 0251.3866.123 - Email: binhminh@gov.vn</div></body></html>')


def article_html(between: str = "", after: str = "", headline: str = "<h1>Tập huấn kỹ năng tuyên truyền pháp luật</h1>",
                 date: str = '<div class="ngay">14/03/2024 16:05</div>') -> str:
    return (f'<div id="content">{headline}{date}<div class="noidung"><p>{PARAGRAPHS[0]}</p>{between}'
            f'<p>{PARAGRAPHS[1]}</p>{after}</div></div>')


def read(html: str | bytes, family: str | None = None, **kwargs) -> object:
    rules = FAMILIES[family]["article"] if family else None
    return read_page(html, "https://binhminh.gov.vn/tin-tuc/tap-huan-ky-nang-tuyen-truyen-123.html", rules, **kwargs)


# --- captions, by structure -------------------------------------------------------------------

@pytest.mark.parametrize("picture, caption", [
    ('<div class="anh"><img src="a.jpg"><br><span>Quang cảnh lớp tập huấn</span></div>', "Quang cảnh lớp tập huấn"),
    ('<p><img src="a.jpg"></p><div align="center"><i>Học viên thảo luận nhóm</i></div>', "Học viên thảo luận nhóm"),
    ('<table><tbody><tr><td><img src="a.jpg"></td><td>Báo cáo viên trình bày chuyên đề</td></tr></tbody></table>',
     "Báo cáo viên trình bày chuyên đề"),
    ('<p><img src="a.jpg"></p><p>Đại biểu phát biểu tại lớp học (Ảnh: Hải Yến)</p>', "Đại biểu phát biểu tại lớp học (Ảnh: Hải Yến)"),
    ('<p style="text-align:center"><em>Toàn cảnh buổi khai giảng</em></p><p style="text-align:center"><img src="a.jpg"></p>',
     "Toàn cảnh buổi khai giảng"),
    ('<figure><img src="a.jpg"><figcaption><p>Trao giấy chứng nhận cho học viên</p></figcaption></figure>',
     "Trao giấy chứng nhận cho học viên"),
    ('<p>Ảnh minh họa: Lớp tập huấn năm trước</p>', "Ảnh minh họa: Lớp tập huấn năm trước"),
    # Unstyled, wholly in brackets, in the block right after the image.
    ('<p style="text-align:center"><img src="a.jpg"></p><p>(Quang cảnh lớp tập huấn)</p>', "(Quang cảnh lớp tập huấn)"),
    ('<figure class="wp-block-image"><img src="a.jpg"></figure><p>(Học viên thực hành)</p>', "(Học viên thực hành)"),
])
def test_captions_are_taken_out_by_structure_and_kept(picture: str, caption: str) -> None:
    article = read(page(article_html(between=picture)))
    assert article.captions == [caption]
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_a_source_in_brackets_after_an_image_is_the_source_not_a_caption() -> None:
    article = read(page(article_html(after='<p><img src="a.jpg"></p><p>(Nguồn: Báo Bình Dương)</p>')))
    assert (article.captions, article.source) == ([], "Báo Bình Dương")
    assert article.body == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize("toolbar", [
    'Cỡ chữ: <a href="#">A-</a> <a href="#">A</a> <a href="#">A+</a> | <a href="#">In bài viết</a> | '
    '<a href="#">Gửi email</a> | Chia sẻ: <a href="#">Facebook</a>',
    'Cỡ chữ: A A A | <a href="#">Bản in</a> | <a href="#">Gửi email</a> | Chia sẻ',
    '<ul><li><a href="#">Lưu bài viết</a></li><li><a href="#">Gửi bài viết</a></li><li><a href="#">In ra</a></li></ul>',
    "Cỡ chữ: Nhỏ | Vừa | Lớn", "Nghe đọc bài viết", "Đọc bài | Dừng đọc", "In bài viết | Gửi cho bạn bè | Lưu lại",
    "Lượt đọc: 120", "Tin tức - Sự kiện » Tin trong xã",
    "Tổng số điểm của bài viết là: 0 trong 0 đánh giá",
])
def test_toolbars_atop_the_text_are_chrome(toolbar: str) -> None:
    html = page(article_html().replace('<div class="noidung">', f'<div class="noidung"><div class="tool">{toolbar}</div>'))
    assert read(html).body == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize("label", ["Thông tin chi tiết", "Chi tiết tin"])
def test_a_metadata_box_label_atop_the_text_is_chrome(label: str) -> None:
    """Joomla's article-info box ("Thông tin chi tiết", then the date and the poster) between the
    headline and the text, inside the content."""
    box = (f'<dl class="info"><dt>{label}</dt><dd>Viết bởi: Super User</dd><dd>Ngày đăng: 14/03/2024 16:05</dd>'
           '<dd>Lượt xem: 140</dd></dl>')
    html = page(article_html(date="").replace('<div class="noidung">', f'<div class="noidung">{box}'))
    article = read(html)
    assert article.body == "\n\n".join(PARAGRAPHS) and article.published == "2024-03-14T16:05:00+07:00"


@pytest.mark.parametrize("heading", ["Tin đã đăng:", "Các bài đã đăng", "Các tin đã đưa ngày:"])
def test_older_news_heading_ends_the_text_and_the_signature_above_it_is_the_byline(heading: str) -> None:
    older = (f'<p align="right"><b>Thanh Tâm</b></p><p><b>{heading}</b></p><ul><li><a href="/hoi-nghi-125.html">'
             'Hội nghị tổng kết công tác hòa giải năm 2023</a> (12/01/2024)</li></ul>')
    article = read(page(article_html(after=older)))
    assert (article.body, article.byline) == ("\n\n".join(PARAGRAPHS), "Thanh Tâm")


@pytest.mark.parametrize("signature, byline, source", [
    ('<p class="author">Minh Thu</p>', "Minh Thu", None),
    ('<div class="tacgia"><p><strong>Tác giả: </strong>Minh Thu</p><p><strong>Nguồn tin: </strong>Báo Bình Dương</p>'
     '</div>', "Minh Thu", "Báo Bình Dương"),
    ('<div style="text-align:right"><b>Nguồn:</b> Trung tâm Văn hóa huyện</div><div class="tools">In bài viết | Gửi email'
     '</div>', None, "Trung tâm Văn hóa huyện"),
    # a note after the text is no signature, and neither is the name above it
    ('<div><p>Thanh Bình</p><p>Bài viết thuộc chuyên mục tuyên truyền, phổ biến pháp luật năm 2024 của xã.</p></div>',
     None, None),
])
def test_byline_and_source_printed_right_after_the_text(signature: str, byline: str | None,
                                                         source: str | None) -> None:
    """The author's and source's own blocks after the element a family's body selector finds
    (NukeViet prints `p.h5.text-right` after `#news-bodyhtml`), then a box of other news."""
    other = '<div class="other"><h3>Tin khác</h3><ul><li><a href="/hoi-nghi-125.html">Hội nghị tổng kết</a></li></ul></div>'
    html = page(article_html().replace("</div></div>", f"</div>{signature}{other}</div>"))
    article = read_page(html, "https://binhminh.gov.vn/tin-tuc/tap-huan-123.html", {"body": [".noidung"]})
    assert (article.byline, article.source, article.body) == (byline, source, "\n\n".join(PARAGRAPHS))


def test_paragraphs_written_as_divs_under_a_long_lead() -> None:
    """SharePoint-style text: one <div> per paragraph, after a lead longer than any of them (the
    generic reading, no family: the text is the divs' block, the lead comes first)."""
    lead = ("Nhằm trang bị kiến thức, kỹ năng cho đội ngũ cán bộ, công chức, viên chức cấp xã, huyện, UBND xã Bình "
            "Minh tổ chức lớp tập huấn tập trung. Lớp học có 120 học viên đến từ các thôn, ban, ngành, đoàn thể.")
    html = page('<div class="news-detail"><div id="news-title">Tập huấn kỹ năng tuyên truyền pháp luật</div>'
                f'<div class="news-date">14/03/2024 16:05</div><div id="news-des">{lead}</div><div id="news-detail">'
                '<div class="rte">' + "".join(f"<div>{p}</div>" for p in PARAGRAPHS)
                + '<div><img src="a.jpg"></div><div>(Quang cảnh lớp tập huấn)</div>'
                + '<div style="text-align:right"><b>Ngọc Anh</b></div></div></div></div>')
    article = read(html)
    assert article.body == "\n\n".join([lead, *PARAGRAPHS])
    assert (article.published, article.byline, article.captions) == \
        ("2024-03-14T16:05:00+07:00", "Ngọc Anh", ["(Quang cảnh lớp tập huấn)"])


def test_site_clutter_atop_the_text_is_chrome() -> None:
    """Section label, today's date and the portal's contact line printed inside the content, under
    the article's date line."""
    clutter = ('<div class="ngay">14/03/2024 16:05</div><div>Tin tức - Sự kiện</div><div>Thứ Tư, 22/05/2024</div>'
               '<div>Điện thoại: 0251.3866.123 | Email: binhminh@gov.vn</div>')
    html = page(article_html(date="").replace('<div class="noidung">', f'<div class="noidung">{clutter}'))
    article = read(html)
    assert article.body == "\n\n".join(PARAGRAPHS) and article.published == "2024-03-14T16:05:00+07:00"


def test_portlet_label_after_the_date_line_is_chrome() -> None:
    html = page('<div class="asset"><h3 class="header-title">Tập huấn kỹ năng tuyên truyền pháp luật</h3>'
                '<div class="noidung"><div>Ngày đăng 14/03/2024 | 04:05 PM | Lượt xem: 300</div>'
                '<p>Chi tiết bài viết Tin tức</p>' + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div>")
    article = read(html)
    assert article.body == "\n\n".join(PARAGRAPHS) and article.published == "2024-03-14T16:05:00+07:00"


def test_text_next_to_an_image_that_is_no_caption_stays_in_the_body() -> None:
    long_italic = "<em>" + " ".join([PARAGRAPHS[1]] * 4) + "</em>"
    plain = "Lớp học kéo dài 2 ngày với nhiều hoạt động thực hành."
    article = read(page(article_html(between=f'<p><img src="a.jpg"></p><p>{plain}</p><p>{long_italic}</p>')))
    assert article.captions == []
    assert plain in article.body and PARAGRAPHS[1] * 1 in article.body


# --- the headline -------------------------------------------------------------------------------

def test_banner_in_the_only_h1_is_never_the_title_and_the_title_tag_gives_it() -> None:
    banner = '<div class="logo"><h1>CỔNG THÔNG TIN ĐIỆN TỬ XÃ BÌNH MINH</h1></div>'
    html = page(article_html(headline='<div class="tin"><b>Tập huấn kỹ năng tuyên truyền pháp luật</b></div>'),
                title="Tập huấn kỹ năng tuyên truyền pháp luật - Cổng thông tin điện tử xã Bình Minh", header=banner)
    article = read(html)
    assert article.title == "Tập huấn kỹ năng tuyên truyền pháp luật"
    assert article.published == "2024-03-14T16:05:00+07:00"


def test_a_title_tag_that_is_the_offices_name_alone_is_no_title() -> None:
    """Older portals give every page the office's name as `<title>`, and print it again in a
    banner: the headline is the one by the text, on the first page read already."""
    banner = '<div class="title">SỞ TƯ PHÁP TỈNH BÌNH DƯƠNG</div>'
    html = page(article_html(headline="<h3>Tập huấn kỹ năng tuyên truyền pháp luật</h3>"),
                title="Sở Tư pháp tỉnh Bình Dương", header=banner)
    article = read(html)
    assert article.title == "Tập huấn kỹ năng tuyên truyền pháp luật"
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_section_header_learnt_across_pages_is_never_the_title() -> None:
    """A section header with no banner words, in the only headline element of every page: the
    second page of the site knows it as chrome and takes the headline from og:title."""
    chrome = SiteChrome()

    def one(headline_text: str) -> object:
        html = page(article_html(headline='<h2 class="title">Nông thôn mới Bình Minh</h2>'), title="Bình Minh",
                    head=f'<meta property="og:title" content="{headline_text}">')
        article = read(html, site_chrome=chrome.keys())
        chrome.observe(article.chrome_candidates)
        return article

    one("Tập huấn kỹ năng tuyên truyền pháp luật")
    second = one("Hội nghị tập huấn công tác hòa giải ở cơ sở")
    assert second.title == "Hội nghị tập huấn công tác hòa giải ở cơ sở"
    assert "Nông thôn mới Bình Minh" not in second.body


def test_headlines_listed_on_every_page_are_not_learnt_as_chrome() -> None:
    """Every page lists the latest headlines; the article behind one of them keeps its title."""
    chrome = SiteChrome()
    titles = ["Tập huấn kỹ năng tuyên truyền pháp luật", "Hội nghị tập huấn công tác hòa giải ở cơ sở",
              "Bồi dưỡng nghiệp vụ cho cán bộ tư pháp xã"]
    latest = "".join(f'<h3 class="title"><a href="/tin-{i}.html">{t}</a></h3>' for i, t in enumerate(titles))
    for title in titles:
        article = read(page(f'<div class="latest">{latest}</div>' + article_html(headline=f"<h1>{title}</h1>"),
                            title=title), site_chrome=chrome.keys())
        chrome.observe(article.chrome_candidates)
        assert article.title == title


@pytest.mark.parametrize("headline, title_tag, og, expected", [
    ("<h1>null Tập huấn kỹ năng tuyên truyền pháp luật</h1>", "Chi tiết bài viết - Xã Bình Minh", None,
     "Tập huấn kỹ năng tuyên truyền pháp luật"),
    ("<h1>Tập huấn kỹ năng tuyên truyền …</h1>", "Tập huấn kỹ năng tuyên truyền pháp luật | UBND xã Bình Minh", None,
     "Tập huấn kỹ năng tuyên truyền pháp luật"),
    ('<h2 class="title">0251.3866.123 | binhminh@gov.vn</h2>', "0251.3866.123 | binhminh@gov.vn",
     "Tập huấn kỹ năng tuyên truyền pháp luật", "Tập huấn kỹ năng tuyên truyền pháp luật"),
    ("<h1>Tin tức - Sự kiện</h1><h3>Tập huấn kỹ năng tuyên truyền pháp luật</h3>", "Xã Bình Minh", None,
     "Tập huấn kỹ năng tuyên truyền pháp luật"),
])
def test_titles_are_cleaned_of_site_names_and_template_junk(headline: str, title_tag: str, og: str | None,
                                                            expected: str) -> None:
    head = f'<meta property="og:title" content="{og}">' if og else ""
    article = read(page(article_html(headline=headline), title=title_tag, head=head))
    assert article.title == expected
    assert article.body == "\n\n".join(PARAGRAPHS)


# --- the date line ------------------------------------------------------------------------------

@pytest.mark.parametrize("date, expected", [
    ('<div class="ngay">14/03/2024 16:05</div>', "2024-03-14T16:05:00+07:00"),
    ('<span>Cập nhật lúc 08:20 ngày 14/03/2024</span>', "2024-03-14T08:20:00+07:00"),
    ('<p>Thứ năm, 14/03/2024, 09:00 (GMT+7)</p>', "2024-03-14T09:00:00+07:00"),
    ("", "2024-03-14"),  # no date line: the meta tag's date
])
def test_date_is_the_line_nearest_the_headline(date: str, expected: str) -> None:
    head = '<meta name="pubdate" content="2024-03-14">'
    article = read(page(article_html(date=date, after="<p>Tin liên quan</p><p>Ngày 20/11/2024 tổng kết</p>"), head=head))
    assert article.published == expected
    assert TODAY not in article.body and "20/11/2024" not in article.body


@pytest.mark.parametrize("title_tag", ["Tập huấn kỹ năng tuyên truyền pháp luật - Hội Nông dân xã",
                                       "Hội Nông dân xã | Tập huấn kỹ năng tuyên truyền pháp luật"])
def test_headline_element_agrees_with_one_part_of_the_title_tag(title_tag: str) -> None:
    """A site part that is no known chrome ("Hội Nông dân xã") still leaves the headline element."""
    html = page(article_html(headline='<div class="page-header"><h2 itemprop="headline">Tập huấn kỹ năng tuyên '
                                      'truyền pháp luật</h2></div>'), title=title_tag)
    assert read(html).title == "Tập huấn kỹ năng tuyên truyền pháp luật"


def test_date_printed_before_the_headline_inside_its_wrapper() -> None:
    html = page('<div class="detail"><div class="meta">Ngày đăng: 14/03/2024 | 10:45</div>'
                '<h1>Tập huấn kỹ năng tuyên truyền pháp luật</h1><div class="noidung">'
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div>")
    assert read(html).published == "2024-03-14T10:45:00+07:00"


# --- bylines, sources, posting accounts ---------------------------------------------------------

@pytest.mark.parametrize("tail, byline, source", [
    (["Nguyễn Văn Hải - Phòng Văn hóa và Thông tin"], "Nguyễn Văn Hải - Phòng Văn hóa và Thông tin", None),
    (["N.V.H"], "N.V.H", None),
    (["Hải"], "Hải", None),
    (["Bài và ảnh: Thanh Bình"], "Thanh Bình", None),
    (["Tác giả", "Lê Thị Mai"], "Lê Thị Mai", None),
    (["Thanh Bình", "Nguồn tin: Trung tâm Văn hóa huyện"], "Thanh Bình", "Trung tâm Văn hóa huyện"),
    (["Theo Báo Bình Dương"], None, "Báo Bình Dương"),
    (["Minh Châu", "Người đăng: quantri"], "Minh Châu", None),
    (["admin admin"], None, None),
    (["PV"], "PV", None),
    (["(TTXVN)"], None, "TTXVN"),
    (["Văn phòng HĐND và UBND xã"], "Văn phòng HĐND và UBND xã", None),  # a unit signs
    (["Tác giả: Minh Đức - Nguồn tin: Phòng Văn hóa huyện"], "Minh Đức", "Phòng Văn hóa huyện"),  # one line, two labels
    (["Minh Đức | Nguồn: Báo Bình Dương"], "Minh Đức", "Báo Bình Dương"),
])
def test_byline_source_and_posting_account_lines(tail: list[str], byline: str | None, source: str | None) -> None:
    article = read(page(article_html(after="".join(f"<p>{line}</p>" for line in tail))))
    assert (article.byline, article.source) == (byline, source)
    assert article.body == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize("date", [
    '<div class="info"><span>Thứ Năm, 14/03/2024, 16:05</span> <span>Lượt xem: 239</span> <span>Tác giả: Minh Thu</span></div>',
    '<div class="ngay">14/03/2024 16:05</div><div class="meta">Tin, ảnh: Minh Thu | Lượt xem: 20</div>',
])
def test_labelled_byline_printed_with_the_date_line(date: str) -> None:
    article = read(page(article_html(date=date)))
    assert (article.byline, article.published) == ("Minh Thu", "2024-03-14T16:05:00+07:00")
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_a_sentence_ending_the_body_is_no_byline() -> None:
    article = read(page(article_html(after="<p>Lớp học kết thúc tốt đẹp.</p>")))
    assert article.byline is None and article.body.endswith("Lớp học kết thúc tốt đẹp.")


# --- encodings ----------------------------------------------------------------------------------

def test_windows_1258_under_a_utf8_declaration_is_decoded_without_replacement_characters() -> None:
    raw = (PORTALS / "vinhyen.vinhphuc.test" / "ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx@ItemID=10245").read_bytes()
    assert b'charset="utf-8"' in raw and b"\xd2" in raw  # a Windows-1258 tone byte, invalid as UTF-8
    article = read_page(raw, "http://vinhyen.vinhphuc.test/x", FAMILIES["sharepoint"]["article"])
    assert article.encoding == "cp1258" and "\ufffd" not in article.text()
    assert article.title == "Bồi dưỡng kỹ năng hòa giải ở cơ sở năm 2023"


def test_tcvn3_through_the_generic_path_and_through_extract_keeps_every_letter() -> None:
    """TCVN3's "ư" is the byte 0xAD (a soft hyphen in Latin-1): converted before anything reads it."""
    raw = (PORTALS / "tanlap.longan.test" / "tin-tuc/chi-tiet.aspx@id=131").read_bytes()
    article = read_page(raw, "http://tanlap.longan.test/tin-tuc/chi-tiet.aspx?id=131")
    assert article.legacy_encoding == "tcvn3" and article.method == "fallback"
    assert article.byline == "Trường Giang" and "Cựu chiến binh" in article.title
    record = extract_record(html=raw.decode("latin-1"), url="http://tanlap.longan.test/tin-tuc/chi-tiet.aspx?id=131")
    assert record["text"] == article.text()
    assert "hướng dẫn nghiệp vụ" in record["text"] and "Cán bộ chi hội tham gia" not in record["text"]


def test_extract_reads_html_through_the_page_reader() -> None:
    html = page(article_html(between='<p><img src="a.jpg"></p><p style="text-align:center"><em>Quang cảnh</em></p>',
                             after="<p>Tin, ảnh: Thanh Bình</p>"))
    record = extract_record(html=html)
    assert record["text"] == "Tập huấn kỹ năng tuyên truyền pháp luật\n\n" + "\n\n".join(PARAGRAPHS)
    assert record["published"] == "2024-03-14" and record["events"][0]["participant_total"] == 65


# --- the Thanh Hóa portal's own view, whatever its selectors ----------------------------------

def test_thanh_hoa_page_read_without_matching_selectors() -> None:
    raw = (PORTALS / "nhuxuan.thanhhoa.test" / "portal/pages/chi-tiet-tin.aspx@p=4101").read_bytes()
    article = read_page(raw, "http://nhuxuan.thanhhoa.test/portal/pages/chi-tiet-tin.aspx?p=4101",
                        FAMILIES["thanhhoa"]["article"], site_name="Cổng TTĐT huyện Như Xuân")
    assert article.title == "Như Xuân tập huấn chuyển đổi số cho cán bộ, công chức cấp xã"
    assert article.published == "2023-10-12T08:15:00+07:00"
    assert article.byline == "Lê Hà - Trung tâm VH-TT&TT huyện"
    assert article.captions == ["Các đại biểu tham dự hội nghị tập huấn."]
    assert "CỔNG THÔNG TIN" not in article.text() and "In bài viết" not in article.body


def test_page_of_chrome_only_is_an_error_naming_the_url() -> None:
    with pytest.raises(PageError, match="binhminh.gov.vn"):
        read(page('<div id="content"><div class="noidung"></div></div>'))


# --- hostile input --------------------------------------------------------------------------------

def test_deeply_nested_and_huge_pages_are_read_without_recursion_errors() -> None:
    deep = "<div>" * 1500 + f"<p>{PARAGRAPHS[0]}</p>" + "</div>" * 1500
    article = read(page(f'<div id="content"><h1>Tập huấn kỹ năng tuyên truyền pháp luật</h1>{deep}</div>'))
    assert article.body == PARAGRAPHS[0]
    many = "".join(f"<p>{PARAGRAPHS[index % 2]}</p>" for index in range(3000))
    assert read(page(f'<div class="noidung">{many}</div>')).body.count("\n\n") == 2999


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["<p>", "</p>", "<div class='x'>", "</div>", "<img src=a>", "<h1>", "</h1>",
                                 "<em>", "</em>", "<table><tr><td>", "</td></tr></table>", "<br>", "<figcaption>",
                                 "Ảnh: ", "Tin, ảnh: ", "Nguồn: ", "admin admin", "14/03/2024 10:05", "…",
                                 PARAGRAPHS[0], "Tập huấn", "CỔNG THÔNG TIN ĐIỆN TỬ", "\u00ad", "µ", "&nbsp;"]),
                max_size=40), st.booleans())
def test_any_page_gives_an_article_or_a_page_error(pieces: list[str], as_bytes: bool) -> None:
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    try:
        article = read(html.encode("utf-8") if as_bytes else html)
    except PageError:
        return
    assert article.body and "\n\n\n" not in article.body and "\u00ad" not in article.text()
    assert all(caption.strip() == caption and caption for caption in article.captions)
