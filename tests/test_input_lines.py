"""Every input line judged alone, by `extract` and `ingest` alike (issue 12, item 2).

Each broken case sits between two good articles; both commands must keep the good ones, refuse
the bad one with a message naming the file and line, and agree on what they accept.
"""
from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from conftest import run_pipeline
from stages.extract_jsonl import extract_jsonl
from stages.ingest import ingest
from stages.jsonl_input import MAX_ENTRY_CHARS, InputUnreadable, read_entries
from store import open_database

GOOD = [
    {"id": "good-1", "url": "https://muonglat.thanhhoa.gov.vn/portal/pages/tap-huan.aspx?p=1", "published": "2022-12-21",
     "text": "Tập huấn giảm nghèo\n\nSáng 20-12-2022, UBND huyện Mường Lát tổ chức tập huấn cho hơn 200 đại biểu."},
    {"id": "good-2", "url": "https://dongthap.gov.vn/tap-huan-can-bo", "published": "2024-03-06",
     "text": "Tập huấn cán bộ\n\nNgày 5/3/2024, Sở Lao động tỉnh Đồng Tháp tổ chức tập huấn cho 85 cán bộ."},
]
PARTICIPANTS = {"good-1": 200, "good-2": 85}


def good_line(number: int) -> bytes:
    return json.dumps(GOOD[number], ensure_ascii=False).encode("utf-8")


# A broken line, and what the message about it says.
CASES = {
    "invalid UTF-8 byte": (b'{"id": "bad", "text": "T\xe1\xba\xadp hu\xff\xfen"}', "not valid UTF-8: byte 0xff"),
    "JSON nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "nested deeper than"),
    "object nested 100,000 deep": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested deeper than"),
    "object nested 65 deep": (b'{"id": "d", "text": "x", "a":' + b'{"a":' * 64 + b"1" + b"}" * 65, "nested deeper than"),
    "top-level JSON list": (b'["T\xe1\xba\xadp hu\xe1\xba\xa5n"]', "not a JSON object but a JSON array"),
    "url is a number": (b'{"id": "u", "url": 5, "text": "T\xe1\xba\xadp hu\xe1\xba\xa5n"}', "url must be a string"),
    "text is an object": (b'{"id": "t", "text": {"vi": "x"}}', "text must be a string"),
    "id is a list": (b'{"id": [1], "text": "x"}', "id must be a string or an integer"),
    "no text": (b'{"id": "n", "url": "https://x.gov.vn/n"}', "no text or html"),
    "whitespace-only text": (b'{"id": "w", "text": " \\n\\t "}', "no text or html"),
    "unpaired surrogate": (b'{"id": "s", "text": "T\\ud800p"}', "text holds an unpaired surrogate"),
    "bad JSON": (b'{"id": "j", "text": ', "bad JSON"),
    "integer of 5,000 digits": (b'{"id": 1' + b"1" * 5000 + b', "text": "x"}', "bad JSON"),
}


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def extracted(source: Path, tmp_path: Path) -> tuple[list[dict], int]:
    """The records `extract` writes for a file, and how many failed."""
    output = tmp_path / "records.jsonl"
    stats = extract_jsonl(str(source), str(output))
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert stats.total == len(records)
    return records, stats.failed


def ingested(source: Path, tmp_path: Path, **options) -> tuple[object, object]:
    """(stats, database) after `ingest` of a file into a fresh database."""
    db = open_database(tmp_path / "training.db")
    return ingest(db, source, **options), db


def assert_good_extracted(record: dict) -> None:
    assert "error" not in record, record.get("error")
    assert record["events"][0]["participant_total"] == PARTICIPANTS[record["id"]]


def assert_good_stored(db, urls: list[str]) -> None:
    stored = dict(db.execute("select a.url, count(e.id) from articles a left join events e on e.article_id = a.id "
                             "group by a.url"))
    assert sorted(stored) == sorted(urls)
    assert all(count >= 1 for count in stored.values()), stored


def ingest_errors(db) -> list[str]:
    return [row[0] for row in db.execute("select message from errors where stage = 'ingest' order by id")]


@pytest.mark.parametrize("case", CASES)
def test_a_broken_line_costs_only_itself(case: str, tmp_path: Path) -> None:
    bad, words = CASES[case]
    source = write_lines(tmp_path / "articles.jsonl", [good_line(0), bad, good_line(1)])

    records, failed = extracted(source, tmp_path)
    assert [record["id"] for record in records][::2] == ["good-1", "good-2"] and failed == 1
    assert_good_extracted(records[0]) and assert_good_extracted(records[2])
    assert records[1]["error"].startswith(f"{source} line 2: ") and words in records[1]["error"]

    stats, db = ingested(source, tmp_path)
    assert (stats.new, stats.failed) == (2, 1)
    assert_good_stored(db, [GOOD[0]["url"], GOOD[1]["url"]])
    [message] = ingest_errors(db)
    assert message.startswith(f"{source} line 2: ") and words in message


def test_a_50_mb_line_is_refused_unread(tmp_path: Path) -> None:
    huge = b'{"id": "huge", "text": "' + b"a" * (50 * 1024 * 1024) + b'"}'
    source = write_lines(tmp_path / "articles.jsonl", [good_line(0), huge, good_line(1)])
    records, failed = extracted(source, tmp_path)
    assert failed == 1 and len(records) == 3
    assert f"{source} line 2: entry of {len(huge):,} characters is longer than the limit of {MAX_ENTRY_CHARS:,}" \
        == records[1]["error"]
    stats, db = ingested(source, tmp_path)
    assert (stats.new, stats.failed) == (2, 1)
    assert "longer than the limit" in ingest_errors(db)[0]


@pytest.mark.parametrize("codec, mark", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                         ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""),
                                         ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_byte_order_marks_and_utf16_files_are_read(codec: str, mark: bytes, tmp_path: Path) -> None:
    text = "\r\n".join(json.dumps(entry, ensure_ascii=False) for entry in GOOD) + "\r\n"
    source = tmp_path / "articles.jsonl"
    source.write_bytes(mark + text.encode(codec))
    records, failed = extracted(source, tmp_path)
    assert failed == 0 and [record["id"] for record in records] == ["good-1", "good-2"]
    for record in records:
        assert_good_extracted(record)
    stats, db = ingested(source, tmp_path)
    assert (stats.new, stats.failed) == (2, 0)
    assert_good_stored(db, [GOOD[0]["url"], GOOD[1]["url"]])


def test_a_bad_sequence_in_a_utf16_file_costs_its_line_only(tmp_path: Path) -> None:
    lone_surrogate = "\ud800".encode("utf-16-le", errors="surrogatepass")
    lines = [good_line(0).decode().encode("utf-16-le"), '{"id": "x", "text": "a'.encode("utf-16-le") + lone_surrogate
             + '"}'.encode("utf-16-le"), good_line(1).decode().encode("utf-16-le")]
    source = tmp_path / "articles.jsonl"
    source.write_bytes(codecs.BOM_UTF16_LE + "\n".encode("utf-16-le").join(lines))
    records, failed = extracted(source, tmp_path)
    assert failed == 1 and records[1]["error"].startswith(f"{source} line 2: not valid UTF-16-LE")
    assert_good_extracted(records[0]) and assert_good_extracted(records[2])


# Borderline entries: whatever the rule, both commands must apply the same one.
PAGE = ("<html><body><article><h1>Tập huấn</h1><p>Ngày 5/3/2024, UBND tỉnh Đồng Tháp tổ chức tập huấn cho 85 cán bộ "
        "làm công tác giảm nghèo.</p></article></body></html>")
BORDERLINE = [
    {"id": "html-only", "url": "https://a.gov.vn/h", "html": PAGE},
    {"id": "blank-text-with-html", "url": "https://a.gov.vn/bh", "text": "   ", "html": PAGE},
    {"id": "body-alias", "url": "https://a.gov.vn/b", "body": "Ngày 5/3/2024, tập huấn cho 85 cán bộ."},
    {"id": "blank-text", "url": "https://a.gov.vn/w", "text": "\n \t"},
    {"id": "empty-url", "url": "", "text": "Tập huấn cho 85 cán bộ."},
    {"id": True, "text": "Tập huấn."},
    {"id": 1.5, "text": "Tập huấn."},
    {"id": 7, "url": "https://a.gov.vn/7", "text": "Tập huấn."},
    {"id": "published-number", "url": "https://a.gov.vn/p", "text": "Tập huấn.", "published": 2024},
    {"id": "title-list", "url": "https://a.gov.vn/t", "text": "Tập huấn.", "title": ["a"]},
    {"id": "status-text", "url": "https://a.gov.vn/s", "text": "Tập huấn.", "http_status": "200"},
    {"id": "extra-keys", "url": "https://a.gov.vn/e", "text": "Tập huấn.", "gold": {"is_training": True}, "x": [1]},
]


def test_extract_and_ingest_accept_the_same_entries(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "articles.jsonl",
                         [json.dumps(entry, ensure_ascii=False).encode("utf-8") for entry in BORDERLINE])
    records, _ = extracted(source, tmp_path)
    refused_by_extract = {int(r["error"].split(" line ")[1].split(":")[0]) for r in records if "error" in r}
    stats, db = ingested(source, tmp_path)
    refused_by_ingest = {int(m.split(" line ")[1].split(":")[0]) for m in ingest_errors(db)}
    assert refused_by_extract == refused_by_ingest == {4, 6, 7, 9, 10, 11}
    assert stats.new == len(BORDERLINE) - 6
    html_body, html_events = db.execute("select body, (select count(*) from events where article_id = a.id) "
                                        "from articles a where url = 'https://a.gov.vn/h'").fetchone()
    assert "<" not in html_body and "85 cán bộ" in html_body and html_events == 1
    assert records[0]["events"][0]["participant_total"] == 85


def test_records_file_problems_name_their_line(tmp_path: Path, extractor) -> None:
    source = write_lines(tmp_path / "articles.jsonl", [good_line(0), good_line(1)])
    records = tmp_path / "records.jsonl"
    records.write_bytes(b"\xff{not a record\n" + json.dumps(extractor(GOOD[1]["text"], url=GOOD[1]["url"])).encode()
                        + b"\n")
    stats, db = ingested(source, tmp_path, records_path=records)
    assert (stats.new, stats.failed) == (1, 1)
    [message] = ingest_errors(db)
    assert message.startswith(f"{source} line 1: its record ({records} line 1) cannot be read: not valid UTF-8")


def test_a_missing_input_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    with pytest.raises(InputUnreadable, match="cannot read .*nowhere.jsonl: No such file"):
        list(read_entries(missing))
    with pytest.raises(InputUnreadable):
        extract_jsonl(str(missing), str(tmp_path / "out.jsonl"))
    assert not (tmp_path / "out.jsonl").exists()
    for command in (["extract", "--input", str(missing)], ["ingest", str(missing), "--db", str(tmp_path / "t.db")]):
        result = run_pipeline(*command)
        assert result.returncode == 2 and "nowhere.jsonl" in result.stderr and "does not exist" in result.stderr
        assert "Traceback" not in result.stderr


def test_exit_codes_tell_some_lines_failed_from_a_crash(tmp_path: Path) -> None:
    clean = write_lines(tmp_path / "clean.jsonl", [good_line(0), good_line(1)])
    mixed = write_lines(tmp_path / "mixed.jsonl", [good_line(0), CASES["url is a number"][0], good_line(1)])
    out = tmp_path / "out.jsonl"
    assert run_pipeline("extract", "--input", str(clean), "--output", str(out)).returncode == 0
    some_failed = run_pipeline("extract", "--input", str(mixed), "--output", str(out))
    assert some_failed.returncode == 1 and "3 records, 1 failed" in some_failed.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    ingest_mixed = run_pipeline("ingest", str(mixed), "--db", str(tmp_path / "mixed.db"))
    assert ingest_mixed.returncode == 1 and "2 new" in ingest_mixed.stderr and "1 failed" in ingest_mixed.stderr
    assert f"{mixed} line 2: url must be a string" in ingest_mixed.stderr

    unwritable = run_pipeline("extract", "--input", str(clean), "--output", str(tmp_path / "no" / "such" / "o.jsonl"))
    assert unwritable.returncode == 3 and "Error: cannot write" in unwritable.stderr
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are notes, not a database\n" * 100)
    crashed = run_pipeline("ingest", str(clean), "--db", str(not_a_database))
    assert crashed.returncode == 3 and f"not an SQLite database: {not_a_database}" in crashed.stderr
    assert "Traceback" not in unwritable.stderr + crashed.stderr
