"""Bylines, sources and posting accounts: the lines around an article's text that name people.

- byline: "Tin, ảnh: Hồ Thuỷ", "Tác giả: …" (or "Tác giả" on its own line, the name on the next),
  a bare name on the last line, initials ("T.H"), a one-word name, "Name - Unit", a unit signing
  ("Văn phòng HĐND và UBND xã");
- source: "Nguồn: …", "Nguồn tin: …", "Theo Báo …" (the article names where it comes from);
- posting accounts ("admin admin", "Người đăng: …"): dropped, never a byline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader.vocabulary import vocabulary

_CAP = "A-ZĐÂĂÊÔƠƯÀÁẢÃẠẦẤẨẪẬẰẮẲẴẶÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
_NAME_WORD = rf"[{_CAP}][\wÀ-ỹ]*"
_BARE_NAME = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}")
_ONE_WORD = re.compile(rf"[{_CAP}][a-zà-ỹđ]{{1,14}}")
_INITIALS = re.compile(rf"(?:[{_CAP}]\.\s?){{1,3}}(?:[{_CAP}][\wÀ-ỹ]*)?\.?")
_NAME_UNIT = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}\s*(?:[-–]\s*{_NAME_WORD}[^.!?;:]{{1,80}}"
                        rf"|\(\s*{_NAME_WORD}[^.!?;:()]{{1,80}}\))")
# A label with nothing after it: the name is on the next line.
_LABEL_ONLY = re.compile(r"(?:tác giả|thực hiện|tin,?\s*(?:và\s*)?ảnh|bài,?\s*(?:và\s*)?ảnh|người viết)\s*[:：]?", re.I)
_TAIL_LINES = 8


@dataclass
class People:
    """What the lines around an article say about who wrote it.

    :param byline: the author line without its label
    :param source: the source the article names ("Nguồn: …"), without its label
    :param lines: the body lines left once those lines are taken out
    """

    byline: str | None = None
    source: str | None = None
    lines: list[str] = field(default_factory=list)


def _unwrapped(line: str) -> str:
    """A line without the brackets around it ("(Nguồn: Báo Ninh Thuận)", "[Theo TTXVN]")."""
    line = line.strip()
    while len(line) > 2 and (line[0], line[-1]) in {("(", ")"), ("[", "]")}:
        line = line[1:-1].strip()
    return line


def labelled_byline(line: str) -> str | None:
    """The name in "Tin, ảnh: Hồ Thuỷ", "Tác giả: …", or None."""
    match = vocabulary().byline.match(_unwrapped(line))
    return match["name"].strip() if match and len(line) < 150 else None


def people_parts(line: str) -> list[str]:
    """A line naming several people or sources, split before each label after the first
    ("Tác giả: Minh Đức - Nguồn tin: Phòng Văn hóa" → "Tác giả: Minh Đức", "Nguồn tin: Phòng Văn
    hóa"); the line alone when it holds one label or none."""
    starts = [match.start() for match in vocabulary().people_label.finditer(line) if match.start() > 0]
    if not starts or len(line) > 200:
        return [line]
    bounds = [0, *starts, len(line)]
    parts = [line[a:b].strip().strip("-–|,;").strip() for a, b in zip(bounds, bounds[1:])]
    return [part for part in parts if part]


def byline_within(line: str) -> str | None:
    """The name a label gives inside a longer line ("Thứ Năm, 16/11/2023 | Tác giả: Minh Thu"),
    when it reads as a byline (a name, initials, "Name - Unit"), or None."""
    for match in vocabulary().byline_within.finditer(line):
        if name := bare_byline(match["name"].strip()):
            return name
    return None


def source_of(line: str) -> str | None:
    """The source in "Nguồn: Báo Điện Biên Phủ", "Nguồn tin: …", "(Theo Báo …)", or None."""
    words = vocabulary()
    line = _unwrapped(line)
    if line.casefold() in words.short_sources:
        return line
    match = words.source.match(line)
    return match["name"].strip() if match and len(line) < 200 else None


def is_posting_account(line: str) -> bool:
    """A CMS account printed as the poster ("admin admin", "Người đăng: …")."""
    return bool(vocabulary().posting_account.match(line))


def bare_byline(line: str) -> str | None:
    """A byline printed without a label: a name, initials, one word, "Name - Unit", a unit's name."""
    words = vocabulary()
    if len(line) > 100 or line.casefold() in words.not_bylines:
        return None
    if line.casefold() in words.short_bylines:
        return line
    if _INITIALS.fullmatch(line) or _ONE_WORD.fullmatch(line):
        return line
    if (_BARE_NAME.fullmatch(line) and len(line.split()) <= 5) or _NAME_UNIT.fullmatch(line):
        return line
    if words.signature.match(line):  # a unit signs: "Văn phòng HĐND và UBND xã"
        return line.rstrip(".")
    return None


def read_selected(texts: list[str]) -> People:
    """Byline and source from the family's byline elements ("Tác giả: …", "Nguồn tin: …")."""
    people = People()
    for text in texts:
        for line in (part for t in text.split("\n") for part in people_parts(t.strip())):
            if not line:
                continue
            if (source := source_of(line)) and not people.source:
                people.source = source
            elif (name := labelled_byline(line)) and not people.byline:
                people.byline = name
            elif not people.byline and not is_posting_account(line) and not _LABEL_ONLY.fullmatch(line):
                people.byline = line
    return people


def split_people(lines: list[str], is_chrome_line) -> People:
    """Take byline, source and posting-account lines off the body.

    :param lines: body lines in order
    :param is_chrome_line: tells a page-chrome line (contact line, the portal's name) at the tail
    """
    lines = [line for line in lines if not is_posting_account(line)]
    people = People(lines=lines)
    labelled = bare = None
    cut = len(lines)
    index = len(lines) - 1
    taken_bare_at = None
    while index >= 1 and index >= len(lines) - _TAIL_LINES:
        line = lines[index]
        if len(parts := people_parts(line)) > 1 and all(source_of(p) or labelled_byline(p) or bare_byline(p)
                                                         for p in parts):
            # "Tác giả: Minh Đức - Nguồn tin: …", "Minh Đức | Nguồn: Báo Long An"
            people.source = people.source or next((s for p in parts if (s := source_of(p))), None)
            labelled = labelled or next((n for p in parts if not source_of(p) and (n := labelled_byline(p) or bare_byline(p))), None)
        elif (source := source_of(line)) is not None:
            people.source = people.source or source
        elif (name := labelled_byline(line)) is not None:
            labelled = labelled or name
        elif _LABEL_ONLY.fullmatch(line):
            if taken_bare_at == index + 1:
                labelled = labelled or bare
        elif is_chrome_line(line):
            pass
        elif (name := bare_byline(line)) is not None:
            bare, taken_bare_at = name, index  # the name nearest the text wins
        else:
            break
        cut = index
        index -= 1
    people.lines = lines[:cut]
    people.byline = labelled or bare
    return people
