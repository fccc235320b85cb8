"""Facets over HTTP (schema/plugins/vn_facets.py): a facet the metadata configures is counted and
shown once when the request asks for it too, and kept counts follow the database file."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import urllib.request
from pathlib import Path

from conftest import served_datasette

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
