"""A real Datasette on the database built from the dev articles, queried over HTTP."""
from __future__ import annotations

import json
import re
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from schema.datasette import CANNED_QUERIES
from schema.tables import TABLES


def get(base: str, path: str, **params: str) -> tuple[int, str]:
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def get_json(base: str, path: str, **params: str) -> dict | list:
    status, body = get(base, path, **params)
    assert status == 200
    return json.loads(body)


def sql(db_path: Path, query: str, *params: object) -> list[tuple]:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def test_plugins_are_active(datasette_url: str) -> None:
    names = {plugin["name"] for plugin in get_json(datasette_url, "/-/plugins.json")}
    assert {"datasette-cluster-map", "vn_search.py", "vn_pages.py"} <= names
    # Its page listed raw article rows and searched articles only; the search page replaces it.
    assert "datasette-search-all" not in names


def test_every_table_and_column_is_described(datasette_url: str) -> None:
    metadata = get_json(datasette_url, "/-/metadata.json")
    assert metadata["title"] and metadata["license"] and metadata["source"]
    tables = metadata["databases"]["training"]["tables"]
    for table in TABLES:
        assert tables[table.name]["description"] == table.description
        assert set(tables[table.name]["columns"]) == set(table.column_names())


def test_events_page_renders_with_facets_and_labels(datasette_url: str, built_db: Path) -> None:
    status, html = get(datasette_url, "/training/events")
    assert status == 200
    for facet in ("province_code", "year", "programme_id", "is_primary"):
        assert f'data-column="{facet}"' in html
    data = get_json(datasette_url, "/training/events.json", _labels="on", _shape="objects")
    province_facet = data["facet_results"]["province_code"]["results"]
    names = {name for (name,) in sql(built_db, "select name from places")}
    assert province_facet and all(result["label"] in names for result in province_facet)
    first = data["rows"][0]
    assert first["article_id"]["label"] == sql(built_db, "select title from articles where id = ?",
                                               first["article_id"]["value"])[0][0]


def test_json_api_returns_the_stored_rows(datasette_url: str, built_db: Path) -> None:
    province_code, expected = sql(built_db, "select province_code, count(*) from events where province_code "
                                            "is not null group by 1 order by 2 desc limit 1")[0]
    rows = get_json(datasette_url, "/training/events.json", province_code=province_code, _shape="array",
                    _size="max")
    assert len(rows) == expected
    stored = {row[0] for row in sql(built_db, "select id from events where province_code = ?", province_code)}
    assert {row["id"] for row in rows} == stored


def run_canned(base: str, name: str, **params: str) -> list[dict]:
    return get_json(base, f"/training/{name}.json", _shape="array", **params)


def test_canned_queries_run_with_parameters(datasette_url: str, built_db: Path) -> None:
    assert set(CANNED_QUERIES) <= set(get_json(datasette_url, "/training.json")["queries"][i]["name"]
                                      for i in range(len(CANNED_QUERIES)))
    name, year, count = sql(built_db, "select p.name, e.year, count(*) from events e join places p on "
                                      "p.code = e.province_code where e.year is not null group by 1, 2 "
                                      "order by 3 desc limit 1")[0]
    from schema.search import fold
    for spelling in (name, fold(name).lower()):
        assert len(run_canned(datasette_url, "events_by_province_and_year", province=spelling,
                              year=str(year))) == count
    totals = run_canned(datasette_url, "participants_by_programme_and_year", programme="")
    assert sum(row["events"] for row in totals) == sql(built_db, "select count(*) from events")[0][0]
    assert sum(row["participants"] or 0 for row in totals) == \
        sql(built_db, "select coalesce(sum(participant_total), 0) from events")[0][0]
    cited = run_canned(datasette_url, "most_cited_documents", doc_type="")
    assert cited[0]["articles"] >= cited[-1]["articles"]
    assert any(row["document"] == "90/QĐ-TTg (2022)" for row in cited)
    in_range = run_canned(datasette_url, "events_in_date_range", start="2022-01-01", end="2022-12-31")
    assert in_range and all("2022-01-01" <= row["start_date"] <= "2022-12-31" for row in in_range)
    health = run_canned(datasette_url, "crawl_health_per_site", since="")
    thai_nguyen = next(row for row in health if row["domain"] == "baothainguyen.vn")
    assert (thai_nguyen["runs"], thai_nguyen["requests"], thai_nguyen["failed"]) == (2, 80, 2)


@pytest.mark.parametrize("number", ["90/QĐ-TTg", "90/QD-TTg", " 90/qđ-ttg "])
def test_articles_citing_a_document_number(datasette_url: str, built_db: Path, number: str) -> None:
    expected = {url for (url,) in sql(built_db, "select distinct a.url from mentions m join documents d on "
                                                "d.id = m.document_id join articles a on a.id = m.article_id "
                                                "where d.number = '90/QĐ-TTg'")}
    rows = run_canned(datasette_url, "articles_citing_document", number=number)
    assert expected and {row["url"] for row in rows} == expected
    assert all("90/Q" in row["quote"] for row in rows)


def search_urls(base: str, query: str) -> set[str]:
    rows = get_json(base, "/training/articles.json", _search=query, _shape="array", _col="url", _size="max")
    return {row["url"] for row in rows}


def test_accentless_search_finds_accented_text(datasette_url: str) -> None:
    found = search_urls(datasette_url, "Dong Thap")
    assert "https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap" in found
    assert search_urls(datasette_url, "đồng tháp") <= found
    assert search_urls(datasette_url, "Đồng Tháp") == search_urls(datasette_url, "đồng tháp")
    assert search_urls(datasette_url, "giam ngheo") >= search_urls(datasette_url, "giảm nghèo")
    assert len(search_urls(datasette_url, "giảm nghèo")) > 3


def test_search_query_ranks_exact_spelling_first(datasette_url: str) -> None:
    rows = run_canned(datasette_url, "search_articles", q="Đồng Tháp")
    assert rows[0]["url"] == "https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap"
    assert rows[0]["found"] == "the phrase as typed, in the title"
    # Another spelling of the same letters: the titles first, then the text, where spellings count alike.
    found = {row["url"]: row["found"] for row in run_canned(datasette_url, "search_articles", q="đông thấp")}
    assert found["https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap"] == "the phrase, in the title"
    assert found["https://example.gov.vn/ban-tin-thoi-tiet"] == "the phrase"


def test_cluster_map_is_on_the_events_page(datasette_url: str) -> None:
    _, html = get(datasette_url, "/training/events")
    assert "datasette-cluster-map" in html
    located = get_json(datasette_url, "/training/events.json", _shape="array", latitude__notblank="1")
    assert located and all(-90 <= row["latitude"] <= 90 for row in located)


def test_search_page_lists_activities_and_articles(datasette_url: str, built_db: Path) -> None:
    status, html = get(datasette_url, "/")
    assert 'href="/-/search"' in html and 'action="/-/search"' in html  # menu link and landing search box
    status, html = get(datasette_url, "/-/search", q="giam ngheo")
    assert status == 200
    activities = re.search(r'<table class="rows-and-columns activities-list search-activities">.*?</table>', html,
                           re.S).group()
    found = {int(event) for event in re.findall(r'<a href="/training/events/(\d+)">#', activities)}
    listed = {row["event"] for row in get_json(datasette_url, "/training/activities.json", _search="giam ngheo",
                                               _shape="array", _size="max")}
    assert found and found <= listed
    articles = re.search(r'<ul class="naming-articles search-articles">.*?</ul>', html, re.S).group()
    titles = re.findall(r'<a href="/training/articles/(\d+)">', articles)
    ranked = run_canned(datasette_url, "search_articles", q="giam ngheo")
    assert [int(t) for t in titles] == [row["article_id"] for row in ranked][:len(titles)] and titles
    for raw in ("content_hash", "etag", "warc_offset"):
        assert raw not in html
    assert 'href="/training/activities?_search=giam+ngheo"' in html
    assert "AND, OR and NOT are words" in html  # the search rule is told where people search
