"""One article in, one record out: the extractor's entry point (pure, no I/O)."""
from __future__ import annotations

import re
from datetime import date

from .classify import classify
from .counts import count_record, find_counts
from .dates import YearContext, date_record, find_dates, find_durations, find_year_hints, same_period_last_year, url_year
from .document import Doc, Occupied
from .documents import document_record, find_documents
from .events import Mentions, build_events
from reader.article import PageError, head_text, looks_like_html, read_page
from .locations import PlaceFinder
from .organizers import find_organizers, organizer_record
from .programmes import find_programmes, programme_records
from .resources import extractor_version

EXTRACTOR_VERSION = extractor_version("0.2.0")
_TRAINING_WORDS = re.compile(r"tập huấn|bồi dưỡng|huấn luyện|đào tạo nghề|lớp học|khóa học|dạy nghề")


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _parse_published(value: str | None) -> date | None:
    """ISO (2023-11-07, 2023-11-07T15:32:00+07:00) or day-first (07/11/2023) publication date."""
    if not value:
        return None
    value = str(value).strip()
    iso_form = _ISO_DATE.match(value)
    day_first = _DAY_FIRST_DATE.match(value)
    if iso_form:
        year, month, day = iso_form.groups()
    elif day_first:
        day, month, year = day_first.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def extract_record(text: str | None = None, *, html: str | None = None, url: str | None = None,
                   published: str | None = None, id: str | int | None = None) -> dict:
    """Extract the training-activity record of one article.

    :param text: the article as plain text (spans point into it)
    :param html: the article as HTML, when no text is given (or when `text` is itself HTML); the
        record then carries the plain `text` its spans point into
    :param url: the article's address: its portal places the article, its path may carry a year
    :param published: publication date (YYYY-MM-DD…) as the portal gives it
    :param id: the caller's identifier, copied to the record
    """
    record_text = None
    if text is None or looks_like_html(text):
        page = html if text is None else text
        try:
            # The one page reader: title, lead and body, captions and chrome left out.
            article = read_page(page, url)
            text = article.text()
            published = published or article.published
        except PageError:  # a page without a body (a stub, a redirect page): its head is all it says
            text = head_text(page, url)
        record_text = text
    doc = Doc(text, url=url, published=_parse_published(published))

    documents = find_documents(doc)
    dates = find_dates(doc, [(d.start, d.end) for d in documents])
    issued = Occupied(len(doc.norm.text))
    for d in documents:
        if d.issued_range:
            issued.add(*d.issued_range)
    for m in dates:
        if issued.overlaps(m.start, m.start + 1):
            m.role = "document_issue"
    published_date, published_source = doc.published, "input" if doc.published else None
    if not published_date:
        pub = next((m for m in dates if m.role == "publication" and m.y1 and m.d1), None)
        if pub:
            published_date, published_source = date(pub.y1, pub.m1, pub.d1), "text"

    hints = find_year_hints(doc)
    text_year = next((h.year for h in hints if h.in_title), None) or same_period_last_year(doc) or \
        next((h.year for h in hints), None) or next((m.y2 for m in dates if m.role == "event" and m.y2), None)
    ctx = YearContext(published_date, url_year(url), text_year)
    reference = published_date or _latest_explicit(dates)
    finder = PlaceFinder(doc, reference)
    places = finder.find() + finder.url_places()
    counts = find_counts(doc, [(d.start, d.end) for d in documents] + [(d.start, d.end) for d in dates])
    organizers = find_organizers(doc)
    dated = any(m.role == "event" and m.kind in ("day", "range") and doc.sentence_has(_TRAINING_WORDS, m.start)
                for m in dates)
    verdict = classify(doc, attendance=any(c.role == "participants" for c in counts), organised=bool(organizers),
                       dated=dated)

    document_list = _unique(document_record(doc, d) for d in documents)
    events = []
    if verdict.is_training:
        mentions = Mentions(dates, find_durations(doc), counts, places, organizers, hints, ctx)
        events = build_events(doc, mentions, [], list(dict.fromkeys(d["number"] for d in document_list)))

    # A programme named without its period takes the phase of the primary activity's year.
    primary_start = events[0]["start_date"] if events else None
    event_year = (int(primary_start[:4]) if primary_start and primary_start[:4].isdigit() else None) \
        or _event_year(dates, ctx) or (published_date.year if published_date else None) or ctx.url_year or text_year
    programmes = find_programmes(doc, {d.number for d in documents}, event_year)
    programme_list = programme_records(doc, programmes)
    for event in events:
        event["programmes"] = [p["id"] for p in programme_list]

    record = {
        "id": id,
        "url": url,
        "title": doc.text[slice(*doc.norm.span(*doc.title))] if doc.title else None,
        "published": published_date.isoformat() if published_date else None,
        "published_source": published_source,
        "is_training": verdict.is_training,
        "training_evidence": [doc.mention(a, b) for a, b in verdict.evidence],
        "training_reason": verdict.reason,
        "events": events,
        "documents": document_list,
        "programmes": programme_list,
        "locations": [p.record(doc) for p in places],
        "organizers": [organizer_record(doc, o) for o in organizers],
        "dates": [date_record(doc, m, ctx) for m in dates],
        "counts": [count_record(doc, c) for c in counts],
        "extractor_version": EXTRACTOR_VERSION,
    }
    if doc.warnings:
        record["warnings"] = [{"warning": what, "count": n} for what, n in doc.warnings.items()]
    if record_text is not None:
        record["text"] = record_text
    return record


def _latest_explicit(dates) -> date | None:
    explicit = [date(m.y2, m.m2, m.d2 or 1) for m in dates if m.y2]
    return max(explicit) if explicit else None


def _event_year(dates, ctx: YearContext) -> int | None:
    for m in dates:
        if m.role == "event" and m.kind in ("day", "range"):
            year = m.y1 or ctx.year_for(m.m1, m.d1)[0]
            if year:
                return year
    return None


def _unique(records) -> list[dict]:
    """Each document once per (number, issued) with its first mention."""
    out, seen = [], set()
    for r in records:
        key = (r["number"], r["issued"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
