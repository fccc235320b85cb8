"""Assemble training activities (events) from the mentions of one article.

The primary activity is the one the headline and lead are about; further activities are reported
in sentences that open with a transition ("Bên cạnh đó", "Trước đó", "Ngoài ra") and say that a
training was held. Each event gathers the dates, counts, places and organisers of its own part of
the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .counts import Count
from .dates import DateMention, Duration, YearContext, YearHint, iso, resolve
from .document import Doc
from .locations import Place
from .organizers import Organizer
from .patterns import WORD, AnyOf, word_start_after_letter, words

_TRANSITION = re.compile(r"\W*(?:bên cạnh đó|trước đó|ngoài ra|sau đó|tiếp đó|tiếp theo|cũng trong|đồng thời|mặt khác)\b")
_HELD = re.compile(words(["tổ chức", "hoàn thành", "mở", "khai giảng", "khai mạc"], WORD))
_TERM = re.compile(r"tập huấn|bồi dưỡng|huấn luyện|đào tạo|dạy nghề|lớp học|khóa học")
_FOLLOW_SENTENCES = 3
# A report names a handful of further activities; a text with thousands of "Bên cạnh đó, … tổ chức
# tập huấn" sentences gets the first ones and a counted warning (each event reads every mention).
MAX_FURTHER_EVENTS = 20
_LEAD_SENTENCES = 3  # "tại X" counts as the venue when it comes this close to the first place named
_TOTAL_SENTENCES = 2  # a total stated after its parts comes this close to them
# (Asked only whether a sentence holds one: `AnyOf`, each part opening with a literal.)
_ATTENDANCE = AnyOf(r"tham dự|tham gia|học viên|đại biểu|lớp|khai mạc|khai giảng|hội nghị|được (?:nghe|truyền đạt|"
                    r"trang bị|tiếp thu|phổ biến|hướng dẫn|bồi dưỡng|cung cấp|giới thiệu|quán triệt|học)"
                    r"|về dự\b|tới dự\b|đến dự\b|cùng dự\b|có mặt|góp mặt|thu hút|quy tụ|theo học|với sự tham",
                    r"d(?<!\w[\s\S])ự(?: (?:lớp|buổi|hội nghị|khai mạc|khai giảng|bế giảng|tập huấn)|(?=\s*(?:[.,;]|$)))")
# A lead sentence about issuing a document or a plan gives that act's date, not the activity's.
_DOCUMENT_ACT = re.compile(words(["ban hành", "phê duyệt", "ký ban hành", "ký quyết định", "ký kết", "công bố quyết định"],
                                 WORD))
# "tại hội trường UBND huyện X", "ở xã Y": the place of the activity; no clause break in between.
_AT = re.compile(word_start_after_letter(r"\b(?:tại|ở|về)\b[^,.;:\n()]{0,40}$"))


@dataclass
class Mentions:
    """Everything found in one document, ready to be grouped into events."""

    dates: list[DateMention]
    durations: list[Duration]
    counts: list[Count]
    places: list[Place]
    organizers: list[Organizer]
    year_hints: list[YearHint]
    ctx: YearContext


def build_events(doc: Doc, found: Mentions, programme_ids: list[str], document_numbers: list[str]) -> list[dict]:
    """Events of a training article, the primary one first.

    :param found: the article's mentions
    :param programme_ids: ids of the programmes named in the article (shared by its events)
    :param document_numbers: numbers of the documents cited (shared by its events)
    """
    low = doc.norm.lower
    secondary = [i for i, (a, b) in enumerate(doc.sentences) if _TRANSITION.match(low, a, b)  # at the sentence start
                 and _HELD.search(low, a, b) and _TERM.search(low, a, b)]
    in_secondary = set(secondary)
    primary_scope = lambda pos: doc.sentence_index(pos) not in in_secondary
    events = [_event(doc, found, primary_scope, True, programme_ids, document_numbers)]
    if len(secondary) > MAX_FURTHER_EVENTS:
        doc.warn("further activities beyond the first %d not listed" % MAX_FURTHER_EVENTS,
                 len(secondary) - MAX_FURTHER_EVENTS)
    for i in secondary[:MAX_FURTHER_EVENTS]:
        event = _event(doc, found, lambda pos, i=i: doc.sentence_index(pos) == i, False, programme_ids,
                       document_numbers)
        if event["province"] is None:
            event.update({k: events[0][k] for k in ("province", "province_code", "province_source")})
        events.append(event)
    return events


def _lead_sentences(doc: Doc) -> set[int]:
    """Indices of the headline's and the lead's sentences."""
    out = {doc.sentence_index(a) for a, _ in doc.lead(_LEAD_SENTENCES)}
    if doc.title:
        out.add(doc.sentence_index(doc.title[0]))
    return out


def _event(doc: Doc, found: Mentions, scope, primary: bool, programme_ids: list[str],
           document_numbers: list[str]) -> dict:
    dates = _event_dates(doc, found, scope, primary)
    date_sentence = doc.sentence_index(doc.norm.to_normalised(dates["date_span"][0])) if dates["date_span"] else None
    # A training dated to the day (not a meeting that sums up a year's trainings: their count is its own)
    dated_day = dates["date_precision"] == "day" and dates["start_date"] and dates["start_date"][:1] != "-" \
        and doc.sentence_has(_TERM, doc.norm.to_normalised(dates["date_span"][0]))
    participants = _headline_count(doc, [c for c in found.counts if c.role == "participants" and scope(c.start)],
                                   date_sentence, _lead_sentences(doc) if primary else set(),
                                   int(dates["start_date"][:4]) if dated_day else None)
    classes = next((c for c in found.counts if c.role == "classes" and scope(c.start)), None)
    places = [p for p in found.places if p.start is not None and scope(p.start)]
    place = _event_place(doc, places)
    url_places = [p for p in found.places if p.start is None]
    province_source = "text" if place else None
    if not place and primary and url_places:
        place, province_source = url_places[-1], "url"
    organizers = [i for i, o in enumerate(found.organizers) if scope(o.anchor)]
    if organizers:
        first_anchor = found.organizers[organizers[0]].anchor
        organizers = [i for i in organizers if found.organizers[i].anchor == first_anchor]
    district = next((p for p in ([place] if place else []) + places if p.unit.level == "district"), None)
    most_specific = place.unit if place else None
    anchor = _anchor(doc, scope, dates, participants)
    return {
        "is_primary": primary,
        "span": doc.mention(*anchor)["span"] if anchor else None,
        "kind": _kind(doc, scope),
        **dates,
        "participant_total": participants.value if participants else None,
        "participant_qualifier": participants.qualifier if participants else None,
        "participant_unit": participants.unit if participants else None,
        "participant_span": doc.mention(participants.start, participants.end)["span"] if participants else None,
        "classes": classes.value if classes else None,
        "province": most_specific.province if most_specific else None,
        "province_code": most_specific.province_code if most_specific else None,
        "province_source": province_source,
        "district": district.name if district else None,
        "district_code": district.unit.code if district and not district.merged else None,
        "lat": most_specific.lat if most_specific else None,
        "lon": most_specific.lon if most_specific else None,
        "locations": [i for i, p in enumerate(found.places) if p.start is not None and scope(p.start)],
        "organizers": organizers,
        "programmes": programme_ids,
        "documents": document_numbers,
    }


def _anchor(doc: Doc, scope, dates: dict, participants: Count | None) -> tuple[int, int] | None:
    """The sentence that reports the activity: the one with its date, else its count, else the
    first sentence in scope that names a training."""
    if dates.get("date_span"):
        return doc.sentence_at(doc.norm.to_normalised(dates["date_span"][0]))
    if participants:
        return doc.sentence_at(participants.start)
    for m in _TERM.finditer(doc.norm.lower):
        if scope(m.start()):
            return doc.sentence_at(m.start())
    return None


def _headline_count(doc: Doc, counts: list[Count], date_sentence: int | None, lead: set[int],
                    year: int | None = None) -> Count | None:
    """The first count of people in a sentence about the training or its attendance, or in the
    sentence that dates the activity; a count in any other sentence ("Huyện có 1.250 hội viên",
    "giải quyết việc làm cho 2.000 lao động") is not the number of participants, nor is one in a
    sentence about another year than the activity's ("Năm 2023, Sở đã mở 15 lớp cho 1.500 học
    viên" after a training of 5/3/2024).

    When the lead dates the activity, its sentence and the ones after it come first (with the
    headline): an earlier sentence sums up the year ("Năm 2023, huyện mở 15 lớp cho 1.200 lượt
    người. Ngày 5/3/2024, lớp tập huấn … khai mạc với 80 học viên").

    :param date_sentence: index of the sentence that gives the activity's date, if any
    :param lead: indices of the headline's and lead's sentences (primary activity only)
    :param year: the activity's year, when a sentence about the training dates it to the day
    """
    about = [c for c in counts if (doc.sentence_has(_TERM, c.start) or doc.sentence_has(_ATTENDANCE, c.start)
                                   or (date_sentence is not None and doc.sentence_index(c.start) == date_sentence))
             and not (year and _about_another_year(doc, c.start, year))]
    chosen = about[0] if about else None
    if date_sentence in lead:
        title = doc.sentence_index(doc.title[0]) if doc.title else None
        later = [c for c in about if doc.sentence_index(c.start) >= date_sentence
                 or doc.sentence_index(c.start) == title]
        chosen = later[0] if later else chosen
    return _stated_total_after(doc, about, chosen) or chosen


_YEAR_OPENING = re.compile(r"\s*(?:trong\s+)?(?:cả\s+)?năm\s+((?:19|20)\d{2})\b")


def _about_another_year(doc: Doc, at: int, year: int) -> bool:
    """Whether the sentence holding `at` opens with another year ("Năm 2023, …", "Trong năm 2022")."""
    start, _ = doc.sentence_at(at)
    opening = _YEAR_OPENING.match(doc.norm.lower, start)
    return bool(opening) and int(opening.group(1)) != year


def _stated_total_after(doc: Doc, about: list[Count], chosen: Count | None) -> Count | None:
    """A total stated just after the count chosen, of which that count is a part ("50 đại biểu
    tham dự trực tiếp và 300 đại biểu tại các điểm cầu. Tổng cộng có 350 đại biểu tham dự")."""
    if chosen is None or chosen.total:
        return None
    first = doc.sentence_index(chosen.start)
    return next((c for c in about if c.total and c.start > chosen.start and c.value and chosen.value
                 and c.value > chosen.value and doc.sentence_index(c.start) - first <= _TOTAL_SENTENCES), None)


def _event_place(doc: Doc, places: list[Place]) -> Place | None:
    """Where the activity took place: a place introduced by "tại"/"ở" in the first sentences,
    else the first place named."""
    low = doc.norm.lower
    located = [p for p in places if p.unit.province_code and p.via in ("typed", "bare", "list")]
    if not located:
        return None
    lead_end = doc.sentence_index(located[0].start) + _LEAD_SENTENCES
    for p in located:
        if doc.sentence_index(p.start) < lead_end and _AT.search(low[max(0, p.start - 45):p.start]):
            return p
    return located[0]


def _kind(doc: Doc, scope) -> str | None:
    for m in _TERM.finditer(doc.norm.lower):
        if scope(m.start()):
            return m.group()
    return None


def _event_dates(doc: Doc, found: Mentions, scope, primary: bool) -> dict:
    empty = {"start_date": None, "end_date": None, "date_precision": None, "date_span": None, "duration_days": None}
    candidates = [d for d in found.dates if d.role == "event" and scope(d.start) and d.kind in ("day", "range")]
    in_training = [d for d in candidates if doc.sentence_has(_TERM, d.start)]
    # Else a date in a sentence about holding or attending something ("Ngày 5/3, … tổ chức hội
    # nghị cho 100 đại biểu"), not one about a decision or a plan.
    about_activity = [d for d in candidates if (doc.sentence_has(_HELD, d.start) or doc.sentence_has(_ATTENDANCE, d.start))
                      and not doc.sentence_has(_DOCUMENT_ACT, d.start)]
    # The headline and lead report the primary activity: a date there comes first, about the
    # activity or not naming anything else ("Sáng 5/3, Hội Nông dân huyện phối hợp với Trạm Khuyến
    # nông hướng dẫn kỹ thuật … cho 60 hội viên"), unless it dates a document or a plan.
    lead = _lead_sentences(doc) if primary else set()
    in_lead = [d for d in candidates if doc.sentence_index(d.start) in lead
               and (doc.sentence_has(_TERM, d.start) or not doc.sentence_has(_DOCUMENT_ACT, d.start))]
    first = (in_lead or in_training or about_activity or [None])[0]
    if first is None:
        return _month_or_year(doc, found, scope, primary) or empty
    start, end, precision, _ = resolve(first, found.ctx)
    span_end = first.end
    sentence_index = _sentence_index(doc, first.start)
    for later in found.dates:
        if later.start <= first.start or later.role != "event" or not scope(later.start):
            continue
        l_start, l_end, _, _ = resolve(later, found.ctx)
        if later.kind == "range" and l_start == start and l_end > end:
            end = l_end  # "Ngày 13/11 … khai mạc" then "trong 2 ngày (13-14/11)"
        elif later.kind == "until" and l_end > start and \
                _sentence_index(doc, later.start) - sentence_index <= _FOLLOW_SENTENCES:
            end = l_end
    duration = next((d for d in found.durations if d.unit == "ngày" and scope(d.start)
                     and 0 <= _sentence_index(doc, d.start) - sentence_index <= 2 * _FOLLOW_SENTENCES), None)
    if duration and end == start and precision == "day" and duration.value > 1 \
            and date.fromisoformat(start) <= date.max - timedelta(days=duration.value - 1):
        end = (date.fromisoformat(start) + timedelta(days=duration.value - 1)).isoformat()
    return {"start_date": start, "end_date": end, "date_precision": precision,
            "date_span": doc.mention(first.start, span_end)["span"],
            "duration_days": duration.value if duration else None}


def _month_or_year(doc: Doc, found: Mentions, scope, primary: bool) -> dict | None:
    """No day is given: a month ("trong tháng 9/2023"), else the year of the activity."""
    low = doc.norm.lower
    months = [d for d in found.dates if d.role == "event" and d.kind == "month" and scope(d.start)
              and doc.sentence_has(_TERM, d.start)]
    if months:
        start, end, precision, _ = resolve(months[0], found.ctx)
        if not start.startswith("--"):
            return {"start_date": start, "end_date": end, "date_precision": "month",
                    "date_span": doc.mention(months[0].start, months[0].end)["span"], "duration_days": None}
    if not primary:
        return None
    training_sentences = {i for i, (a, b) in enumerate(doc.sentences) if _TERM.search(low, a, b)}  # (a set: one test per hint)
    for hint in found.year_hints:
        idx = _sentence_index(doc, hint.start)
        if hint.in_title or idx in training_sentences or idx + 1 in training_sentences:
            year = iso(hint.year, 1, None)[:4]
            return {"start_date": year, "end_date": year, "date_precision": "year",
                    "date_span": doc.mention(hint.start, hint.end)["span"], "duration_days": None}
    return None


def _sentence_index(doc: Doc, pos: int) -> int:
    return doc.sentence_index(pos)
