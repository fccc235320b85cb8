"""The real spider over loopback HTTP against the fixture portals (tests/fixtures/portals/), one per
CMS family, each configured with its family and news section only: every article found once, each
with its title, date (to the minute where shown), byline and body right, no caption or chrome in
any body. The same pages through `read_page` directly: source and captions too."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal_gold import PORTALS, crawl_portals, gold_articles, judge, scores, stored_articles
from reader.article import read_page
from siteconfig import load_sites

SITES = load_sites(PORTALS / "sites")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One crawl of every fixture portal: the database and the URLs the server was asked for."""
    db, requested, result = crawl_portals(tmp_path_factory.mktemp("portals"))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return db, requested


def test_every_article_found_once_and_read_right(crawled: tuple[Path, list[str]]) -> None:
    db, _ = crawled
    fractions, verdicts, extra = scores(db)
    wrong = {url: [part for part, ok in verdict.items() if not ok] for url, verdict in verdicts.items()
             if not all(verdict.values())}
    assert not wrong, wrong
    assert extra == []  # nothing stored twice, no listing stored as an article
    assert set(fractions) == {"generic", "liferay", "newspaper", "nukeviet", "sharepoint", "slug", "tandan",
                              "thanhhoa", "wordpress"}


def test_bodies_hold_no_caption_and_no_page_chrome(crawled: tuple[Path, list[str]]) -> None:
    db, _ = crawled
    stored = stored_articles(db)
    for expected in gold_articles():
        body = stored[expected["url"]]["body"]
        for text in expected["not_in_body"]:
            assert text not in body, (expected["url"], text)


def test_wordpress_pagination_and_the_print_view_of_a_scripted_body(crawled: tuple[Path, list[str]]) -> None:
    _, requested = crawled
    assert "http://sldtbxh.kontum.test/category/tin-tuc/page/2/" in requested
    # The Thanh Hóa page whose body is loaded by script is read from its print view.
    assert "http://nhuxuan.thanhhoa.test/portal/pages/print.aspx?p=4102" in requested


@pytest.mark.parametrize("expected", gold_articles(), ids=lambda a: urlsplit(a["url"]).netloc + urlsplit(a["url"]).path[-30:])
def test_read_page_on_each_fixture_page(expected: dict) -> None:
    """The reader alone on the page the crawler stores (the print view where the body is scripted)."""
    site = SITES[expected["host"]]
    parts = urlsplit(expected["url"])
    relative = parts.path.lstrip("/") + ("@" + parts.query if parts.query else "")
    path = PORTALS / expected["host"] / relative
    if path.is_dir() or not path.exists():
        path = PORTALS / expected["host"] / (relative.rstrip("/") + "/index.html")
    article = read_page(path.read_bytes(), expected["url"], site.article, site_name=site.name)
    row = {"title": article.title, "published": article.published, "byline": article.byline,
           "body": article.text(), "source": article.source, "captions": "\n".join(article.captions)}
    verdict = judge(expected, row)
    assert all(verdict.values()), {part: ok for part, ok in verdict.items() if not ok}
