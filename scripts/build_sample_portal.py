"""Build the bundled sample portal (data/sample_portal/) from the real dev texts.

One small static site per CMS family, each reproducing that family's page structure (see
/work/shared/reference/portals.md and data/families/): paginated listings, article pages with the
usual traps (today's date in the header, related-news lists, photo captions, footers with phone
numbers), a print view, robots.txt, a sitemap, an RSS feed and a few broken links. The site
configs for these virtual hosts go to data/sample_portal/sites/.

Files are named after the URL path; a query string is appended after "@" (wget's convention),
which crawler/sample_server.py understands. Output is deterministic: run it again, get the same
files.

    python scripts/build_sample_portal.py [--out data/sample_portal]
"""
from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = ROOT / "tests" / "fixtures" / "dev"
# Texts that are not articles (raw HTML, a template placeholder) are left out.
SKIPPED = {"r021", "r042"}
PER_PAGE = 2
HEADER_TODAY = "Thứ Bảy, ngày 23 tháng 11 năm 2024"
FOOTER = ("Cơ quan chủ quản: Ủy ban nhân dân. Điện thoại: 0237.3880.123 - Fax: 0237.3880.124. "
          "Email: banbientap@sample.test. Ghi rõ nguồn khi phát hành lại thông tin từ website này.")
BYLINE = re.compile(r"^(Tin, ảnh|Tin và ảnh|Thực hiện|Tác giả|Theo)\s*:")


@dataclass
class Story:
    """One dev text prepared for publishing."""

    number: int
    source_id: str
    title: str
    paragraphs: list[str]
    byline: str | None
    date: str       # dd/mm/yyyy
    clock: str      # hh:mm
    slug: str


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:70].rstrip("-")


def load_stories() -> list[Story]:
    stories = []
    for number, path in enumerate(sorted(DEV_DIR.glob("*.json")), start=1):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["id"] in SKIPPED:
            continue
        paragraphs = [p.strip() for p in data["text"].split("\n") if p.strip()]
        first = paragraphs[0]
        if 25 <= len(first) <= 200 and not first.endswith("."):
            title, paragraphs = first, paragraphs[1:]
        else:  # a sentence or a scrap of page chrome ("CHUYÊN MỤC"): headline from the opening words
            opening = first if len(first) >= 25 else paragraphs[1]
            title = " ".join(opening.split()[:12]).rstrip(",.;:") + " …"
        byline = None
        if BYLINE.match(paragraphs[-1]):
            byline = paragraphs.pop()
        published = data.get("published") or data["gold"].get("start_date") or ""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
            published = f"2024-{number % 12 + 1:02d}-{number % 27 + 1:02d}"
        year, month, day = published.split("-")
        stories.append(Story(number=1000 + number, source_id=data["id"], title=title, paragraphs=paragraphs,
                             byline=byline, date=f"{day}/{month}/{year}", clock=f"{8 + number % 9:02d}:{number:02d}",
                             slug=slugify(title)))
    return stories


def page(title: str, main: str, extra_head: str = "") -> str:
    """A complete page with the chrome every family shares: header date, menu, footer."""
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"{extra_head}</head>\n<body>\n"
            f'<div class="header"><span class="today">{HEADER_TODAY}</span>'
            f'<a href="/">Trang chủ</a> <a href="/en/">English</a></div>\n'
            f"{main}\n<div class=\"footer\">{FOOTER}</div>\n</body></html>\n")


def paragraphs_html(story: Story, caption_class: str = "image-caption") -> str:
    """Body paragraphs with a photo and its caption after the first paragraph."""
    parts = [f"<p>{html.escape(p)}</p>" for p in story.paragraphs]
    caption = (f'<table class="image"><tr><td><img src="/images/{story.number}.jpg" alt=""></td></tr>'
               f'<tr><td class="{caption_class}">Quang cảnh buổi tập huấn ngày 01/01/2019 (Ảnh: Văn Nam)</td></tr>'
               f"</table>")
    return "\n".join(parts[:1] + [caption] + parts[1:])


def related_html(stories: list[Story], link: Callable[[Story], str], css_class: str) -> str:
    items = "".join(f'<li><a href="{link(s)}">{html.escape(s.title)}</a> <span>(12/12/2012)</span></li>'
                    for s in stories[:3])
    return f'<div class="{css_class}"><h3>Tin khác</h3><ul>{items}</ul></div>'


def listing_pages(stories: list[Story], render_items: Callable[[list[Story]], str],
                  page_link: Callable[[int], str], extra_links: dict[int, str] | None = None,
                  per_page: int = PER_PAGE) -> list[str]:
    """Listing pages of `per_page` stories with numbered pagination and a "Tiếp" link."""
    chunks = [stories[i:i + per_page] for i in range(0, len(stories), per_page)]
    pages = []
    for index, chunk in enumerate(chunks, start=1):
        pager = " ".join(f'<a href="{page_link(n)}">{n}</a>' for n in range(1, len(chunks) + 1) if n != index)
        if index < len(chunks):
            pager += f' <a href="{page_link(index + 1)}">Tiếp</a>'
        pages.append(f'<div class="list-news">{render_items(chunk)}{(extra_links or {}).get(index, "")}</div>'
                     f'<div class="pager">{pager}</div>')
    return pages


class SiteWriter:
    """Writes one virtual host's files."""

    def __init__(self, out: Path, host: str) -> None:
        self.host = host
        self.root = out / host
        self.base = f"http://{host}"

    def write(self, url_path: str, content: str | bytes) -> None:
        path, _, query = url_path.lstrip("/").partition("?")
        if not path or path.endswith("/"):
            path += "index.html"
        target = self.root / (path + (f"@{query}" if query else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def robots(self, disallow: str = "/private/") -> None:
        self.write("/robots.txt", f"User-agent: *\nDisallow: {disallow}\n\nSitemap: {self.base}/sitemap.xml\n")

    def sitemap(self, urls: list[str]) -> None:
        entries = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in urls)
        self.write("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                   f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n')

    def private_article(self, path: str) -> str:
        """A link to an article page that robots.txt forbids: a compliant crawler never fetches it."""
        self.write(path, page("Nội bộ", "<h1>Bài viết nội bộ</h1><div class='detail-content'><p>Nội bộ.</p></div>"))
        return f'<a href="{path}">Bài viết nội bộ</a>'


def build_tandan(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """Thanh Hóa unit portal (Tân Dân SharePoint): ?p=N articles, print view, PageIndex listings."""
    site = SiteWriter(out, "muonglat.thanhhoa.sample.test")
    view = lambda s: f"/portal/pages/tin-tuc-su-kien.aspx?p={s.number}"  # noqa: E731
    printed = lambda s: f"/portal/pages/print.aspx?p={s.number}"  # noqa: E731
    for story in stories:
        body = paragraphs_html(story, "tandan-image-caption")
        if story.byline:
            body += f"\n<p>{html.escape(story.byline)}</p>"
        main = (f'<div class="tandan-article"><h1 class="tandan-p-article-news-title">{html.escape(story.title)}</h1>'
                f'<span class="tandan-span-date-publish">Đăng ngày {story.date} {story.clock}</span>'
                f'<a href="{printed(story)}">In bài viết</a>'
                f'<div class="tandan-p-article-main">{body}</div>'
                f'{related_html(stories, view, "tandan-div-article-other")}</div>')
        site.write(view(story), page(story.title, main))
        site.write(printed(story), page(story.title,
                   f'<h1 class="print-title">{html.escape(story.title)}</h1><div class="print-date">{story.date}</div>'
                   f'<div class="print-content">{body}</div>'))
    items = lambda chunk: "".join(  # noqa: E731
        f'<div class="tandan-p-list"><a href="{view(s)}">{html.escape(s.title)}</a></div>' for s in chunk)
    link = lambda n: "/portal/KenhTin/tin-tuc.aspx" + (f"?PageIndex={n}" if n > 1 else "")  # noqa: E731
    private = {1: site.private_article("/portal/pages/noi-bo.aspx?p=9999")}
    for n, listing in enumerate(listing_pages(stories, items, link, private, per_page), start=1):
        site.write(link(n), page("Tin tức", listing))
    site.robots(disallow="/portal/pages/noi-bo.aspx")
    site.sitemap([site.base + view(s) for s in stories])
    return [site.host, "thanhhoa", "Huyện Mường Lát (mẫu)", "Thanh Hóa", "38", "Mường Lát", "384",
            "/portal/KenhTin/tin-tuc.aspx"]


def build_sharepoint(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """SharePoint list portal: View_Detail.aspx?ItemID=N, ?page=N listings, padded list-name links."""
    site = SiteWriter(out, "vinhphuc.sample.test")
    view = lambda s: f"/ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID={s.number}"  # noqa: E731
    for story in stories:
        main = (f'<div id="news-title">{html.escape(story.title)}</div>'
                f'<div id="news-date">{story.date} {story.clock} AM</div>'
                f'<div id="news-detail">{paragraphs_html(story)}'
                + (f"<p>{html.escape(story.byline)}</p>" if story.byline else "") +
                f'<p>Các tin đã đưa ngày:</p><ul><li><a href="{view(stories[0])}">{html.escape(stories[0].title)}'
                f"</a> (17/11/2020)</li></ul></div>")
        site.write(view(story), page(story.title, main))
    items = lambda chunk: "".join(  # noqa: E731
        f'<p><a href="{view(s)}&amp;OtItem=date">{html.escape(s.title)}</a></p>' for s in chunk)
    # The same article again under a '+'-padded list name: must collapse to one canonical URL.
    padded = {2: f'<p><a href="/ct/cms/tintuc/Lists/TinTuc++/View_Detail.aspx?ItemID={stories[0].number}">'
                 f"{html.escape(stories[0].title)}</a></p>"}
    link = lambda n: "/ct/cms/tintuc/Pages/tin-tuc.aspx" + (f"?page={n}" if n > 1 else "")  # noqa: E731
    for n, listing in enumerate(listing_pages(stories, items, link, padded, per_page), start=1):
        site.write(link(n), page("Tin tức", listing))
    site.robots()
    return [site.host, "sharepoint", "Tỉnh Vĩnh Phúc (mẫu)", "Vĩnh Phúc", "26", None, None,
            "/ct/cms/tintuc/Pages/tin-tuc.aspx"]


def build_liferay(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """Liferay asset publisher: portlet chrome, _cur=N pager, redirect parameters, language trap."""
    site = SiteWriter(out, "thapmuoi.dongthap.sample.test")
    view = lambda s: f"/web/thapmuoi/tin-tuc/-/asset_publisher/AbC123/content/{s.slug}"  # noqa: E731
    for story in stories:
        main = (f'<div class="portlet-title">Xuất bản thông tin</div><div class="portlet">Chi tiết bài viết</div>'
                f'<div class="asset-full-content"><h3 class="header-title"><span>{html.escape(story.title)}</span></h3>'
                f'<div class="assetPublishDate">Ngày đăng {story.date} | {story.clock} AM | View count: 426</div>'
                f'<div class="journal-content-article">{paragraphs_html(story)}'
                f"<p>{html.escape(story.byline or 'Trần Thắng')}</p></div>"
                f'<div class="taglib-social-bookmarks">Chia sẻ</div></div>'
                f'<a href="/en/vi/en{view(story)}">English</a>')
        site.write(view(story), page(story.title, main))
    items = lambda chunk: "".join(  # noqa: E731
        f'<div class="asset-abstract"><h3 class="asset-title"><a href="{view(s)}?inheritRedirect=true&amp;'
        f'redirect=%2Fweb%2Fthapmuoi">{html.escape(s.title)}</a></h3></div>' for s in chunk)
    link = lambda n: "/web/thapmuoi/tin-tuc/" + (f"?_101_INSTANCE_AbC123_cur={n}" if n > 1 else "")  # noqa: E731
    for n, listing in enumerate(listing_pages(stories, items, link, None, per_page), start=1):
        site.write(link(n), page("Tin tức", listing))
    site.robots()
    return [site.host, "liferay", "Huyện Tháp Mười (mẫu)", "Đồng Tháp", "87", "Tháp Mười", "872",
            "/web/thapmuoi/tin-tuc/"]


def build_nukeviet(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """NukeViet 4: /vi/news/<cat>/<slug>-<id>.html, page-N listings, print view, RSS feed."""
    site = SiteWriter(out, "sct.dongnai.sample.test")
    view = lambda s: f"/vi/news/chuyen-doi-so/{s.slug}-{s.number}.html"  # noqa: E731
    for story in stories:
        url = site.base + view(story)
        head = (f'<meta name="generator" content="NukeViet v4.5"><meta property="og:title" '
                f'content="{html.escape(story.title)}"><meta property="og:url" content="{url}">'
                f'<link rel="canonical" href="{url}">')
        lead, rest = story.paragraphs[0], Story(**{**story.__dict__, "paragraphs": story.paragraphs[1:]})
        main = (f'<div class="news_column"><h1 class="title">{html.escape(story.title)}</h1>'
                f'<div class="newsdetailmetatop"><span class="h5">Thứ tư - {story.date} {story.clock}</span></div>'
                f'<div class="hometext">{html.escape(lead)}</div>'
                f'<div id="news-bodyhtml" class="bodytext">{paragraphs_html(rest)}</div>'
                + (f'<p class="h5 text-right">{html.escape(story.byline)}</p>' if story.byline else "")
                + f'<a href="/vi/news/print/chuyen-doi-so/{story.slug}-{story.number}.html">In</a>'
                f'{related_html(stories, view, "related")}</div>')
        site.write(view(story), page(story.title, main, head))
        site.write(f"/vi/news/print/chuyen-doi-so/{story.slug}-{story.number}.html", page(story.title, main, head))
    items = lambda chunk: "".join(  # noqa: E731
        f'<h3><a href="{view(s)}">{html.escape(s.title)}</a></h3>' for s in chunk)
    link = lambda n: "/vi/news/chuyen-doi-so/" + (f"page-{n}" if n > 1 else "")  # noqa: E731
    for n, listing in enumerate(listing_pages(stories, items, link, None, per_page), start=1):
        site.write(link(n), page("Chuyển đổi số", listing))
    entries = "".join(f"<item><title>{html.escape(s.title)}</title><link>{site.base}{view(s)}</link></item>"
                      for s in stories)
    site.write("/vi/news/rss/", f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
               f"<title>Tin tức</title>{entries}</channel></rss>\n")
    site.robots()
    return [site.host, "nukeviet", "Sở Công Thương Đồng Nai (mẫu)", "Đồng Nai", "75", None, None,
            "/vi/news/chuyen-doi-so/"]


def build_slug(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """Custom slug portal: /<section>/<slug>.html, /trang-N.html listings, sitemap, a broken link."""
    site = SiteWriter(out, "sontinh.quangngai.sample.test")
    view = lambda s: f"/thong-tin-chi-dao-dieu-hanh/{s.slug}.html"  # noqa: E731
    for story in stories:
        main = (f'<div class="breadcrumb">Chi tiết bài viết - Huyện Sơn Tịnh</div>'
                f'<h1 class="detail-title">{html.escape(story.title.upper())}</h1>'
                f'<div class="detail-date">{story.clock}, Thứ Sáu, {story.date.replace("/", "-")}</div>'
                f'<div class="detail-content">{paragraphs_html(story)}<div class="view-count">Lượt xem: 238</div></div>'
                + (f'<div class="detail-author">{html.escape(story.byline)}</div>' if story.byline else "")
                + related_html(stories, view, "related"))
        site.write(view(story), page(story.title, main))
    broken = {2: '<p><a href="/thong-tin-chi-dao-dieu-hanh/bai-viet-da-bi-go-bo-khoi-cong-thong-tin.html">'
                 "Bài viết đã gỡ</a></p>"
                 '<p><a href="/thong-tin-chi-dao-dieu-hanh/bai-viet-dang-loi-may-chu-khong-mo-duoc.html">'
                 "Bài viết lỗi máy chủ</a></p>"}
    items = lambda chunk: "".join(  # noqa: E731
        f'<div class="item"><a href="{view(s)}">{html.escape(s.title)}</a></div>' for s in chunk)
    link = lambda n: "/thong-tin-chi-dao-dieu-hanh" + (f"/trang-{n}.html" if n > 1 else "/")  # noqa: E731
    for n, listing in enumerate(listing_pages(stories, items, link, broken, per_page), start=1):
        site.write(link(n), page("Thông tin chỉ đạo điều hành", listing))
    site.robots()
    site.sitemap([site.base + view(s) for s in stories])
    return [site.host, "slug", "Huyện Sơn Tịnh (mẫu)", "Quảng Ngãi", "51", "Sơn Tịnh", "527",
            "/thong-tin-chi-dao-dieu-hanh/"]


def build_newspaper(out: Path, stories: list[Story], per_page: int) -> list[str]:
    """Provincial newspaper: /<section>/<yyyymm>/<slug>-<id>/, byline and time before the body."""
    site = SiteWriter(out, "baothainguyen.sample.test")
    view = lambda s: f"/xa-hoi/{s.date[6:]}{s.date[3:5]}/{s.slug}-{s.number}/"  # noqa: E731
    for story in stories:
        main = (f'<article><h1 class="article__title">{html.escape(story.title)}</h1>'
                f'<div class="article__meta"><span class="article__author">{html.escape(story.byline or "Dương Hưng")}'
                f'</span> <time>{story.clock}, {story.date}</time></div>'
                f'<div class="article__body">{paragraphs_html(story, "PhotoCMS_Caption")}</div>'
                f'{related_html(stories, view, "article__related")}</article>')
        site.write(view(story), page(story.title, main))
    items = lambda chunk: "".join(  # noqa: E731
        f'<div class="story"><a href="{view(s)}">{html.escape(s.title)}</a></div>' for s in chunk)
    link = lambda n: "/xa-hoi/" + (f"?page={n}" if n > 1 else "")  # noqa: E731
    pdf = {1: '<div class="story"><a href="/xa-hoi/202401/van-ban-huong-dan-tap-huan-dinh-kem-99999/">Văn bản</a></div>'}
    for n, listing in enumerate(listing_pages(stories, items, link, pdf, per_page), start=1):
        site.write(link(n), page("Xã hội", listing))
    # A PDF among the articles' links: not HTML, skipped and logged.
    site.write("/xa-hoi/202401/van-ban-huong-dan-tap-huan-dinh-kem-99999/", b"%PDF-1.4 sample\n")
    site.robots()
    return [site.host, "newspaper", "Báo Thái Nguyên (mẫu)", "Thái Nguyên", "19", None, None, "/xa-hoi/"]


BUILDERS = (build_tandan, build_sharepoint, build_liferay, build_nukeviet, build_slug, build_newspaper)


def site_yaml(host: str, family: str, name: str, province: str, province_code: str, district: str | None,
              district_code: str | None, section: str) -> str:
    unit = f"  province: {province}\n  province_code: '{province_code}'\n"
    if district:
        unit += f"  district: {district}\n  district_code: '{district_code}'\n"
    feeds = {"nukeviet": "feeds:\n  rss: [/vi/news/rss/]\n",
             "slug": "feeds:\n  sitemaps: [/sitemap.xml]\n"}.get(family, "")
    return (f"# Bundled sample portal ({family} family), served on loopback by crawler/sample_server.py.\n"
            f"domain: {host}\nname: {name}\nfamily: {family}\nbase_url: http://{host}\n"
            f"unit:\n{unit}sections: ['{section}']\n{feeds}")


def replicate(stories: list[Story], copies: int) -> list[Story]:
    """`copies` distinct articles per story (new number and slug), for the benchmark's large portal."""
    if copies == 1:
        return stories
    return [Story(**{**s.__dict__, "number": 10000 * copy + s.number, "slug": f"{s.slug}-ban-{copy}"})
            for copy in range(1, copies + 1) for s in stories]


def build(out: Path, copies: int = 1, per_page: int = PER_PAGE) -> int:
    """Write the sample portal to `out` (replacing it) and return the number of article pages.

    :param out: target directory
    :param copies: articles per dev text (the benchmark replicates the portal to thousands)
    :param per_page: articles per listing page
    """
    if out.exists():
        shutil.rmtree(out)
    stories = replicate(load_stories(), copies)
    (out / "sites").mkdir(parents=True)
    for index, builder in enumerate(BUILDERS):
        share = stories[index::len(BUILDERS)]
        fields = builder(out, share, per_page)
        (out / "sites" / f"{fields[0]}.yml").write_text(site_yaml(*fields), encoding="utf-8")
    # A server-side failure the demo shows as a logged, counted error.
    (out / "_faults.json").write_text(json.dumps(
        {"http://sontinh.quangngai.sample.test/thong-tin-chi-dao-dieu-hanh/"
         "bai-viet-dang-loi-may-chu-khong-mo-duoc.html": "status:500"},
        indent=1) + "\n", encoding="utf-8")
    return len(stories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "sample_portal")
    args = parser.parse_args()
    print(f"{build(args.out)} articles written to {args.out}")


if __name__ == "__main__":
    main()
