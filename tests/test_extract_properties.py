"""Property tests: the parsers never raise, spans stay inside the text, dates are real dates."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import extract_record
from extract.events import MAX_FURTHER_EVENTS

# Text made of the pieces real articles are made of, shuffled, plus arbitrary Unicode.
PIECES = ["Ngày", "ngày", "13/11", "20-12", "18.6", "24-26/8/2023", "từ", "đến", "và", "tháng", "năm", "2019",
          "30/2", "29/2", "31/4", "0/0", "99/99", "trong 2 ngày", "từ nay đến ngày 5/10", "Bên cạnh đó,", "huyện", "tỉnh", "xã", "Mường Lát", "Thanh Hóa", "Hà Nội", "TP.",
          "90/QĐ-TTg", "46/2022/TT-BTC", "119-KL/TW", "/", "-", ".", ",", "\n", " ", "hơn", "gần", "3.130",
          "đại biểu", "học viên", "lớp", "tập huấn", "tổ chức", "Chương trình 135", "giảm nghèo bền vững",
          "Sở", "UBND", "phối hợp với", "\u0301", "\u00d0", "\u200b", "½", "(", ")", "Dự án 7"]
article_text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join),
    st.text(max_size=400),
)
ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$|^--(\d{2})(?:-(\d{2}))?$")


def _valid_iso(value: str | None) -> bool:
    if value is None:
        return True
    m = ISO.match(value)
    if not m:
        return False
    if m.group(1):
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    else:
        year, month, day = 2024, int(m.group(4)), int(m.group(5) or 1)
    try:
        date(year, month, day)
        return True
    except ValueError:
        return False


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=article_text,
       url=st.one_of(st.none(), st.sampled_from(["https://muonglat.thanhhoa.gov.vn/a?p=1", "https://[bad",
                                                 "https://baothainguyen.vn/xa-hoi/202311/a-1/"]), st.text(max_size=40)),
       published=st.one_of(st.none(), st.sampled_from(["2024-01-02", "2025-03-01", "2023-02-28"]), st.text(max_size=12)))
def test_extraction_never_raises_and_spans_and_dates_are_valid(text, url, published):
    record = extract_record(text, url=url, published=published)
    source = record.get("text", text)  # a text that looks like a page is read as one; spans point into its text
    for node in _walk(record):
        span = node.get("span")
        if span is not None and "quote" in node:
            assert 0 <= span[0] <= span[1] <= len(source)
            assert source[span[0]:span[1]] == node["quote"]
        for key in ("start", "end", "start_date", "end_date", "issued"):
            if key in node:
                assert _valid_iso(node[key]), (key, node[key])
    for event in record["events"]:
        if event["start_date"] and event["end_date"] and not event["start_date"].startswith("--"):
            assert event["start_date"] <= event["end_date"]


# Long repetitive inputs: one piece repeated hundreds or thousands of times, with one separator
# ("1/1/1/…", "ngày 5/3, ngày 5/3, …", "Mường Lát, Mường Lát, …"): the shapes that make a rule
# backtrack or compare every mention with every other. Behaviour is bounded (no exception, valid
# spans, caps reported as counted warnings); time is measured by bench/bench_adversarial.py.
REPEATED = ["1", "12", "1.000", "5/3", "ngày 5/3", "từ 4 đến 7/ 6", "22, 23", "Mường Lát", "huyện Mường Lát",
            "90/QĐ-TTg", "Quyết định số 12/QĐ-UBND ngày 5/3/2023", "tập huấn", "Bên cạnh đó, tổ chức tập huấn",
            "hơn 200 học viên", "hai mươi", "chương trình", "giảm nghèo bền vững", "(", ".", "-", "Trung tâm Bồi dưỡng",
            "tháng 5 năm 2020", "Sáng 20-12", "các ngày", "6/8 người", "Ủy Ban"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(piece=st.sampled_from(REPEATED), separator=st.sampled_from(["", " ", ", ", "\n", "/", "-", ". ", " và "]),
       times=st.integers(min_value=200, max_value=3000), lead=st.sampled_from(["", "Tập huấn cho cán bộ\n\n"]))
def test_long_repetitive_inputs_extract_without_error_and_with_valid_spans(piece, separator, times, lead):
    text = lead + separator.join([piece] * times)
    record = extract_record(text, published="2024-06-01")
    for node in _walk(record):
        span = node.get("span")
        if span is not None and "quote" in node:
            assert 0 <= span[0] <= span[1] <= len(text)
            assert text[span[0]:span[1]] == node["quote"]
    for warning in record.get("warnings", []):
        assert warning["count"] >= 1 and warning["warning"]
    assert len(record["events"]) <= 1 + MAX_FURTHER_EVENTS
