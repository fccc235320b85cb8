"""Vietnamese dates: day-first forms with / - . , ranges, long forms, months, durations.

The grammar reads the raw (normalised) text; each mention gets a role:
- `document_issue`: the issue date right after a document number or a document word
  ("Quyết định số 90/QĐ-TTg ngày 18/01/2022", "Kế hoạch ngày 5/3/2023")
- `publication`: a date line at the head of the page ("Dương Hưng 15:32, 07/11/2023")
- `other`: the place-and-date line of a letter ("Hà Nội, ngày 31 tháng 5 năm 2023")
- `event`: everything else, the candidates for an activity's dates.
Year-less dates take their year later (see `YearContext`), with the precision the text supports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .document import Doc, Occupied

_D = r"(0?[1-9]|[12]\d|3[01])"
_M = r"(0?[1-9]|1[0-2])"
_Y = r"((?:19|20)\d{2})"
_NOT_BEFORE = r"(?=\d)(?<![\d.,/:])"  # the look-ahead lets the regex engine skip to digits
_NOT_AFTER = r"(?!\d|[/.,:-]\d)"
_LINK = r"\s*(?:-|đến|tới|và|,)\s*(?:hết\s+)?(?:(?:đến |tới )?ngày\s+)?"
_PART_OF_DAY = re.compile(r"(rạng sáng|sáng|trưa|chiều|tối|đêm)\s+(?:ngày\s+|hôm\s+|nay\s+)?(?:(?:thứ \w+|chủ nhật)\s*[,(]?\s*)?(?:ngày\s+)?\(?$")
# A '-' or '.' between day and month needs a date word before it, or a year after it, to be a date.
_DATE_CONTEXT = re.compile(r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|từ|đến|tới|và|qua|vào|lúc|nay|thứ \w+,?|chủ nhật,?|\(|,)\s*$")

_RANGE_TWO_DATES = re.compile(
    rf"{_NOT_BEFORE}{_D}([/.-]){_M}(?:\2{_Y})?\s*(?:-|đến|tới|và)\s*(?:hết\s+)?(?:(?:đến |tới )?ngày\s+)?{_D}([/.-]){_M}(?:\6{_Y})?{_NOT_AFTER}")
_RANGE_SAME_MONTH = re.compile(rf"{_NOT_BEFORE}{_D}{_LINK}{_D}([/.-]){_M}(?:\3{_Y})?{_NOT_AFTER}")
_RANGE_LONG = re.compile(rf"{_NOT_BEFORE}{_D}{_LINK}{_D}\s+tháng\s+{_M}(?:\s*(?:năm\s+|/|-)\s*{_Y})?(?!\d)")
_LONG = re.compile(rf"{_NOT_BEFORE}{_D}\s+tháng\s+{_M}(?:\s*(?:năm\s+|/|-)\s*{_Y})?(?!\d)")
_SHORT = re.compile(rf"{_NOT_BEFORE}{_D}([/.-]){_M}(?:\2{_Y})?{_NOT_AFTER}")
_MONTH = re.compile(rf"tháng\s+{_M}(?:\s*(?:năm\s+|/|-)\s*{_Y})?(?![\d/])")
_WEEKDAY = re.compile(r"(thứ hai|thứ ba|thứ tư|thứ năm|thứ sáu|thứ bảy|thứ [2-7]|chủ nhật|cn|t[2-7])\s*[,(-]?\s*(?:ngày\s+)?$")
_WEEKDAYS = {"thứ hai": "Monday", "thứ ba": "Tuesday", "thứ tư": "Wednesday", "thứ năm": "Thursday", "thứ sáu": "Friday",
             "thứ bảy": "Saturday", "chủ nhật": "Sunday", "cn": "Sunday",
             **{f"thứ {i}": d for i, d in zip(range(2, 8), ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"))},
             **{f"t{i}": d for i, d in zip(range(2, 8), ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"))}}
_UNTIL = re.compile(r"(?:từ nay|kéo dài)\s+(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?$")
_DURATION = re.compile(r"trong\s+(?:thời gian\s+|vòng\s+)?(?:(\d{1,2})|(một|hai|ba|bốn|năm|sáu|bảy))\s*(?:\(\d+\)\s*)?(ngày|buổi)\b")
_YEAR_WORD = re.compile(r"(?<![\w])năm\s+((?:19|20)\d{2})(?![\d-]|\s*-\s*\d)")
_YEAR_EXCLUDED_BEFORE = re.compile(r"(?:từ|đến|tới|giai đoạn|nhiệm kỳ|cùng kỳ|trước|sau|hết|kỳ)\s+$")
_SAME_PERIOD_LAST_YEAR = re.compile(r"(?:so với\s+)?cùng kỳ năm\s+((?:19|20)\d{2})(?!\d)")
_DOC_WORD_BEFORE = re.compile(r"(?:kế hoạch|quyết định|công văn|thông báo|nghị quyết|chỉ thị|thông tư|nghị định"
                              r"|hướng dẫn|tờ trình|báo cáo|văn bản)(?:\s+số\s+\S+)?\s+(?:ban hành\s+)?ngày\s+$")
_NOT_EVENT_BEFORE = re.compile(r"(?:trước|chậm nhất|hạn chót|hạn|tính đến|từ đầu năm đến|từ đầu năm tới|từ đầu tháng đến"
                               r"|lũy kế đến)\s+(?:hết\s+)?(?:ngày\s+)?$")
_SIGNING_LINE = re.compile(r"^[A-ZĐ][\wÀ-ỹ .]{1,30},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$")
_NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7}
# A line that is only a date and a time ("15/03/2023 10:20", "Cập nhật: 08:15 | 05/09/2016").
_DATE_ONLY_LINE = re.compile(r"^[^\w]*(?:(?:cập nhật|ngày đăng|đăng lúc|ngày|lúc)\s*:?\s*)*[\d/.:|, -]*(?:am|pm|sa|ch)?[\d/.:|, -]*$", re.I)
_WORDS_IN_SENTENCES = re.compile(r"\b(tổ chức|tham dự|tham gia|khai mạc|tập huấn|diễn ra)\b")


@dataclass
class DateMention:
    """A date or date range in the text (positions in the normalised text).

    Day fields are None for a month; year fields are None when the text gives no year.
    """

    start: int
    end: int
    kind: str  # day | range | month | until
    d1: int | None
    m1: int
    y1: int | None
    d2: int | None
    m2: int
    y2: int | None
    part_of_day: str | None = None
    weekday: str | None = None
    role: str = "event"


@dataclass
class Duration:
    start: int
    end: int
    value: int
    unit: str  # ngày | buổi


def _valid(d: int | None, m: int, y: int | None) -> bool:
    if d is None:
        return 1 <= m <= 12
    try:
        date(y or 2024, m, d)  # 2024 is a leap year: 29/2 without a year is allowed
        return True
    except ValueError:
        return False


def _i(s: str | None) -> int | None:
    return int(s) if s else None


def find_dates(doc: Doc, masked: list[tuple[int, int]]) -> list[DateMention]:
    """All dates in the text outside `masked` ranges (document numbers), in text order.

    :param doc: the document
    :param masked: normalised ranges where no date may be read
    """
    low = doc.norm.lower
    taken = Occupied(len(low))
    for a, b in masked:
        taken.add(a, b)
    found: list[DateMention] = []

    def free(a: int, b: int) -> bool:
        return not taken.overlaps(a, b)

    def add(m: DateMention) -> None:
        if _valid(m.d1, m.m1, m.y1) and _valid(m.d2, m.m2, m.y2):
            taken.add(m.start, m.end)
            found.append(m)

    for m in _RANGE_TWO_DATES.finditer(low):
        if not free(m.start(), m.end()):
            continue
        d1, s1, m1, y1, d2, s2, m2, y2 = m.group(1, 2, 3, 4, 5, 6, 7, 8)
        if (s1 != "/" or s2 != "/") and not (y1 or y2) and not _DATE_CONTEXT.search(low[max(0, m.start() - 14):m.start()]):
            continue
        y1 = y1 or (y2 if int(m1) <= int(m2) else None)
        mention = DateMention(m.start(), m.end(), "range", int(d1), int(m1), _i(y1), int(d2), int(m2), _i(y2))
        if (mention.y1 or 0, mention.m1, mention.d1) <= (mention.y2 or 0, mention.m2, mention.d2):
            add(mention)
    for pattern in (_RANGE_SAME_MONTH, _RANGE_LONG):
        for m in pattern.finditer(low):
            if not free(m.start(), m.end()):
                continue
            if pattern is _RANGE_SAME_MONTH:
                d1, d2, sep, mo, y = m.group(1, 2, 3, 4, 5)
                if sep != "/" and not y and not _DATE_CONTEXT.search(low[max(0, m.start() - 14):m.start()]):
                    continue
            else:
                d1, d2, mo, y = m.group(1, 2, 3, 4)
            if int(d1) >= int(d2):
                continue
            add(DateMention(m.start(), m.end(), "range", int(d1), int(mo), _i(y), int(d2), int(mo), _i(y)))
    for pattern in (_LONG, _SHORT):
        for m in pattern.finditer(low):
            if not free(m.start(), m.end()):
                continue
            if pattern is _SHORT:
                d, sep, mo, y = m.group(1, 2, 3, 4)
                before = low[max(0, m.start() - 14):m.start()]
                if sep != "/" and not y and not _DATE_CONTEXT.search(before):
                    continue
                if sep == "/" and not y and re.match(r"\s+(?:số|tổng|dân số)\b", low[m.end():m.end() + 8]):
                    continue  # a fraction: "3/4 số xã"
            else:
                d, mo, y = m.group(1, 2, 3)
            add(DateMention(m.start(), m.end(), "day", int(d), int(mo), _i(y), int(d), int(mo), _i(y)))
    for m in _MONTH.finditer(low):
        if free(m.start(), m.end()):
            mo, y = int(m.group(1)), _i(m.group(2))
            add(DateMention(m.start(), m.end(), "month", None, mo, y, None, mo, y))
    found.sort(key=lambda x: x.start)
    for mention in found:
        before = low[max(0, mention.start - 40):mention.start]
        pod = _PART_OF_DAY.search(before)
        mention.part_of_day = pod.group(1) if pod else None
        weekday = _WEEKDAY.search(before)
        mention.weekday = _WEEKDAYS.get(weekday.group(1)) if weekday else None
        if mention.kind == "day" and _UNTIL.search(before):
            mention.kind = "until"
    _assign_roles(doc, found)
    return found


def _assign_roles(doc: Doc, mentions: list[DateMention]) -> None:
    low = doc.norm.lower
    head = doc.head_lines(8)
    for m in mentions:
        before = low[max(0, m.start - 60):m.start]
        line_start, line_end = doc.line_at(m.start)
        line = doc.norm.text[line_start:line_end].strip()
        if _DOC_WORD_BEFORE.search(before):
            m.role = "document_issue"
        elif _NOT_EVENT_BEFORE.search(before):
            m.role = "other"  # a deadline or the end of a reporting period
        elif _SIGNING_LINE.match(line):
            m.role = "other"
        elif (line_start, line_end) in head and len(line) <= 80 and (m.y1 or re.search(r"\d{1,2}:\d{2}", line)) \
                and not _WORDS_IN_SENTENCES.search(line.lower()):
            m.role = "publication"
        elif _DATE_ONLY_LINE.match(line):
            m.role = "other"  # a bare date line further down: posting or update time, not the activity


def find_durations(doc: Doc) -> list[Duration]:
    """"trong 2 ngày", "trong thời gian 03 ngày", "trong 02 buổi": how long an activity lasted."""
    out = []
    for m in _DURATION.finditer(doc.norm.lower):
        value = int(m.group(1)) if m.group(1) else _NUMBER_WORDS[m.group(2)]
        if 0 < value <= 90:
            out.append(Duration(m.start(), m.end(), value, m.group(3)))
    return out


@dataclass
class YearHint:
    start: int
    end: int
    year: int
    in_title: bool


def find_year_hints(doc: Doc) -> list[YearHint]:
    """"năm 2019" where it names the year of something (not "giai đoạn", "đến năm", "từ năm")."""
    low = doc.norm.lower
    hints = []
    title = doc.title or (-1, -1)
    for m in _YEAR_WORD.finditer(low):
        if _YEAR_EXCLUDED_BEFORE.search(low[max(0, m.start() - 12):m.start()]):
            continue
        hints.append(YearHint(m.start(), m.end(), int(m.group(1)), title[0] <= m.start() < title[1]))
    return hints


def same_period_last_year(doc: Doc) -> int | None:
    """"so với cùng kỳ năm 2022" is written in 2023: the article's own year."""
    m = _SAME_PERIOD_LAST_YEAR.search(doc.norm.lower)
    return int(m.group(1)) + 1 if m else None


_URL_YEAR = [
    re.compile(r"/((?:19|20)\d{2})(?:0[1-9]|1[0-2])/"),             # /202311/
    re.compile(r"/((?:19|20)\d{2})/(?:0?[1-9]|1[0-2])/"),           # /2023/11/
    re.compile(r"-((?:19|20)\d{2})(?:0[1-9]|1[0-2])(?:[0-3]\d)\d{6,}"),  # -20251117153659349.htm
    re.compile(r"nam-((?:19|20)\d{2})(?!\d)"),                      # nam-2024
]


def url_year(url: str | None) -> int | None:
    """A year the article's address carries, when it has one."""
    if not url:
        return None
    for pattern in _URL_YEAR:
        m = pattern.search(url)
        if m:
            return int(m.group(1))
    return None


_MAX_DAYS_AHEAD = 120


@dataclass
class YearContext:
    """What a year-less date can take its year from, best first."""

    published: date | None
    url_year: int | None
    text_year: int | None

    def year_for(self, month: int, day: int | None) -> tuple[int | None, str | None]:
        if self.published:
            year = self.published.year
            # A date months after publication is last year's (reported just after New Year:
            # "ngày 28/12" in an article of 2 January); a few weeks ahead is an announced date.
            if date(year, month, min(day or 1, 28)) > self.published + timedelta(days=_MAX_DAYS_AHEAD):
                year -= 1
            return year, "published"
        if self.url_year:
            return self.url_year, "url"
        if self.text_year:
            return self.text_year, "context"
        return None, None


def iso(year: int | None, month: int, day: int | None) -> str:
    """ISO text with the precision known: YYYY-MM-DD, YYYY-MM, or --MM-DD without a year."""
    if day is None:
        return f"{year:04d}-{month:02d}" if year else f"--{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def resolve(m: DateMention, ctx: YearContext) -> tuple[str, str, str, str | None]:
    """(start, end, precision, year_source) of a mention."""
    y1, y2, source = m.y1, m.y2, "text" if (m.y1 or m.y2) else None
    if y2 is None:
        y2, source = ctx.year_for(m.m2, m.d2)
    if y1 is None:
        y1 = y2 if y2 is None or (m.m1, m.d1 or 1) <= (m.m2, m.d2 or 1) else y2 - 1
    if not (_valid(m.d1, m.m1, y1) and _valid(m.d2, m.m2, y2)):
        y1 = y2 = source = None  # "29/2" in a year that has none: keep it year-less
    precision = "month" if m.d1 is None else ("day" if y1 else "day-no-year")
    if precision == "month" and not y1:
        precision = "month-no-year"
    return iso(y1, m.m1, m.d1), iso(y2, m.m2, m.d2), precision, source


def date_record(doc: Doc, m: DateMention, ctx: YearContext) -> dict:
    start, end, precision, source = resolve(m, ctx)
    return {"start": start, "end": end, "precision": precision if precision != "month-no-year" else "month",
            "year_source": source, "role": m.role, "kind": m.kind, "part_of_day": m.part_of_day, "weekday": m.weekday,
            **doc.mention(m.start, m.end)}
