"""The indexes of events answer the facets of a list filtered by a province, a year or a programme
(the activities list's facets, where the landing page's charts lead), and its rows in the lists'
order, and the facets of a search, without reading the rows (schema/tables.py EVENTS); m012 and
m014 give them to a database made with the older indexes."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from schema.event_search import event_match_sql
from schema.plugins.vn_search import prepare_connection
from schema.tables import EVENTS
from schema.views import ACTIVITIES
from store import open_database

FACETS = ("province_code", "year", "programme_id", "is_primary")
LISTED = ("province_code", "year", "programme_id")  # the facets of activities
# The indexes of events before m012 (m010).
OLD_INDEXES = (("article_id",), ("province_code", "rejected", "participant_total", "latitude", "longitude"),
               ("year", "rejected", "participant_total"), ("start_date",), ("programme_id", "rejected"),
               ("is_primary",))
# The facet indexes of events before m014 (m012: without the search box's columns).
M012_INDEXES = (("article_id",),
                ("province_code", "start_date", "id", "rejected", "participant_total", "year", "programme_id", "is_primary"),
                ("year", "start_date", "id", "rejected", "participant_total", "province_code", "programme_id", "is_primary"),
                ("programme_id", "start_date", "id", "rejected", "province_code", "year", "is_primary"),
                ("is_primary",), ("start_date", "id", "rejected", "article_id", "province_code", "district_code"))


def plan(db_path: Path, sql: str, params: list | dict) -> str:
    """SQLite's plan for a query, on a connection with the search functions Datasette's have."""
    with sqlite3.connect(db_path) as conn:
        prepare_connection(conn)
        return " | ".join(row[3] for row in conn.execute(f"explain query plan {sql}", params))


def event_indexes(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {name for (name,) in conn.execute("select name from sqlite_master where type = 'index' "
                                                 "and tbl_name = 'events' and sql is not null")}


@pytest.mark.parametrize("filtered", LISTED)
def test_facets_of_a_facet_value_read_an_index_alone(built_db: Path, filtered: str) -> None:
    for column in FACETS:
        if column == filtered:
            continue
        # Datasette's facet SQL over the activities view, filtered by one value.
        sql = (f"select {column} as value, count(*) as count from (select * from {ACTIVITIES.name} "
               f"where {filtered} = ?) where {column} is not null group by {column} order by count desc, value limit 9")
        assert "COVERING INDEX" in plan(built_db, sql, [1]), (filtered, column)


@pytest.mark.parametrize("filtered", LISTED)
@pytest.mark.parametrize("order", ["start_date desc", "start_date desc, event desc"])
def test_the_list_of_a_facet_value_is_read_newest_first_from_an_index(built_db: Path, filtered: str,
                                                                       order: str) -> None:
    sql = f"select * from {ACTIVITIES.name} where {filtered} = ? order by {order} limit 51"
    found = plan(built_db, sql, [1])
    assert f"INDEX idx_events_{filtered}_start_date" in found and "TEMP B-TREE" not in found


def test_the_latest_activities_and_the_search_box_read_start_dates_index(built_db: Path) -> None:
    """The landing page's latest activities (ties by id), and the search box's test of each event,
    newest first: in index order, the article and places read from the index."""
    latest = plan(built_db, f"select event from {ACTIVITIES.name} order by start_date desc, event desc limit 12", [])
    assert "idx_events_start_date_id" in latest and "TEMP B-TREE" not in latest
    searched = plan(built_db, f"select count(*) from {ACTIVITIES.name} where article_id in (1, 2) "
                              "or province_code in ('01') or district_code in ('001')", [])
    assert "COVERING INDEX idx_events_start_date_id" in searched


@pytest.mark.parametrize("column", LISTED)
def test_the_facets_of_a_search_read_an_index_alone(built_db: Path, column: str) -> None:
    """Datasette's facet SQL over the activities a search box query finds (the condition
    schema/plugins/vn_search.py puts on them): the article and places it tests are in the facet's index."""
    condition = event_match_sql("[article_id]", ["[province_code]", "[district_code]"], "vn_search")
    sql = (f"select {column} as value, count(*) as count from (select * from {ACTIVITIES.name} where {condition}) "
           f"where {column} is not null group by {column} order by count desc, value limit 9")
    found = plan(built_db, sql, {"vn_search": "giam ngheo"})
    assert f"e USING COVERING INDEX idx_events_{column}_" in found, found
    with sqlite3.connect(built_db) as conn:  # (the query runs, and finds some)
        prepare_connection(conn)
        assert conn.execute(sql, {"vn_search": "giam ngheo"}).fetchall()


@pytest.mark.parametrize("older, migration", [(OLD_INDEXES, "m012_event_indexes_for_filtered_facets"),
                                              (M012_INDEXES, "m014_facet_indexes_for_searches")])
def test_migration_replaces_the_older_event_indexes(built_db: Path, tmp_path: Path, older: tuple,
                                                    migration: str) -> None:
    db_path = tmp_path / "training.db"
    shutil.copy(built_db, db_path)
    defined = {f"idx_events_{'_'.join(columns)}" for columns in EVENTS.indexes}
    assert event_indexes(db_path) == defined
    with sqlite3.connect(db_path) as conn:  # the store as it was before the migration
        for name in defined:
            conn.execute(f"drop index [{name}]")
        for columns in older:
            conn.execute(f"create index [idx_events_{'_'.join(columns)}] on events ({', '.join(columns)})")
        conn.execute("delete from _sqlite_migrations where name = ?", [migration])
    (events,) = sqlite3.connect(db_path).execute("select count(*) from events").fetchone()
    open_database(db_path).close()
    assert event_indexes(db_path) == defined
    assert sqlite3.connect(db_path).execute("select count(*) from events").fetchone()[0] == events
