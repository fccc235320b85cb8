"""Layout drift: a portal's pages change so that the selectors read chrome; nothing is stored and
the site is reported "layout changed" with examples, by `nightly`, `status` and `sites check --live`.

The rules (crawler/drift.py) on their own, then real nights of `pipeline.py nightly` against the
sample portal on loopback, whose article pages are replaced by a redesign between nights.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from crawler.drift import History, Page, layout_drift
from stages.nightly import EXIT_OK, EXIT_SITES_FAILING
from tests.conftest import run_pipeline
from tests.test_nightly import MUONGLAT, GatedPortal, nightly, portal_copy, report_line, rows, write_config

ROOT = Path(__file__).resolve().parent.parent
BODY = ("Nội dung bài viết đang được cập nhật theo giao diện mới của cổng thông tin điện tử. Quý độc giả "
        "vui lòng quay lại sau hoặc liên hệ Ban biên tập để biết thêm chi tiết.")
HISTORY = History(articles=6, dated=6, titles=Counter({"lịch công tác tuần": 3}), hashes={"h-stored": "u/stored"})


def page(url: str, title: str = "Tập huấn", published: str | None = "2024-05-06", body: str | None = None,
         text_hash: str | None = None) -> Page:
    body = body if body is not None else f"Bài {url}: " + "nội dung riêng của bài viết " * 5
    return Page(url, title if title != "Tập huấn" else f"Tập huấn {url}", published, body, text_hash or f"h-{url}")


def test_articles_that_look_right_show_no_drift() -> None:
    assert layout_drift([page("a"), page("b"), page("c")], HISTORY) is None
    assert layout_drift([page("a")], HISTORY) is None
    # One short notice, one undated page, two notices titled alike, one text under two addresses:
    # no redesign.
    assert layout_drift([page("a", body="Thông báo ngắn."), page("b"), page("c")], HISTORY) is None
    assert layout_drift([page("a", published=None), page("b"), page("c")], HISTORY) is None
    assert layout_drift([page("a", "Thông báo"), page("b", "Thông báo"), page("c")], HISTORY) is None
    assert layout_drift([page("a", body=BODY), page("b", body=BODY), page("c")], HISTORY) is None
    # A title the site publishes every week is no banner.
    assert layout_drift([page("a", "Lịch công tác tuần"), page("b", "Lịch công tác tuần")], HISTORY) is None


def test_one_title_for_all_no_dates_empty_or_identical_bodies_are_drift() -> None:
    banner = layout_drift([page(url, "CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN X") for url in "abc"], HISTORY)
    assert banner.signs == ("3 of 3 new pages are titled 'CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN X'",)
    assert banner.examples == ("a", "b", "c")
    undated = layout_drift([page("a", published=None), page("b", published=None)], HISTORY)
    assert undated.signs == ("none of 2 new pages has a date (6 of 6 stored do)",)
    # Without stored articles to compare with, undated pages are just undated.
    assert layout_drift([page("a", published=None), page("b", published=None)], History()) is None
    empty = layout_drift([page("a", body=""), page("b", body="Đang tải…")], HISTORY)
    assert empty.signs == ("2 of 2 new pages have an empty body",)
    same = layout_drift([page("a", body=BODY), page("b", body=BODY), page("c", body=BODY)], HISTORY)
    assert same.signs == ("3 of 3 new pages have the same text as another page",)
    stored_twin = layout_drift([page("a", text_hash="h-stored"), page("b", text_hash="h-stored")], HISTORY)
    assert "(u/stored)" in stored_twin.message() and stored_twin.examples == ("a", "b")


def redesign(portal: Path) -> dict[Path, str]:
    """Replace every article page (normal and print view) by a redesign with one text and no date."""
    before = {}
    for path in (portal / MUONGLAT / "portal" / "pages").glob("*.aspx@p=*"):
        html = path.read_text(encoding="utf-8")
        before[path] = html
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        path.write_text(f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>'
                        f'<div class="tandan-article"><h1 class="tandan-p-article-news-title">{title}</h1>'
                        f'<div class="tandan-p-article-main"><p>{BODY}</p></div></div>'
                        f'<h1 class="print-title">{title}</h1><div class="print-content"><p>{BODY}</p></div>'
                        "</body></html>", encoding="utf-8")
    return before


def test_a_redesign_is_reported_as_layout_changed_and_nothing_is_stored(tmp_path: Path) -> None:
    with GatedPortal(portal_copy(tmp_path, (MUONGLAT,))) as server:
        config = write_config(server, tmp_path / "run")  # re-checks every stored article each night
        db = tmp_path / "run" / "training.db"
        first = nightly(config)
        assert first.returncode == EXIT_OK, first.stdout + first.stderr[-3000:]
        night1 = rows(db, "select url, version, content_hash, title, published from articles order by url")
        assert len(night1) == 6

        originals = redesign(server.root)
        second = nightly(config)
        assert second.returncode == EXIT_SITES_FAILING, second.stdout + second.stderr[-3000:]
        assert report_line(second.stdout, MUONGLAT)[1] == "failing"
        reported = re.search(rf"FAILING {re.escape(MUONGLAT)}: layout changed: (.*); failing 1 run", second.stdout)
        assert reported, second.stdout
        assert "3 of 3 new pages have the same text as another page" in reported[1]
        assert "none of 3 new pages has a date (6 of 6 stored do)" in reported[1]
        assert re.search(r"\(e\.g\. http://\S+p=\d+, http://\S+p=\d+, http://\S+p=\d+\)", reported[1])
        # The stored articles are as they were: no new version holds the redesign's text.
        assert rows(db, "select url, version, content_hash, title, published from articles order by url") == night1
        assert rows(db, "select count(*) from article_versions") == [(0,)]
        status = run_pipeline("status", "--db", str(db))
        line = next(line for line in status.stdout.splitlines() if line.startswith(MUONGLAT))
        assert line.split()[1] == "failing" and "layout changed: " in line and "3 of 3 new pages have the same" in line

        live = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "sites", "check", "--live", "--sites-dir",
                               str(server.root / "sites"), "--db", str(db), "--proxy", server.proxy,
                               "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"],
                              cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert live.returncode == 1, live.stdout + live.stderr[-3000:]
        assert f"{MUONGLAT}: DRIFT" in live.stdout and "layout changed: " in live.stdout
        assert "where '2023-11-07" in live.stdout  # a stored article that now reads without its date

        for path, html in originals.items():
            path.write_text(html, encoding="utf-8")
        third = nightly(config)
        assert third.returncode == EXIT_OK, third.stdout + third.stderr[-3000:]
        assert report_line(third.stdout, MUONGLAT)[1] in ("ok", "partial")
        assert rows(db, "select url, version, content_hash, title, published from articles order by url") == night1
        live = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "sites", "check", "--live", "--sites-dir",
                               str(server.root / "sites"), "--db", str(db), "--proxy", server.proxy,
                               "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"],
                              cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert live.returncode == 0 and f"{MUONGLAT}: ok" in live.stdout, live.stdout + live.stderr[-3000:]
