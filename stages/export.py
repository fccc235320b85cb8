"""Export stage: events as CSV or JSON lines, and versioned snapshots of the database."""
from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import sqlite_utils

from store import table_counts

EVENTS_EXPORT_SQL = """
select e.id as event_id, a.url as article_url, a.title as article_title, a.published, a.site,
  e.event_no, e.is_primary, e.kind, e.start_date, e.end_date, e.date_precision, e.year, e.duration_days,
  e.participant_total, e.participant_qualifier, e.participant_unit, e.classes,
  e.province_code, pr.name as province, e.district_code, di.name as district,
  e.latitude, e.longitude, e.programme_id, g.name as programme,
  (select group_concat(distinct m.programme_id) from mentions m
     where m.event_id = e.id and m.kind = 'programme') as programmes,
  (select group_concat(distinct m.document_id) from mentions m
     where m.event_id = e.id and m.kind = 'document') as documents,
  (select group_concat(o.name, '; ') from event_organizers o where o.event_id = e.id) as organizers,
  e.quote as source_sentence, e.date_quote, e.participant_quote, a.extractor_version
from events e
join articles a on a.id = e.article_id
left join places pr on pr.code = e.province_code
left join places di on di.code = e.district_code
left join programmes g on g.id = e.programme_id
order by e.id
"""


def export_events(db: sqlite_utils.Database, out: IO[str], fmt: str) -> int:
    """Write one row per event with its article, places, programmes, documents and organisers.

    :param db: open database
    :param out: text stream to write to
    :param fmt: "csv" or "jsonl"
    :return: number of events written
    :raises ValueError: for another format
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    cursor = db.execute(EVENTS_EXPORT_SQL)
    columns = [description[0] for description in cursor.description]
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    written = 0
    for row in cursor:
        if writer:
            writer.writerow(row)
        else:
            out.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")
        written += 1
    return written


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def write_snapshot(db: sqlite_utils.Database, out_dir: str | Path) -> Path:
    """Copy the database consistently (SQLite backup API) with a manifest, into a new version folder.

    The folder is named after the UTC time, e.g. snapshots/20260101T120000Z/, and holds
    training.db and manifest.json (date, row counts, extractor versions, SHA-256 of the copy).

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
    manifest = {
        "snapshot": folder.name,
        "created_at": created.isoformat(timespec="seconds"),
        "database": copy_path.name,
        "sha256": _sha256(copy_path),
        "counts": table_counts(db),
        "extractor_versions": dict(db.execute(
            "select coalesce(extractor_version, '(not extracted)'), count(*) from articles "
            "group by 1 order by 1").fetchall()),
        "migrations": [row[0] for row in db.execute("select name from _sqlite_migrations order by id")],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder
