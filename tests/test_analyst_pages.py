"""The analyst pages over HTTP: landing page, activities list, article reading page, event page.

A real Datasette (tests/conftest.py) on the database built from the dev articles, plus one on a
database holding a hostile article, to check that stored text is escaped on every page.
"""
from __future__ import annotations

import html
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from schema.reading import Mark, marked_paragraphs, placeable
from schema.views import ACTIVITIES
from test_datasette import sql

ROOT = Path(__file__).resolve().parent.parent


def get(base: str, path: str, **params: str) -> str:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_marks_nest_and_cross_paragraphs() -> None:
    text = "Ngày 5/3, tập huấn <b>85</b> cán bộ.\nDòng hai."
    marks = [Mark(0, len(text), "event", "event 1", "event-1"), Mark(5, 8, "date", "date: 2024-03-05"),
             Mark(19, 30, "participants", 'participants: 85 "cán bộ"')]
    first, second = marked_paragraphs(text, marks)
    assert first.startswith('<span id="event-1" class="v v-event"')
    assert '<mark class="v v-date" data-field="date" title="date: 2024-03-05">5/3</mark>' in first
    assert "&lt;b&gt;85&lt;/b&gt;" in first and "<b>" not in first
    assert "participants: 85 &#34;cán bộ&#34;" in first
    assert second.startswith('<span class="v v-event"') and "Dòng hai." in second  # reopened, no second id
    for paragraph in (first, second):
        assert paragraph.count("<span") == paragraph.count("</span>")
        assert paragraph.count("<mark") == paragraph.count("</mark>")


def test_overlapping_marks_stay_well_formed() -> None:
    text = "abcdefghij"
    paragraph, = marked_paragraphs(text, [Mark(1, 6, "place", "p"), Mark(4, 9, "organiser", "o")])
    assert re.sub(r"<[^>]+>", "", paragraph) == text
    opened = re.findall(r"<(/?)mark", paragraph)
    depth = 0
    for closing in opened:
        depth += -1 if closing else 1
        assert depth >= 0
    assert depth == 0


def test_spans_that_do_not_match_the_text_are_not_placed() -> None:
    assert placeable("Đồng Tháp", 0, 4, "Đồng")
    assert not placeable("Đồng Tháp", 0, 4, "Tháp")
    assert not placeable("Đồng Tháp", 5, 50, None)
    assert not placeable("Đồng Tháp", None, None, None)


def test_landing_page_shows_figures_charts_and_latest_activities(datasette_url: str, built_db: Path) -> None:
    (events,) = sql(built_db, "select count(*) from events")[0]
    for path in ("/", "/training"):
        page = get(datasette_url, path)
        assert f"<strong>{events:,}</strong> training activities" in page
        assert page.count('class="chart chart-columns"') == 1 and page.count('class="chart chart-bars"') == 1
        years = {str(year) for (year,) in sql(built_db, "select distinct year from events where year is not null")}
        assert years and all(f">{year}</text>" in page for year in years)
        assert 'id="province-map"' in page and 'id="province-map-data"' in page
        latest = re.search(r'<table class="rows-and-columns latest-activities">.*?</table>', page, re.S).group()
        assert 0 < latest.count("<tr>") - 1 <= 12
    assert get(datasette_url, "/training/events_per_year.json", _shape="array")


def test_activities_list_reads_names_and_links_to_rows(datasette_url: str, built_db: Path) -> None:
    page = get(datasette_url, "/training/activities")
    headers = re.findall(r'<th (hidden )?[^>]*data-column="([^"]+)"', page)
    shown = [name for hidden, name in headers if not hidden]
    assert shown == ["event", "dates", "kind", "province", "district", "programme", "participants", "organisers",
                     "article"]
    assert ("hidden ", "latitude") in headers  # kept, hidden, for the map
    for facet in ("province_code", "year", "programme_id"):
        assert f'data-column="{facet}"' in page
    facets = re.search(r'<div class="facet-results">.*?<div class="table-wrapper">', page, re.S).group()
    top_code, top_name = sql(built_db, "select e.province_code, p.name from events e join places p on "
                                       "p.code = e.province_code group by 1 order by count(*) desc, 1 limit 1")[0]
    assert "<strong>province" in facets and "<strong>programme" in facets  # titled by name, not by code
    assert f'title="{top_code}">{html.escape(top_name, quote=False)}</a>' in facets
    event_id, article_id, title, code, name = sql(
        built_db, "select e.id, a.id, a.title, p.code, p.name from events e join articles a on a.id = e.article_id "
                  "join places p on p.code = e.province_code order by e.start_date desc limit 1")[0]
    assert f'<a href="/training/events/{event_id}">#{event_id}</a>' in page
    assert f'<a href="/training/articles/{article_id}">{html.escape(title, quote=False)}</a>' in page
    assert f'<a href="/training/places/{code}">{html.escape(name, quote=False)}</a>' in page
    everything = get(datasette_url, "/training/activities", _columns="all")
    assert 'data-column="province_code"' in everything and "hidden " not in re.findall(r"<th [^>]*>", everything)[0]


def test_provenance_columns_are_left_out_of_lists(datasette_url: str) -> None:
    for table, left_out in (("events", ["span_start", "quote", "date_quote", "participant_span_end"]),
                            ("articles", ["body", "body_folded", "content_hash", "warc_offset"])):
        page = get(datasette_url, f"/training/{table}")
        rows = re.search(r"<tbody>.*?</tbody>", page, re.S).group()
        for column in left_out:
            assert re.search(f'<th hidden [^>]*data-column="{column}"', page), f"{table}.{column} is shown"
            assert f'class="col-{column} ' not in rows, f"{table}.{column} is shown"


def test_article_page_marks_every_placed_value(datasette_url: str, built_db: Path) -> None:
    article_id, = sql(built_db, "select article_id from mentions where span_start is not null group by article_id "
                                "order by count(*) desc limit 1")[0]
    page = get(datasette_url, f"/training/articles/{article_id}")
    title, url, body = sql(built_db, "select title, url, body from articles where id = ?", article_id)[0]
    assert f"<h1>{html.escape(title, quote=False)}</h1>" in page and f'href="{html.escape(url)}"' in page
    reading = re.search(r'<div class="reading-body">(.*?)</div>\s*<aside', page, re.S).group(1)
    paragraphs = re.findall(r"<p>(.*?)</p>", reading, re.S)
    assert len(paragraphs) == len([line for line in body.split("\n") if line.strip()])
    assert html.unescape(re.sub(r"<[^>]+>", "", "\n".join(paragraphs))) == \
        "\n".join(line for line in body.split("\n") if line.strip())
    marked = {html.unescape(text) for text in re.findall(r"<mark [^>]*>([^<]*)</mark>", reading)}
    quotes = {quote for (quote,) in sql(built_db, "select quote from mentions where article_id = ? and quote is not "
                                                  "null and kind = 'document'", article_id)}
    assert quotes and quotes <= marked
    assert re.search(r'<mark class="v v-document" data-field="document" title="document: [^"]+"', reading)
    events = sql(built_db, "select id from events where article_id = ?", article_id)
    for (event_id,) in events:
        assert f'href="/training/events/{event_id}"' in page
    assert f'<span id="event-{events[0][0]}" class="v v-event"' in reading or not sql(
        built_db, "select 1 from events where id = ? and span_start is not null", events[0][0])


def test_event_page_tells_the_activity_in_words(datasette_url: str, built_db: Path) -> None:
    event_id, article_id, quote, province = sql(
        built_db, "select e.id, e.article_id, e.quote, p.name from events e join places p on p.code = e.province_code "
                  "where e.quote is not null and e.date_quote is not null limit 1")[0]
    page = get(datasette_url, f"/training/events/{event_id}")
    sentence = re.search(r'<blockquote class="event-sentence">(.*?)</blockquote>', page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<p>(.*?)</p>", sentence, re.S).group(1))) == quote
    assert 'class="v v-date"' in sentence
    assert html.escape(province, quote=False) in page
    assert f'href="/training/articles/{article_id}#event-{event_id}"' in page
    assert "span_start" not in page.split('<section class="content">')[1].split('<details class="provenance">')[0]
    assert 'data-column="span_start"' in get(datasette_url, f"/training/events/{event_id}", _columns="all")


HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, extractor) -> Iterator[tuple[str, Path]]:
    """A Datasette on a database whose stored texts (title, body, organiser, site name) carry markup."""
    from conftest import free_port, wait_for_http
    from stages.serve import datasette_command, datasette_env
    from store import open_database, save_articles, upsert_sites

    db_path = tmp_path_factory.mktemp("hostile") / "training.db"
    text = (f"Tập huấn {HOSTILE} tại Đồng Tháp\n\nNgày 5/3/2024, Sở Lao động {HOSTILE} tỉnh Đồng Tháp tổ chức "
            f"tập huấn cho 85 cán bộ <img src=x onerror=alert(1)> làm công tác giảm nghèo.")
    record = extractor(text, url="https://dongthap.gov.vn/hostile", published="2024-03-05")
    assert record["events"], "the hostile article must yield an event for the pages to show"
    db = open_database(db_path)
    upsert_sites(db, [{"domain": "dongthap.gov.vn", "name": f"Cổng {HOSTILE}", "family": "provincial portal"}])
    save_articles(db, [({"url": "https://dongthap.gov.vn/hostile", "title": f"Tin {HOSTILE}", "body": text,
                         "published": "2024-03-05"}, record)])
    db.execute("update event_organizers set name = ?", [f"Sở {HOSTILE}"])
    db.conn.commit()
    db.close()
    port = free_port()
    process = subprocess.Popen(datasette_command(db_path, "127.0.0.1", port), env=datasette_env(), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json", process)
        yield f"http://127.0.0.1:{port}", db_path
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("path", ["/", "/training", "/training/activities", "/training/articles",
                                  "/training/articles/1", "/training/events", "/training/events/1",
                                  "/training/event_organizers", "/training/sites/dongthap~2Egov~2Evn",
                                  "/training/activities?_search=Dong+Thap"])
def test_stored_markup_stays_escaped(hostile_url: tuple[str, Path], path: str) -> None:
    base, _ = hostile_url
    page = get(base, path)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page or "&amp;lt;script" in page


def test_view_lists_every_event(built_db: Path) -> None:
    assert sql(built_db, f"select count(*) from {ACTIVITIES.name}") == sql(built_db, "select count(*) from events")
