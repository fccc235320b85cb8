"""Publication dates as printed on Vietnamese portals, read into Vietnam time (+07:00).

Formats seen: `14:8, Thứ Sáu, 8-3-2024`; `Đăng lúc: 10:31:36 12/06/2020 (GMT+7)`;
`03/04/2020 | 10:36 PM`; `Ngày đăng 06/01/2016 | 03:30 PM`; `Thứ tư - 30/08/2023 20:43`;
`02:06 19/02/2026`; ISO 8601 in meta tags; `ngày 13 tháng 11 năm 2019`, `18 Tháng 9 2023`
(Joomla), `Tháng Chín 18, 2023` (WordPress in Vietnamese); dates in URL paths; English month
names (`18 October 2019`, `October 18, 2019`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))

_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_LONG = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*,\s*|\s+năm\s+|\s+)(\d{4})(?!\d)", re.I)
# Month names as WordPress and Joomla print them in Vietnamese ("Tháng Chín", "Tháng Mười Hai").
_VI_MONTHS = {"một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
              "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12}
_VI_MONTH = "(" + "|".join(sorted(_VI_MONTHS, key=len, reverse=True)) + ")"
_VI_NAMED_MDY = re.compile(rf"tháng\s+{_VI_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)", re.I)
_VI_NAMED_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})\s+tháng\s+{_VI_MONTH},?\s+(\d{{4}})(?!\d)", re.I)
# English dates some CMSs print (Drupal's "Submitted by … on 18 October 2019", "October 18, 2019").
_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
# Capitalised, as English prints them: "may" is a Vietnamese word ("nghề may").
_MONTH = "(" + "|".join(sorted((name.capitalize() for name in _MONTHS), key=len, reverse=True)) + r")\.?"
_ENGLISH_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})(?!\d)")
_ENGLISH_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")
_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})\s*(?::|h|giờ)\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?(?:\s*(AM|PM|SA|CH))?(?![\d/.-])", re.I)
_URL_DATES = (
    re.compile(r"/(20\d{2})-(\d{1,2})-(\d{1,2})/"),            # Tân Dân dated paths /2021-10-5/
    re.compile(r"/(20\d{2})/(\d{1,2})/(\d{1,2})/"),             # /2024/03/08/
    re.compile(r"[-/](20\d{2})(\d{2})(\d{2})\d{6,}"),           # -20251117153659349.htm
)
_URL_MONTH = re.compile(r"/(20\d{2})(0[1-9]|1[0-2])/")         # newspapers /202311/


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_time(text: str) -> time | None:
    for match in _TIME.finditer(text):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        meridiem = (match[4] or "").upper()
        if meridiem in {"PM", "CH"} and hour < 12:
            hour += 12
        elif meridiem in {"AM", "SA"} and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    return None


def parse_date_line(text: str) -> tuple[str, bool] | None:
    """Read the publication date (and time, when printed) from a visible date line.

    :param text: e.g. "14:8, Thứ Sáu, 8-3-2024"
    :returns: (ISO value, has_time): "2024-03-08T14:08:00+07:00" or "2024-03-08"; None if no date
    """
    iso = _ISO.search(text)
    if iso and not _DMY.search(text):
        return parse_iso(iso.group(0))
    match = _DMY.search(text) or _LONG.search(text)
    if match:
        day = _valid_date(int(match[3]), int(match[2]), int(match[1]))
    elif match := _VI_NAMED_DMY.search(text):
        day = _valid_date(int(match[3]), _VI_MONTHS[" ".join(match[2].casefold().split())], int(match[1]))
    elif match := _VI_NAMED_MDY.search(text):
        day = _valid_date(int(match[3]), _VI_MONTHS[" ".join(match[1].casefold().split())], int(match[2]))
    elif match := _ENGLISH_DMY.search(text):
        day = _valid_date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    elif match := _ENGLISH_MDY.search(text):
        day = _valid_date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    else:
        return None
    if day is None:
        return None
    # The time may precede or follow the date; search the line without the date itself.
    clock = _find_time(text[:match.start()] + " | " + text[match.end():])
    if clock is None:
        return day.isoformat(), False
    return datetime.combine(day, clock, VIETNAM).isoformat(), True


def parse_iso(value: str) -> tuple[str, bool] | None:
    """Read an ISO 8601 value from a meta tag, converting any offset to Vietnam time.

    :returns: (ISO value, has_time) or None when the value is not a date
    """
    match = _ISO.search(value)
    if not match:
        return None
    day = _valid_date(int(match[1]), int(match[2]), int(match[3]))
    if day is None:
        return None
    if match[4] is None:
        return day.isoformat(), False
    moment = datetime(day.year, day.month, day.day, int(match[4]), int(match[5]), int(match[6] or 0))
    zone = match[7]
    if zone:
        offset = timezone.utc if zone == "Z" else timezone(
            (1 if zone[0] == "+" else -1) * timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:])))
        moment = moment.replace(tzinfo=offset).astimezone(VIETNAM)
    else:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.isoformat(), True


def date_from_url(url: str) -> str | None:
    """A publication date encoded in the URL path: full date, else year-month ("2023-11")."""
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match and (day := _valid_date(int(match[1]), int(match[2]), int(match[3]))):
            return day.isoformat()
    month = _URL_MONTH.search(url)
    return f"{month[1]}-{month[2]}" if month else None
