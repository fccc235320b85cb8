"""What the analyst pages show, read from the database Datasette serves.

- `landing`: key figures, events per year and per province (charts and map), latest activities.
- `article_page`: an article as a reading page, every extracted value marked in its text, and
  the events, documents, programmes and places read from it.
- `event_page`: one activity in words, with the sentence it was read from.

Each function takes the Datasette instance and a database name and runs its queries through
Datasette (so its time limits apply). Links are built with Datasette's URL helpers.
"""
from __future__ import annotations

import json
import os
from typing import Any

from datasette.utils import tilde_encode
from markupsafe import Markup

from schema.charts import Bar, bar_chart, column_chart
from schema.datasette import CANNED_QUERIES
from schema.reading import Mark, marked_paragraphs, placeable
from schema.views import ACTIVITIES

LATEST_ACTIVITIES = 12
PROVINCES_CHARTED = 12
# Fields as a reader sees them, in the order of the legend.
FIELD_NAMES = {"event": "activity (sentence)", "date": "date", "participants": "participants",
               "organiser": "organiser", "document": "document", "programme": "programme", "place": "place"}


def row_url(datasette: Any, database: str, table: str, key: object) -> str:
    """URL of a row page.

    :param datasette: the Datasette instance
    :param database: database name
    :param table: table name
    :param key: the row's primary key value
    """
    return datasette.urls.row(database, table, tilde_encode(str(key)))


async def _rows(datasette: Any, database: str, sql: str, params: list | dict | None = None) -> list[dict]:
    results = await datasette.get_database(database).execute(sql, params or [])
    return [dict(row) for row in results.rows]


def dates_text(start: str | None, end: str | None) -> str:
    """"2024-03-05 – 2024-03-07", or one date when both are the same; "" when unknown."""
    if not start:
        return end or ""
    return start if not end or end == start else f"{start} – {end}"


def participants_text(total: int | None, qualifier: str | None, unit: str | None) -> str:
    """"hơn 100 đại biểu" from the stored count; "" when unknown."""
    if total is None:
        return ""
    return " ".join(part for part in (qualifier, f"{total:,}".replace(",", "."), unit) if part)


# --- landing page -------------------------------------------------------------------------------

_landing_cache: dict[tuple, dict] = {}


def _file_state(datasette: Any, database: str) -> tuple:
    """Changes whenever the database file (or its write-ahead log) is written."""
    path = datasette.get_database(database).path
    state = []
    for name in (path, f"{path}-wal"):
        try:
            stat = os.stat(name)
            state.append((stat.st_mtime_ns, stat.st_size))
        except (OSError, TypeError):
            state.append(None)
    return (database, *state)


async def landing(datasette: Any, database: str) -> dict:
    """Figures, charts, map points and the latest activities of a database (cached until it changes).

    :param datasette: the Datasette instance
    :param database: database name (must have the activities view)
    """
    key = _file_state(datasette, database)
    if key not in _landing_cache:
        _landing_cache.clear()
        _landing_cache[key] = await _landing(datasette, database)
    return _landing_cache[key]


async def _landing(datasette: Any, database: str) -> dict:
    activities_url = datasette.urls.table(database, ACTIVITIES.name)
    figures = (await _rows(datasette, database,
                           "select (select count(*) from events) as events, "
                           "(select count(*) from articles) as articles, "
                           "(select coalesce(sum(is_training), 0) from articles) as training_articles, "
                           "(select sum(participant_total) from events) as participants, "
                           "(select count(distinct province_code) from events) as provinces"))[0]
    per_year = await _rows(datasette, database, CANNED_QUERIES["events_per_year"]["sql"])
    per_province = await _rows(datasette, database, CANNED_QUERIES["events_per_province"]["sql"])
    year_bars = [Bar(str(row["year"]), row["events"], f"{activities_url}?year={row['year']}") for row in per_year]
    province_bars = [Bar(row["province"] or "?", row["events"],
                         f"{activities_url}?province_code={tilde_encode(str(row['province_code']))}")
                     for row in per_province[:PROVINCES_CHARTED]]
    latest = await _rows(datasette, database,
                         f"select event, dates, kind, province, programme, participants, participant_qualifier, "
                         f"participant_unit, organisers, article, article_id from {ACTIVITIES.name} "
                         f"order by start_date desc limit {LATEST_ACTIVITIES}")
    for row in latest:
        row["event_url"] = row_url(datasette, database, "events", row["event"])
        row["article_url"] = row_url(datasette, database, "articles", row["article_id"])
        row["participants_text"] = participants_text(row["participants"], row["participant_qualifier"],
                                                     row["participant_unit"])
    points = [{"name": row["province"], "events": row["events"], "participants": row["participants"],
               "lat": row["latitude"], "lon": row["longitude"],
               "href": f"{activities_url}?province_code={tilde_encode(str(row['province_code']))}"}
              for row in per_province if row["latitude"] is not None and row["longitude"] is not None]
    return {
        "database": database,
        "figures": figures,
        "year_chart": column_chart(year_bars, "Training events per year"),
        "province_chart": bar_chart(province_bars, "Training events per province"),
        "provinces_more": max(len(per_province) - PROVINCES_CHARTED, 0),
        "latest": latest,
        "map_points": Markup(json.dumps(points, ensure_ascii=False).replace("<", "\\u003c")),
    }


# --- article page -------------------------------------------------------------------------------

_ARTICLE_SQL = """select a.id, a.url, a.site, s.name as site_name, a.title, a.published, a.byline, a.body,
  a.version, a.is_training, a.fetched_at, a.http_status, a.content_hash, a.warc_file, a.warc_offset,
  a.extractor_version
from articles a left join sites s on s.domain = a.site where a.id = :id"""
_EVENTS_SQL = """select e.*, pr.name as province, di.name as district, g.name as programme
from events e left join places pr on pr.code = e.province_code left join places di on di.code = e.district_code
left join programmes g on g.id = e.programme_id where e.article_id = :id order by e.event_no"""
_ORGANISERS_SQL = "select * from event_organizers where article_id = :id order by id"
_MENTIONS_SQL = """select m.*, d.number, d.doc_type_name, d.issuer_name, d.issued, g.name as programme_name,
  p.name as place_name, p.level as place_level
from mentions m left join documents d on d.id = m.document_id left join programmes g on g.id = m.programme_id
left join places p on p.code = m.place_code where m.article_id = :id order by m.span_start, m.id"""


def _event_title(event: dict) -> str:
    what = event.get("kind") or "activity"
    dates = dates_text(event.get("start_date"), event.get("end_date"))
    return f"event {event['event_no']}: {what}" + (f", {dates}" if dates else "")


def _mention_title(mention: dict) -> tuple[str, str]:
    """(field, hover text) of a mention."""
    if mention["kind"] == "document":
        words = ", ".join(part for part in (mention.get("doc_type_name"), mention.get("issuer_name")) if part)
        return "document", f"document: {mention['document_id']}" + (f" ({words})" if words else "")
    if mention["kind"] == "programme":
        detail = f", {mention['detail']}" if mention.get("detail") else ""
        return "programme", f"programme: {mention.get('programme_name') or mention['programme_id']}{detail}"
    name = mention.get("place_name") or mention.get("detail") or mention.get("place_code")
    return "place", f"place: {name} ({mention.get('place_level') or 'unit'}, code {mention.get('place_code')})"


def _event_marks(event: dict) -> list[tuple[int | None, int | None, str | None, Mark]]:
    """(start, end, quote, mark) candidates of an event: its sentence, date and count."""
    anchor = f"event-{event['id']}"
    dates = dates_text(event.get("start_date"), event.get("end_date"))
    count = participants_text(event.get("participant_total"), event.get("participant_qualifier"),
                              event.get("participant_unit"))
    return [
        (event.get("span_start"), event.get("span_end"), event.get("quote"),
         Mark(event.get("span_start") or 0, event.get("span_end") or 0, "event", _event_title(event), anchor)),
        (event.get("date_span_start"), event.get("date_span_end"), event.get("date_quote"),
         Mark(event.get("date_span_start") or 0, event.get("date_span_end") or 0, "date",
              f"date: {dates or 'unknown'}" + (f" ({event['date_precision']})" if event.get("date_precision") else ""))),
        (event.get("participant_span_start"), event.get("participant_span_end"), event.get("participant_quote"),
         Mark(event.get("participant_span_start") or 0, event.get("participant_span_end") or 0, "participants",
              f"participants: {count or 'unknown'}")),
    ]


def _marks(body: str, candidates: list[tuple[int | None, int | None, str | None, Mark]]) -> tuple[list[Mark], int]:
    """The placeable marks, each span and field once, and how many stored spans could not be placed."""
    marks: dict[tuple, Mark] = {}
    unplaced = 0
    for start, end, quote, mark in candidates:
        if start is None and end is None:
            continue  # a value with no span in the text (e.g. the portal's own unit)
        if not placeable(body, start, end, quote):
            unplaced += 1
            continue
        marks.setdefault((mark.start, mark.end, mark.field, mark.title), mark)
    return list(marks.values()), unplaced


async def _derived(datasette: Any, database: str, article_id: object) -> tuple[list, list, list]:
    """An article's events (with place and programme names), organisers and mentions."""
    events = await _rows(datasette, database, _EVENTS_SQL, {"id": article_id})
    organisers = await _rows(datasette, database, _ORGANISERS_SQL, {"id": article_id})
    mentions = await _rows(datasette, database, _MENTIONS_SQL, {"id": article_id})
    return events, organisers, mentions


def _candidates(events: list[dict], organisers: list[dict], mentions: list[dict]) -> list:
    candidates = [candidate for event in events for candidate in _event_marks(event)]
    for organiser in organisers:
        role = " (co-organiser)" if organiser.get("role") == "co-organizer" else ""
        candidates.append((organiser.get("span_start"), organiser.get("span_end"), organiser.get("quote"),
                           Mark(organiser.get("span_start") or 0, organiser.get("span_end") or 0, "organiser",
                                f"organiser: {organiser['name']}{role}")))
    for mention in mentions:
        field, title = _mention_title(mention)
        candidates.append((mention.get("span_start"), mention.get("span_end"), mention.get("quote"),
                           Mark(mention.get("span_start") or 0, mention.get("span_end") or 0, field, title)))
    return candidates


def _describe_events(datasette: Any, database: str, events: list[dict], organisers: list[dict]) -> list[dict]:
    names: dict[int, list[str]] = {}
    for organiser in organisers:
        names.setdefault(organiser["event_id"], []).append(organiser["name"])
    return [{
        "id": event["id"], "event_no": event["event_no"], "kind": event.get("kind"),
        "is_primary": event.get("is_primary"),
        "dates": dates_text(event.get("start_date"), event.get("end_date")),
        "place": ", ".join(part for part in (event.get("district"), event.get("province")) if part),
        "participants": participants_text(event.get("participant_total"), event.get("participant_qualifier"),
                                          event.get("participant_unit")),
        "programme": event.get("programme"),
        "organisers": names.get(event["id"], []),
        "url": row_url(datasette, database, "events", event["id"]),
    } for event in events]


def _mentioned(datasette: Any, database: str, mentions: list[dict]) -> dict[str, list[dict]]:
    """Documents, programmes and places named, each once, in order of first mention."""
    lists: dict[str, dict[str, dict]] = {"document": {}, "programme": {}, "place": {}}
    for mention in mentions:
        kind = mention["kind"]
        if kind == "document" and mention.get("document_id"):
            words = ", ".join(p for p in (mention.get("doc_type_name"), mention.get("issuer_name")) if p)
            lists[kind].setdefault(mention["document_id"], {
                "label": mention["document_id"], "detail": words,
                "url": row_url(datasette, database, "documents", mention["document_id"])})
        elif kind == "programme" and mention.get("programme_id"):
            lists[kind].setdefault(mention["programme_id"], {
                "label": mention.get("programme_name") or mention["programme_id"], "detail": mention.get("detail"),
                "url": row_url(datasette, database, "programmes", mention["programme_id"])})
        elif kind == "place" and mention.get("place_code"):
            lists[kind].setdefault(mention["place_code"], {
                "label": mention.get("place_name") or mention.get("detail") or mention["place_code"],
                "detail": f"{mention.get('place_level') or ''} {mention['place_code']}".strip(),
                "url": row_url(datasette, database, "places", mention["place_code"])})
    return {kind: list(items.values()) for kind, items in lists.items()}


async def article_page(datasette: Any, database: str, article_id: object) -> dict | None:
    """The reading page of one article, or None when there is no such article.

    :param datasette: the Datasette instance
    :param database: database name
    :param article_id: articles.id
    """
    found = await _rows(datasette, database, _ARTICLE_SQL, {"id": article_id})
    if not found:
        return None
    article = found[0]
    body = article["body"] or ""
    events, organisers, mentions = await _derived(datasette, database, article["id"])
    marks, unplaced = _marks(body, _candidates(events, organisers, mentions))
    return {
        "article": article,
        "site_url": row_url(datasette, database, "sites", article["site"]) if article.get("site") else None,
        "paragraphs": marked_paragraphs(body, marks),
        "fields": [(field, name) for field, name in FIELD_NAMES.items() if any(m.field == field for m in marks)],
        "marks": len(marks),
        "unplaced": unplaced,
        "events": _describe_events(datasette, database, events, organisers),
        "mentioned": _mentioned(datasette, database, mentions),
    }


async def event_page(datasette: Any, database: str, event_id: object) -> dict | None:
    """One event in words with the sentence it was read from, or None when there is no such event.

    :param datasette: the Datasette instance
    :param database: database name
    :param event_id: events.id
    """
    found = await _rows(datasette, database, "select article_id from events where id = :id", {"id": event_id})
    if not found:
        return None
    events, organisers, mentions = await _derived(datasette, database, found[0]["article_id"])
    event = next(event for event in events if str(event["id"]) == str(event_id))
    organisers = [organiser for organiser in organisers if organiser["event_id"] == event["id"]]
    article = (await _rows(datasette, database, _ARTICLE_SQL, {"id": event["article_id"]}))[0]
    body = article["body"] or ""
    marks, unplaced = _marks(body, _candidates([event], organisers, mentions))
    start, end = event.get("span_start"), event.get("span_end")
    sentence: list[Markup] = []
    if placeable(body, start, end, event.get("quote")):
        inside = [Mark(m.start - start, m.end - start, m.field, m.title) for m in marks
                  if m.field != "event" and m.start >= start and m.end <= end]
        sentence = marked_paragraphs(body[start:end], inside)
    described = _describe_events(datasette, database, [event], organisers)[0]
    return {
        "event": event,
        "described": described,
        "duration_days": event.get("duration_days"),
        "classes": event.get("classes"),
        "province_url": row_url(datasette, database, "places", event["province_code"]) if event.get("province_code") else None,
        "district_url": row_url(datasette, database, "places", event["district_code"]) if event.get("district_code") else None,
        "programme_url": row_url(datasette, database, "programmes", event["programme_id"]) if event.get("programme_id") else None,
        "article": article,
        "article_url": row_url(datasette, database, "articles", article["id"]) + f"#event-{event['id']}",
        "sentence": sentence,
        "unplaced": unplaced,
        "mentioned": _mentioned(datasette, database, [m for m in mentions if m["event_id"] == event["id"]]),
    }
