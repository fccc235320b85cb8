"""Researchers' corrections where people look, over HTTP: a corrected value is marked with the
value extracted and the note on the event page, the article page and the activities list; a
rejected event is shown as rejected and counted nowhere (landing figures, charts, queries).

A real Datasette on a copy of the dev database in which a count was corrected and an event
rejected with `store.corrections.correct_event`, as `vntrain correct` does.
"""
from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest

from test_analyst_pages import get, served
from test_datasette import get_json, sql

COUNT_NOTE = "The text counts the trainers twice"
REJECT_NOTE = "A meeting about training, not a training"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> Iterator[dict]:
    """A Datasette on a copy of built_db with one corrected count and one rejected event."""
    from store import open_database
    from store.corrections import correct_event

    db_path = tmp_path_factory.mktemp("corrected") / "training.db"
    source = sqlite3.connect(built_db)
    target = sqlite3.connect(db_path)
    source.backup(target)
    source.close()
    target.close()
    counted, count, article = sql(db_path, "select id, participant_total, article_id from events where "
                                           "participant_total is not null and participant_quote is not null and "
                                           "province_code is not null order by id limit 1")[0]
    rejected, rejected_article = sql(db_path, "select id, article_id from events where article_id != ? and year "
                                              "is not null and province_code is not null order by id limit 1",
                                     article)[0]
    db = open_database(db_path)
    correct_event(db, counted, {"participant_total": str(count + 7)}, note=COUNT_NOTE, author="tester")
    correct_event(db, rejected, {"rejected": "true"}, note=REJECT_NOTE, author="tester")
    db.close()
    with served(db_path) as base:
        yield {"url": base, "db": db_path, "counted": counted, "count": count, "article": article,
               "rejected": rejected, "rejected_article": rejected_article}


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_event_page_marks_the_corrected_value_with_the_extracted_one_and_the_note(corrected: dict) -> None:
    page = get(corrected["url"], f"/training/events/{corrected['counted']}")
    facts = re.search(r'<dl class="event-facts">(.*?)</dl>', page, re.S).group(1)
    participants = re.search(r"<dt>participants</dt><dd>(.*?)</dd>", facts, re.S).group(1)
    assert 'class="corrected"' in participants
    text = _text(participants)
    assert f"{corrected['count'] + 7}" in text and f"extracted {corrected['count']}" in text and COUNT_NOTE in text
    table = re.search(r'<table class="corrections">.*?</table>', page, re.S).group()
    assert COUNT_NOTE in _text(table) and "tester" in table and "applied" in table


def test_article_page_marks_the_corrected_value(corrected: dict) -> None:
    page = get(corrected["url"], f"/training/articles/{corrected['article']}")
    side = re.search(r'<aside class="reading-side">(.*?)</aside>', page, re.S).group(1)
    event = re.search(rf'<div class="side-event[^"]*">\s*<p><a href="/training/events/{corrected["counted"]}">'
                      r'(.*?)</div>', side, re.S).group(1)
    assert "✎ corrected" in event and COUNT_NOTE in _text(event) and f"extracted {corrected['count']}" in _text(event)
    # In the text, the count read is marked as corrected, the note on hover.
    mark = re.search(r'<mark class="v v-participants v-corrected" data-field="participants" title="([^"]*)"', page)
    assert mark and COUNT_NOTE in html.unescape(mark.group(1))


def test_activities_list_marks_corrected_cells_and_shows_the_corrected_column(corrected: dict) -> None:
    page = get(corrected["url"], "/training/activities", _size="max")
    headers = re.findall(r'<th (hidden )?[^>]*data-column="([^"]+)"', page)
    assert ("", "corrected") in headers
    row = re.search(rf'<tr>\s*<td class="col-event[^"]*"><a href="/training/events/{corrected["counted"]}">.*?</tr>',
                    page, re.S).group()
    cell = re.search(r'<td class="col-participants[^"]*">(.*?)</td>', row, re.S).group(1)
    assert 'class="corrected"' in cell and f"extracted: {corrected['count']}" in _text(cell)
    assert COUNT_NOTE in html.unescape(re.search(r'class="corrected" title="([^"]*)"', cell).group(1))
    column = re.search(r'<td class="col-corrected[^"]*">(.*?)</td>', row, re.S).group(1)
    assert "participants" in column and COUNT_NOTE in _text(column)


def test_rejected_event_is_shown_as_rejected(corrected: dict) -> None:
    page = get(corrected["url"], f"/training/events/{corrected['rejected']}")
    banner = re.search(r'<p class="rejected-banner">(.*?)</p>', page, re.S)
    assert banner and REJECT_NOTE in _text(banner.group(1))
    assert 'class="event-page event-rejected"' in page
    article = get(corrected["url"], f"/training/articles/{corrected['rejected_article']}")
    side = re.search(rf'<div class="side-event side-event-rejected">\s*<p><a href="/training/events/'
                     rf'{corrected["rejected"]}">(.*?)</div>', article, re.S)
    assert side and "rejected" in side.group(1) and REJECT_NOTE in _text(side.group(1))
    assert re.search(rf'<span id="event-{corrected["rejected"]}" class="v v-event v-rejected"', article) or not sql(
        corrected["db"], "select 1 from events where id = ? and span_start is not null", corrected["rejected"])
    rows = get_json(corrected["url"], "/training/activities.json", _shape="array", _size="max")
    assert corrected["rejected"] not in {row["event"] for row in rows}


def test_rejected_events_are_counted_nowhere(corrected: dict) -> None:
    kept, participants, provinces = sql(corrected["db"], "select count(*), sum(participant_total), count(distinct "
                                                         "province_code) from events where rejected is not 1")[0]
    (everything,) = sql(corrected["db"], "select count(*) from events")[0]
    assert kept == everything - 1
    for path in ("/", "/training"):
        figures = re.search(r'<p class="figures">(.*?)</p>', get(corrected["url"], path), re.S).group(1)
        assert f"<strong>{kept:,}</strong> training activities" in figures
        assert f"<strong>{participants:,}</strong> participants" in figures
        assert f"<strong>{provinces}</strong> provinces" in figures
        assert "1 rejected by researchers, not counted" in figures
    per_year = get_json(corrected["url"], "/training/events_per_year.json", _shape="array")
    per_province = get_json(corrected["url"], "/training/events_per_province.json", _shape="array")
    (dated,) = sql(corrected["db"], "select count(*) from events where rejected is not 1 and year is not null")[0]
    (placed,) = sql(corrected["db"], "select count(*) from events where rejected is not 1 and province_code is not "
                                     "null")[0]
    assert sum(row["events"] for row in per_year) == dated
    assert sum(row["events"] for row in per_province) == placed
    totals = get_json(corrected["url"], "/training/participants_by_programme_and_year.json", programme="",
                      _shape="array")
    assert sum(row["events"] for row in totals) == kept
