"""Corrections that last: stored apart, applied on top of extracted values, kept through
re-extraction and snapshots, reported when the article changed under them."""
from __future__ import annotations

import csv
import json
import re
import io
import sqlite3
from pathlib import Path

import pytest
import yaml

from conftest import run_pipeline
from stages.ingest import reextract
from store import open_database, save_article
from store.corrections import CorrectionError, correct_event, load_corrections_file, read_corrections_file


@pytest.fixture()
def db_path(tmp_path: Path, built_db: Path) -> Path:
    """A private copy of the database built from the dev articles."""
    target = tmp_path / "training.db"
    source = sqlite3.connect(built_db)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    return target


def counted_event(db) -> dict:
    """An event with a participant count and a start date, and its article."""
    return next(db.query("select e.id, e.article_id, e.event_no, e.participant_total, e.participant_quote, "
                         "e.start_date, a.url "
                         "from events e join articles a on a.id = e.article_id "
                         "where e.participant_total is not null and length(e.start_date) = 10 order by e.id"))


def event_at(db, url: str, event_no: int) -> dict:
    return next(db.query("select e.* from events e join articles a on a.id = e.article_id "
                         "where a.url = ? and e.event_no = ?", [url, event_no]))


def test_correct_command_applies_the_value_and_writes_the_reviewed_file(db_path: Path, tmp_path: Path) -> None:
    event = counted_event(open_database(db_path))
    corrections_file = tmp_path / "corrections.yml"
    result = run_pipeline("correct", str(event["id"]), f"participant_total={event['participant_total'] + 7}",
                          "start_date=2020-01-02", "--note", "count in the table of the report",
                          "--db", str(db_path), "--file", str(corrections_file))
    assert result.returncode == 0, result.stderr
    db = open_database(db_path)
    row = event_at(db, event["url"], event["event_no"])
    assert row["participant_total"] == event["participant_total"] + 7
    listed = next(db.query("select participants, corrected from activities where event = ?", [row["id"]]))
    assert listed == {"participants": event["participant_total"] + 7, "corrected": "participant_total,start_date"}
    assert (row["start_date"], row["year"], row["date_precision"]) == ("2020-01-02", 2020, "day")
    assert row["corrected"] == "participant_total,start_date"
    stored = {c["field"]: c for c in db.query("select * from corrections")}
    assert stored["participant_total"]["extracted_value"] == str(event["participant_total"])
    assert stored["participant_total"]["note"] == "count in the table of the report"
    on_file = yaml.safe_load(corrections_file.read_text(encoding="utf-8"))
    assert {(entry["article_url"], entry["field"]) for entry in on_file} == \
        {(event["url"], "participant_total"), (event["url"], "start_date")}


def test_corrections_survive_reextract(db_path: Path) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    correct_event(db, event["id"], {"participant_total": "4321"}, note="n")
    stats = reextract(db, extractor_version="a-newer-extractor")  # re-derives every article's events
    assert stats.unchanged > 0
    row = event_at(db, event["url"], event["event_no"])
    assert row["participant_total"] == 4321 and row["corrected"] == "participant_total"


def test_a_correction_that_no_longer_fits_is_reported_not_applied(db_path: Path, extractor) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    correct_event(db, event["id"], {"participant_total": "4321"})
    article = next(db.query("select * from articles where url = ?", [event["url"]]))
    # The portal rewrote the article: the extractor now reads another count.
    recount = re.sub(r"\d[\d.]*", str(event["participant_total"] + 1000), event["participant_quote"])
    body = article["body"].replace(event["participant_quote"], recount)
    assert body != article["body"]
    changed = {key: article[key] for key in ("url", "site", "title", "published")} | {"body": body}
    assert save_article(db, changed, extractor(body, url=article["url"], published=article["published"])) == "changed"
    row = event_at(db, event["url"], event["event_no"])
    assert row["participant_total"] != 4321 and not row["corrected"]
    result = run_pipeline("corrections", "check", "--db", str(db_path))
    assert result.returncode == 1
    assert event["url"] in result.stdout and "participant_total" in result.stdout
    status = run_pipeline("status", "--db", str(db_path))
    assert "1 correction no longer fits its article" in status.stdout and str(db_path) in status.stdout


def test_a_changed_article_keeps_a_correction_the_extractor_still_agrees_with(db_path: Path, extractor) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    correct_event(db, event["id"], {"participant_total": "4321"})
    article = next(db.query("select * from articles where url = ?", [event["url"]]))
    body = article["body"] + "\n\nẢnh minh họa."
    changed = {key: article[key] for key in ("url", "site", "title", "published")} | {"body": body}
    assert save_article(db, changed, extractor(body, url=article["url"], published=article["published"])) == "changed"
    assert event_at(db, event["url"], event["event_no"])["participant_total"] == 4321


def test_reviewed_file_loads_into_a_fresh_database(db_path: Path, built_db: Path, tmp_path: Path) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    corrections_file = tmp_path / "corrections.yml"
    assert run_pipeline("correct", str(event["id"]), "rejected=true", "--note", "a meeting, not a training",
                        "--db", str(db_path), "--file", str(corrections_file)).returncode == 0
    fresh = tmp_path / "fresh.db"
    with sqlite3.connect(built_db) as source, sqlite3.connect(fresh) as copy:
        source.backup(copy)
    assert event_at(open_database(fresh), event["url"], event["event_no"])["rejected"] is None
    result = run_pipeline("corrections", "load", "--file", str(corrections_file), "--db", str(fresh))
    assert result.returncode == 0, result.stderr
    rejected = event_at(open_database(fresh), event["url"], event["event_no"])
    assert rejected["rejected"] == 1
    # The analysts' list leaves it out; a corrected event is marked there.
    assert not list(open_database(fresh).query("select 1 from activities where event = ?", [rejected["id"]]))
    # Rejected events leave the export.
    exported = run_pipeline("export", "events", "--db", str(fresh))
    ids = {row["event_id"] for row in csv.DictReader(io.StringIO(exported.stdout))}
    assert str(event_at(open_database(fresh), event["url"], event["event_no"])["id"]) not in ids


def test_corrections_are_marked_in_exports_and_travel_with_snapshots(db_path: Path, tmp_path: Path) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    correct_event(db, event["id"], {"participant_total": "99"}, note="typo in the source")
    exported = run_pipeline("export", "events", "--format", "jsonl", "--db", str(db_path))
    rows = {row["event_id"]: row for row in map(json.loads, exported.stdout.splitlines())}
    row = rows[event_at(db, event["url"], event["event_no"])["id"]]
    assert row["participant_total"] == 99 and row["corrected"] == "participant_total"
    assert "typo in the source" in row["correction_notes"]
    snapshot = Path(run_pipeline("export", "snapshot", "--db", str(db_path), "--out-dir", str(tmp_path)).stdout.strip())
    travelled = read_corrections_file(snapshot / "corrections.yml")
    assert [(c.article_url, c.field, c.value) for c in travelled] == [(event["url"], "participant_total", "99")]
    assert (snapshot / "data_dictionary.txt").read_text(encoding="utf-8").count("corrections:") == 1


@pytest.mark.parametrize("changes, message", [
    ({"participant_total": "many"}, "whole number"),
    ({"start_date": "5/6/2024"}, "YYYY-MM-DD"),
    ({"start_date": "2025-13-45"}, "YYYY-MM-DD"),
    ({"end_date": "2023-02-29"}, "YYYY-MM-DD"),
    ({"start_date": "2024-06-10", "end_date": "2024-06-01"}, "after end_date"),
    ({"province_code": "8"}, "two-digit"),
    ({"province_code": "99"}, "no province has this code"),
    ({"district_code": "999"}, "no district has this code"),
    ({"programme_id": "no-such-programme"}, "not in the catalogue"),
    ({"colour": "red"}, "cannot correct"),
])
def test_malformed_corrections_are_refused_and_nothing_is_recorded(db_path: Path, changes: dict, message: str) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    with pytest.raises(CorrectionError, match=message):
        correct_event(db, event["id"], {"participant_total": "5", **changes})
    assert db.execute("select count(*) from corrections").fetchone()[0] == 0
    assert event_at(db, event["url"], event["event_no"])["participant_total"] == event["participant_total"]


def test_a_real_unit_no_article_named_yet_can_be_the_correction(db_path: Path) -> None:
    db = open_database(db_path)
    event = counted_event(db)
    assert not db.execute("select 1 from places where code = '001'").fetchone()
    correct_event(db, event["id"], {"province_code": "01", "district_code": "001"}, note="held in Ba Đình")
    row = event_at(db, event["url"], event["event_no"])
    assert (row["province_code"], row["district_code"]) == ("01", "001")
    assert db.execute("select name, level from places where code = '001'").fetchone() == ("Ba Đình", "district")


def test_unknown_event_and_bad_file_name_the_culprit(db_path: Path, tmp_path: Path) -> None:
    result = run_pipeline("correct", "999999", "participant_total=5", "--db", str(db_path),
                          "--file", str(tmp_path / "c.yml"))
    assert result.returncode != 0 and "no event 999999" in result.stderr and "Traceback" not in result.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("- {article_url: x, event_no: 1, field: participant_total, value: lots}\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"bad.yml: entry 1: .*whole number"):
        load_corrections_file(open_database(db_path), bad)


def test_a_database_other_than_the_default_keeps_its_corrections_beside_it(db_path: Path) -> None:
    reviewed = Path(__file__).resolve().parent.parent / "data" / "corrections.yml"
    before = reviewed.read_bytes() if reviewed.exists() else None
    event = counted_event(open_database(db_path))
    result = run_pipeline("correct", str(event["id"]), "participant_total=12", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    beside = db_path.with_suffix(".corrections.yml")
    assert [c.field for c in read_corrections_file(beside)] == ["participant_total"]
    assert read_corrections_file(beside)[0].author  # who corrected, even without $USER
    assert (reviewed.read_bytes() if reviewed.exists() else None) == before


def test_event_ids_survive_reextract(db_path: Path) -> None:
    """Links to /events/ID, exports and `correct ID` keep naming the same activity."""
    db = open_database(db_path)
    before = {(row["article_id"], row["event_no"]): row["id"] for row in db.query("select * from events")}
    reextract(db, extractor_version="a-newer-extractor")
    after = {(row["article_id"], row["event_no"]): row["id"] for row in db.query("select * from events")}
    assert before and after == before
    children = db.execute("select count(*) from mentions m join events e on e.id = m.event_id").fetchone()[0]
    assert children == db.execute("select count(*) from mentions where event_id is not null").fetchone()[0]
