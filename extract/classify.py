"""Does the article report a training activity that took place (or is under way)?

What an article reports is what its headline and lead report: the primary activity. A training
term further down the body ("cán bộ y tế đã được tập huấn" in a vaccination feature, "Hội đã mở
25 lớp tập huấn" in a congress report) is a passing mention, not a report. So the verdict reads:
1. the headline: a training term there (not inside an institution's name such as "Trung tâm Bồi
   dưỡng chính trị") makes the training the primary activity, unless the headline announces a
   document, a plan or an interview, or names another kind of event (a congress, a drill, a
   meeting that is not a training), also one whose subject is training ("Hội thảo nâng cao chất
   lượng đào tạo nghề", unlike "Hội nghị tập huấn");
2. else the lead (the first sentences of prose): a sentence saying that a training was held or
   attended ("tổ chức lớp tập huấn", "khai giảng lớp bồi dưỡng", "tập huấn cho 80 học viên");
   after a headline that is about something else, that sentence must be the lead's first one,
   or the training must fill the body (more than one sentence of it). A sentence that names the
   training only in a background clause ("Sau khi được tập huấn …, "), as one to come ("sẽ được
   tập huấn") or once attended ("từng được bồi dưỡng") reports none;
3. a plan or a call ("sẽ tổ chức", "thông báo tuyển sinh", "ban hành Kế hoạch … bồi dưỡng") in the
   deciding sentences, with nothing held in the lead, is not a report; neither is a text with no
   sign that the training happened (trainees, opening, a date, an organiser…).
Every verdict carries the sentence that decided it and a short reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .document import PROSE_WORDS, Doc, Occupied, has_words
from .patterns import AnyOf, Gated, opening
from .patterns import words as _words
from .resources import lexicon


# The training words of an institution's name, capitalised ("Trung tâm Bồi dưỡng chính trị").
_INSTITUTION_TRAINING_WORDS = ("Bồi dưỡng", "Đào tạo nghề", "Dạy nghề", "Huấn luyện", "Đào tạo", "BỒI DƯỠNG", "ĐÀO TẠO",
                               "DẠY NGHỀ", "HUẤN LUYỆN")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern | AnyOf | Gated]:
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
        # (Scanned only where one of its training words is written capitalised: few texts.)
        "institution": Gated(re.compile(r"(?:Trường|Trung tâm|Cơ sở|Học viện|Viện|TRƯỜNG|TRUNG TÂM|CƠ SỞ|HỌC VIỆN)\s+"
                                        rf"(?:{'|'.join(_INSTITUTION_TRAINING_WORDS)})(?![^\W\d_])"),
                             _INSTITUTION_TRAINING_WORDS),
        "not_training_use": Gated(re.compile(_words(lex["not_training_uses"])), lex["not_training_uses"]),
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
        # "Hội thảo nâng cao chất lượng đào tạo nghề": an event of another kind, the training its
        # subject; what stands between the event's word and the training's tells (`_training_is_the_topic`).
        "topic_event": re.compile(_words(lex["topic_events"])),
        "event_kind_of": re.compile(r"[\s:–-]*(?:" + _words(lex["event_modifiers"]) + r"[\s:–-]*)*"),  # ("Hội nghị - tập huấn")
        "conjoined": re.compile(r"(?:(?:^|\s)" + _words(lex["activity_conjunctions"]) + r"|,)\s*$"),
        "profession": re.compile(_words(lex["profession_nouns"]) + r"\s+$"),
        "background_clause": re.compile(r"[\W\d]*" + _words(lex["background_clause_starts"])),
        "past_or_future": re.compile(r"(?:(?:" + _words(lex["future_before_term"]) + r"|(?<![^\W\d_])từng\s+"
                                     + _words(lex["past_experience_verbs"]) + "|" + _words(lex["after_before_term"])
                                     + r")\s+(?:\S+\s+){0,4}|" + _words(lex["subject_nouns_before_term"]) + r"\s+)$"),
        "time_to_come": AnyOf(_words(lex["time_to_come"])),
        "span_of_years": re.compile(r"\W*(?:" + _words(lex["span_of_years_before"]) + r"\s+)?(?:\d+|"
                                    + _words(lex["span_of_years_amounts"]) + r")\s+năm(?![^\W\d_])"),
        "ceremony": re.compile(_words(lex["ceremony_terms"])),
        "class_after": re.compile(r"\s+(?:\S+\s+){0,2}?" + _words(lex["class_nouns"])),
        "school_year": AnyOf(_words(lex["school_year_words"])),
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
_MIN_FILLING_SENTENCES = 2


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
    by_sentence = _terms_by_sentence(doc)  # (the text's terms, found once)
    named = set(by_sentence)
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
    title_terms = [m for i in range(doc.sentence_index(title[0]), doc.sentence_index(title[1] - 1) + 1)
                   for m in by_sentence.get(i, []) if title[0] <= m[0] < title[1]] if title else []
    head_term = bool(title_terms)
    if title and not head_term and p["non_training_event"].search(title_low):
        return TrainingVerdict(False, [title], "headline names another kind of event; training is not its subject")
    if head_term and _training_is_the_topic(doc, title[0], title_terms[0][0]):
        return TrainingVerdict(False, [title], "headline names another kind of event; training is its subject")

    # Without a headline the text may open with a menu or a banner line: read a little further.
    lead = doc.lead(_LEAD_SENTENCES if title else _LEAD_SENTENCES_UNTITLED)
    reports: dict[int, bool] = {}  # sentence -> whether it reports its training (asked only as needed)

    def reported(i: int) -> bool:
        if i not in reports:
            reports[i] = _reports(doc, doc.sentences[i], by_sentence[i])
        return reports[i]

    def body_reported() -> set[int]:
        return {i for i in named if reported(i)}

    lead_named = [s for s in lead if doc.sentence_index(s[0]) in named]
    lead_reported = [s for s in lead_named if reported(doc.sentence_index(s[0]))]
    # (A sentence opening with a span of years sums up a career or a record: "Hơn 20 năm đứng lớp …")
    held = [] if head_term else [s for s in lead_reported if p["held_training"].search(low, *s)
                                 and not p["span_of_years"].match(low, *s)]
    deciding: tuple[int, int] | None = None
    if head_term:
        deciding, reason = title, "training named in the headline"
    elif held and (not title or _is_primary(doc, lead, held[0]) or p["topic"].search(title_low)):
        deciding, reason = held[0], "training reported in the lead"
    elif title and p["meeting"].search(title_low):
        return TrainingVerdict(False, [title], "headline names a meeting and the lead names no training")
    elif _fills_the_body(doc, body_reported()):
        deciding, reason = doc.sentences[min(body_reported())], "training fills the body"
    elif p["topic"].search(title_low) and body_reported():
        deciding, reason = doc.sentences[min(body_reported())], "headline about building skills, the body names the training"
    elif lead_reported and not title:
        deciding, reason = lead_reported[0], "training named in the lead"
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
    if not p["held"].search(low) and p["future"].search(low):  # (held wording is found early; future is scanned to the end)
        return TrainingVerdict(False, evidence, "future-only wording")
    return TrainingVerdict(True, evidence, reason)


def _interview_turns(text: str) -> int:
    """How many lines open with a question turn (the pattern's words, looked for first)."""
    return len(_INTERVIEW_TURN.findall(text)) if "PV" in text or "Phóng viên" in text else 0


def _terms_by_sentence(doc: Doc) -> dict[int, list[tuple[int, int]]]:
    """The training terms of the text (`_terms`), by the index of their sentence, in text order."""
    found: dict[int, list[tuple[int, int]]] = {}
    for m in _terms(doc, 0, len(doc.norm.text)):
        found.setdefault(doc.sentence_index(m.start()), []).append(m.span())
    found.pop(len(doc.sentences), None)  # (a position outside every sentence)
    return found


def _terms(doc: Doc, start: int, end: int):
    """Training terms between `start` and `end`, outside institutions' names ("Trung tâm Bồi dưỡng
    chính trị"), phrases that name no training ("huấn luyện viên", "khai giảng năm học"), and
    professions ("người thầy dạy nghề"); in a text about a school year, "lễ khai giảng" without a
    class after it is the school's."""
    p = _patterns()
    low = doc.norm.lower
    names = Occupied(len(doc.norm.text))
    # A name the whole text does not hold is not in a part of it that ends before white space: the
    # text is searched once, not each sentence.
    ends_at_space = end >= len(low) or low[end].isspace()
    if not ends_at_space or doc.text_has(p["institution"], cased=True):
        for m in p["institution"].finditer(doc.norm.text, start, end):
            names.add(*m.span())
    if not ends_at_space or doc.text_has(p["not_training_use"]):
        for m in p["not_training_use"].finditer(low, start, end):
            names.add(*m.span())
    for m in p["term"].finditer(low, start, end):
        if names.overlaps(*m.span()) or p["profession"].search(low, max(0, m.start() - 12), m.start()):
            continue
        if p["ceremony"].fullmatch(m.group()) and not p["class_after"].match(low, m.end()) \
                and doc.text_has(p["school_year"]):  # (searched once per text, not once per sentence)
            continue
        yield m


def _reports(doc: Doc, sentence: tuple[int, int], terms: list[tuple[int, int]]) -> bool:
    """Whether `sentence` reports a training its `terms` name: a term stands outside a background
    clause ("Sau khi được tập huấn …, cán bộ y tế lại …"), and not in words of a
    training still to come or once attended ("sẽ được tập huấn", "… trong thời gian tới", "từng
    được bồi dưỡng"), of what came after one ("học viên sau khóa học đã …") or of a thing about
    trainings ("tài liệu tập huấn")."""
    p = _patterns()
    low = doc.norm.lower
    start, end = sentence
    for term_start, term_end in terms:
        clause_start = max(low.rfind(",", start, term_start), low.rfind(";", start, term_start), start - 1) + 1
        clause_end = low.find(",", term_end, end)
        clause_end = end if clause_end < 0 else clause_end
        if not (p["background_clause"].match(low, clause_start, term_start)
                or p["past_or_future"].search(low, max(clause_start, term_start - 40), term_start)
                or p["time_to_come"].search(low, term_end, clause_end)):
            return True
    return False


def _training_is_the_topic(doc: Doc, start: int, first_term: int) -> bool:
    """Whether the headline starting at `start`, whose first training term starts at `first_term`,
    names an event of another kind whose subject is the training ("Hội thảo nâng cao chất lượng
    đào tạo nghề", "Hội nghị triển khai kế hoạch tập huấn"), rather than a training event ("Hội
    nghị tập huấn", "Hội nghị trực tuyến tập huấn") or an event with a training besides ("Hội nghị
    sơ kết và tập huấn nghiệp vụ")."""
    p = _patterns()
    low = doc.norm.lower
    events = list(p["topic_event"].finditer(low, start, first_term))
    if not events:
        return False
    between = low[events[-1].end():first_term]
    return not (p["event_kind_of"].fullmatch(between) or p["conjoined"].search(between))


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


def _fills_the_body(doc: Doc, named: set[int]) -> bool:
    """Whether the training fills the body: a good share of its sentences of prose (eight words or
    more, ended by a full stop: a list of related headlines under the article, "Tập huấn …", has
    none) name it, and more than one, unless the body is that one sentence. One sentence among
    others is a passing mention, whatever the length of the body (a short news item carries a
    line of statistics, a visit's talk)."""
    low = doc.norm.lower
    prose = [i for i, (a, b) in enumerate(doc.sentences)
             if has_words(low[a:b], PROSE_WORDS) and low[a:b].rstrip()[-1:] in _SENTENCE_END]
    naming = sum(i in named for i in prose)
    return bool(prose) and naming >= min(_MIN_FILLING_SENTENCES, len(prose)) and naming / len(prose) >= _FILLS_THE_BODY


_SENTENCE_END = set(".!?…\"”')»:;")
