"""Does the article report a training activity that took place (or is under way)?

A report needs a training term ("tập huấn", "bồi dưỡng", "lớp đào tạo") and a sign that the
activity happened (trainees, delegates, opening, "được truyền đạt"…). Headlines that announce a
document (plan, notice, materials, approval), meetings that are not trainings, and future-only
wording are not reports.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from .document import Doc
from .resources import lexicon


def _words(words: list[str]) -> str:
    return r"(?<![^\W\d_])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![^\W\d_])"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    lex = lexicon()
    nouns = _words(lex["activity_nouns"])
    terms = _words(lex["training_terms"])
    return {
        "term": re.compile(terms),
        "realised": re.compile(_words(lex["realisation_cues"])
                               + rf"|(?:tổ chức|tham dự|tham gia|mở)\s+(?:khai mạc\s+|khai giảng\s+)?(?:\d+\s+)?(?:{nouns})\s+(?:{terms})"
                               + rf"|(?:tham dự|tham gia)\s+(?:{terms})"),
        "non_report_title": re.compile(r"^\W*" + _words(lex["non_report_title_starts"])),
        "non_training_event": re.compile(_words(lex["non_training_events"])),
        "future": re.compile(_words(lex["future_cues"])),
        "meeting": re.compile(_words(lex["meeting_words"])),
        "lead_training": re.compile(rf"(?:{nouns}|tổ chức|khai mạc|mở)\s+(?:\S+\s+){{0,2}}?(?:{terms})|(?:{terms})\s+cho\b"),
        "past": re.compile(r"(?<![^\W\d_])(?:đã|vừa|đang|diễn ra|khai mạc|bế mạc|khai giảng|bế giảng)(?![^\W\d_])"),
    }


@dataclass
class TrainingVerdict:
    is_training: bool
    evidence: list[tuple[int, int]]  # normalised ranges of the training terms that decided it
    reason: str


# Question turns of an interview: "PV:", "Phóng viên:" at the start of a line.
_INTERVIEW_TURN = re.compile(r"^\s*(?:PV|Phóng viên)\s*:", re.M)
_SLUG_TERMS = re.compile(r"tap-huan|boi-duong|huan-luyen|dao-tao|day-nghe|khai-giang")


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
    title = doc.title_text.lower()
    terms = [m.span() for m in itertools.islice(p["term"].finditer(low), 3)]
    if not terms and not (doc.url and _SLUG_TERMS.search(doc.url.lower())):
        return TrainingVerdict(False, [], "no training term")
    if title and p["non_report_title"].search(title):
        return TrainingVerdict(False, [], "headline announces a document or an interview")
    if len(_INTERVIEW_TURN.findall(doc.norm.text)) >= 2:
        return TrainingVerdict(False, [], "an interview")
    if title and p["non_training_event"].search(title) and not p["term"].search(title):
        return TrainingVerdict(False, [], "headline names a meeting that is not a training")
    if title and p["meeting"].search(title) and not p["term"].search(title) and not p["lead_training"].search(_lead(doc)):
        return TrainingVerdict(False, [], "headline names a meeting and the lead names no training")
    if not (attendance or organised or dated or p["realised"].search(low)):
        return TrainingVerdict(False, [], "no sign that a training took place")
    if p["future"].search(low) and not p["past"].search(low):
        return TrainingVerdict(False, [], "future-only wording")
    return TrainingVerdict(True, terms, "training term with signs of a held activity")


def _lead(doc: Doc, sentences: int = 3) -> str:
    """The first sentences after the headline, lower-cased."""
    after = [s for s in doc.sentences if not doc.title or s[0] >= doc.title[1]]
    return " ".join(doc.norm.lower[a:b] for a, b in after[:sentences])
