"""Export stage: events as CSV or JSON lines, and versioned snapshots of the database.

Every export comes with its data dictionary (`<file>.dictionary.json`, and `data_dictionary.txt`
in a snapshot). Administrative codes are text with leading zeros ("08", "076"): the dictionary
gives the pandas `dtype` that keeps them so (`pd.read_csv(path, dtype=dictionary["dtype"])`),
and `--excel` writes a UTF-8 byte-order mark so that Excel reads the Vietnamese right.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import sqlite_utils

from schema.datasette import data_dictionary
from store import table_counts
from store.corrections import stored_corrections, write_corrections_file


@dataclass(frozen=True)
class ExportColumn:
    """One column of the events export.

    :param name: column name in the file
    :param sql: expression over events e, articles a, places pr/di, programmes g
    :param type: string, integer, number or date (ISO 8601 text)
    :param description: what the value means
    """

    name: str
    sql: str
    type: str
    description: str


def _list_of(kind: str, column: str) -> str:
    return (f"(select group_concat(distinct m.{column}) from mentions m "
            f"where m.event_id = e.id and m.kind = '{kind}')")


EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("event_id", "e.id", "integer", "Event id in the database (events.id)."),
    ExportColumn("article_url", "a.url", "string", "Canonical URL of the article reporting the event."),
    ExportColumn("article_title", "a.title", "string", "Title of the article."),
    ExportColumn("published", "a.published", "date", "Publication date of the article."),
    ExportColumn("site", "a.site", "string", "Site the article was published on."),
    ExportColumn("event_no", "e.event_no", "integer", "Position of the event within its article (1 = first)."),
    ExportColumn("is_primary", "e.is_primary", "integer", "1 for the article's main activity."),
    ExportColumn("kind", "e.kind", "string", "Kind of activity (tập huấn, bồi dưỡng, ...)."),
    ExportColumn("start_date", "e.start_date", "date", "First day; YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD."),
    ExportColumn("end_date", "e.end_date", "date", "Last day, same forms as start_date."),
    ExportColumn("date_precision", "e.date_precision", "string", "day, month, year or day-no-year."),
    ExportColumn("year", "e.year", "integer", "Year of start_date."),
    ExportColumn("duration_days", "e.duration_days", "number", "Length in days, when stated or derivable."),
    ExportColumn("participant_total", "e.participant_total", "integer",
                 "Number of participants; empty when the article does not state it (unknown, not zero)."),
    ExportColumn("participant_qualifier", "e.participant_qualifier", "string", "gần, khoảng, hơn, trên, ...; empty when exact."),
    ExportColumn("participant_unit", "e.participant_unit", "string", "What was counted: người, học viên, đại biểu, ..."),
    ExportColumn("classes", "e.classes", "integer", "Number of classes held."),
    ExportColumn("province_code", "e.province_code", "string", "GSO code of the province (two digits, text)."),
    ExportColumn("province", "pr.name", "string", "Province name."),
    ExportColumn("district_code", "e.district_code", "string", "GSO code of the district (three digits, text)."),
    ExportColumn("district", "di.name", "string", "District name."),
    ExportColumn("latitude", "e.latitude", "number", "Latitude of the most precise known place (WGS 84)."),
    ExportColumn("longitude", "e.longitude", "number", "Longitude of the most precise known place (WGS 84)."),
    ExportColumn("programme_id", "e.programme_id", "string", "First programme the activity is attributed to."),
    ExportColumn("programme", "g.name", "string", "Name of that programme."),
    ExportColumn("programmes", _list_of("programme", "programme_id"), "string", "Every programme named for the event."),
    ExportColumn("documents", _list_of("document", "document_id"), "string", "Every document cited for the event."),
    ExportColumn("organizers", "(select group_concat(o.name, '; ') from event_organizers o where o.event_id = e.id)",
                 "string", "Organisers, separated by '; '."),
    ExportColumn("corrected", "e.corrected", "string",
                 "Fields a researcher corrected (their values above are the corrected ones); empty when as extracted."),
    ExportColumn("correction_notes", "(select group_concat(c.field || ': ' || coalesce(c.note, ''), '; ') "
                                     "from corrections c where c.article_url = a.url and c.event_no = e.event_no "
                                     "and c.status = 'applied')", "string", "The researchers' notes on those corrections."),
    ExportColumn("source_sentence", "e.quote", "string", "The sentence(s) of the article reporting the event."),
    ExportColumn("date_quote", "e.date_quote", "string", "The date as written."),
    ExportColumn("participant_quote", "e.participant_quote", "string", "The participant count as written."),
    ExportColumn("extractor_version", "a.extractor_version", "string", "Version of the extractor that read the article."),
)
PANDAS_DTYPES = {"string": "string", "date": "string", "integer": "Int64", "number": "float64"}

# Rejected events (a researcher found they are not training activities) are left out.
EVENTS_EXPORT_SQL = f"""
select {', '.join(f'{column.sql} as {column.name}' for column in EXPORT_COLUMNS)}
from events e
join articles a on a.id = e.article_id
left join places pr on pr.code = e.province_code
left join places di on di.code = e.district_code
left join programmes g on g.id = e.programme_id
where e.rejected is not 1
order by e.id
"""


def events_dictionary() -> dict:
    """Data dictionary of the events export: columns with type and description, and the pandas
    dtypes that read the file as intended (codes stay text)."""
    return {
        "description": "Training activities extracted from Vietnamese government news: one row per event.",
        "columns": [{"name": c.name, "type": c.type, "description": c.description} for c in EXPORT_COLUMNS],
        "dtype": {c.name: PANDAS_DTYPES[c.type] for c in EXPORT_COLUMNS},
        "read_with": "pandas.read_csv(path, dtype=dictionary['dtype']) or pandas.read_json(path, lines=True, "
                     "dtype=dictionary['dtype'])",
    }


def export_events(db: sqlite_utils.Database, out: IO[str], fmt: str, excel: bool = False) -> int:
    """Write one row per event with its article, places, programmes, documents and organisers.

    :param db: open database
    :param out: text stream to write to
    :param fmt: "csv" or "jsonl"
    :param excel: begin a CSV with a UTF-8 byte-order mark, so that Excel reads it as UTF-8
    :return: number of events written
    :raises ValueError: for another format
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    cursor = db.execute(EVENTS_EXPORT_SQL)
    columns = [description[0] for description in cursor.description]
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        if excel:
            out.write("\ufeff")
        writer.writerow(columns)
    written = 0
    for row in cursor:
        if writer:
            writer.writerow(row)
        else:
            out.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")
        written += 1
    return written


def write_events_dictionary(export_path: str | Path) -> Path:
    """Write the data dictionary next to an export file: `<file>.dictionary.json`.

    :param export_path: the export file
    :return: the dictionary's path
    """
    path = Path(f"{export_path}.dictionary.json")
    path.write_text(json.dumps(events_dictionary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def write_snapshot(db: sqlite_utils.Database, out_dir: str | Path) -> Path:
    """Copy the database consistently (SQLite backup API) with a manifest, into a new version folder.

    The folder is named after the UTC time, e.g. snapshots/20260101T120000Z/, and holds
    training.db, manifest.json (date, row counts, extractor versions, SHA-256 of the copy), the
    data dictionary (data_dictionary.txt, events.dictionary.json) and the corrections applied
    (corrections.yml).

    :param db: open database
    :param out_dir: parent folder of the snapshots
    :return: the snapshot folder
    :raises FileExistsError: when a snapshot with the same second already exists
    """
    created = datetime.now(timezone.utc)
    folder = Path(out_dir) / created.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=False)
    copy_path = folder / "training.db"
    target = sqlite3.connect(copy_path)
    with target:
        db.conn.backup(target)
    target.execute("pragma journal_mode=delete")
    target.close()
    (folder / "data_dictionary.txt").write_text(data_dictionary() + "\n", encoding="utf-8")
    (folder / "events.dictionary.json").write_text(json.dumps(events_dictionary(), ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    corrections = write_corrections_file(folder / "corrections.yml", stored_corrections(db))
    manifest = {
        "snapshot": folder.name,
        "created_at": created.isoformat(timespec="seconds"),
        "database": copy_path.name,
        "sha256": _sha256(copy_path),
        "counts": table_counts(db),
        "corrections": corrections,
        "extractor_versions": dict(db.execute(
            "select coalesce(extractor_version, '(not extracted)'), count(*) from articles "
            "group by 1 order by 1").fetchall()),
        "migrations": [row[0] for row in db.execute("select name from _sqlite_migrations order by id")],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder

