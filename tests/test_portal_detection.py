"""Family detection (siteconfig/detect.py) on pages it has not seen: the host name a portal's owner
chose, and a family whose listing would find nothing is not chosen."""
from __future__ import annotations

from siteconfig import load_families
from siteconfig.detect import detect_family

FAMILIES = load_families()


def _home(links: list[str], markup: str = "", head: str = "") -> str:
    items = "".join(f'<li><a href="{href}">Tập huấn kỹ năng chuyển đổi số cho cán bộ xã số {i}</a></li>'
                    for i, href in enumerate(links))
    return (f'<html><head><meta charset="utf-8"><title>Trang chủ</title>{head}</head><body>{markup}'
            f'<ul class="news">{items}</ul></body></html>')


def test_a_provincial_papers_host_under_any_suffix_names_the_family() -> None:
    """`detail-title` / `detail-content` are shared by custom slug portals and papers; the
    bao<province> host decides, also under .info.vn."""
    links = [f"/thoi-su/tap-huan-ky-nang-chuyen-doi-so-cho-can-bo-xa-so-{i}-8841{i}.htm" for i in range(4)]
    markup = '<div class="detail"><h1 class="detail-title">Tin</h1><div class="detail-content">…</div></div>'
    for host in ("baodienbienphu.info.vn", "baokontum.com.vn"):
        assert detect_family([(f"https://{host}/", _home(links, markup))], FAMILIES).family == "newspaper"
    assert detect_family([("https://sontinh.quangngai.gov.vn/", _home(links, markup))], FAMILIES).family == "slug"


def test_a_family_whose_articles_no_page_links_to_is_not_chosen() -> None:
    """SharePoint class names and a `/_layouts/` stylesheet, but the articles are slug pages: the
    SharePoint listing rules would crawl nothing, the generic ones find them."""
    markup = '<div class="ms-webpart-zone"><div class="ms-rtestate-field">Tin tức</div></div>'
    head = '<link rel="stylesheet" href="/_layouts/15/1066/styles/corev15.css">'
    slugs = [f"/tin-tuc/tap-huan-ky-nang-chuyen-doi-so-cho-can-bo-xa-so-{i}-1234{i}.html" for i in range(4)]
    detection = detect_family([("https://phuongdong.example.gov.vn/", _home(slugs, markup, head))], FAMILIES)
    assert detection.family == "generic"
    assert any("sharepoint: no page links to its articles" in reason for reason in detection.reasons), detection
    items = [f"/ct/cms/tintuc/Lists/TinHoatDong/View_Detail.aspx?ItemID={1400 + i}" for i in range(4)]
    assert detect_family([("https://sotuphap.example.gov.vn/", _home(items, markup, head))], FAMILIES).family == "sharepoint"
