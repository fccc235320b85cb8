"""Does the article report a training activity that took place (or is under way)?

What an article reports is what its headline and lead report: the primary activity. A training
term further down the body ("cán bộ y tế đã được tập huấn" in a vaccination feature, "Hội đã mở
25 lớp tập huấn" in a congress report) is a passing mention, not a report. So the verdict reads:
1. the headline: a training term there (not inside an institution's name such as "Trung tâm Bồi
   dưỡng chính trị") makes the training the primary activity, unless the headline announces a
   document, a plan or an interview, or names another kind of event (a congress, a drill, a
   meeting that is not a training);
2. else the lead (the first sentences of prose): a sentence saying that a training was held or
   attended ("tổ chức lớp tập huấn", "khai giảng lớp bồi dưỡng", "tập huấn cho 80 học viên");
   after a headline that is about something else, that sentence must be the lead's first one,
   or the training must fill the body;
3. a plan or a call ("sẽ tổ chức", "thông báo tuyển sinh", "ban hành Kế hoạch … bồi dưỡng") in the
   deciding sentences, with nothing held in the lead, is not a report; neither is a text with no
   sign that the training happened (trainees, opening, a date, an organiser…).
Every verdict carries the sentence that decided it and a short reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .document import Doc, Occupied
from .patterns import AnyOf, opening
from .patterns import words as _words
from .resources import lexicon


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern | AnyOf]:
    """The classifier's patterns; those used only to ask whether a sentence or text holds a match
    are `AnyOf` (each alternative scanned with its own fast opening)."""
    lex = lexicon()
    nouns = _words(lex["activity_nouns"])
    terms = _words(lex["training_terms"])
    not_future = ["sẽ ", "kiến ", "sẽ được "]
    held_after = rf"\s+(?:\S+\s+){{0,2}}?(?:tổ chức|mở|phối hợp|khai mạc|khai giảng|diễn ra|{terms})"
    return {
        "term": re.compile(terms),
        # "Trung tâm Bồi dưỡng chính trị", "Trường Đào tạo nghề": a name, not an activity (capitals).
        "institution": re.compile(r"(?:Trường|Trung tâm|Cơ sở|Học viện|Viện|TRƯỜNG|TRUNG TÂM|CƠ SỞ|HỌC VIỆN)\s+"
                                  r"(?:Bồi dưỡng|Đào tạo nghề|Dạy nghề|Huấn luyện|Đào tạo|BỒI DƯỠNG|ĐÀO TẠO|DẠY NGHỀ|"
                                  r"HUẤN LUYỆN)(?![^\W\d_])"),
        "not_training_use": re.compile(_words(lex["not_training_uses"])),
        "document_headline": re.compile(_words(lex["document_acts"]) + r"\s+(?:\S+\s+){0,4}?"
                                        + _words(lex["document_kinds"])),
        "interview": re.compile(_words(lex["interview_cues"])),
        "realised": AnyOf(_words(lex["realisation_cues"]),
                          rf"(?:tổ chức|tham dự|tham gia|mở)\s+(?:khai mạc\s+|khai giảng\s+)?(?:\d+\s+)?(?:{nouns})\s+(?:{terms})",
                          rf"(?:tham dự|tham gia)\s+(?:{terms})"),
        "non_report_title": re.compile(r"^\W*" + _words(lex["non_report_title_starts"])),
        "non_training_event": re.compile(_words(lex["non_training_events"])),
        "future": re.compile(_words(lex["future_cues"])),
        "meeting": re.compile(_words(lex["meeting_words"])),
        # A sentence that reports a training being held or attended.
        "held_training": AnyOf(
            rf"{nouns}\s+(?:\S+\s+){{0,2}}?(?:{terms})",
            rf"(?:tổ chức|khai mạc|khai giảng|bế mạc|bế giảng|mở|phối hợp|tham dự|tham gia|dự)\s+(?:\S+\s+){{0,2}}?(?:{terms})",
            rf"(?:{terms})\s+(?:[^\s,.;:]+\s+){{0,8}}?cho\b", rf"được\s+(?:{terms})", rf"đã\s+(?:{terms})"),
        # Something was held: past or ongoing wording, not "sẽ tổ chức", "dự kiến khai giảng".
        # ("vừa ban hành Kế hoạch" is past, but what it did is issue a plan).
        "held": re.compile(opening([("đ", "ã" + held_after), ("v", "ừa" + held_after), ("đ", "ang" + held_after),
                                    ("d", "iễn ra"), ("k", "hai mạc"), ("b", "ế mạc"), ("k", "hai giảng"), ("b", "ế giảng"),
                                    ("t", "ổ chức"), ("đ", "ược (?:nghe|truyền đạt|trang bị|tiếp thu|phổ biến"
                                                           "|hướng dẫn|cung cấp|giới thiệu|quán triệt)")],
                                   not_future + ["kế hoạch ", r"[^\W\d_]"]) + r"(?![^\W\d_])"),
        "preamble": re.compile(r"\W*" + _words(lex["preamble_starts"])),
        "topic": re.compile(_words(lex["training_topics"])),
    }


@dataclass
class TrainingVerdict:
    is_training: bool
    evidence: list[tuple[int, int]]  # normalised ranges of the sentences that decided it
    reason: str


# Question turns of an interview: "PV:", "Phóng viên:" at the start of a line.
_INTERVIEW_TURN = re.compile(r"^\s*(?:PV|Phóng viên)\s*:", re.M)
_SLUG_TERMS = re.compile(r"tap-huan|boi-duong|huan-luyen|dao-tao|day-nghe|khai-giang")
_LEAD_SENTENCES = 3
_LEAD_SENTENCES_UNTITLED = 5
# Share of the body's sentences that name the training above which it is what the article is
# about, even when its headline is not ("Tình hình thực hiện công tác giảm nghèo" reporting the
# trainings held); a passing mention is one or two sentences of many.
_FILLS_THE_BODY = 0.25


def classify(doc: Doc, attendance: bool = False, organised: bool = False, dated: bool = False) -> TrainingVerdict:
    """Decide whether `doc` reports a training activity.

    :param attendance: the text counts participants ("cho 150 nông dân")
    :param organised: a body is said to have organised a training ("Sở Nội vụ tổ chức bồi dưỡng")
    :param dated: a sentence naming the training gives its date ("Ngày 5/3, … tập huấn …")

    When the text itself never names the activity (a page whose headline was not captured), the
    headline words in the URL slug ("…-to-chuc-hoi-nghi-tap-huan-…") stand in for it.
    """
    p = _patterns()
    low = doc.norm.lower
    named = _term_sentences(doc)
    title = doc.title
    title_low = doc.title_text.lower()
    slug_names_training = not title and bool(doc.url and _SLUG_TERMS.search(doc.url.lower()))
    if not named and not slug_names_training:
        return TrainingVerdict(False, [], "no training term")
    if title and (p["non_report_title"].search(title_low) or p["document_headline"].search(title_low)):
        return TrainingVerdict(False, [title], "headline announces a document, a plan or an interview")
    opening = ([title] if title else []) + doc.lead(1)
    framed = next((s for s in opening if p["interview"].search(doc.norm.lower, *s)), None)
    if framed or _interview_turns(doc.norm.text) >= 2:
        return TrainingVerdict(False, [framed or title] if (framed or title) else [], "an interview")
    head_term = bool(title) and _has_term(doc, *title)
    if title and not head_term and p["non_training_event"].search(title_low):
        return TrainingVerdict(False, [title], "headline names another kind of event; training is not its subject")

    # Without a headline the text may open with a menu or a banner line: read a little further.
    lead = doc.lead(_LEAD_SENTENCES if title else _LEAD_SENTENCES_UNTITLED)
    lead_named = [s for s in lead if doc.sentence_index(s[0]) in named]
    held = [s for s in lead_named if p["held_training"].search(low, *s)]
    deciding: tuple[int, int] | None = None
    if head_term:
        deciding, reason = title, "training named in the headline"
    elif held and (not title or _is_primary(doc, lead, held[0]) or p["topic"].search(title_low)):
        deciding, reason = held[0], "training reported in the lead"
    elif title and p["meeting"].search(title_low):
        return TrainingVerdict(False, [title], "headline names a meeting and the lead names no training")
    elif _share_of_body(doc, named) >= _FILLS_THE_BODY:
        deciding, reason = doc.sentences[min(named)], "training fills the body"
    elif named and p["topic"].search(title_low):
        deciding, reason = doc.sentences[min(named)], "headline about building skills, the body names the training"
    elif lead_named and not title:
        deciding, reason = lead_named[0], "training named in the lead"
    elif slug_names_training and not named:
        deciding, reason = (lead[0] if lead else None), "training named in the address; the text has no headline"
    else:
        first = doc.sentences[min(named)] if named else None
        return TrainingVerdict(False, [first] if first else [], "training mentioned only in passing")

    evidence = [deciding] if deciding else []
    # A plan: the first sentence naming the training announces it, and nothing in the headline or
    # lead was held. ("Trong 3 ngày, học viên sẽ được bồi dưỡng …" in a report is not a plan.)
    announcing = ([title] if head_term else []) + [s for s in lead_named if s in lead[:_LEAD_SENTENCES]][:1]
    held_text = " ".join(low[a:b] for a, b in ([title] if title else []) + lead)
    plan = next((s for s in announcing if p["future"].search(low, *s)), None)
    if plan and not p["held"].search(held_text):
        return TrainingVerdict(False, [plan], "plan for a future training")
    if not (attendance or organised or dated or p["realised"].search(low)):
        return TrainingVerdict(False, evidence, "no sign that a training took place")
    if p["future"].search(low) and not p["held"].search(low):
        return TrainingVerdict(False, evidence, "future-only wording")
    return TrainingVerdict(True, evidence, reason)


def _interview_turns(text: str) -> int:
    """How many lines open with a question turn (the pattern's words, looked for first)."""
    return len(_INTERVIEW_TURN.findall(text)) if "PV" in text or "Phóng viên" in text else 0


def _term_sentences(doc: Doc) -> set[int]:
    """Indices of the sentences that name a training (outside institutions' names)."""
    found = {doc.sentence_index(m.start()) for m in _terms(doc, 0, len(doc.norm.text))}
    found.discard(len(doc.sentences))  # (a position outside every sentence)
    return found


def _has_term(doc: Doc, start: int, end: int) -> bool:
    return next(_terms(doc, start, end), None) is not None


def _terms(doc: Doc, start: int, end: int):
    """Training terms between `start` and `end`, outside institutions' names ("Trung tâm Bồi dưỡng
    chính trị") and phrases that name no training ("huấn luyện viên", "khai giảng năm học")."""
    p = _patterns()
    names = Occupied(len(doc.norm.text))
    for m in p["institution"].finditer(doc.norm.text, start, end):
        names.add(*m.span())
    for m in p["not_training_use"].finditer(doc.norm.lower, start, end):
        names.add(*m.span())
    return (m for m in p["term"].finditer(doc.norm.lower, start, end) if not names.overlaps(*m.span()))


def _is_primary(doc: Doc, lead: list[tuple[int, int]], sentence: tuple[int, int]) -> bool:
    """Whether `sentence` is the lead's first sentence, or follows only scene-setting ones
    ("Thực hiện Kế hoạch số …, ")."""
    p = _patterns()
    for s in lead:
        if s == sentence:
            return True
        if not p["preamble"].match(doc.norm.lower, *s):
            return False
    return False


def _share_of_body(doc: Doc, named: set[int]) -> float:
    """Share of the sentences of prose that name a training: eight words or more, ended by a full
    stop (a list of related headlines under the article, "Tập huấn …", has none)."""
    low = doc.norm.lower
    prose = [i for i, (a, b) in enumerate(doc.sentences)
             if len(low[a:b].split()) >= 8 and low[a:b].rstrip()[-1:] in _SENTENCE_END]
    return sum(i in named for i in prose) / len(prose) if prose else 0.0


_SENTENCE_END = set(".!?…\"”')»:;")
