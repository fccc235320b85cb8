"""Property tests beyond the extractor (issue 12): the JSON-lines reader, the store's row builder
and the page reader take any input without an exception escaping, keep spans inside their text
and give records valid against schema/record.schema.json."""
from __future__ import annotations

import codecs
import json
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extract import extract_record
from reader.article import PageError, read_page
from stages.jsonl_input import read_entries, validate_entry
from store import open_database, save_articles
from store.rows import article_row, derive_rows, validate_record
from store.save import prepare

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["Ngày", "13/11/2023", "tập huấn", "cho", "hơn 200", "đại biểu", "tại", "huyện Mường Lát", "tỉnh Thanh Hóa",
         "UBND", "tổ chức", "90/QĐ-TTg", "Chương trình 135", "giảm nghèo bền vững", "\n", "\n\n", ",", ".", "từ", "đến",
         "24-26/8", "\u0301", "\u200b", "&amp;", "<", ">", '"', "\\"]
article_text = st.one_of(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join), st.text(max_size=300))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)
good_entries = st.fixed_dictionaries(
    {"id": st.one_of(st.text(min_size=1, max_size=10), st.integers(0, 10**6)), "text": article_text},
    optional={"url": st.sampled_from(["https://muonglat.thanhhoa.gov.vn/a?p=1", "https://baothainguyen.vn/x/"]),
              "published": st.sampled_from(["2024-01-02", "07/11/2023", "x"]), "title": st.text(max_size=30)})


def _as_line(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


any_line = st.one_of(
    good_entries.map(lambda entry: ("good", entry, _as_line(entry))),
    json_values.map(lambda value: ("any", value, _as_line(value))),
    st.binary(max_size=80).map(lambda raw: ("bytes", None, raw.replace(b"\n", b" "))),
    st.integers(1, 3000).map(lambda depth: ("deep", None, b"[" * depth + b"]" * depth)),
)
# The first line is a good entry: its first bytes are what tells the file's encoding.
input_lines = st.tuples(good_entries.map(lambda entry: ("good", entry, _as_line(entry))),
                        st.lists(any_line, max_size=12)).map(lambda pair: [pair[0], *pair[1]])


@SETTINGS
@given(lines=input_lines, mark=st.sampled_from([b"", codecs.BOM_UTF8]), ending=st.sampled_from([b"\n", b"\r\n"]))
def test_the_jsonl_reader_judges_every_line_alone(lines, mark, ending) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.jsonl"
        path.write_bytes(mark + ending.join(raw for _, _, raw in lines) + ending)
        entries = list(read_entries(path))
    numbers = [int(entry.where.rsplit(" line ", 1)[1]) for entry in entries]
    assert numbers == sorted(set(numbers)) and all(1 <= n <= len(lines) for n in numbers)
    by_line = dict(zip(numbers, entries))
    for number, (kind, value, _) in enumerate(lines, start=1):
        if kind == "good" and value["text"].strip():
            entry = by_line[number]
            assert entry.problem is None and entry.fields["id"] == value["id"], entry.problem
        elif number in by_line and by_line[number].problem is None:
            fields = by_line[number].fields
            assert any(isinstance(fields[key], str) and fields[key].strip() for key in ("text", "html"))
        if number in by_line and by_line[number].problem is not None:
            assert by_line[number].message.startswith(f"{path} line {number}: ")


@SETTINGS
@given(value=json_values)
def test_validation_refuses_by_naming_never_by_crashing(value) -> None:
    try:
        fields = validate_entry(value)
    except (TypeError, ValueError) as error:
        assert str(error)
        return
    assert isinstance(fields, dict) and (fields["text"] or fields["html"])


@SETTINGS
@given(text=article_text, url=st.one_of(st.none(), st.sampled_from(["https://muonglat.thanhhoa.gov.vn/a?p=1",
                                                                     "urn:article:1"])))
def test_rows_of_any_record_quote_their_text(text, url) -> None:
    record = extract_record(text, url=url)
    validate_record(record)
    row = article_row({"url": url or "urn:article:x", "body": text}, record)
    rows = derive_rows(record, row["body"])
    for mention in rows.mentions + rows.event_organizers:
        if mention["span_start"] is not None:
            assert 0 <= mention["span_start"] <= mention["span_end"] <= len(text)
            assert text[mention["span_start"]:mention["span_end"]] == mention["quote"]
    for event in rows.events:
        for prefix in ("", "date_", "participant_"):
            start, end = event[f"{prefix}span_start"], event[f"{prefix}span_end"]
            if start is not None:
                assert 0 <= start <= end <= len(text) and event[f"{prefix}quote"] == text[start:end]


article_fields = st.dictionaries(
    st.sampled_from(["url", "site", "title", "published", "byline", "body", "content_hash", "warc_offset",
                     "http_status", "etag"]),
    st.one_of(json_scalars, st.lists(st.integers(), max_size=2)), max_size=8)


_DATABASE: list = []


def shared_database():
    """One database for every example (migrating a new one per example would dominate the test)."""
    if not _DATABASE:
        _DATABASE.append(open_database(Path(tempfile.mkdtemp()) / "training.db"))
    return _DATABASE[0]


@SETTINGS
@given(article=article_fields, record=st.one_of(st.none(), json_values))
def test_any_article_is_stored_or_refused_with_a_reason(article, record) -> None:
    record = record if record is None or isinstance(record, dict) else None
    prepared = prepare(article, record)
    assert (prepared.row is None) == (prepared.failure is not None)
    if prepared.row is not None:
        assert isinstance(prepared.row["url"], str) and isinstance(prepared.row["body"], str)
    db = shared_database()
    [status] = save_articles(db, [(article, record)])
    if status == "failed":
        url = article.get("url") if isinstance(article.get("url"), str) else None
        known = ("message = ?", prepared.failure) if prepared.row is None else ("message like ?", "not stored: %")
        assert db.execute(f"select count(*) from errors where url is ? and {known[0]}", [url, known[1]]).fetchone()[0]
    else:
        assert db.execute("select body from articles where url = ?", [prepared.row["url"]]).fetchone()[0] == \
            prepared.row["body"]


TAGS = ["<html>", "<head>", "<title>Tập huấn</title>", '<meta charset="windows-1258">', '<meta charset="utf-8">',
        "<body>", "<article>", "<h1>", "</h1>", "<p>", "</p>", "<div class='content'>", "</div>", "<script>x()</script>",
        "<br>", "<table><tr><td>", "</td></tr></table>", "<!--", "-->", "<span>", "Ngày 13/11/2023", "</span>",
        "<img alt='Ảnh: Tập huấn'>", "<time datetime='2023-11-13T08:00:00+07:00'>", "&nbsp;", "&#x1EA1;", "</body>"]
pages = st.one_of(st.lists(st.one_of(st.sampled_from(TAGS), article_text), max_size=40).map("".join),
                  st.text(max_size=200))


@SETTINGS
@given(page=pages, as_bytes=st.sampled_from([None, "utf-8", "windows-1258", "utf-16"]))
@example(page="<p>a\x01b</p>", as_bytes=None)  # found by this test: characters lxml refuses in a tree
@example(page="><script></script>\ufffe", as_bytes=None)
@example(page="><script></script>\xa0ï¿¾", as_bytes="windows-1258")  # U+FFFE once its mojibake is repaired
def test_the_page_reader_reads_any_page_or_says_why(page, as_bytes) -> None:
    body = page.encode(as_bytes, errors="replace") if as_bytes else page
    try:
        article = read_page(body, "https://muonglat.thanhhoa.gov.vn/portal/pages/a.aspx?p=1")
    except PageError as error:
        assert "muonglat" in str(error)
        return
    assert isinstance(article.body, str) and (article.title is None or isinstance(article.title, str))
    text = article.text()
    assert unicodedata.is_normalized("NFC", text)
    record = extract_record(text, url=article.url, published=article.published)
    validate_record(record)
    for location in record["locations"]:
        if location.get("span"):
            start, end = location["span"]
            assert text[start:end] == location["quote"]
