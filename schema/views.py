"""SQL views: the readable ways into the data (created by schema/migrations.py).

Views hold no data, so a migration that changes them calls `replace_views`, which drops and
recreates every view from the definitions below.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


def not_rejected(alias: str = "") -> str:
    """The one condition that keeps an event a researcher has not rejected (events.rejected = 1):
    the activities view, the landing page's figures and charts and the canned queries all use it.

    :param alias: the events table's alias in the query ("e" gives `e.rejected is not 1`)
    """
    return f"{alias + '.' if alias else ''}rejected is not 1"


@dataclass(frozen=True)
class View:
    """One view.

    :param name: view name
    :param description: what one row is
    :param columns: column name -> description, in the view's column order
    :param sql: the select statement
    """

    name: str
    description: str
    columns: dict[str, str]
    sql: str


ACTIVITIES = View(
    name="activities",
    description="Training activities as a readable list: one row per event with names instead of codes "
                "and the article that reports it, researchers' corrections applied and rejected events "
                "left out. Search looks in the articles' text and the names of the province and district.",
    columns={
        "event": "Event id (links to the event and its provenance).",
        "dates": "First and last day (ISO 8601; YYYY-MM or YYYY when coarser).",
        "kind": "Kind of activity (tập huấn, bồi dưỡng, hội nghị, ...).",
        "province": "Province where it took place.",
        "district": "District where it took place (before the 2025 reform).",
        "programme": "First programme the activity is attributed to.",
        "participants": "Number of participants.",
        "organisers": "Organisations that organised it, '; '-separated.",
        "article": "Headline of the article that reports it (links to the article).",
        "start_date": "First day, for filters and sorting.",
        "end_date": "Last day.",
        "year": "Year of start_date.",
        "is_primary": "1 for the article's main activity.",
        "participant_qualifier": "Qualifier of the count as written (gần, hơn, ...).",
        "participant_unit": "What was counted (người, học viên, đại biểu, ...).",
        "province_code": "GSO code of the province.",
        "district_code": "GSO code of the district.",
        "programme_id": "Programme id.",
        "article_id": "Article id.",
        "site": "Site that published the article.",
        "published": "Publication date of the article.",
        "latitude": "Latitude of the most precise known place (WGS 84).",
        "longitude": "Longitude of the most precise known place (WGS 84).",
        "popup": "What the map shows for the event (JSON: title, description, link).",
        "corrected": "Fields a researcher corrected (table corrections); empty when every value is as extracted.",
    },
    # Names come from scalar subqueries, not joins: SQLite evaluates them only for the columns a
    # query uses, so the count, the facets on events' own columns and a page of 50 rows never
    # touch the (large) articles table for every event (at 100,000 articles, joins made the count
    # and each facet 20 times slower).
    sql=f"""select
  e.id as event,
  case when e.end_date is null or e.end_date = e.start_date then e.start_date
       else e.start_date || ' – ' || e.end_date end as dates,
  e.kind,
  (select name from places where code = e.province_code) as province,
  (select name from places where code = e.district_code) as district,
  (select name from programmes where id = e.programme_id) as programme,
  e.participant_total as participants,
  (select group_concat(o.name, '; ') from
     (select name from event_organizers where event_id = e.id order by id) o) as organisers,
  (select title from articles where id = e.article_id) as article,
  e.start_date, e.end_date, e.year, e.is_primary, e.participant_qualifier, e.participant_unit,
  e.province_code, e.district_code, e.programme_id, e.article_id,
  (select site from articles where id = e.article_id) as site,
  (select published from articles where id = e.article_id) as published,
  e.latitude, e.longitude,
  json_object('title', (select title from articles where id = e.article_id),
              'description', trim(coalesce(e.start_date, '') || ' '
                                  || coalesce((select name from places where code = e.province_code), '')
                                  || coalesce(' · ' || e.participant_total || ' ' || e.participant_unit, '')),
              'link', 'events/' || e.id) as popup,
  e.corrected
from events e
where {not_rejected("e")}""",
)

VIEWS: tuple[View, ...] = (ACTIVITIES,)


def replace_views(db: sqlite_utils.Database) -> None:
    """Drop and recreate every view from its current definition.

    :param db: open database
    """
    for view in VIEWS:
        db.execute(f"drop view if exists [{view.name}]")
        db.execute(f"create view [{view.name}] as {view.sql}")
