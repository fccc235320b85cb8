"""The bodies that organised an activity.

"Ban Dân tộc tỉnh Thanh Hóa phối hợp với UBND huyện Mường Lát tổ chức khai mạc lớp tập huấn"
-> organizer "Ban Dân tộc tỉnh Thanh Hóa", co-organizer "UBND huyện Mường Lát". Also the passive
"Hội nghị tập huấn … do Bộ Nội vụ tổ chức". Leading time and place phrases ("Sáng 18/8,",
"tại huyện Mường Lát,") and outlet tags ("(BDO)") are not part of the name. A place alone
("tỉnh Nghệ An", "huyện Sơn Dương") is never an organiser: after a body it says where the body
is ("UBND huyện Mường Lát, tỉnh Thanh Hóa" is one co-organiser).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Doc
from .patterns import word_start_after_letter

_VERB_WORDS = r"(?:tổ chức|khai giảng|khai mạc|mở|triển khai)\b"
# "(?:\s+(?:đã|vừa|chính thức|đồng))?(?:\s+phối hợp)?\s+<verb>": every way opens with white space,
# written first so that the regex engine skips to it (the same matches, tried in the same order).
_VERB = re.compile(rf"\s(?:\s*(?:đã|vừa|chính thức|đồng)(?:\s+phối hợp)?\s+{_VERB_WORDS}|\s*phối hợp\s+{_VERB_WORDS}"
                   rf"|\s*{_VERB_WORDS})")
_VERB_CORE = re.compile(r"tổ chức|khai giảng|khai mạc|mở|triển khai")
_VERB_WORDS_BEFORE = 4  # the most words _VERB reads before its verb ("chính thức phối hợp")
# Matched where the verb ends (not on the rest of the sentence cut out: a long sentence with many
# verbs would be copied once per verb).
_ACTIVITY_AFTER = re.compile(r"[^.\n]{0,60}?\b(?:tập huấn|bồi dưỡng|huấn luyện|đào tạo|lớp|khóa học|hội nghị tập huấn)")
_PASSIVE = re.compile(word_start_after_letter(r"\bdo\s+([^.;\n]{3,150}?)\s+(?:phối hợp\s+(?:với\s+)?[^.;\n]{3,100}?\s+)?tổ chức\b"))
_CO = re.compile(r"\s+(?:(?:đã|vừa|cũng) )?(?:phối hợp với|phối hợp cùng|phối hợp|cùng với|kết hợp với)\s+")
_TRAILING = re.compile(r"(?:\s+(?:đã|vừa|cũng|đã được|sẽ|chính thức|đồng thời))+$")
_LEADING = re.compile(r"^(?:các|những|cả)\s+")
_PLACE_HEADS = ("huyện", "tỉnh", "xã", "thành phố", "thị xã", "quận", "phường", "Huyện", "Tỉnh", "Xã", "Thành phố",
                "Thị xã", "Quận", "Phường")
# The next three are matched where the subject starts (no "^"), not on the rest cut out: a long
# run of lead-ins would be copied once per lead-in.
_LEAD_IN = re.compile(r"(?:ngày|sáng|chiều|tối|trưa|đêm|từ|vừa qua|mới đây|hôm|tại|trong|thực hiện|nhằm|để|theo"
                      r"|nhân dịp|sau|trước|qua|vào|đến|năm|tháng|hưởng ứng|căn cứ|được biết|cũng|bên cạnh|ngoài ra"
                      r"|đồng thời|tiếp đó|thời gian qua|thứ|ngay|hằng năm|hàng năm|định kỳ)\b", re.I)
_DATE_LEAD = re.compile(r"(?:(?:rạng sáng|sáng|chiều|tối|trưa)\s+)?(?:ngày\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{4})?\s*,?\s*", re.I)
_OUTLET_TAG = re.compile(r"\s*(?:\([^)]{2,20}\)\s*[-–—]?|[A-ZĐ][A-ZĐ&.]{1,12}\s*[-–—])\s*")
_HEADS = ("Sở", "Ban", "Ủy ban", "Uỷ ban", "UBND", "HĐND", "Hội", "Viện", "Trung tâm", "Phòng", "Bộ", "Cục", "Chi cục",
          "Văn phòng", "Tổ chức", "Trường", "Đoàn", "Huyện ủy", "Tỉnh ủy", "Thành ủy", "Đảng ủy", "Thị đoàn",
          "Huyện đoàn", "Tỉnh đoàn", "Thành đoàn", "Công an", "Bộ Chỉ huy", "Liên minh", "Liên đoàn", "Mặt trận",
          "MTTQ", "Chi hội", "Tổng cục", "Quỹ", "Ngân hàng", "Công ty", "Học viện", "Đài", "Báo", "Bệnh viện",
          "Trung ương", "Thường trực", "Liên hiệp", "Hợp tác xã", "Ủy", "Chi bộ", "Câu lạc bộ", "Tòa án", "Viện kiểm sát",
          "Cơ quan", "Cảnh sát", "Trạm", "Lực lượng", "Tổ", "Nhóm", "Dự án", "Bưu điện", "Kho bạc", "Chi nhánh", "Vụ", "Tổng", "Hiệp hội")


_NOT_IN_NAME = re.compile(r"\d{1,2}/\d{1,2}|[;]")  # a date or a clause break: not a body's name
_PART_BREAK = re.compile(r"[,:]\s*|\s+và\s+")
_TRAINING_BEFORE = re.compile(r"tập huấn|bồi dưỡng|huấn luyện|đào tạo|lớp")
_SPACES = re.compile(r"\s+")


@dataclass
class Organizer:
    start: int
    end: int
    role: str  # organizer | co-organizer
    anchor: int  # position of the verb, to tie the organizer to an activity


def _is_place(name: str) -> bool:
    """Whether `name` is a place with its type word and nothing else ("tỉnh Nghệ An")."""
    if not name.startswith(_PLACE_HEADS):
        return False
    rest = name.split(None, 2 if name.lower().startswith(("thành phố", "thị xã")) else 1)[-1]
    return rest[:1].isupper()


def _is_org(name: str) -> bool:
    """Whether `name` reads like a body: a head word ("Sở", "UBND", "Hội") and at least one more
    word; a place alone ("huyện Sơn Dương") is not one."""
    words = name.split()
    if not (2 <= len(words) <= 20) or _NOT_IN_NAME.search(name):
        return False
    return name.startswith(_HEADS) and not _is_place(name)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop lead-in phrases and outlet tags before the subject of the sentence."""
    while True:
        tag = _OUTLET_TAG.match(text, start, end)
        if tag and tag.end() < end and not _is_org(text[start:tag.end()].strip()):
            start = tag.end()
            continue
        date_first = _DATE_LEAD.match(text, start, end)
        if date_first and date_first.end() < end:
            start = date_first.end()
            continue
        if _LEAD_IN.match(text, start, end):
            comma = text.find(",", start, end)
            if comma == -1:
                return start, start
            start = comma + 1
            while start < end and text[start].isspace():
                start += 1
            continue
        return start, end


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split "A, B và C" into bodies where each part starts like a body (a comma or "và" inside a
    name such as "Sở Lao động, Thương binh và Xã hội" does not split)."""
    parts, cur = [], start
    for m in _PART_BREAK.finditer(text[start:end]):
        nxt = start + m.end()
        if _is_org(text[slice(*_strip(text, nxt, end))]) and _is_org(text[slice(*_strip(text, cur, start + m.start()))]):
            parts.append((cur, start + m.start()))
            cur = nxt
    parts.append((cur, end))
    return parts


def _verb_scan_start(sentence: str, first_verb: int) -> int:
    """Where `_VERB` may first match in `sentence` whose first verb word (`_VERB_CORE`) starts at
    `first_verb`: at the white space before the words it reads before a verb (a match ends at a
    verb word, none before the first), so that the white space before it is not tried."""
    pos = first_verb
    for words in range(_VERB_WORDS_BEFORE + 1):
        while pos > 0 and sentence[pos - 1].isspace():
            pos -= 1
        if words == _VERB_WORDS_BEFORE:
            break
        while pos > 0 and not sentence[pos - 1].isspace():
            pos -= 1
    return pos


def find_organizers(doc: Doc) -> list[Organizer]:
    """Organisers of training activities, in text order."""
    text, low = doc.norm.text, doc.norm.lower
    out: list[Organizer] = []
    for s_start, s_end in doc.sentences:
        core = _VERB_CORE.search(low, s_start, s_end)
        if not core:
            continue
        sentence = low[s_start:s_end]
        for verb in _VERB.finditer(sentence, _verb_scan_start(sentence, core.start() - s_start)):
            if not _ACTIVITY_AFTER.match(sentence, verb.end()):
                continue
            clause_start = s_start + max(sentence.rfind(";", 0, verb.start()) + 1, 0)
            subj_start, subj_end = _trim(text, clause_start, s_start + verb.start())
            if subj_end - subj_start < 2:
                continue
            parts = _CO.split(text[subj_start:subj_end])
            pos = subj_start
            bodies: list[tuple[int, int, str]] = []
            for k, part in enumerate(parts):
                idx = text.find(part, pos, subj_end + 1) if part else pos
                if idx == -1:
                    continue
                for a, b in _split(text, idx, idx + len(part)):
                    bodies.append((a, b, "organizer" if k == 0 else "co-organizer"))
                pos = idx + len(part)
            for a, b, role in bodies:
                a2, b2 = _strip(text, a, b)
                if _is_org(text[a2:b2]):
                    out.append(Organizer(a2, b2, role, s_start + verb.start()))
            break
        for m in _PASSIVE.finditer(sentence) if "do " in sentence else ():
            a, b = _strip(text, s_start + m.start(1), s_start + m.end(1))
            if _is_org(text[a:b]) and _TRAINING_BEFORE.search(sentence, 0, m.start()):
                out.append(Organizer(a, b, "organizer", s_start + m.start()))
    out.sort(key=lambda o: o.start)
    return out


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    """Trim punctuation, a leading "các" and a trailing "đã"/"vừa" from a body's range."""
    while a < b and text[a] in " ,;:-–":
        a += 1
    while b > a and text[b - 1] in " ,;:-–":
        b -= 1
    label = text.rfind(":", a, b)
    if label != -1:
        a = label + 1  # "các Hội: Hội Phụ nữ huyện" -> "Hội Phụ nữ huyện"
        while a < b and text[a] == " ":
            a += 1
    lead = _LEADING.match(text[a:b])
    if lead:
        a += lead.end()
    tail = _TRAILING.search(text[a:b])
    if tail:
        b = a + tail.start()
    return a, b


def organizer_record(doc: Doc, o: Organizer) -> dict:
    mention = doc.mention(o.start, o.end)
    return {"name": _SPACES.sub(" ", mention["quote"]), "role": o.role, **mention}
