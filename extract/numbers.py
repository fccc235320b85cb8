"""Vietnamese number forms: "3.130" = 3130, "02" = 2, "1,5 nghìn" = 1500, "hai mươi mốt" = 21,
"một nghìn hai trăm" = 1200, "hai trăm rưỡi" = 250."""
from __future__ import annotations

import re

# A dot groups thousands, a comma marks decimals; English-style "3,130" is read as thousands too
# when exactly three digits follow (counts of people are whole numbers).
# The test that no digit, '.' or ',' stands before comes after the first digit, so that a pattern
# opening with a number opens with a digit (the regex engine skips to digits).
NUMBER = r"\d(?<![\d.,][\s\S])(?:\d{0,2}(?:[.,]\d{3})+|\d*)(?:,\d{1,2}(?!\d))?(?![\d]|[.,]\d)"
_MAX_DIGITS = 15  # beyond this a float loses units (and a 400-digit run overflows it)
_SCALES = {"nghìn": 1000, "ngàn": 1000, "vạn": 10000, "triệu": 1_000_000, "tỷ": 1_000_000_000, "tỉ": 1_000_000_000}

_DIGIT_WORDS = {"một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "nhăm": 5,
                "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}
# At most nine words after the first ("chín nghìn chín trăm chín mươi chín"): a bounded repetition
# cannot backtrack through a long run of number words.
NUMBER_WORD_FIRST = ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "bẩy", "tám", "chín", "mười"]
NUMBER_WORD_NEXT = (r"(?:\s+(?:mươi|mười|mốt|lăm|nhăm|tư|một|hai|ba|bốn|năm|sáu|bảy|bẩy|tám|chín|trăm|nghìn|ngàn"
                    r"|linh|lẻ|rưỡi)){0,9}")
NUMBER_WORDS = rf"(?:{'|'.join(NUMBER_WORD_FIRST)}){NUMBER_WORD_NEXT}"


_AMOUNT = re.compile(r"([\d.,]+)(?:\s+(\w+))?")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_GROUP_MARKS = re.compile(r"[.,]")
_DECIMAL_COMMA = re.compile(r"\d+(?:,\d+)?")
_DECIMAL_DOT = re.compile(r"\d+\.\d{1,2}")


def parse_number(s: str) -> float | None:
    """Value of a digit string in Vietnamese notation, with an optional scale word.

    :param s: e.g. "3.130", "02", "1,5 nghìn", "2.5"
    """
    s = s.strip()
    m = _AMOUNT.fullmatch(s)
    if not m:
        return None
    digits, scale = m.group(1), (m.group(2) or "").lower()
    if sum(c.isdigit() for c in digits) > _MAX_DIGITS:
        return None  # a serial number or a run of digits, not an amount
    if _GROUPED.fullmatch(digits):
        value = float(_GROUP_MARKS.sub("", digits))
    elif _DECIMAL_COMMA.fullmatch(digits):
        value = float(digits.replace(",", "."))
    elif _DECIMAL_DOT.fullmatch(digits):
        value = float(digits)
    else:
        return None
    if scale:
        if scale not in _SCALES:
            return None
        value *= _SCALES[scale]
    return value


def parse_number_words(s: str) -> int | None:
    """Value of a number written in words, up to the thousands ("hai mươi mốt" = 21, "một nghìn
    linh năm" = 1005; "rưỡi" is half of the scale word before it: "một nghìn rưỡi" = 1500).

    :param s: lower-case words
    :return: None when the words are not one number ("năm" after a digit is a year's "năm", a
        "rưỡi" needs a scale before it)
    """
    thousands, hundreds, current = 0, 0, 0
    last_scale = 0  # the scale word just read, for "rưỡi" (half of it)
    words = s.lower().split()
    if not words:
        return None
    for i, w in enumerate(words):
        scale, last_scale = last_scale, 0
        if w == "mười":
            current += 10
        elif w == "mươi":
            current = (current or 1) * 10
        elif w == "trăm":
            hundreds += (current or 1) * 100
            current, last_scale = 0, 100
        elif w in ("nghìn", "ngàn"):
            if thousands:
                return None  # "hai nghìn ba nghìn": two numbers
            thousands = (hundreds + current or 1) * 1000
            hundreds, current, last_scale = 0, 0, 1000
        elif w == "rưỡi":
            if not scale or i != len(words) - 1:
                return None
            current += scale // 2
        elif w in ("linh", "lẻ"):
            continue
        elif w in _DIGIT_WORDS:
            if w == "năm" and i > 0 and words[i - 1] not in ("mươi", "mười", "trăm", "nghìn", "ngàn", "linh", "lẻ"):
                return None
            current += _DIGIT_WORDS[w]
        else:
            return None
    return thousands + hundreds + current
