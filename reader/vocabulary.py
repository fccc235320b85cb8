"""The page reader's vocabulary (`data/reader.yml`), compiled once per process."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "reader.yml"


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching the whole text against any of `patterns`."""
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\Z", re.I | re.S)


def _words_longest_first(words: list[str]) -> str:
    """An alternation of literal words, longest first (so "chi cục" is tried before "cục")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _labels(labels: list[str]) -> str:
    return "|".join(f"(?:{label})" for label in labels)


@dataclass(frozen=True)
class Vocabulary:
    """Compiled patterns of `data/reader.yml` (see the comments there for what each one means)."""

    chrome_title: re.Pattern[str]
    unit_name: re.Pattern[str]
    site_part: re.Pattern[str]
    signature: re.Pattern[str]
    title_separators: re.Pattern[str]
    title_junk_prefix: re.Pattern[str]
    contact_line: re.Pattern[str]
    stop_line: re.Pattern[str]
    chrome_line: re.Pattern[str]
    posting_account: re.Pattern[str]
    byline: re.Pattern[str]
    byline_within: re.Pattern[str]
    people_label: re.Pattern[str]
    source: re.Pattern[str]
    not_bylines: frozenset[str]
    short_bylines: frozenset[str]
    short_sources: frozenset[str]
    caption_credit: re.Pattern[str]
    caption_bracketed: re.Pattern[str]
    caption_classes: re.Pattern[str]
    caption_max_chars: int
    lead_class: re.Pattern[str]
    content_hints: re.Pattern[str]
    chrome_hints: re.Pattern[str]
    date_window_after: int
    date_window_before: int


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The reader's vocabulary, read from `data/reader.yml` on first use."""
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    unit_words = "|".join(re.escape(w) for w in data["unit_words"])
    agencies = "|".join(re.escape(w) for w in data["unit_agency_words"])
    # Case matters for the proper name: "Huyện Mường Lát" is a portal, "Huyện Mường Lát đạt chuẩn" a title.
    name_word = r"[A-ZĐÂĂÊÔƠƯÀ-ỸĐ][\wÀ-ỹ.'-]*"
    unit_name = re.compile(rf"(?:(?i:{agencies})\s+)?(?i:{unit_words})\s+{name_word}(?:\s+{name_word}){{0,2}}\Z")
    offices, outlets = (_words_longest_first(data[key]) for key in ("site_office_words", "site_outlet_words"))
    proper = rf"{name_word}(?:\s+{name_word}){{0,3}}"
    site_part = re.compile(rf"(?:(?i:{offices})\s[^|–—»]{{0,60}}?(?i:{unit_words})\s+{proper}"
                           rf"|(?i:{outlets})\s+{proper}(?:\s+(?i:điện tử|online))?)\Z")
    # The office word's first letter in capitals: "Phòng …" signs, "phòng …" is running text.
    capitalised = "|".join(re.escape(w[0].upper()) + f"(?i:{re.escape(w[1:])})" for w in data["site_office_words"])
    most = int(data["signature_max_words"]) - 1
    signature = re.compile(rf"(?:{capitalised})(?:[ \t]+[^\s.!?;:]+){{1,{most}}}\.?\Z")
    return Vocabulary(
        chrome_title=_any_of(data["chrome_titles"]),
        unit_name=unit_name,
        site_part=site_part,
        signature=signature,
        title_separators=re.compile(data["title_separators"]),
        title_junk_prefix=re.compile("^(?:" + _labels(data["title_junk_prefixes"]) + ")", re.I),
        contact_line=re.compile(data["contact_line"], re.I),
        stop_line=re.compile("^(?:" + data["stop_lines"] + ")", re.I),
        chrome_line=_any_of(data["chrome_lines"]),
        posting_account=_any_of(data["posting_account"]),
        byline=re.compile(rf"^(?:(?:{_labels(data['byline_labels'])})\s*[:：.\-–]?"
                          rf"|(?:{_labels(data['byline_labels_needs_colon'])})\s*[:：])\s*(?P<name>.{{2,100}}?)\s*\.?\Z",
                          re.I),
        byline_within=re.compile(rf"(?:^|(?<=[\s|,;]))(?:{_labels(data['byline_labels'])}"
                                 rf"|{_labels(data['byline_labels_needs_colon'])})\s*[:：]\s*"
                                 rf"(?P<name>[^|:;]{{2,60}}?)\s*(?=[|;]|\Z)", re.I),
        people_label=re.compile(rf"(?<![\wÀ-ỹ])(?:{_labels(data['source_labels'])}|{_labels(data['byline_labels'])}|"
                                rf"{_labels(data['byline_labels_needs_colon'])})\s*[:：]", re.I),
        source=re.compile(rf"^(?:(?:{_labels(data['source_labels'])})\s*[:：]\s*"
                          rf"|theo\s+(?=(?:{_labels(data['source_outlets'])})\b))(?P<name>.{{2,150}}?)\s*\.?\Z", re.I),
        not_bylines=frozenset(data["not_bylines"]),
        short_bylines=frozenset(data["short_bylines"]),
        short_sources=frozenset(data["short_sources"]),
        caption_credit=_any_of(data["caption_credit"]),
        caption_bracketed=re.compile(data["caption_bracketed"] + r"\Z"),
        caption_classes=re.compile(data["caption_classes"], re.I),
        caption_max_chars=int(data["caption_max_chars"]),
        lead_class=re.compile(r"(?:^|[-_])(?:" + "|".join(re.escape(w) for w in data["lead_classes"]) + r")(?:$|[-_])",
                              re.I),
        content_hints=re.compile(data["content_hints"], re.I),
        chrome_hints=re.compile(data["chrome_hints"], re.I),
        date_window_after=int(data["date_window_after"]),
        date_window_before=int(data["date_window_before"]),
    )
