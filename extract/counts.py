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
from .patterns import LETTER, ByOpening, Gated, alternation, word_start_after_letter
from .resources import lexicon

_MIN_PARTICIPANTS = 5
_WOMEN_AFTER = re.compile(r"\s+(?:nữ|là nữ)\b")  # "80 học viên nữ": part of the total
# "Lớp thứ nhất có 50 học viên", "lớp 2, khai giảng ngày 5/3, có 45": a count for one of several
# classes, within its clause.
_ONE_CLASS = re.compile(word_start_after_letter(r"\blớp (?:thứ \w+|số \d+|\d+)\b[^.;\n]{0,60}$"))
_CLASS_WINDOW = 80
# The words after a number that may be the attendees' noun phrase ("thuyền trưởng, chủ tàu").
_ATTENDEE_WORDS = rf"[^\W\d_]+(?: [^\W\d_]+){{0,2}}"
_BEFORE_VERB = 60  # how far before the attendees' verb their number may stand


@dataclass
class Count:
    start: int
    end: int
    value: int | None
    unit: str
    qualifier: str | None
    role: str
    total: bool = False  # stated as the total of parts given before ("Tổng cộng có 350 đại biểu")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern | Gated | ByOpening, ...]:
    lex = lexicon()
    units = alternation(lex["participant_units"] + list(lex["other_units"]))
    qualifiers = alternation(lex["qualifiers"])
    numeric = re.compile(rf"({NUMBER}(?:\s+(?:nghìn|ngàn))?)(?:\s*-\s*{NUMBER})?\s+({units})(?![^\W\d_])")
    qualifier = re.compile(rf"({alternation(lex['qualifiers'], LETTER)})\s+$")
    # No look-behind in front: a pattern that opens with words is scanned for them much faster;
    # `_at_word_starts` checks the boundary.
    # (A text without the amounts' first words, "hàng", "vài", is not scanned: the scan tries every "h".)
    vague_count = Gated(re.compile(rf"({alternation(lex['vague_amounts'])})\s+({units})(?![^\W\d_])"),
                        (w.split(" ")[0] for w in lex["vague_amounts"]))
    # (Number words open with common letters: one scan per letter is faster than one scan for all.)
    worded = ByOpening(NUMBER_WORD_FIRST, rf"({{words}}{NUMBER_WORD_NEXT})\s+({units})(?![^\W\d_])")
    subcount = re.compile(rf"{alternation(lex['subcount_cues'])}(?:\s+có)?\s*[:,]?\s*$")
    # The total stated after its noun: "Tổng số học viên tham gia lớp học là 45", "số đại biểu: 120".
    people = alternation(lex["participant_units"])
    stated = re.compile(rf"số\s+(?:lượng\s+)?({people})(?![^\W\d_])[^.;:\d\n]{{0,40}}?"
                        rf"(?:\s(?:là|gồm|đạt)\s+|\s*:\s*)(?:({qualifiers})\s+)?(?=\d)({NUMBER})(?!\s*%)")
    return numeric, qualifier, vague_count, worded, subcount, stated


@dataclass(frozen=True)
class _AttendeeWords:
    """What tells an attendees' noun phrase (data/lexicon.yml)."""

    cued: re.Pattern  # "cho", "với", "thu hút", a qualifier, the number, the words after it
    verb: re.Pattern  # "tham dự", "được tập huấn": the attendees' verb
    before_verb: re.Pattern  # the number and the words after it, ending right before that verb
    total_before: re.Pattern  # "Tổng cộng có" before the number
    phrase_ends: frozenset[str]
    heads: frozenset[str]
    suffixes: frozenset[str]
    not_attendees: frozenset[str]


@lru_cache(maxsize=1)
def _attendee_words() -> _AttendeeWords:
    lex = lexicon()
    # Both open with a literal (words, a digit): the regex engine skips to the few places they fit.
    return _AttendeeWords(
        re.compile(rf"(?:{alternation(lex['attendance_cues'])})\s+(?:({alternation(lex['qualifiers'])})\s+)?"
                   rf"({NUMBER})\s+({_ATTENDEE_WORDS})"),
        re.compile(rf"(?:{alternation(lex['attendance_verbs'])})(?![^\W\d_])"),
        # (the phrase may be a list: "60 y tá, điều dưỡng đã tham gia")
        re.compile(rf"({NUMBER})\s+({_ATTENDEE_WORDS})(?:,?\s+[^\W\d_]+){{0,4}}?\s+(?:đã\s+|đang\s+)?$"),
        re.compile(rf"(?:{alternation(lex['total_cues'], LETTER)})(?:\s+[^\W\d_]+)?\s*:?\s*$"),
        frozenset(lex["attendee_phrase_ends"]), frozenset(lex["attendee_heads"]), frozenset(lex["attendee_suffixes"]),
        frozenset(lex["not_attendees"]))


def _attendee_noun(words: str, lex: _AttendeeWords) -> str | None:
    """The person noun at the head of `words` ("thuyền trưởng" of "thuyền trưởng của huyện"), or
    None when the words name no people ("cụm thi đua", "xã", "hộ dân", "triệu đồng").

    A person noun opens with a word for a person ("chủ rừng", "cô nuôi") or has an agent's
    syllable among its first three ("công nhân", "báo cáo viên"); a counted thing that is as
    long (or longer) wins ("hộ dân" against "dân", but "xã viên" against "xã")."""
    kept = []
    for word in words.split(" "):
        if word in lex.phrase_ends:
            break
        kept.append(word)
    starts = [" ".join(kept[:n]) for n in range(1, len(kept) + 1)]  # "thuyền", "thuyền trưởng", …
    head = max((n for n, words in enumerate(starts, 1) if words in lex.heads), default=0)
    suffix = next((n for n, word in enumerate(kept[1:], 2) if word in lex.suffixes), 0)
    thing = max((n for n, words in enumerate(starts, 1) if words in lex.not_attendees), default=0)
    return starts[-1] if max(head, suffix) > thing else None


def find_counts(doc: Doc, masked: list[tuple[int, int]]) -> list[Count]:
    """Every count of people, classes or sessions, in text order.

    :param masked: normalised ranges (dates, document numbers) where no count may be read
    """
    numeric, qualifier_before, vague_count, worded, subcount, stated = _patterns()
    attendee = _attendee_words()
    other_units = lexicon()["other_units"]
    low = doc.norm.lower
    taken = Occupied(len(low))
    for a, b in masked:
        taken.add(a, b)
    out: list[Count] = []

    def stated_total(start: int, qualifier: str | None) -> bool:
        return (qualifier or "").startswith("tổng") or bool(attendee.total_before.search(low, max(0, start - 25), start))

    def role_of(start: int, end: int, value: int, ranged: bool, total: bool) -> str:
        # (a total stated after the parts is none of them: "02 cán bộ mỗi xã, tổng cộng 180 cán bộ")
        part_cue = not total and (
            subcount.search(low[max(0, start - 25):start]) or _ONE_CLASS.search(low[max(0, start - _CLASS_WINDOW):start]))
        if part_cue or _WOMEN_AFTER.match(low[end:end + 7]):
            return "subcount"
        return "other" if value < _MIN_PARTICIPANTS or ranged else "participants"

    for m in _at_word_starts(stated, low):
        value = parse_number(m.group(3))
        if value is not None and value == int(value) and value >= _MIN_PARTICIPANTS \
                and not taken.overlaps(m.start(3), m.end(3)):
            taken.add(m.start(3), m.end(3))
            start = m.start() - 5 if low.endswith("tổng ", 0, m.start()) else m.start()
            out.append(Count(start, m.end(), int(value), m.group(1), m.group(2), "participants",
                             total=low.startswith("tổng", start)))
    for m in numeric.finditer(low):
        if taken.overlaps(m.start(1), m.end(1)):
            continue
        value = parse_number(m.group(1))
        if value is None or value != int(value):
            continue
        taken.add(m.start(1), m.end(1))
        unit = m.group(2)
        q = qualifier_before.search(low, max(0, m.start() - 20), m.start())
        start = q.start() if q else m.start()
        qualifier = q.group(1) if q else None
        total = stated_total(start, qualifier)
        if unit in other_units:
            role = other_units[unit]
        else:
            role = role_of(start, m.end(), int(value), "-" in m.group(0)[len(m.group(1)):], total)
        out.append(Count(start, m.end(), int(value), unit, qualifier, role, total))
    # Attendees named by any person noun, where the words around say they attend ("cho 180
    # thuyền trưởng", "200 tiểu thương tham dự").
    for m in _at_word_starts(attendee.cued, low):
        number, words = m.span(2), m.group(3)
        unit = _attendee_noun(words, attendee)
        value = parse_number(m.group(2))
        if unit is None or value is None or value != int(value) or taken.overlaps(*number):
            continue
        taken.add(*number)
        start, end = m.start(1) if m.group(1) else number[0], m.start(3) + len(unit)
        total = stated_total(start, m.group(1))
        out.append(Count(start, end, int(value), unit, m.group(1), role_of(start, end, int(value), False, total), total))
    for verb in attendee.verb.finditer(low):
        m = attendee.before_verb.search(low, max(0, verb.start() - _BEFORE_VERB), verb.start())
        if m is None:
            continue
        unit = _attendee_noun(m.group(2), attendee)
        value = parse_number(m.group(1))
        if unit is None or value is None or value != int(value) or taken.overlaps(*m.span(1)) \
                or low.endswith("năm ", 0, m.start()):
            continue  # (a year: "năm 2025 do Bộ Nội vụ tổ chức")
        taken.add(*m.span(1))
        q = qualifier_before.search(low, max(0, m.start() - 20), m.start())
        start, end, qualifier = q.start() if q else m.start(), m.start(2) + len(unit), q.group(1) if q else None
        total = stated_total(start, qualifier)
        out.append(Count(start, end, int(value), unit, qualifier, role_of(start, end, int(value), False, total), total))
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
    if len(out) > 1:
        _mark_parts_of_lists(doc, out)
    return out


_IN_WHICH = re.compile(r"(?<![^\W\d_])trong (?:số )?đó(?![^\W\d_])")


def _mark_parts_of_lists(doc: Doc, counts: list[Count]) -> None:
    """Counts of people that are parts of a list within their sentence become subcounts: those
    after "trong đó" ("40 lớp …, trong đó 25 lớp cho 875 học viên, 10 lớp cho 350 người"), and,
    where two or more classes each give their own ("15 lớp cho 1.200 người, 20 lớp cho 1.500
    người"), those of each class: parts with no total stated."""
    low = doc.norm.lower
    by_sentence: dict[int, list[Count]] = {}
    for c in counts:
        by_sentence.setdefault(doc.sentence_index(c.start), []).append(c)
    for i, group in by_sentence.items():
        if len(group) < 2 or i >= len(doc.sentences):
            continue
        a, b = doc.sentences[i]
        in_which = _IN_WHICH.search(low, a, b) if "đó" in low[a:b] else None
        if in_which:
            for c in group:
                if c.start > in_which.start() and c.role == "participants" and not c.total:
                    c.role = "subcount"
            continue
        per_class = [c for prev, c in zip(group, group[1:]) if prev.role == "classes" and c.role == "participants"]
        if len(per_class) >= 2:
            for c in per_class:
                c.role = "subcount"

def _at_word_starts(pattern: re.Pattern | Gated | ByOpening, low: str):
    """`pattern.finditer(low)`, keeping only matches that start a word (a match inside a word,
    "hai" of "khai", is dropped and the search goes on from its next character)."""
    pos = 0
    search = pattern.searcher(low) if isinstance(pattern, (ByOpening, Gated)) else lambda at: pattern.search(low, at)
    while (m := search(pos)) is not None:
        if m.start() == 0 or not low[m.start() - 1].isalpha():
            yield m
            pos = max(m.end(), m.start() + 1)
        else:
            pos = m.start() + 1


def count_record(doc: Doc, c: Count) -> dict:
    return {"value": c.value, "unit": c.unit, "qualifier": c.qualifier, "role": c.role,
            **doc.mention(c.start, c.end)}
