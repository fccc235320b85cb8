"""The store API (store/) on hand-built records that follow schema/record.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from schema.tables import TABLES
from store import (known_articles, load_programmes, open_database, record_crawl_run, record_error,
                          save_article, save_articles, table_counts, upsert_sites)
from store.rows import InvalidRecord, validate_record

ROOT = Path(__file__).resolve().parent.parent


def make_article(text: str, url: str = "https://dongthap.gov.vn/tin/1", **extra: object) -> tuple[dict, dict]:
    """An article about a training in Đồng Tháp and its record, spans computed from the text."""
    def span(needle: str) -> list[int]:
        start = text.index(needle)
        return [start, start + len(needle)]

    number = extra.pop("number", "90/QĐ-TTg")
    year = extra.pop("year", 2022)
    participants = extra.pop("participants", "120 cán bộ")
    record = {
        "id": None, "url": url, "title": text.split("\n")[0], "published": "2023-11-08", "is_training": True,
        "events": [{
            "is_primary": True, "start_date": "2023-11-07", "end_date": "2023-11-08", "date_precision": "day",
            "date_span": span("7-8/11/2023"), "participant_total": int(participants.split()[0]),
            "participant_qualifier": None, "participant_unit": "cán bộ", "participant_span": span(participants),
            "classes": 2, "province": "Đồng Tháp", "province_code": "87", "district": "Cao Lãnh",
            "district_code": "869", "lat": 10.46, "lon": 105.63, "locations": [0], "organizers": [0],
            "programmes": ["gnbv-2021-2025"], "documents": [number], "span": [text.index("Ngày"), len(text)]}],
        "documents": [{"number": number, "raw": number, "doc_type": "QĐ", "issuer": "TTg", "issued": None,
                       "year": year, "span": span(number), "quote": number}],
        "programmes": [{"id": "gnbv-2021-2025", "name": "CTMTQG giảm nghèo bền vững 2021-2025", "component": None,
                        "span": span("giảm nghèo bền vững"), "quote": "giảm nghèo bền vững"}],
        "locations": [{"name": "Cao Lãnh", "type": "huyện", "level": "district", "province": "Đồng Tháp",
                       "province_code": "87", "code": "869", "lat": 10.46, "lon": 105.63,
                       "span": span("huyện Cao Lãnh"), "quote": "huyện Cao Lãnh"}],
        "organizers": [{"name": "UBND huyện Cao Lãnh", "role": "organizer", "span": span("UBND huyện Cao Lãnh"),
                        "quote": "UBND huyện Cao Lãnh"}],
        "dates": [], "counts": [], "extractor_version": extra.pop("extractor_version", "hand-1"),
    }
    return {"url": url, "body": text, **extra}, record


TEXT = ("Tập huấn giảm nghèo ở Đồng Tháp\n\nNgày 7-8/11/2023, UBND huyện Cao Lãnh, tỉnh Đồng Tháp tập huấn "
        "cho 120 cán bộ theo Quyết định số 90/QĐ-TTg về Chương trình giảm nghèo bền vững.")


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(tmp_path / "training.db")
    yield database
    database.close()


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


def test_open_database_creates_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    open_database(path).close()
    db = open_database(path)
    assert {table.name for table in TABLES} <= set(db.table_names())
    applied = [row[0] for row in db.execute("select name from _sqlite_migrations")]
    # Each migration once (the second open applied none again), in the order they are declared.
    assert applied[0] == "m001_initial" and applied == sorted(set(applied))
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert db["events"].foreign_keys  # declared, so Datasette can show labels


def test_none_is_bound_as_null(tmp_path: Path) -> None:
    """store.database registers an adapter for None (a speed-up): None must still be stored as NULL."""
    database = open_database(tmp_path / "t.db")
    database.execute("create table probe (value)")
    database.conn.executemany("insert into probe values (?)", [(None,), (0,), ("",)])
    assert [kind for (kind,) in database.execute("select typeof(value) from probe order by rowid")] == \
        ["null", "integer", "text"]


def test_record_passes_schema_and_bad_record_is_named() -> None:
    validate_record(make_article(TEXT)[1])
    _, record = make_article(TEXT)
    record["events"][0]["is_primary"] = "yes"
    with pytest.raises(InvalidRecord, match="events/0/is_primary"):
        validate_record(record)


def test_new_then_unchanged_writes_nothing(db) -> None:
    article, record = make_article(TEXT)
    assert save_article(db, article, record) == "new"
    before = dump(db)
    assert save_article(db, article, record) == "unchanged"
    assert dump(db) == before


def test_every_quote_is_the_body_text_at_its_span(db) -> None:
    save_article(db, *make_article(TEXT))
    body = db.execute("select body from articles").fetchone()[0]
    rows = list(db.query("select span_start, span_end, quote from mentions union all "
                         "select span_start, span_end, quote from event_organizers union all "
                         "select participant_span_start, participant_span_end, participant_quote from events"))
    assert len(rows) == 5  # document, programme, place (each tied to the event), organiser, count
    for row in rows:
        assert body[row["span_start"]:row["span_end"]] == row["quote"]
    event = next(db.query("select participant_total, participant_quote, date_quote from events"))
    assert event == {"participant_total": 120, "participant_quote": "120 cán bộ", "date_quote": "7-8/11/2023"}


def test_changed_article_keeps_old_version_and_replaces_derived_rows(db) -> None:
    save_article(db, *make_article(TEXT))
    changed_text = TEXT.replace("120 cán bộ", "150 cán bộ")
    assert save_article(db, *make_article(changed_text, participants="150 cán bộ")) == "changed"
    assert db.execute("select version, body from articles").fetchone() == (2, changed_text)
    assert db.execute("select version, body from article_versions").fetchall() == [(1, TEXT)]
    assert db.execute("select participant_total from events").fetchall() == [(150,)]
    assert db.execute("select count(*) from mentions where event_id is not null").fetchone()[0] == 3
    db.execute("insert into articles_fts(articles_fts) values ('integrity-check')")
    assert db.execute("select count(*) from articles_fts where articles_fts match '150'").fetchone()[0] == 1
    assert db.execute("select count(*) from articles_fts where articles_fts match '120'").fetchone()[0] == 0


def test_new_extractor_version_rederives_unchanged_article(db) -> None:
    article, record = make_article(TEXT)
    save_article(db, article, record)
    record = dict(record, extractor_version="hand-2", events=[dict(record["events"][0], classes=5)])
    assert save_article(db, article, record) == "unchanged"
    assert db.execute("select extractor_version, version from articles").fetchone() == ("hand-2", 1)
    assert db.execute("select classes from events").fetchall() == [(5,)]


def test_invalid_record_is_logged_and_writes_no_derived_rows(db) -> None:
    article, record = make_article(TEXT)
    del record["events"][0]["participant_total"]
    assert save_article(db, article, record) == "new+invalid"
    counts = table_counts(db)
    assert (counts["articles"], counts["events"], counts["mentions"], counts["errors"]) == (1, 0, 0, 1)
    assert "participant_total" in db.execute("select message from errors").fetchone()[0]
    before = dump(db)
    save_article(db, article, record)
    assert dump(db) == before


def test_record_pointing_at_missing_organizer_fails_alone(db) -> None:
    bad_article, bad_record = make_article(TEXT, url="https://dongthap.gov.vn/tin/bad")
    bad_record["events"][0]["organizers"] = [7]
    good = make_article(TEXT, url="https://dongthap.gov.vn/tin/good")
    no_body = ({"url": "https://dongthap.gov.vn/tin/empty"}, None)
    assert save_articles(db, [(bad_article, bad_record), good, no_body]) == ["failed", "new", "failed"]
    assert [row[0] for row in db.execute("select url from articles")] == ["https://dongthap.gov.vn/tin/good"]
    assert table_counts(db)["errors"] == 2


def test_documents_are_unique_by_number_and_year(db) -> None:
    save_article(db, *make_article(TEXT, url="https://a.vn/1", year=2022))
    save_article(db, *make_article(TEXT, url="https://a.vn/2", year=2022))
    save_article(db, *make_article(TEXT, url="https://a.vn/3", year=2023))
    assert db.execute("select id, number, year from documents order by id").fetchall() == [
        ("90/QĐ-TTg (2022)", "90/QĐ-TTg", 2022), ("90/QĐ-TTg (2023)", "90/QĐ-TTg", 2023)]
    assert db.execute("select count(*) from mentions where document_id = '90/QĐ-TTg (2022)'").fetchone()[0] == 2


def test_foreign_keys_hold_and_places_link_to_province(db) -> None:
    save_article(db, *make_article(TEXT))
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert db.execute("select code, parent_code, level from places order by code").fetchall() == [
        ("869", "87", "district"), ("87", None, "province")]


def test_known_articles_by_site(db) -> None:
    save_article(db, *make_article(TEXT, etag='"abc"', fetched_at="2026-01-01T00:00:00+00:00"))
    save_article(db, *make_article(TEXT, url="https://other.gov.vn/x"))
    known = known_articles(db, site="dongthap.gov.vn")
    assert list(known) == ["https://dongthap.gov.vn/tin/1"]
    assert known["https://dongthap.gov.vn/tin/1"]["etag"] == '"abc"'
    assert known["https://dongthap.gov.vn/tin/1"]["version"] == 1
    assert len(known_articles(db)) == 2


def test_refetch_of_unchanged_article_updates_fetch_fields_only(db) -> None:
    article, record = make_article(TEXT, etag='"v1"')
    save_article(db, article, record)
    assert save_article(db, {**article, "etag": '"v2"'}, record) == "unchanged"
    assert db.execute("select etag, version from articles").fetchone() == ('"v2"', 1)
    assert table_counts(db)["article_versions"] == 0


def test_sites_crawl_runs_and_errors(db) -> None:
    upsert_sites(db, [{"domain": "dongthap.gov.vn", "name": "Cổng TTĐT Đồng Tháp", "family": "provincial portal",
                       "unit_code": "87", "ignored_key": 1}])
    upsert_sites(db, [{"domain": "dongthap.gov.vn", "name": "Đồng Tháp"}])
    assert db.execute("select name, family from sites").fetchone() == ("Đồng Tháp", "provincial portal")
    run = {"run_id": "r1", "site": "dongthap.gov.vn", "requests": 10, "new": 2, "changed": 0, "failed": 1,
           "duration_s": 3.5, "status": "ok"}
    first = record_crawl_run(db, run)
    assert record_crawl_run(db, {**run, "failed": 3}) == first
    assert db.execute("select failed from crawl_runs").fetchall() == [(3,)]
    with pytest.raises(ValueError):
        record_crawl_run(db, {"site": "dongthap.gov.vn"})
    record_error(db, "https://dongthap.gov.vn/x", "crawl", "HTTP 503")
    record_error(db, "https://dongthap.gov.vn/x", "crawl", "HTTP 503")
    assert table_counts(db)["errors"] == 1


def test_load_programmes_reads_the_catalogue(db, tmp_path: Path) -> None:
    count = load_programmes(db, ROOT / "data" / "programmes.yml")
    assert count == table_counts(db)["programmes"] > 0
    catalogue = tmp_path / "programmes.yml"
    catalogue.write_text("- {id: p1, name: Programme one, period: 2021-2025, abbreviations: [P1], decision: 1/QĐ-TTg}\n",
                         encoding="utf-8")
    load_programmes(db, catalogue)
    row = next(db.query("select * from programmes where id = 'p1'"))
    assert (row["name"], row["period"], row["in_catalogue"]) == ("Programme one", "2021-2025", 1)
    assert json.loads(row["abbreviations"]) == ["P1"]
    assert json.loads(row["details"]) == {"decision": "1/QĐ-TTg"}
    catalogue.write_text("- {name: no id}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="without id"):
        load_programmes(db, catalogue)


def test_mentions_are_tied_to_every_event_that_points_at_them(db) -> None:
    article, record = make_article(TEXT)
    second = dict(record["events"][0], is_primary=False, documents=[], programmes=[], organizers=[])
    record["events"].append(second)
    assert save_article(db, article, record) == "new"
    rows = db.execute("select kind, event_id from mentions order by kind, event_id").fetchall()
    assert rows == [("document", 1), ("place", 1), ("place", 2), ("programme", 1)]
    record["events"][1]["locations"] = [3]
    assert save_article(db, {**article, "url": "https://dongthap.gov.vn/tin/2"}, record) == "failed"
    assert "location 3" in db.execute("select message from errors").fetchone()[0]


def _articles(count: int) -> list[tuple[dict, dict]]:
    """Distinct articles; even ones cite the document without a year (another documents row)."""
    pairs = []
    for i in range(count):
        text = TEXT.replace("120 cán bộ", f"{100 + i} cán bộ")
        pairs.append(make_article(text, url=f"https://dongthap.gov.vn/tin/{i}", participants=f"{100 + i} cán bộ",
                                  year=None if i % 2 else 2022))
    return pairs


def contents(db) -> dict[str, list[tuple]]:
    """Every row of every table of the schema (not the search index's own storage)."""
    return {table.name: db.execute(f"select * from [{table.name}] order by 1").fetchall() for table in TABLES}


def test_stream_in_small_batches_writes_what_one_batch_writes(tmp_path: Path) -> None:
    from store import save_stream

    pairs = _articles(7)
    one = open_database(tmp_path / "one.db")
    streamed = open_database(tmp_path / "streamed.db")
    assert save_articles(one, pairs) == ["new"] * 7
    assert [status for batch in save_stream(streamed, pairs, batch_size=2) for status in batch] == ["new"] * 7
    assert contents(streamed) == contents(one)
    before = dump(streamed)  # and again: nothing changes
    assert [status for batch in save_stream(streamed, pairs, batch_size=3) for status in batch] == ["unchanged"] * 7
    assert dump(streamed) == before
    assert streamed.execute("select count(*) from articles_fts where articles_fts match 'Dong Thap'").fetchone()[0] == 7
    assert streamed.execute("pragma foreign_key_check").fetchall() == []


def test_stream_with_a_failing_batch_goes_on_and_can_be_abandoned(db) -> None:
    from store import save_stream

    pairs = _articles(6)
    pairs[2][1]["events"][0]["organizers"] = [5]  # no such organiser: this article fails alone
    batches = save_stream(db, pairs, batch_size=2)
    assert next(batches) == ["new", "new"]
    assert next(batches) == ["failed", "new"]
    batches.close()  # the consumer stops early: the preparing thread must not be left waiting
    assert db.execute("select count(*) from articles").fetchone()[0] == 3
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_catalogue_rows_are_written_again_after_a_rollback(db) -> None:
    article, record = make_article(TEXT)
    with pytest.raises(RuntimeError):
        with db.atomic():
            assert save_article(db, article, record) == "new"
            raise RuntimeError("the caller's transaction is rolled back")
    assert db.execute("select count(*) from places").fetchone()[0] == 0
    assert save_article(db, article, record) == "new"
    assert db.execute("select count(*) from places where code in ('87', '869')").fetchone()[0] == 2
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_values_json_cannot_carry_are_stored_unchanged(db) -> None:
    article, record = make_article(TEXT, byline="A\x00B \u2028 😀")
    record["events"][0]["lat"] = 10.123456789012345
    assert save_article(db, article, record) == "new"
    assert db.execute("select byline from articles").fetchone()[0] == "A\x00B \u2028 😀"
    assert db.execute("select latitude from events").fetchone()[0] == 10.123456789012345
