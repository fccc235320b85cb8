"""The extractor on the development articles and the news stream: contract, spans, score floors."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from extract import extract_record
from stages.evaluate import evaluate_dir

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "fixtures" / "dev"
STREAM = ROOT / "tests" / "fixtures" / "stream"  # portal news of every kind, a minority of training reports
SCHEMA = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
ARTICLES = [json.loads(p.read_text(encoding="utf-8")) for d in (DEV, STREAM) for p in sorted(d.glob("*.json"))]

# Floors reached on each set; a floor may only go up.
FLOORS = {
    DEV: {"is_training": 1.0, "start_date": 1.0, "end_date": 1.0, "participants": 1.0, "event_province": 1.0,
          "documents": 1.0, "programmes": 1.0, "provinces": 1.0, "districts": 1.0},
    STREAM: {"is_training": 1.0, "start_date": 1.0, "end_date": 1.0, "participants": 0.937,
             "event_province": 1.0, "documents": 1.0, "programmes": 0.933, "provinces": 0.993, "districts": 0.984},
}


def _record(item: dict) -> dict:
    return extract_record(item["text"], url=item.get("url"), published=item.get("published"), id=item["id"])


def _spans(value, path="record"):
    """Every (path, span, quote) pair anywhere in a record."""
    if isinstance(value, dict):
        if "span" in value and "quote" in value:
            yield path, value["span"], value["quote"]
        for k, v in value.items():
            yield from _spans(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _spans(v, f"{path}[{i}]")


@pytest.mark.parametrize("item", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_record_follows_the_schema_and_every_span_quotes_the_text(item):
    record = _record(item)
    jsonschema.validate(record, SCHEMA)
    text = record.get("text", item["text"])
    checked = 0
    for path, span, quote in _spans(record):
        if span is None:
            assert quote is None, path
            continue
        start, end = span
        assert 0 <= start <= end <= len(text), path
        assert text[start:end] == quote, path
        checked += 1
    assert checked >= len(record["documents"]) + len(record["dates"])
    if record["is_training"]:
        for event in record["events"]:
            for key in ("span", "date_span", "participant_span"):
                if event.get(key):
                    assert 0 <= event[key][0] < event[key][1] <= len(text)
            if event.get("span") and event.get("date_span"):  # the event's sentence holds its date
                assert event["span"][0] <= event["date_span"][0] < event["date_span"][1] <= event["span"][1]


@pytest.mark.parametrize("gold_dir", list(FLOORS), ids=lambda d: d.name)
def test_every_field_meets_its_floor(gold_dir):
    scores = evaluate_dir(gold_dir).scores()
    below = {k: round(v, 3) for k, v in scores.items() if v < FLOORS[gold_dir][k]}
    assert not below, f"below floor: {below}"


def test_html_input_gives_the_text_spans_point_into():
    html = ("<html><head><title>Tập huấn nghiệp vụ cho cán bộ</title></head><body><p>Ngày 12/3/2024, "
            "UBND huyện Mường Lát tổ chức lớp tập huấn cho 85 học viên.</p><script>var x=1;</script></body></html>")
    record = extract_record(html=html)
    assert record["text"].startswith("Tập huấn nghiệp vụ cho cán bộ")
    assert "var x" not in record["text"]
    assert record["events"][0]["participant_total"] == 85
    for _, (start, end), quote in _spans(record):
        assert record["text"][start:end] == quote
