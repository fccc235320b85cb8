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
from functools import lru_cache

from .document import Doc, Occupied
from .patterns import LETTER, alternation, opening, word_start_after_letter
from .resources import lexicon

MAX_DATES = 2000  # dates read per article; a longer list is pathological input (counted warning)

# Two-digit alternatives first: inside a possessive repetition a day must not stop at its first digit.
_D = r"(?:[12]\d|3[01]|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_Y = r"(?:19|20)\d{2}"
# A date starts with its day: a digit not right after a digit, '.', ',', '/', ':' or "tháng ". Written as
# alternatives that open with a digit (`opening`), so that the regex engine skips to digits; the same
# alternatives as _D, in the same order.
_DAY_BRANCHES = [("1", r"\d"), ("2", r"\d"), ("3", "[01]"), ("0", "[1-9]")] + [(str(d), "") for d in range(1, 10)]
_NOT_BEFORE = [r"[\d.,/:]", "tháng "]  # (a number after "tháng" is a month: "tháng 7 - 9 năm 2022")
_DAY_START = opening(_DAY_BRANCHES, _NOT_BEFORE)
_NOT_AFTER = r"(?!\d|[/.,:-]\d)"
_SPACE = r" {0,2}"  # "7/ 6", "11 - 6": a space or two around a slash or a dash
_YEAR_WORD = rf"\s+năm\s+{_Y}"  # "31/10 đến 01/11 năm 2020"
# The one grammar of day-first dates. A day and month joined by '/' or '-' (spaces allowed, the same
# character before the year) or by '.' (no spaces: "18.6.2020"); then a year, or "năm" and a year.
_SEP_MONTH = (rf"(?:{_SPACE}(?P<sep>[/-]){_SPACE}{_M}(?:{_SPACE}(?P=sep){_SPACE}{_Y}|{_YEAR_WORD})?"
              rf"|(?P<dot>\.){_M}(?:\.{_Y}|{_YEAR_WORD})?)")
_LONG_MONTH = rf"\s+tháng\s+{_M}(?:\s*(?:năm\s+|/|-)\s*{_Y})?(?!\d)"  # "27 tháng 6 năm 2024"
# Between the days of a range or a list: "24-26/8", "25 đến 30/11", "18 và 19/8", "22, 23, 24, 27/6".
_LIST_LINK = r"\s*(?:-|đến|tới|và|,)\s*(?:hết\s+)?(?:(?:đến |tới )?ngày\s+)?"
# Between two whole dates: "28/11 đến ngày 02/12/2023", "16/8 -18/8/2023", "30/12/2023 - 02/01/2024".
_DATE_LINK = r"\s*(?:-|đến|tới|và)\s*(?:hết\s+)?(?:(?:đến |tới )?ngày\s+)?"
_MAX_LISTED_DAYS = 31  # a bounded repetition keeps the scan linear on long lists of numbers


def _renamed(pattern: str, suffix: str) -> str:
    """`pattern` with its named groups renamed, to use it twice in one expression."""
    return pattern.replace("(?P<sep>", f"(?P<sep{suffix}>").replace("(?P=sep)", f"(?P=sep{suffix})") \
        .replace("(?P<dot>", f"(?P<dot{suffix}>")


_TWO_DATES = re.compile(rf"{_DAY_START}{_renamed(_SEP_MONTH, '1')}{_DATE_LINK}{_D}{_renamed(_SEP_MONTH, '2')}{_NOT_AFTER}")
_TWO_LONG_DATES = re.compile(rf"{_DAY_START}{_LONG_MONTH}{_DATE_LINK}{_D}{_LONG_MONTH}")
# A list starts at its first day: not right after a number and a link ("2" of "1, 2, 3/5"), so that
# a long run of linked numbers is not scanned again from each of them.
# Nor is a numeric weekday a day ("Thứ 2, ngày 17/7", "T5, 12/10").
_LIST_START = opening(_DAY_BRANCHES, _NOT_BEFORE + [r"\d-", r"\d ", r"\d,", r"\d, ", r"\d - ", r"\d và ", r"\d đến ",
                                                    "thứ ", "thứ", r"[^\w]t", "^t"])
_DAY_LIST = re.compile(rf"{_LIST_START}(?:{_LIST_LINK}{_D}){{1,{_MAX_LISTED_DAYS}}}{_SEP_MONTH}{_NOT_AFTER}")
_DAY_LIST_LONG = re.compile(rf"{_LIST_START}(?:{_LIST_LINK}{_D}){{1,{_MAX_LISTED_DAYS}}}{_LONG_MONTH}")
_LONG = re.compile(rf"{_DAY_START}{_LONG_MONTH}")
# Where a day-first date (any of the six forms above) can start: a day (`_DAY_START`, which every
# form opens with, `_LIST_START` being narrower) followed by what comes after a day in one of them:
# a separator before the month, a link to the next day, or "tháng".
_DATE_START = re.compile(rf"{_DAY_START}(?=\d?\s*(?:[/.,-]|đến|tới|và|tháng))")
_SHORT = re.compile(rf"{_DAY_START}{_SEP_MONTH}{_NOT_AFTER}")
_MONTH = re.compile(rf"tháng\s+({_M})(?:\s*(?:năm\s+|/|-)\s*({_Y}))?(?![\d/])")
# "tháng 4 đến tháng 6/2023", "tháng 7 - 9/2023", "tháng 4 và tháng 5/2023", "tháng 11/2023 đến tháng 2/2024".
_MONTH_RANGE = re.compile(rf"tháng\s+({_M})(?:\s*(?:năm\s+|/)\s*({_Y}))?\s*(?:-|–|đến|tới|và)\s*(?:hết\s+)?(?:tháng\s+)?"
                          rf"({_M})(?:\s*(?:năm\s+|/|-)\s*({_Y}))?(?![\d/])")
_NUMBER = re.compile(r"\d+")
_PART_OF_DAY = re.compile(r"(rạng sáng|sáng|trưa|chiều|tối|đêm)\s+(?:ngày\s+|hôm\s+|nay\s+)?(?:(?:thứ \w+|chủ nhật)\s*[,(]?\s*)?(?:ngày\s+)?\(?$")
# Words that make what follows a date: strong ones always, weak ones unless a count follows
# ("từ 2-3 người", "(2/3 số xã)"). A '-' or '.' between day and month needs one of them (or a year).
_STRONG_CONTEXT = re.compile(r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|nay|thứ \w+,?|chủ nhật,?)\s*\(?\s*$")
_WEAK_CONTEXT = re.compile(r"(?:từ|đến|tới|và|qua|vào|lúc|\(|,)\s*$")
_WEEKDAY = re.compile(r"(thứ hai|thứ ba|thứ tư|thứ năm|thứ sáu|thứ bảy|thứ [2-7]|chủ nhật|cn|t[2-7])\s*[,(-]?\s*(?:ngày\s+)?$")
_WEEKDAYS = {"thứ hai": "Monday", "thứ ba": "Tuesday", "thứ tư": "Wednesday", "thứ năm": "Thursday", "thứ sáu": "Friday",
             "thứ bảy": "Saturday", "chủ nhật": "Sunday", "cn": "Sunday",
             **{f"thứ {i}": d for i, d in zip(range(2, 8), ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"))},
             **{f"t{i}": d for i, d in zip(range(2, 8), ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"))}}
# The last day of an activity named after its first: "từ nay đến ngày 6/10", "kéo dài đến hết ngày
# 5/3", "kết thúc vào ngày 7/11/2024", "bế giảng ngày 20/12".
_UNTIL = re.compile(r"(?:(?:từ nay|kéo dài)\s+(?:đến|tới)\s+(?:hết\s+)?|(?:kết thúc|bế giảng)\s+(?:vào\s+)?)(?:ngày\s+)?$")
# "trong 2 ngày", "kéo dài 3 ngày", "thời gian tập huấn: 02 ngày", "kéo dài 1 tuần": one pattern per
# opening word, each opening with its literal (the regex engine skips to it).
_DURATION_AMOUNT = r"(?:(\d{1,2})|(một|hai|ba|bốn|năm|sáu|bảy))\s*(?:\(\d+\)\s*)?(ngày|buổi|tuần)\b"
_DURATIONS = [re.compile(opening + _DURATION_AMOUNT) for opening in (
    r"trong\s+(?:thời gian\s+|vòng\s+)?", r"kéo dài\s+(?:trong\s+)?",
    r"thời gian(?:\s+(?:học|tập huấn|bồi dưỡng|đào tạo|huấn luyện|diễn ra|tổ chức))?\s*(?::\s*|là\s+)?")]
_DAYS_IN = {"ngày": 1, "tuần": 7}
_YEAR_WORD = re.compile(r"năm(?<!\wnăm)\s+((?:19|20)\d{2})(?![\d-]|\s*-\s*\d)")  # (the test of the word start after it)
_YEAR_EXCLUDED_BEFORE = re.compile(r"(?:từ|đến|tới|giai đoạn|nhiệm kỳ|cùng kỳ|trước|sau|hết|kỳ)\s+$")
_SAME_PERIOD_LAST_YEAR = re.compile(r"(?:so với\s+)?cùng kỳ năm\s+((?:19|20)\d{2})(?!\d)")
_DOC_WORD_BEFORE = re.compile(r"(?:kế hoạch|quyết định|công văn|thông báo|nghị quyết|chỉ thị|thông tư|nghị định"
                              r"|hướng dẫn|tờ trình|báo cáo|văn bản)(?:\s+số\s+\S+)?\s+(?:ban hành\s+)?ngày\s+$")
_NOT_EVENT_BEFORE = re.compile(r"(?:trước|chậm nhất|hạn chót|hạn|tính đến|từ đầu năm đến|từ đầu năm tới|từ đầu tháng đến"
                               r"|lũy kế đến)\s+(?:hết\s+)?(?:ngày\s+)?$")
# The line patterns are matched over a stripped line's bounds (no "^"): a long line is not copied
# once per date on it.
_SIGNING_LINE = re.compile(r"[A-ZĐ][\wÀ-ỹ .]{1,30},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$")
_NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7}
# A line that is only a date and a time ("15/03/2023 10:20", "Cập nhật: 08:15 | 05/09/2016").
_DATE_ONLY_LINE = re.compile(r"[^\w]*(?:(?:cập nhật|ngày đăng|đăng lúc|ngày|lúc)\s*:?\s*)*[\d/.:|, -]*(?:am|pm|sa|ch)?[\d/.:|, -]*$", re.I)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_WORDS_IN_SENTENCES = re.compile(word_start_after_letter(r"\b(tổ chức|tham dự|tham gia|khai mạc|tập huấn|diễn ra)\b"))


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


def _numbers(text: str) -> tuple[list[int], list[int | None]]:
    """(days and months, years) of a matched date text, in order: each year follows its month."""
    values: list[int] = []
    years: list[int | None] = []
    for n in _NUMBER.findall(text):
        if len(n) == 4:
            years[-1] = int(n)
        else:
            values.append(int(n))
            years.append(None)
    return values, years


@lru_cache(maxsize=1)
def _fraction_words() -> tuple[re.Pattern, re.Pattern]:
    """Words before a bare "a/b" that make it a share or a score, and the counted nouns after it."""
    lex = lexicon()
    before = re.compile(rf"(?:{alternation(lex['fraction_before'], LETTER)})\s+$")
    after = re.compile(rf"\s+(?:{alternation(lex['fraction_after'] + lex['participant_units'])})(?![^\W\d_])")
    return before, after


@lru_cache(maxsize=1)
def _named_after_date() -> re.Pattern:
    """The words a name made of a date follows ("đường 30/4", "Trường THPT 30/4"), right before it."""
    return re.compile(rf"(?:{alternation(lexicon()['named_after_dates'], LETTER)}) $")


def _context_allows(low: str, start: int, end: int, dotted_or_dashed: bool, has_year: bool) -> bool:
    """Whether the words around a matched day-month read as a date.

    A '-' or '.' between day and month needs a date word before it; any bare form without a year is
    a share or a score after "tỷ số", "đạt"… or before a counted noun ("6/8 người", "1/3 dưới").
    """
    if has_year:
        return True
    before = low[max(0, start - 14):start]
    if _STRONG_CONTEXT.search(before):
        return True
    fraction_before, fraction_after = _fraction_words()
    if fraction_before.search(low, max(0, start - 12), start) or fraction_after.match(low, end):
        return False
    return not dotted_or_dashed or bool(_WEAK_CONTEXT.search(before))


def _matches_from(pattern: re.Pattern, low: str, starts: list[int]):
    """`pattern.finditer(low)` for a pattern that can only match at `starts` (in order): the
    pattern is tried there, not at every digit of the text."""
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(low, start)
            if m:
                yield m
                end = m.end()


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

    def add(m: DateMention) -> None:
        if len(found) >= MAX_DATES:
            doc.warn(f"dates beyond the first {MAX_DATES} not read")
        elif _valid(m.d1, m.m1, m.y1) and _valid(m.d2, m.m2, m.y2):
            taken.add(m.start, m.end)
            found.append(m)

    long_forms = "tháng" in low  # the long forms all spell the month: a text without it skips them
    starts = [m.start() for m in _DATE_START.finditer(low)]  # (one scan of the digits for the six forms)
    for pattern in (_TWO_DATES, _TWO_LONG_DATES) if long_forms else (_TWO_DATES,):
        for m in _matches_from(pattern, low, starts):
            if taken.overlaps(m.start(), m.end()):
                continue
            (d1, m1, d2, m2), (_, y1, _, y2) = _numbers(m.group())
            if pattern is _TWO_DATES:
                dashed = (m.group("sep1") or m.group("dot1") or "/") != "/" or (m.group("sep2") or m.group("dot2") or "/") != "/"
                if not _context_allows(low, m.start(), m.end(), dashed, bool(y1 or y2)):
                    continue
            y1 = y1 or (y2 if (m1, d1) <= (m2, d2) else None)
            mention = DateMention(m.start(), m.end(), "range", d1, m1, y1, d2, m2, y2)
            if (mention.y1 or 0, mention.m1, mention.d1) < (mention.y2 or 0, mention.m2, mention.d2):
                add(mention)
    for pattern in (_DAY_LIST, _DAY_LIST_LONG) if long_forms else (_DAY_LIST,):
        for m in _matches_from(pattern, low, starts):
            if taken.overlaps(m.start(), m.end()):
                continue
            values, years = _numbers(m.group())
            days, month, year = values[:-1], values[-1], years[-1]
            if pattern is _DAY_LIST:
                dashed = bool(m.group("dot")) or m.group("sep") == "-"
                if not _context_allows(low, m.start(), m.end(), dashed, bool(year)):
                    continue
            if any(a >= b for a, b in zip(days, days[1:])):
                continue  # days of a range or a list go forward
            add(DateMention(m.start(), m.end(), "range", days[0], month, year, days[-1], month, year))
    for pattern in (_LONG, _SHORT) if long_forms else (_SHORT,):
        for m in _matches_from(pattern, low, starts):
            if taken.overlaps(m.start(), m.end()):
                continue
            (d, mo), (_, y) = _numbers(m.group())
            if pattern is _SHORT:
                dashed = bool(m.group("dot")) or m.group("sep") == "-"
                if not _context_allows(low, m.start(), m.end(), dashed, bool(y)):
                    continue
            add(DateMention(m.start(), m.end(), "day", d, mo, y, d, mo, y))
    for m in _MONTH_RANGE.finditer(low) if long_forms else ():
        if not taken.overlaps(m.start(), m.end()):
            m1, y1, m2, y2 = int(m.group(1)), _i(m.group(2)), int(m.group(3)), _i(m.group(4))
            # One year written serves both months; "tháng 11 - 2/2024" starts the year before.
            y1 = y1 or (None if y2 is None else y2 if m1 < m2 else y2 - 1)
            y2 = y2 or (y1 if y1 and m1 < m2 else None)
            if (y1 or 0, m1) < (y2 or 0, m2):
                add(DateMention(m.start(), m.end(), "month", None, m1, y1, None, m2, y2))
    for m in _MONTH.finditer(low) if long_forms else ():
        if not taken.overlaps(m.start(), m.end()):
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
    low, text = doc.norm.lower, doc.norm.text
    head = doc.head_lines(8)
    stripped: dict[tuple[int, int], tuple[int, int]] = {}  # a line -> its bounds without white space
    for m in mentions:
        before = low[max(0, m.start - 60):m.start]
        line_start, line_end = line = doc.line_at(m.start)
        if line not in stripped:
            first, last = line_start, line_end
            while first < last and text[first].isspace():
                first += 1
            while last > first and text[last - 1].isspace():
                last -= 1
            stripped[line] = first, last
        first, last = stripped[line]
        if _DOC_WORD_BEFORE.search(before):
            m.role = "document_issue"
        elif _named_after_date().search(before):
            m.role = "other"  # a street's or a school's name
        elif _NOT_EVENT_BEFORE.search(before):
            m.role = "other"  # a deadline or the end of a reporting period
        elif _SIGNING_LINE.match(text, first, last):
            m.role = "other"
        elif line in head and last - first <= 80 and (m.y1 or _CLOCK.search(text, first, last)) \
                and not _WORDS_IN_SENTENCES.search(text[first:last].lower()):
            m.role = "publication"
        elif _DATE_ONLY_LINE.match(text, first, last):
            m.role = "other"  # a bare date line further down: posting or update time, not the activity


def find_durations(doc: Doc) -> list[Duration]:
    """"trong 2 ngày", "trong thời gian 03 ngày", "kéo dài 3 ngày", "trong 02 buổi", "kéo dài 1 tuần"
    (7 days): how long an activity lasted."""
    out, amounts = [], set()
    matches = sorted((m for pattern in _DURATIONS for m in pattern.finditer(doc.norm.lower)), key=lambda m: m.start())
    for m in matches:
        if m.start(3) in amounts:
            continue  # "trong thời gian 3 ngày", read by two patterns
        amounts.add(m.start(3))
        value = int(m.group(1)) if m.group(1) else _NUMBER_WORDS[m.group(2)]
        unit = m.group(3)
        if unit in _DAYS_IN:  # a week is counted in days
            value, unit = value * _DAYS_IN[unit], "ngày"
        if 0 < value <= 90:
            out.append(Duration(m.start(), m.end(), value, unit))
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
    low = doc.norm.lower
    m = _SAME_PERIOD_LAST_YEAR.search(low) if "cùng kỳ năm" in low else None  # (the words it needs)
    return int(m.group(1)) + 1 if m else None


_URL_YEAR = [
    re.compile(r"/((?:19|20)\d{2})(?:0[1-9]|1[0-2])/"),             # /202311/
    re.compile(r"/((?:19|20)\d{2})/(?:0?[1-9]|1[0-2])/"),           # /2023/11/
    re.compile(r"[/_-]((?:19|20)\d{2})-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"),  # /2024-11-25/
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
            # (Subtracting dates cannot leave the calendar; adding days to 9999-12-31 would.)
            if date(year, month, min(day or 1, 28)) - self.published > timedelta(days=_MAX_DAYS_AHEAD) \
                    and year > date.min.year:
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
