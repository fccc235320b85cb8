"""National target programmes named in the text, with their phase and component.

The catalogue (`data/programmes.yml`) lists the programmes and how the text names each family.
The phase of a family named without one ("Chương trình MTQG giảm nghèo bền vững năm 2022")
comes from, in order: a period written right after the name ("giai đoạn 2021-2025"), an
approving document the article cites (90/QĐ-TTg), the year of the activity or publication, and
a period named elsewhere in the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .document import Doc, Occupied
from .patterns import required_literals, word_start_after_letter
from .resources import programme_catalogue

_PERIOD_AFTER = re.compile(r"^[^.;\n]{0,40}?giai đoạn\s+((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})")
_PERIOD_ANYWHERE = re.compile(r"giai đoạn\s+((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})")
_COMPONENT = re.compile(word_start_after_letter(r"\b(tiểu dự án\s+\d+(?:\s*(?:và|,)\s*\d+)*|dự án\s+\d+"
                                               r"|tda\s?\d+(?:\s*-\s*da\s?\d+)?|nội dung thành phần\s+(?:số\s+)?\d+)\b"))


@dataclass
class ProgrammeMention:
    start: int
    end: int
    id: str
    family: str
    period_source: str | None
    component: tuple[int, int] | None = None


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[tuple[str, re.Pattern, list[str]]], dict[str, list[dict]]]:
    """(family, pattern, the strings every match of it holds) of each name, and the phases of each family."""
    cat = programme_catalogue()
    def gap(family: str) -> str:
        # Within one phrase, and not through a word that makes "chương trình" a generic noun ("Chương
        # trình tập huấn … công tác giảm nghèo bền vững" is a training's programme, not the CTMTQG)
        # or that makes the name another programme's (others_words).
        stops = "|".join(re.escape(w) for w in cat["generic_words"] + cat["others_words"].get(family, []))
        return r"(?:(?!%s)[^.;:!?\n]){0,%d}?" % (stops, cat["gap_chars"])

    listgap = r"[^.;!?\n]{0,%d}?" % cat["list_chars"]
    # "(?<!\d)\d{1,2}": a count of programmes; a bare "\d+" would restart at every digit of a long run.
    # (Its test of the digit before comes after the first digit: each alternative opens with a literal.)
    count = "|".join(rf"{d}(?<!\d[\s\S])\d?" for d in "0123456789")
    plural = rf"(?:các|những|{count}|hai|ba) (?:chương trình|ctmtqg|ct mtqg)(?: mục tiêu quốc gia| mtqg)?"
    patterns = [(family, re.compile(word_start_after_letter(
        p.replace("{gap}", gap(family)).replace("{listgap}", listgap).replace("{plural}", plural))))
        for family, ps in cat["names"].items() for p in ps]
    patterns = [(family, pattern, required_literals(pattern)) for family, pattern in patterns]
    phases: dict[str, list[dict]] = {}
    for prog in cat["programmes"]:
        phases.setdefault(prog["family"], []).append(prog)
    return patterns, phases


def _phase(family: str, years: tuple[int, int] | None = None, year: int | None = None,
           anchors: set[str] | frozenset = frozenset()) -> dict | None:
    """The catalogue entry of `family` for a stated period, a cited anchor document or a year."""
    cat = programme_catalogue()
    _, phases = _compiled()
    first_year = years[0] if years else year
    if first_year and first_year >= cat["merged_from_year"] and family in cat["merged_families"]:
        return phases["merged"][0]
    candidates = phases.get(family, [])
    if years:
        overlap = lambda p: min(years[1], p["years"][1]) - max(years[0], p["years"][0])
        best = max(candidates, key=overlap, default=None)
        return best if best and overlap(best) >= 0 else None
    for p in candidates:
        if anchors & set(p.get("anchors", [])):
            return p
    if year:
        for p in candidates:
            if p["years"][0] <= year <= p["years"][1]:
                return p
    return candidates[0] if len(candidates) == 1 else None


def find_programmes(doc: Doc, cited: set[str], year: int | None) -> list[ProgrammeMention]:
    """Programme mentions, one per family per place in the text.

    :param cited: canonical numbers of the documents the article cites
    :param year: year of the activity, else of publication, if known
    """
    patterns, _ = _compiled()
    low = doc.norm.lower
    found: list[ProgrammeMention] = []
    claimed: dict[str, Occupied] = {}
    text_phase: dict[str, tuple[dict | None, str | None]] = {}  # per family, from a period named anywhere
    keywords = programme_catalogue()["keywords"]
    named = {family for family, words in keywords.items() if any(w in low for w in words)}
    for family, pattern, required in patterns:
        if family not in named or any(literal not in low for literal in required):
            continue  # none of its words, or a string the name needs is missing: no need to scan
        taken = claimed.setdefault(family, Occupied(len(low)))
        for m in pattern.finditer(low):
            if taken.overlaps(m.start(), m.end()):
                continue
            stated = _PERIOD_AFTER.match(low, m.end(), m.end() + 70)
            years = (int(stated.group(1)), int(stated.group(2))) if stated else None
            phase, source = None, None
            if years:
                phase, source = _phase(family, years=years), "text"
            if not phase and cited:
                phase, source = _phase(family, anchors=cited), "document"
                phase = phase if phase and phase.get("anchors") and set(phase["anchors"]) & cited else None
            if not phase and year:
                phase, source = _phase(family, year=year), "year"
            if not phase:
                if family not in text_phase:
                    text_phase[family] = _phase_from_any_period(low, family)
                phase, source = text_phase[family]
            if not phase:
                phase = _phase(family)
                source = None
            if phase:
                taken.add(m.start(), m.end())
                found.append(ProgrammeMention(m.start(), m.end(), phase["id"], family, source,
                                              _component_near(doc, m.start(), m.end())))
    found.sort(key=lambda p: p.start)
    return found


def _phase_from_any_period(low: str, family: str) -> tuple[dict | None, str | None]:
    """The phase of the first period named anywhere in the text that one of `family`'s phases covers."""
    for other in _PERIOD_ANYWHERE.finditer(low):
        phase = _phase(family, years=(int(other.group(1)), int(other.group(2))))
        if phase:
            return phase, "text"
    return None, None


_COMPONENT_WINDOW = 200  # characters either side of a name where its component is looked for


def _component_near(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """"Tiểu dự án 1 của Dự án 7" in the same sentence, before or just after the name (within a
    window, so that a sentence listing thousands of names costs no more than many sentences)."""
    s_start, s_end = doc.sentence_at(start)
    low = doc.norm.lower
    window = _COMPONENT.finditer(low, max(s_start, start - _COMPONENT_WINDOW), min(s_end, end + _COMPONENT_WINDOW))
    parts = [m for m in window if m.end() <= start or m.start() >= end]
    if not parts:
        return None
    before = [p.end() for p in parts if p.end() <= start]
    return parts[0].start(), max(before) if before else parts[0].end()


def programme_records(doc: Doc, mentions: list[ProgrammeMention]) -> list[dict]:
    """One record per programme id (first mention), with the component when one is named."""
    by_id: dict[str, dict] = {}
    for m in mentions:
        component = doc.norm.text[m.component[0]:m.component[1]] if m.component else None
        if m.id in by_id:
            if component and not by_id[m.id]["component"]:
                by_id[m.id]["component"] = component
            continue
        entry = next(p for p in programme_catalogue()["programmes"] if p["id"] == m.id)
        by_id[m.id] = {"id": m.id, "name": entry["name"],
                       "period": f"{entry['years'][0]}-{entry['years'][1]}" if m.family not in ("ct135", "ct30a") else None,
                       "period_source": m.period_source, "component": component, **doc.mention(m.start, m.end)}
    return list(by_id.values())
