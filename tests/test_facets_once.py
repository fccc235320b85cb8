"""Facets over HTTP (schema/plugins/vn_facets.py): a facet the metadata configures is counted and
shown once when the request asks for it too, and kept counts follow the database file."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

from conftest import served_datasette
from schema.event_search import event_match_sql
from schema.plugins.vn_search import prepare_connection
from schema.views import ACTIVITIES

FACETED = "/training/events.json?_facet=province_code&_facet=year&_facet=kind&_facet=year"


def get_json(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return json.loads(response.read())


def counts_in_db(db_path: Path, column: str) -> dict:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute(f"select [{column}], count(*) from events where [{column}] is not null "
                                 f"group by [{column}]").fetchall())


def year_counts(page: dict) -> dict:
    return {result["value"]: result["count"] for result in page["facet_results"]["year"]["results"]}


def test_a_facet_of_the_metadata_asked_for_again_is_counted_once(datasette_url: str, built_db: Path) -> None:
    page = get_json(datasette_url, FACETED)
    facets = page["facet_results"]
    # The metadata's four, then the request's own (kind); year asked twice and in the metadata: once.
    assert list(facets) == ["province_code", "year", "programme_id", "is_primary", "kind"]
    for column, facet in facets.items():
        expected = counts_in_db(built_db, column)
        shown = {result["value"]: result["count"] for result in facet["results"]}
        assert shown and all(expected[value] == count for value, count in shown.items()), column
        assert len(shown) == min(len(expected), 8)  # facet_size of events in the metadata
    assert not facets["province_code"]["hideable"] and facets["kind"]["hideable"]

    with urllib.request.urlopen(datasette_url + FACETED.replace(".json", ""), timeout=60) as response:
        html = response.read().decode("utf-8")
    shown_facets = re.findall(r'<div class="facet-info [^"]*" id="facet-([^"]+)"', html)
    assert sorted(shown_facets) == sorted(["province_code", "year", "programme_id", "is_primary", "kind"])


def test_kept_facet_counts_and_landing_follow_the_file(built_db: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "training.db"
    shutil.copy(built_db, db_path)
    with served_datasette(db_path) as (base, _):
        years = "/training/events.json?_facet=year&_facet_size=max"
        before = year_counts(get_json(base, years))
        assert year_counts(get_json(base, years + "&_sort=id")) == before == counts_in_db(db_path, "year")
        assert 1999 not in before
        landing = urllib.request.urlopen(base + "/", timeout=60).read().decode("utf-8")
        (events,) = sqlite3.connect(db_path).execute("select count(*) from events").fetchone()
        assert f"<strong>{events:,}</strong> training activities" in landing

        with sqlite3.connect(db_path) as conn:  # a write: a correction rejects one event, another moves to 1999
            conn.execute("update events set year = 1999 where id = (select min(id) from events)")
            conn.execute("update events set rejected = 1 where id = (select max(id) from events)")
        assert year_counts(get_json(base, years)) == counts_in_db(db_path, "year")
        assert year_counts(get_json(base, years))[1999] == 1
        landing = urllib.request.urlopen(base + "/", timeout=60).read().decode("utf-8")
        assert f"<strong>{events - 1:,}</strong> training activities" in landing


FACET_TIME_LIMIT_MS = 21  # (at 20 ms or less Datasette checks the time at every SQLite step, and can interrupt
# the search index's set-up: "vtable constructor failed")


def test_a_facet_that_timed_out_is_counted_in_the_background_and_shown_next_time(built_db: Path,
                                                                                  tmp_path: Path) -> None:
    """At a million events the facets of a search take longer than facet_time_limit_ms. Here the
    events are copied (without their indexes, so that a facet reads them all) until the facet of
    the search takes three times FACET_TIME_LIMIT_MS, so the first view's facet times out."""
    db_path = tmp_path / "training.db"
    shutil.copy(built_db, db_path)
    search = "giảm nghèo"
    condition = event_match_sql("[article_id]", ["[province_code]", "[district_code]"], "vn_search")
    facet_sql = (f"select year, count(*) from {ACTIVITIES.name} where {condition} and year is not null "
                 "group by year")
    with closing(sqlite3.connect(db_path)) as conn, conn:
        prepare_connection(conn)
        for (index,) in conn.execute("select name from sqlite_master where type = 'index' and tbl_name = 'events' "
                                     "and sql is not null").fetchall():
            conn.execute(f"drop index [{index}]")
        columns = ", ".join(f"[{row[1]}]" for row in conn.execute("pragma table_info(events)") if row[1] != "id")
        while True:
            started = time.perf_counter()
            expected = dict(conn.execute(facet_sql, {"vn_search": search}).fetchall())
            taken_ms = (time.perf_counter() - started) * 1000
            if taken_ms > 3 * FACET_TIME_LIMIT_MS or conn.execute("select max(id) from events").fetchone()[0] > 2 ** 21:
                break
            conn.execute(f"insert into events ({columns}) select {columns} from events")
    assert sum(expected.values()) > 1000
    page = f"/training/{ACTIVITIES.name}?_search={urllib.parse.quote(search)}&_facet=year&_facet_size=max"
    with served_datasette(db_path, {"facet_time_limit_ms": str(FACET_TIME_LIMIT_MS)}) as (base, _):
        first = urllib.request.urlopen(base + page, timeout=60).read().decode("utf-8")
        timed_out = re.search(r'<p class="facets-timed-out">These facets timed out: ([^<]*)</p>', first)
        assert timed_out and "year" in timed_out.group(1), taken_ms
        deadline = time.monotonic() + 60
        while "year" not in (shown := get_json(base, page.replace(f"/{ACTIVITIES.name}?", f"/{ACTIVITIES.name}.json?"))
                             )["facet_results"] and time.monotonic() < deadline:
            time.sleep(0.2)  # the background count runs
        assert year_counts(shown) == expected
