"""URL canonicalisation per family, listing pagination, feeds, WARC round trip (no network)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.canonical import canonical_url, print_view_url
from siteconfig import load_families, load_sites
from crawler.listing import parse_feed, parse_listing
from crawler.warc import WarcArchive, read_warc_record

FAMILIES = load_families()
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_portal"
SAMPLE_SITES = load_sites(SAMPLE / "sites")


@pytest.mark.parametrize("family, variants, expected", [
    ("sharepoint", ["https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KyNiem/View_Detail.aspx?ItemID=10123",
                    "https://VINHPHUC.gov.vn/ct/cms/tintuc/Lists/KyNiem/View_Detail.aspx?itemid=10123&OtItem=date",
                    "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KyNiem+++/View_Detail.aspx?CateID=3&ItemID=10123#x"],
     "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KyNiem/View_Detail.aspx?ItemID=10123"),
    ("thanhhoa", ["https://muonglat.thanhhoa.gov.vn/portal/pages/print.aspx?p=6571",
                "https://muonglat.thanhhoa.gov.vn/portal/Pages/tin-tuc-su-kien.aspx?p=6571&utm_source=zalo"],
     "https://muonglat.thanhhoa.gov.vn/portal/pages/print.aspx?p=6571"),
    ("tandan", ["https://dienbien.gov.vn/portal/Pages/2021-10-05/slugabc123.aspx",
                "https://dienbien.gov.vn/portal/pages/2021-10-5/slugabc123.aspx"],
     "https://dienbien.gov.vn/portal/Pages/2021-10-5/slugabc123.aspx"),
    ("nukeviet", ["https://sct.dongnai.gov.vn/vi/news/print/Chuyen-doi-so/de-an-3777.html",
                  "https://sct.dongnai.gov.vn/vi/news/savefile/Chuyen-doi-so/de-an-3777.html",
                  "https://sct.dongnai.gov.vn/vi/news/Chuyen-doi-so/de-an-3777.html?fbclid=abc"],
     "https://sct.dongnai.gov.vn/vi/news/Chuyen-doi-so/de-an-3777.html"),
    ("liferay", ["https://x.dongthap.gov.vn/web/x/tin-tuc/-/asset_publisher/AbC/content/tap-huan?redirect=%2Fweb",
                 "https://x.dongthap.gov.vn/en/vi/en/web/x/tin-tuc/-/asset_publisher/AbC/content/tap-huan/"],
     "https://x.dongthap.gov.vn/web/x/tin-tuc/-/asset_publisher/AbC/content/tap-huan"),
    ("newspaper", ["https://baothainguyen.vn/xa-hoi/202311/nang-cao-6811375/",
                   "https://baothainguyen.vn:443/xa-hoi/202311/nang-cao-6811375?utm_medium=social"],
     "https://baothainguyen.vn/xa-hoi/202311/nang-cao-6811375"),
])
def test_variants_of_one_article_share_one_canonical_url(family: str, variants: list[str], expected: str) -> None:
    assert {canonical_url(url, FAMILIES[family]["canonical"]) for url in variants} == {expected}


def test_non_identity_parameters_survive_where_the_family_has_no_identity_rule() -> None:
    rules = FAMILIES["slug"]["canonical"]
    assert canonical_url("https://x.gov.vn/tin?id=5&utm_source=a&tmpl=component", rules) == "https://x.gov.vn/tin?id=5"


def test_print_view_rules() -> None:
    thanhhoa = FAMILIES["thanhhoa"]["print_view"]
    assert print_view_url("https://m.thanhhoa.gov.vn/portal/pages/tin.aspx?p=6571", thanhhoa) == \
        "https://m.thanhhoa.gov.vn/portal/pages/print.aspx?p=6571"
    nukeviet = FAMILIES["nukeviet"]["print_view"]
    assert print_view_url("https://s.gov.vn/vi/news/cat/slug-3777.html", nukeviet) == \
        "https://s.gov.vn/vi/news/print/cat/slug-3777.html"
    assert print_view_url("https://s.gov.vn/tin", None) is None


def sample_page(host: str, relative: str) -> str:
    return (SAMPLE / host / relative).read_text(encoding="utf-8")


def test_listing_finds_articles_and_only_the_next_page() -> None:
    site = SAMPLE_SITES["thapmuoi.dongthap.sample.test"]
    url = "http://thapmuoi.dongthap.sample.test/web/thapmuoi/tin-tuc/"
    page = parse_listing(sample_page(site.domain, "web/thapmuoi/tin-tuc/index.html"), url, site)
    assert len(page.articles) == 2
    assert all("?" not in canonical and "/content/" in canonical for _, canonical in page.articles)
    assert page.next_page == url + "?_101_INSTANCE_AbC123_cur=2"
    last = parse_listing(sample_page(site.domain, "web/thapmuoi/tin-tuc/index.html@_101_INSTANCE_AbC123_cur=3"),
                         url + "?_101_INSTANCE_AbC123_cur=3", site)
    assert last.next_page is None


@pytest.mark.parametrize("pager, current, expected", [
    # Joomla: offsets, the current page a <span> in li.active
    ('<ul class="pagination"><li><a href="/tin?start=0">1</a></li><li class="active"><span>2</span></li>'
     '<li><a href="/tin?start=20">3</a></li></ul>', "http://s.gov.vn/tin?start=10", "http://s.gov.vn/tin?start=20"),
    # WordPress's numbered links
    ('<div class="nav-links"><span class="page-numbers current">1</span><a class="page-numbers" href="/tin/?p=2">2</a>'
     '</div>', "http://s.gov.vn/tin/", "http://s.gov.vn/tin/?p=2"),
    # the last page, and a calendar's day numbers: no next page
    ('<ul class="pagination"><li><a href="/tin?start=0">1</a></li><li class="active"><span>2</span></li></ul>'
     '<table class="calendar"><tr><td><span>2</span></td><td><a href="/lich?d=3">3</a></td></tr></table>',
     "http://s.gov.vn/tin?start=10", None),
])
def test_listing_follows_a_numbered_pager_without_page_numbers_in_addresses(pager: str, current: str,
                                                                            expected: str | None) -> None:
    site = dataclasses.replace(SAMPLE_SITES["thapmuoi.dongthap.sample.test"], domain="s.gov.vn")
    page = parse_listing(f"<html><body>{pager}</body></html>", current, site)
    assert page.next_page == expected


def test_listing_collapses_padded_list_names_and_ignores_offsite_links() -> None:
    site = SAMPLE_SITES["vinhphuc.sample.test"]
    html = sample_page(site.domain, "ct/cms/tintuc/Pages/tin-tuc.aspx@page=2") + (
        '<a href="http://evil.example/ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID=1">x</a>')
    page = parse_listing(html, "http://vinhphuc.sample.test/ct/cms/tintuc/Pages/tin-tuc.aspx?page=2", site)
    canonicals = [c for _, c in page.articles]
    assert len(canonicals) == len(set(canonicals)) == 3
    assert all(c.startswith("http://vinhphuc.sample.test/ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID=")
               for c in canonicals)


def test_rss_and_sitemap_feeds() -> None:
    nukeviet = SAMPLE_SITES["sct.dongnai.sample.test"]
    rss = parse_feed((SAMPLE / nukeviet.domain / "vi/news/rss/index.html").read_bytes(),
                     "http://sct.dongnai.sample.test/vi/news/rss/", nukeviet)
    assert len(rss.articles) == 6
    slug = SAMPLE_SITES["sontinh.quangngai.sample.test"]
    sitemap = parse_feed((SAMPLE / slug.domain / "sitemap.xml").read_bytes(),
                         "http://sontinh.quangngai.sample.test/sitemap.xml", slug)
    assert len(sitemap.articles) == 5
    with pytest.raises(ValueError, match="neither an RSS feed nor a sitemap"):
        parse_feed(b"<html></html>", "http://sontinh.quangngai.sample.test/x", slug)


def test_warc_records_read_back_at_their_offsets(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "example.gov.vn", "run1")
    first = archive.write_response("https://example.gov.vn/a", 200, "OK", [(b"Content-Type", b"text/html")], b"<p>a</p>")
    second = archive.write_response("https://example.gov.vn/b", 200, "OK",
                                    [(b"Content-Encoding", b"gzip"), (b"ETag", b'"x"')], "Việt".encode())
    archive.close()
    assert first == 0 and second > first
    url, headers, body = read_warc_record(archive.path, second)
    assert (url, body) == ("https://example.gov.vn/b", "Việt".encode())
    assert headers["ETag"] == '"x"' and "Content-Encoding" not in headers
    assert read_warc_record(archive.path, first)[2] == b"<p>a</p>"


def test_a_language_switch_after_an_article_address_is_not_part_of_it() -> None:
    liferay = FAMILIES["liferay"]["canonical"]
    article = "https://x.dongthap.gov.vn/web/x/-/view_content/123-tap-huan-can-bo.html"
    for suffixed in (article + "/en", article + "/vi/", article + "/en-US"):
        assert canonical_url(suffixed, liferay) == article
    assert canonical_url("https://x.gov.vn/tin-tuc/en", None) == "https://x.gov.vn/tin-tuc/en"  # a section, kept


def test_listing_keeps_every_address_of_an_article_in_page_order() -> None:
    site = SAMPLE_SITES["baothainguyen.sample.test"]
    base = "http://baothainguyen.sample.test"
    html = ('<div class="list-news"><a href="/xa-hoi/202401/tap-huan-can-bo-lam-cong-tac-giam-ngheo-1012">a</a></div>'
            '<div class="sidebar"><a href="/xa-hoi/202401/tap-huan-can-bo-lam-cong-tac-giam-ngheo-1012/">b</a>'
            '<a href="/xa-hoi/202401/tap-huan-can-bo-lam-cong-tac-giam-ngheo-1012/en">c</a></div>')
    page = parse_listing(html, base + "/xa-hoi/", site)
    canonical = base + "/xa-hoi/202401/tap-huan-can-bo-lam-cong-tac-giam-ngheo-1012"
    assert page.articles == [(canonical, canonical)]
    # The language-suffixed link is fetched without its suffix: the same address as the first.
    assert page.variants == {canonical: [canonical, canonical + "/"]}
