"""What the analyst pages show, read from the database Datasette serves.

- `landing`: key figures, events per year and per province (charts and map), latest activities.
- `article_page`: an article as a reading page, every extracted value marked in its text, and
  the events, documents, programmes and places read from it.
- `event_page`: one activity in words, with the sentence it was read from.
- `place_page`, `document_page`: the activities of a place, the articles that cite a document.
- `search_page`: activities and articles that a query finds, as readable lists.

Researchers' corrections (table `corrections`) are shown where the values are: a corrected value
is marked with the value the extractor had read and the researcher's note, a rejected event is
shown as rejected (`event_corrections`, `CORRECTION_COLUMNS`). Rejected events are left out of
every count (schema.views.not_rejected).

Each function takes the Datasette instance and a database name and runs its queries through
Datasette (so its time limits apply). Links are built with Datasette's URL helpers.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from datasette.utils import tilde_encode
from markupsafe import Markup

from schema.cache import PerFileState
from schema.charts import Bar, bar_chart, column_chart
from schema.datasette import CANNED_QUERIES, EVENT_SEARCH
from schema.event_search import event_match_sql
from schema.reading import Mark, marked_paragraphs, placeable
from schema.tables import reform_successor
from schema.views import ACTIVITIES, not_rejected

LATEST_ACTIVITIES = 12
PROVINCES_CHARTED = 12
# Fields as a reader sees them, in the order of the legend.
FIELD_NAMES = {"event": "activity (sentence)", "date": "date", "participants": "participants",
               "organiser": "organiser", "document": "document", "programme": "programme", "place": "place"}
STATE_NAMES = {"corrected": "corrected by a researcher", "rejected": "activity rejected by a researcher"}


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


def readable_time(value: str | None) -> str:
    """A stored ISO date or date-time as people read it: "25 Jan 2024, 14:24" (the time as the
    site gave it, in its own zone), "25 Jan 2024"; anything else as stored; "" when empty.

    :param value: e.g. "2024-01-25T14:24:00+07:00" or "2024-01-25"
    """
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    day = f"{moment.day} {moment:%b %Y}"
    return day if len(value) <= 10 else f"{day}, {moment:%H:%M}"


# --- corrections --------------------------------------------------------------------------------

# Corrected field (corrections.field) -> what the pages call it.
CORRECTION_LABELS = {"start_date": "start date", "end_date": "end date", "participant_total": "participants",
                     "province_code": "province", "district_code": "district", "programme_id": "programme",
                     "kind": "kind", "rejected": "rejected"}
# Column of a list (the activities view, the events table) -> the corrected fields it shows.
CORRECTION_COLUMNS = {"dates": ("start_date", "end_date"), "participants": ("participant_total",),
                      "province": ("province_code",), "district": ("district_code",),
                      "programme": ("programme_id",), "kind": ("kind",),
                      **{field: (field,) for field in CORRECTION_LABELS if field != "rejected"}}
_CORRECTIONS_SQL = """select e.id as event_id, c.field, c.value, c.extracted_value, c.note, c.author, c.created_at,
  c.status, case when c.field in ('province_code', 'district_code')
                 then (select name from places where code = c.extracted_value)
                 when c.field = 'programme_id' then (select name from programmes where id = c.extracted_value)
            end as extracted_name
from events e join articles a on a.id = e.article_id
join corrections c on c.article_url = a.url and c.event_no = e.event_no
where e.id in (select value from json_each(:ids)) order by e.id, c.field"""


def _correction_text(correction: dict, label: str | None = None) -> str:
    """"participants: 120, extracted 100. Note: … (author)": what the pages show of a correction.

    :param correction: a row of event_corrections
    :param label: what to call the value (default: the field's label)
    """
    if correction["field"] == "rejected":
        text = "rejected by a researcher" if correction.get("value") == "1" else "rejection withdrawn"
    else:
        was = correction.get("extracted_name") or correction.get("extracted_value")
        text = (f"{label or CORRECTION_LABELS.get(correction['field'], correction['field'])}: "
                f"{correction.get('value') or '(no value)'}, extracted {'(none)' if was is None else was}")
    if correction.get("note"):
        text += f". Note: {correction['note']}"
    if correction.get("author"):
        text += f" ({correction['author']})"
    if correction.get("status") == "stale":
        text += ". Not applied: the article changed since (stale), to be reviewed"
    return text


async def event_corrections(datasette: Any, database: str, event_ids: list) -> dict[int, dict[str, dict]]:
    """Researchers' corrections of events: event id -> field -> the correction (with `label` and
    `text`, the line the pages show).

    :param datasette: the Datasette instance
    :param database: database name
    :param event_ids: events.id values
    """
    if not event_ids:
        return {}
    found: dict[int, dict[str, dict]] = {}
    for row in await _rows(datasette, database, _CORRECTIONS_SQL, {"ids": json.dumps(list(event_ids))}):
        row["label"] = CORRECTION_LABELS.get(row["field"], row["field"])
        row["text"] = _correction_text(row)
        found.setdefault(row["event_id"], {})[row["field"]] = row
    return found


def corrections_text(corrections: list[dict], label: str) -> str:
    """The corrections of one shown value in a line: corrections alike (a start and end date set
    to the same day for the same reason) are told once, under the value's label.

    :param corrections: corrections of the fields the value shows (corrections_of_column)
    :param label: what the page calls the value ("dates")
    """
    alike: dict[tuple, list[dict]] = {}
    for correction in corrections:
        key = tuple(correction.get(name) for name in ("value", "extracted_value", "note", "author", "status"))
        alike.setdefault(key, []).append(correction)
    return "; ".join(group[0]["text"] if len(group) == 1 else _correction_text(group[0], label)
                     for group in alike.values())


def column_corrected(corrected: str | None, column: str) -> bool:
    """Whether a list's column shows a field that `events.corrected` names.

    :param corrected: events.corrected (comma-separated fields)
    :param column: a column of the activities view or the events table
    """
    fields = set((corrected or "").split(","))
    return any(field in fields for field in CORRECTION_COLUMNS.get(column, ()))


def corrections_of_column(corrections: dict[str, dict], column: str) -> list[dict]:
    """The applied corrections a list's column shows (CORRECTION_COLUMNS).

    :param corrections: one event's corrections (field -> correction)
    :param column: a column of the activities view or the events table
    """
    return [corrections[field] for field in CORRECTION_COLUMNS.get(column, ())
            if field in corrections and corrections[field].get("status") == "applied"]


# --- lists of activities (landing, place and search pages: templates/_activities_table.html) ------

_ACTIVITY_LIST_COLUMNS = ("event, dates, kind, province, district, programme, participants, participant_qualifier, "
                          "participant_unit, organisers, article, article_id, corrected")


async def activity_rows(datasette: Any, database: str, condition: str, params: dict, limit: int) -> list[dict]:
    """The latest activities that meet a condition, with the links and texts the tables show.

    :param datasette: the Datasette instance
    :param database: database name
    :param condition: SQL condition on the activities view
    :param params: its parameters
    :param limit: how many rows at most
    """
    rows = await _rows(datasette, database, f"select {_ACTIVITY_LIST_COLUMNS} from {ACTIVITIES.name} "
                                            f"where {condition} order by start_date desc, event desc limit {int(limit)}",
                       params)
    for row in rows:
        row["event_url"] = row_url(datasette, database, "events", row["event"])
        row["article_url"] = row_url(datasette, database, "articles", row["article_id"])
        row["participants_text"] = participants_text(row["participants"], row["participant_qualifier"],
                                                     row["participant_unit"])
    return rows


async def _count(datasette: Any, database: str, sql: str, params: dict) -> int:
    return (await _rows(datasette, database, sql, params))[0]["n"]


# --- landing page -------------------------------------------------------------------------------

# One landing page per database, kept until its file changes (schema.cache).
_landings = PerFileState(max_entries=8)


async def landing(datasette: Any, database: str) -> dict:
    """Figures, charts, map points and the latest activities of a database (kept until it changes).

    :param datasette: the Datasette instance
    :param database: database name (must have the activities view)
    """
    return await _landings.get(datasette, database, "landing", lambda: _landing(datasette, database))


async def _landing(datasette: Any, database: str) -> dict:
    activities_url = datasette.urls.table(database, ACTIVITIES.name)
    kept = not_rejected()
    # Each query reads a whole index at a million events: they run side by side (Datasette's SQL
    # threads), and each scan is shared where it can be (the rejected are all events less the
    # others, the provinces are the rows of the per-province chart).
    events, articles, per_year, per_province, latest = await asyncio.gather(
        _rows(datasette, database, "select count(*) as events, sum(participant_total) as participants, "
                                   f"(select count(*) from events) as all_events from events where {kept}"),
        _rows(datasette, database, "select count(*) as articles, coalesce(sum(is_training), 0) as training_articles "
                                   "from articles"),
        _rows(datasette, database, CANNED_QUERIES["events_per_year"]["sql"]),
        _rows(datasette, database, CANNED_QUERIES["events_per_province"]["sql"]),
        activity_rows(datasette, database, "1", {}, LATEST_ACTIVITIES))
    figures = {"events": events[0]["events"], **articles[0], "participants": events[0]["participants"],
               "provinces": len(per_province), "rejected": events[0]["all_events"] - events[0]["events"]}
    year_bars = [Bar(str(row["year"]), row["events"], f"{activities_url}?year={row['year']}") for row in per_year]
    province_bars = [Bar(row["province"] or "?", row["events"],
                         f"{activities_url}?province_code={tilde_encode(str(row['province_code']))}")
                     for row in per_province[:PROVINCES_CHARTED]]
    points = [{"name": row["province"], "events": row["events"], "participants": row["participants"],
               "lat": row["latitude"], "lon": row["longitude"],
               "href": f"{activities_url}?province_code={tilde_encode(str(row['province_code']))}"}
              for row in per_province if row["latitude"] is not None and row["longitude"] is not None]
    return {
        "database": database,
        "figures": figures,
        "rejected_url": f"{datasette.urls.table(database, 'events')}?rejected=1",
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


def _with_notes(title: str, corrections: list[dict]) -> str:
    """A mark's hover text with what researchers made of the value."""
    return title + "".join(f" | {correction['text']}" for correction in corrections)


def _event_marks(event: dict) -> list[tuple[int | None, int | None, str | None, Mark]]:
    """(start, end, quote, mark) candidates of an event: its sentence, date and count (the text
    keeps what the extractor read; a corrected or rejected value is marked so, with the note)."""
    anchor = f"event-{event['id']}"
    corrections = event.get("corrections") or {}
    dates = dates_text(event.get("start_date"), event.get("end_date"))
    count = participants_text(event.get("participant_total"), event.get("participant_qualifier"),
                              event.get("participant_unit"))
    rejected = event.get("rejected") == 1
    sentence_title = _event_title(event)
    if rejected:
        sentence_title += f" | {corrections['rejected']['text'] if 'rejected' in corrections else 'rejected'}"
    date_notes = corrections_of_column(corrections, "dates")
    count_notes = corrections_of_column(corrections, "participants")
    return [
        (event.get("span_start"), event.get("span_end"), event.get("quote"),
         Mark(event.get("span_start") or 0, event.get("span_end") or 0, "event", sentence_title, anchor,
              "rejected" if rejected else None)),
        (event.get("date_span_start"), event.get("date_span_end"), event.get("date_quote"),
         Mark(event.get("date_span_start") or 0, event.get("date_span_end") or 0, "date",
              _with_notes(f"date: {dates or 'unknown'}"
                          + (f" ({event['date_precision']})" if event.get("date_precision") else ""), date_notes),
              state="corrected" if date_notes else None)),
        (event.get("participant_span_start"), event.get("participant_span_end"), event.get("participant_quote"),
         Mark(event.get("participant_span_start") or 0, event.get("participant_span_end") or 0, "participants",
              _with_notes(f"participants: {count or 'unknown'}", count_notes),
              state="corrected" if count_notes else None)),
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
    """An article's events (with place and programme names and their `corrections`), organisers and mentions."""
    events = await _rows(datasette, database, _EVENTS_SQL, {"id": article_id})
    corrections = await event_corrections(datasette, database, [event["id"] for event in events])
    for event in events:
        event["corrections"] = corrections.get(event["id"], {})
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


def _notes(corrections: dict[str, dict]) -> dict[str, str]:
    """What researchers corrected of an event, per value the pages show (dates, place, ...)."""
    columns = {"dates": ("dates",), "place": ("district", "province"), "province": ("province",),
               "district": ("district",), "participants": ("participants",), "programme": ("programme",),
               "kind": ("kind",)}
    notes = {key: corrections_text([c for column in shown for c in corrections_of_column(corrections, column)], key)
             for key, shown in columns.items()}
    return {key: text for key, text in notes.items() if text}


def _describe_events(datasette: Any, database: str, events: list[dict], organisers: list[dict]) -> list[dict]:
    names: dict[int, list[str]] = {}
    for organiser in organisers:
        names.setdefault(organiser["event_id"], []).append(organiser["name"])
    return [{
        "id": event["id"], "event_no": event["event_no"], "kind": event.get("kind"),
        "is_primary": event.get("is_primary"),
        "rejected": event.get("rejected") == 1,
        "rejection": (event.get("corrections") or {}).get("rejected"),
        "notes": _notes(event.get("corrections") or {}),
        "corrections": list((event.get("corrections") or {}).values()),
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
    paragraphs = marked_paragraphs(body, marks)
    # Many portals print the headline again as the text's first line: it is shown once, as the
    # heading, with the values marked in it.
    first_line = next((line for line in body.split("\n") if line.strip()), "")
    headline = paragraphs.pop(0) if paragraphs and _same_words(first_line, article.get("title")) else None
    described = _describe_events(datasette, database, events, organisers)
    return {
        "article": article,
        "published": readable_time(article.get("published")),
        "site_url": row_url(datasette, database, "sites", article["site"]) if article.get("site") else None,
        "headline": headline,
        "paragraphs": paragraphs,
        "fields": [(field, name) for field, name in FIELD_NAMES.items() if any(m.field == field for m in marks)],
        "states": [(state, name) for state, name in STATE_NAMES.items() if any(m.state == state for m in marks)],
        "marks": len(marks),
        "unplaced": unplaced,
        "events": described,
        "rejected": sum(1 for event in described if event["rejected"]),
        "mentioned": _mentioned(datasette, database, mentions),
    }


def _same_words(text: str | None, other: str | None) -> bool:
    """Whether two texts have the same words (spacing and case aside)."""
    return bool(text and other) and " ".join(text.split()).casefold() == " ".join(other.split()).casefold()


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
        inside = [replace(m, start=m.start - start, end=m.end - start, anchor=None) for m in marks
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
        "published": readable_time(article.get("published")),
        "article_url": row_url(datasette, database, "articles", article["id"]) + f"#event-{event['id']}",
        "sentence": sentence,
        "unplaced": unplaced,
        "mentioned": _mentioned(datasette, database, [m for m in mentions if m["event_id"] == event["id"]]),
    }


# --- place and document pages -------------------------------------------------------------------

PAGE_LIST_SIZE = 20
# The events column that holds a unit of each level (communes are in mentions only).
_EVENT_COLUMN_OF_LEVEL = {"province": "province_code", "district": "district_code"}
_PLACE_SQL = """select p.*, parent.name as parent_name from places p left join places parent on parent.code = p.parent_code
where p.code = :code"""
# The latest articles with a mention whose {column} is :key. Few: read them through the mentions
# (the sparse index of {column} and article_id) and sort them. Many (a province in every tenth
# article): walk the articles newest first and keep those the index says name it, which stops
# after a page instead of reading and sorting hundreds of thousands of articles.
_NAMING_ARTICLES_SQL = {
    "few": """select a.id, a.title, a.published, a.site from articles a
where a.id in (select article_id from mentions where {column} = :key) order by a.published desc, a.id desc
limit {limit}""",
    "many": """select a.id, a.title, a.published, a.site from articles a
where exists (select 1 from mentions m where m.{column} = :key and m.article_id = a.id)
order by a.published desc, a.id desc limit {limit}""",
}
_FEW_NAMING_ARTICLES = 5000


def _articles_through(datasette: Any, database: str, column: str, key: object) -> str:
    """The articles table listing the articles with a mention whose `column` is `key` (Datasette's _through)."""
    through = json.dumps({"table": "mentions", "column": column, "value": str(key)}, ensure_ascii=False)
    return f"{datasette.urls.table(database, 'articles')}?{urlencode({'_through': through})}"


async def _naming_articles(datasette: Any, database: str, column: str, key: object) -> tuple[list[dict], int]:
    """The latest articles with a mention whose `column` is `key`, and how many there are."""
    total = await _count(datasette, database, f"select count(distinct article_id) as n from mentions "
                                              f"where {column} = :key", {"key": key})
    sql = _NAMING_ARTICLES_SQL["few" if total <= _FEW_NAMING_ARTICLES else "many"]
    rows = await _rows(datasette, database, sql.format(column=column, limit=PAGE_LIST_SIZE), {"key": key})
    for row in rows:
        row["url"] = row_url(datasette, database, "articles", row["id"])
        row["published_text"] = readable_time(row["published"])
    return rows, total


async def place_page(datasette: Any, database: str, code: object) -> dict | None:
    """A place: its activities (the latest, and the filtered list of all), the articles naming it,
    the units in it; None when there is no such place.

    :param datasette: the Datasette instance
    :param database: database name
    :param code: places.code
    """
    found = await _rows(datasette, database, _PLACE_SQL, {"code": code})
    if not found:
        return None
    place = found[0]
    column = _EVENT_COLUMN_OF_LEVEL.get(place.get("level"))
    activities, total = [], 0
    if column:
        condition = f"{column} = :code"
        activities = await activity_rows(datasette, database, condition, {"code": code}, PAGE_LIST_SIZE)
        total = await _count(datasette, database, f"select count(*) as n from {ACTIVITIES.name} where {condition}",
                             {"code": code})
    articles, articles_total = await _naming_articles(datasette, database, "place_code", code)
    units = await _rows(datasette, database, "select code, name, type, level from places where parent_code = :code "
                                             "order by level, name", {"code": code})
    for unit in units:
        unit["url"] = row_url(datasette, database, "places", unit["code"])
    activities_url = datasette.urls.table(database, ACTIVITIES.name)
    successor_name, successor = reform_successor(place)  # (linked when places holds it)
    stored = successor and await _rows(datasette, database, "select code from places where code = :code", {"code": successor})
    return {
        "place": place,
        "parent_url": row_url(datasette, database, "places", place["parent_code"]) if place.get("parent_code") else None,
        "successor_name": successor_name,
        "successor_url": row_url(datasette, database, "places", successor) if stored else None,
        "activities": activities,
        "activities_total": total,
        "activities_url": f"{activities_url}?{column}={tilde_encode(str(code))}" if column else None,
        "articles": articles,
        "articles_total": articles_total,
        "articles_url": _articles_through(datasette, database, "place_code", code),
        "units": units,
    }


async def document_page(datasette: Any, database: str, document_id: object) -> dict | None:
    """A document and the articles that cite it (the latest, with the sentence); None when there
    is no such document.

    :param datasette: the Datasette instance
    :param database: database name
    :param document_id: documents.id
    """
    found = await _rows(datasette, database, "select * from documents where id = :id", {"id": document_id})
    if not found:
        return None
    articles, total = await _naming_articles(datasette, database, "document_id", document_id)
    return {
        "document": found[0],
        "articles": articles,
        "articles_total": total,
        "articles_url": _articles_through(datasette, database, "document_id", document_id),
    }


# --- search page --------------------------------------------------------------------------------

_ARTICLES_FOUND_SQL = "select count(*) as n from articles_fts where articles_fts match vn_match(:q)"


async def search_page(datasette: Any, database: str, query: str) -> dict:
    """What a query finds: the latest activities (the rule of the activities search box) and the
    best-matching articles (the canned query search_articles), with links to all of them.

    :param datasette: the Datasette instance
    :param database: database name
    :param query: what the user typed ("" for the empty page)
    """
    page = {"database": database, "query": query, "activities": [], "articles": [], "activities_total": 0,
            "articles_total": 0}
    if not query.strip():
        return page
    roles = EVENT_SEARCH[ACTIVITIES.name]
    condition = event_match_sql(roles["article"], roles["places"], "q")
    page["activities"] = await activity_rows(datasette, database, condition, {"q": query}, PAGE_LIST_SIZE)
    page["activities_total"] = await _count(datasette, database,
                                            f"select count(*) as n from {ACTIVITIES.name} where {condition}",
                                            {"q": query})
    articles = await _rows(datasette, database, CANNED_QUERIES["search_articles"]["sql"], {"q": query})
    for row in articles[:PAGE_LIST_SIZE]:
        row["url"] = row_url(datasette, database, "articles", row["article_id"])
        row["published_text"] = readable_time(row["published"])
    page["articles"] = articles[:PAGE_LIST_SIZE]
    page["articles_total"] = await _count(datasette, database, _ARTICLES_FOUND_SQL, {"q": query})
    search = {"_search": query}
    page["activities_url"] = f"{datasette.urls.table(database, ACTIVITIES.name)}?{urlencode(search)}"
    page["articles_url"] = f"{datasette.urls.table(database, 'articles')}?{urlencode(search)}"
    return page
