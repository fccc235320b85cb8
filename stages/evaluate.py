"""Score the extractor on gold articles with the definitions of the reference scorer
(`shared/eval/score.py`): scalar fields as accuracy, set fields as precision/recall/F1, place
names compared without case, diacritics, type words or spaces around dashes."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from extract import extract_record

SCALAR_FIELDS = ("is_training", "start_date", "end_date", "participants", "event_province")
SET_FIELDS = ("documents", "programmes", "provinces", "districts")


def fold(s: object) -> str | None:
    if s is None:
        return None
    t = unicodedata.normalize("NFD", str(s))
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("đ", "d").replace("Đ", "D").casefold()
    return re.sub(r"\s+", " ", t).strip()


_TYPE_WORDS = r"^(tinh|thanh pho|tp\.?|huyen|quan|thi xa|tx\.?|h\.)\s+"


def place_key(s: object) -> str:
    t = fold(s) or ""
    t = re.sub(r"\s*[-–—]\s*", "-", t)
    t = re.sub(_TYPE_WORDS, "", t).strip()
    return "hue" if t.replace("-", " ").split() == ["thua", "thien", "hue"] else t


def document_key(s: object) -> str:
    t = fold(s) or ""
    return re.sub(r"\s+", "", t).replace("&", "").replace("–", "-").replace("—", "-").upper()


def scored_view(record: dict) -> dict:
    """The fields of a record that the scorer reads."""
    event = (record.get("events") or [None])[0] or {}
    located = [loc for loc in record.get("locations") or [] if loc.get("span")]
    return {
        "is_training": bool(record.get("is_training")),
        "start_date": event.get("start_date"),
        "end_date": event.get("end_date"),
        "participants": event.get("participant_total"),
        "event_province": place_key(event.get("province")) or None,
        "documents": {document_key(d.get("number")) for d in record.get("documents") or [] if d.get("number")},
        "programmes": {p.get("id") for p in record.get("programmes") or [] if p.get("id")},
        "provinces": {place_key(loc.get("name")) for loc in located if loc.get("level") == "province"},
        "districts": {place_key(loc.get("name")) for loc in located if loc.get("level") == "district"},
    }


_SET_KEY = {"documents": document_key, "programmes": lambda x: x, "provinces": place_key, "districts": place_key}


@dataclass
class Report:
    scalar: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in SCALAR_FIELDS})
    sets: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0, 0] for k in SET_FIELDS})
    differences: list[str] = field(default_factory=list)
    articles: int = 0

    def scores(self) -> dict[str, float]:
        out = {k: ok / n if n else 1.0 for k, (ok, n) in self.scalar.items()}
        for k, (tp, fp, fn) in self.sets.items():
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            out[k] = 2 * p * r / (p + r) if p + r else 0.0
        return out


def score_article(item: dict, record: dict, report: Report) -> None:
    """Add one gold article and its record to `report`."""
    gold, got = item["gold"], scored_view(record)
    report.articles += 1
    for k in SCALAR_FIELDS:
        if k not in gold or (k != "is_training" and not gold.get("is_training")):
            continue
        expected = place_key(gold[k]) or None if k == "event_province" else gold[k]
        ok = expected == got[k]
        report.scalar[k][0] += ok
        report.scalar[k][1] += 1
        if not ok:
            report.differences.append(f"{item['id']} {k}: gold={expected!r} got={got[k]!r}")
    for k in SET_FIELDS:
        if k not in gold:
            continue
        expected = {_SET_KEY[k](x) for x in gold[k]}
        tp, fp, fn = len(expected & got[k]), len(got[k] - expected), len(expected - got[k])
        for i, v in enumerate((tp, fp, fn)):
            report.sets[k][i] += v
        if fp or fn:
            report.differences.append(f"{item['id']} {k}: missed={sorted(expected - got[k])} extra={sorted(got[k] - expected)}")


def evaluate_dir(gold_dir: Path) -> Report:
    """Extract and score every `*.json` gold article in `gold_dir`."""
    report = Report()
    for path in sorted(gold_dir.glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        record = extract_record(item["text"], url=item.get("url"), published=item.get("published"), id=item["id"])
        score_article(item, record, report)
    return report


def format_report(report: Report, verbose: bool = True) -> str:
    lines = list(report.differences) if verbose else []
    scores = report.scores()
    for k, (ok, n) in report.scalar.items():
        lines.append(f"{k:15s} accuracy {scores[k]:.3f} ({ok}/{n})")
    for k, (tp, fp, fn) in report.sets.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"{k:15s} P {p:.3f} R {r:.3f} F1 {scores[k]:.3f} (tp {tp} fp {fp} fn {fn})")
    lines.append(f"{report.articles} articles; mean field score {sum(scores.values()) / len(scores):.3f}")
    return "\n".join(lines)
