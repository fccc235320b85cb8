"""Counts of people, classes and sessions: "hơn 200 đại biểu", "3.130 đại biều", "02 lớp".

Each count keeps its qualifier ("hơn", "gần", "hàng trăm") and its counted noun (`unit`), and a
role: `participants`, `subcount` (part of a total or per unit: "trong đó 80 nữ", "mỗi xã có 150"),
`classes`, `sessions`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .document import Doc, Occupied
from .numbers import NUMBER, NUMBER_WORD_FIRST, NUMBER_WORD_NEXT, parse_number, parse_number_words
from .patterns import alternation
from .resources import lexicon

_MIN_PARTICIPANTS = 5
# "Lớp thứ nhất có 50 học viên", "lớp 2 có 45": a count for one of several classes.
_WOMEN_AFTER = re.compile(r"\s+(?:nữ|là nữ)\b")  # "80 học viên nữ": part of the total
_ONE_CLASS = re.compile(r"\blớp (?:thứ \w+|số \d+|\d+)\b[^.;\n]{0,15}$")  # "01 Lãnh đạo Sở, 01 chuyên viên" describe a delegation, not an audience


@dataclass
class Count:
    start: int
    end: int
    value: int | None
    unit: str
    qualifier: str | None
    role: str


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, ...]:
    lex = lexicon()
    units = alternation(lex["participant_units"] + list(lex["other_units"]))
    qualifiers = alternation(lex["qualifiers"])
    numeric = re.compile(rf"({NUMBER}(?:\s+(?:nghìn|ngàn))?)(?:\s*-\s*{NUMBER})?\s+({units})(?![^\W\d_])")
    qualifier = re.compile(rf"(?<![^\W\d_])({qualifiers})\s+$")
    # No look-behind in front: a pattern that opens with words is scanned for them much faster;
    # `_at_word_starts` checks the boundary.
    vague_count = re.compile(rf"({alternation(lex['vague_amounts'])})\s+({units})(?![^\W\d_])")
    worded = re.compile(rf"({alternation(NUMBER_WORD_FIRST)}{NUMBER_WORD_NEXT})\s+({units})(?![^\W\d_])")
    subcount = re.compile(rf"{alternation(lex['subcount_cues'])}(?:\s+có)?\s*[:,]?\s*$")
    # The total stated after its noun: "Tổng số học viên tham gia lớp học là 45", "số đại biểu: 120".
    people = alternation(lex["participant_units"])
    stated = re.compile(rf"số\s+(?:lượng\s+)?({people})(?![^\W\d_])[^.;:\d\n]{{0,40}}?"
                        rf"(?:\s(?:là|gồm|đạt)\s+|\s*:\s*)(?:({qualifiers})\s+)?(?=\d)({NUMBER})(?!\s*%)")
    return numeric, qualifier, vague_count, worded, subcount, stated


def find_counts(doc: Doc, masked: list[tuple[int, int]]) -> list[Count]:
    """Every count of people, classes or sessions, in text order.

    :param masked: normalised ranges (dates, document numbers) where no count may be read
    """
    numeric, qualifier_before, vague_count, worded, subcount, stated = _patterns()
    other_units = lexicon()["other_units"]
    low = doc.norm.lower
    taken = Occupied(len(low))
    for a, b in masked:
        taken.add(a, b)
    out: list[Count] = []
    for m in _at_word_starts(stated, low):
        value = parse_number(m.group(3))
        if value is not None and value == int(value) and value >= _MIN_PARTICIPANTS \
                and not taken.overlaps(m.start(3), m.end(3)):
            taken.add(m.start(3), m.end(3))
            start = m.start() - 5 if low.endswith("tổng ", 0, m.start()) else m.start()
            out.append(Count(start, m.end(), int(value), m.group(1), m.group(2), "participants"))
    for m in numeric.finditer(low):
        if taken.overlaps(m.start(1), m.end(1)):
            continue
        value = parse_number(m.group(1))
        if value is None or value != int(value):
            continue
        unit = m.group(2)
        q = qualifier_before.search(low, max(0, m.start() - 20), m.start())
        start = q.start() if q else m.start()
        qualifier = q.group(1) if q else None
        if unit in other_units:
            role = other_units[unit]
        elif subcount.search(low[max(0, start - 25):start]) or _ONE_CLASS.search(low[max(0, start - 30):start]) \
                or _WOMEN_AFTER.match(low[m.end():m.end() + 7]):
            role = "subcount"
        elif int(value) < _MIN_PARTICIPANTS or "-" in m.group(0)[len(m.group(1)):]:
            role = "other"
        else:
            role = "participants"
        out.append(Count(start, m.end(), int(value), unit, qualifier, role))
    for m in _at_word_starts(worded, low):
        value = parse_number_words(m.group(1))
        if value and value >= _MIN_PARTICIPANTS and m.group(2) not in other_units \
                and not taken.overlaps(m.start(), m.end()):
            q = qualifier_before.search(low, max(0, m.start() - 20), m.start())
            out.append(Count(q.start() if q else m.start(), m.end(), value, m.group(2), q.group(1) if q else None,
                             "participants"))
    for m in _at_word_starts(vague_count, low):
        unit = m.group(2)
        if unit not in other_units:
            out.append(Count(m.start(), m.end(), None, unit, m.group(1), "other"))
    out.sort(key=lambda c: c.start)
    return out


def _at_word_starts(pattern: re.Pattern, low: str):
    """`pattern.finditer(low)`, keeping only matches that start a word (a match inside a word,
    "hai" of "khai", is dropped and the search goes on from its next character)."""
    pos = 0
    while (m := pattern.search(low, pos)) is not None:
        if m.start() == 0 or not low[m.start() - 1].isalpha():
            yield m
            pos = max(m.end(), m.start() + 1)
        else:
            pos = m.start() + 1


def count_record(doc: Doc, c: Count) -> dict:
    return {"value": c.value, "unit": c.unit, "qualifier": c.qualifier, "role": c.role,
            **doc.mention(c.start, c.end)}
