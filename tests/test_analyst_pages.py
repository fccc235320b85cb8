"""The analyst pages over HTTP: landing page, activities list, article reading page, event page.

A real Datasette (tests/conftest.py) on the database built from the dev articles, plus one on a
database holding a hostile article, to check that stored text is escaped on every page.
"""
from __future__ import annotations

import contextlib
import html
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from datasette.utils import tilde_encode

from schema.reading import Mark, marked_paragraphs, placeable
from schema.views import ACTIVITIES
from test_datasette import sql


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
        latest = re.search(r'<table class="rows-and-columns activities-list latest-activities">.*?</table>', page,
                           re.S).group()
        assert 0 < latest.count("<tr>") - 1 <= 12
    assert get(datasette_url, "/training/events_per_year.json", _shape="array")


def test_activities_list_reads_names_and_links_to_rows(datasette_url: str, built_db: Path) -> None:
    page = get(datasette_url, "/training/activities")
    headers = re.findall(r'<th (hidden )?[^>]*data-column="([^"]+)"', page)
    shown = [name for hidden, name in headers if not hidden]
    assert shown == ["event", "dates", "kind", "province", "district", "programme", "participants", "organisers",
                     "article", "corrected"]
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
    # A province filters the list; its place page is linked beside it.
    assert re.search(f'<a href="/training/activities\\?province_code={code}" title="[^"]*">'
                     f'{re.escape(html.escape(name, quote=False))}</a> <a href="/training/places/{code}" '
                     'class="place-link"', page)
    everything = get(datasette_url, "/training/activities", _columns="all")
    assert 'data-column="province_code"' in everything and "hidden " not in re.findall(r"<th [^>]*>", everything)[0]


def test_provenance_columns_are_left_out_of_lists(datasette_url: str) -> None:
    for table, left_out in (("events", ["span_start", "quote", "date_quote", "participant_span_end"]),
                            ("articles", ["url", "body", "content_hash", "warc_offset"])):
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
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", heading)) == title and f'href="{html.escape(url)}"' in page
    reading = re.search(r'<div class="reading-body">(.*?)</div>\s*<aside', page, re.S).group(1)
    paragraphs = re.findall(r"<p>(.*?)</p>", reading, re.S)
    lines = [line for line in body.split("\n") if line.strip()]
    if " ".join(lines[0].split()).casefold() == " ".join(title.split()).casefold():
        paragraphs.insert(0, heading)  # a first line repeating the headline is the heading, with its marks
        reading = heading + reading
    assert len(paragraphs) == len(lines)
    assert html.unescape(re.sub(r"<[^>]+>", "", "\n".join(paragraphs))) == "\n".join(lines)
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


def test_place_page_lists_its_activities_and_filters_the_list(datasette_url: str, built_db: Path) -> None:
    code, name, count = sql(built_db, "select p.code, p.name, count(*) from events e join places p on "
                                      "p.code = e.province_code group by 1 order by 3 desc, 1 limit 1")[0]
    page = get(datasette_url, f"/training/places/{code}")
    assert f"<h1>{html.escape(name, quote=False)}</h1>" in page
    listed = re.search(r'<table class="rows-and-columns activities-list place-activities">.*?</table>', page,
                       re.S).group()
    events = {int(event) for event in re.findall(r'<a href="/training/events/(\d+)">#', listed)}
    expected = {row[0] for row in sql(built_db, "select id from events where province_code = ?", code)}
    assert events == expected and len(events) == count
    assert f'href="/training/activities?province_code={code}"' in page
    articles = {int(a) for a in re.findall(r'<a href="/training/articles/(\d+)">', re.search(
        r'<ul class="naming-articles">.*?</ul>', page, re.S).group())}
    assert articles == {row[0] for row in sql(built_db, "select distinct article_id from mentions where "
                                                        "place_code = ?", code)}
    assert "from district_code in events" not in page  # Datasette's bare list of links is behind `every column`


def test_document_page_lists_the_articles_citing_it(datasette_url: str, built_db: Path) -> None:
    document, = sql(built_db, "select document_id from mentions where document_id is not null group by 1 "
                              "order by count(distinct article_id) desc, 1 limit 1")[0]
    page = get(datasette_url, "/training/documents/" + tilde_encode(document))
    cited = {int(a) for a in re.findall(r'<a href="/training/articles/(\d+)">', re.search(
        r'<ul class="naming-articles">.*?</ul>', page, re.S).group())}
    assert cited == {row[0] for row in sql(built_db, "select distinct article_id from mentions where "
                                                     "document_id = ?", document)}


def test_dates_of_publication_read_as_dates(datasette_url: str, built_db: Path) -> None:
    article_id, published = sql(built_db, "select id, published from articles where published like '____-__-__%' "
                                          "order by length(published) desc limit 1")[0]
    from schema.pages import readable_time
    readable = readable_time(published)
    assert readable != published and re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}(, \d\d:\d\d)?", readable)
    assert f'<time datetime="{published}">{readable}</time>' in get(datasette_url, f"/training/articles/{article_id}")
    assert f'<time datetime="{published}">{readable}</time>' in get(datasette_url, "/training/articles", _size="max")


def test_database_page_describes_without_markdown(datasette_url: str) -> None:
    description = re.search(r'<div class="metadata-description">(.*?)</div>', get(datasette_url, "/training"),
                            re.S).group(1)
    assert "activities" in description and "`" not in description


def test_empty_search_result_keeps_facet_names(datasette_url: str) -> None:
    page = get(datasette_url, "/training/activities", _search="zzzqqqxx")
    facets = re.search(r'<div class="facet-results">.*?</div>\s*</div>\s*(?=<)', page, re.S).group()
    assert "<strong>province" in facets and "province_code" not in re.sub(r'data-column="[^"]*"|id="[^"]*"|'
                                                                         r'class="[^"]*"', "", facets)
    assert "No rows match the search" in page


def test_canned_searches_show_results_first_with_links(datasette_url: str, built_db: Path) -> None:
    page = get(datasette_url, "/training/search_events", q="giảm nghèo")
    assert '<pre id="sql-query">' not in page and 'id="sql-editor"' not in page  # hide_sql: the SQL on demand
    headers = re.findall(r'<th class="col-([^"]+)" scope="col">', page)
    assert "tier" not in headers and "score" not in headers and "found" in headers
    event, article_id = re.search(r'<td class="col-event"><a href="/training/events/(\d+)">#\1</a></td>.*?'
                                  r'<td class="col-article"><a href="/training/articles/(\d+)">', page, re.S).groups()
    assert sql(built_db, "select article_id from events where id = ?", int(event))[0][0] == int(article_id)
    page = get(datasette_url, "/training/search_articles", q="giảm nghèo")
    assert '<pre id="sql-query">' not in page
    assert re.search(r'<td class="col-title"><a href="/training/articles/\d+">', page)
    assert re.search(r'<td class="col-article_id"><a href="/training/articles/(\d+)">#?\1</a>', page)


HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, extractor) -> Iterator[tuple[str, Path]]:
    """A Datasette on a database whose stored texts (title, body, organiser, site name) carry markup."""
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
    with served(db_path) as base:
        yield base, db_path


@contextlib.contextmanager
def served(db_path: Path) -> Iterator[str]:
    """A real Datasette on a database of a test's own, as `vntrain serve` starts it: its base URL."""
    from conftest import served_datasette

    with served_datasette(db_path) as (base, _):
        yield base


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


def test_a_commune_of_the_2025_map_is_its_own_unit_after_the_reform(datasette_url: str, built_db: Path) -> None:
    code, name, own_code = sql(built_db, "select code, name, post_2025_code from places where code like '2025-%' "
                                         "and level = 'commune' limit 1")[0]
    assert code == "2025-" + own_code  # (keyed apart from the commune that had its code before)
    page = get(datasette_url, "/training/places/" + tilde_encode(code))
    assert f"<h1>{html.escape(name, quote=False)}</h1>" in page
    assert "after the 2025 reform" not in page
