"""Researchers' corrections of extracted event values: record them, apply them, notice when they
no longer fit.

A correction names its event by the article's URL and the event's position in it (ids change
when events are re-derived) and keeps the value the extractor had read and the hash of the text
it was read from. It lives in the `corrections` table, apart from the extracted values, and is
applied on top of them every time an article's events are written (`save`, so also after
`reextract`), in the same transaction. When the text has changed and the extractor now reads
something else, the correction no longer fits: it is marked stale, not applied, and reported,
until a researcher looks at it again.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils
import yaml

from extract.gazetteer import unit_by_code
from store.database import utc_now
from store.rows import place_row

_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2})$")
_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")
# field -> (column of events, rule for the value, what the rule asks for)
FIELDS: dict[str, tuple[str, re.Pattern[str], str]] = {
    "start_date": ("start_date", _DATE, "YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD"),
    "end_date": ("end_date", _DATE, "YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD"),
    "participant_total": ("participant_total", re.compile(r"^\d{1,9}$"), "a whole number"),
    "province_code": ("province_code", re.compile(r"^\d{2}$"), "a two-digit GSO province code"),
    "district_code": ("district_code", re.compile(r"^\d{3}$"), "a three-digit GSO district code"),
    "programme_id": ("programme_id", re.compile(r"^[a-z0-9-]+$"), "a programme id such as ntm-2021-2025"),
    "kind": ("kind", re.compile(r"^.{1,80}$"), "a short kind of activity"),
    "rejected": ("rejected", re.compile(r"^(1|0|true|false|yes|no)$", re.I), "true or false"),
}
_INTEGER_FIELDS = {"participant_total", "rejected"}
FILE_HEADER = ("# Corrections of extracted values, reviewed and kept in version control.\n"
               "# `vntrain correct` adds to this file; `vntrain corrections load` applies it to a database.\n")


class CorrectionError(ValueError):
    """A correction that cannot be made: unknown event or field, or a value of the wrong form."""


@dataclass(frozen=True)
class Correction:
    """One corrected value; see the `corrections` table for the meaning of each field."""

    article_url: str
    event_no: int
    field: str
    value: str | None
    extracted_value: str | None = None
    content_hash: str | None = None
    note: str | None = None
    author: str | None = None
    created_at: str | None = None


def normalise_value(field: str, value: str | None) -> str | None:
    """The stored text of a corrected value; None (empty) rejects the extracted value.

    :raises CorrectionError: for an unknown field or a value that does not have the field's form
    """
    if field not in FIELDS:
        raise CorrectionError(f"cannot correct {field!r}; fields: {', '.join(FIELDS)}")
    value = None if value is None else str(value).strip()
    if not value:
        if field == "rejected":
            raise CorrectionError("rejected needs true or false")
        return None
    _, rule, form = FIELDS[field]
    if not rule.match(value) or (rule is _DATE and not _on_the_calendar(value)):
        raise CorrectionError(f"{field}={value!r}: expected {form}")
    if field == "rejected":
        return "1" if value.lower() in _YES else "0"
    return str(int(value)) if field in _INTEGER_FIELDS else value


def _on_the_calendar(value: str) -> bool:
    """Whether a date of any precision names a real day or month (29 February of a year unknown is real)."""
    year, month, day = (2000, *map(int, value[2:].split("-"))) if value.startswith("--") else \
        (list(map(int, value.split("-"))) + [1, 1])[:3]
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def check_reference(db: sqlite_utils.Database, field: str, value: str | None) -> None:
    """Make sure a corrected code names something the database can point at: a unit of the
    administrative gazetteer (added to `places` when no article named it yet) or a catalogued
    programme.

    :raises CorrectionError: for a code that names nothing
    """
    if value is None:
        return
    if field in ("province_code", "district_code"):
        if db.execute("select 1 from places where code = ?", [value]).fetchone():
            return
        level = field.split("_")[0]
        unit = unit_by_code(value, level)
        if unit is None:
            raise CorrectionError(f"{field}={value!r}: no {level} has this code")
        db["places"].insert(place_row(unit.as_dict()), pk="code", ignore=True)
    elif field == "programme_id":
        if not db.execute("select 1 from programmes where id = ?", [value]).fetchone():
            known = [row[0] for row in db.execute("select id from programmes order by id")]
            raise CorrectionError(f"programme_id={value!r}: not in the catalogue ({', '.join(known) or 'empty'})")


def _check_dates_in_order(start: str | None, end: str | None) -> None:
    if start and end and not start.startswith("--") and len(start) == len(end) and start > end:
        raise CorrectionError(f"start_date {start} would come after end_date {end}")


def correct_event(db: sqlite_utils.Database, event_id: int, changes: dict[str, str | None],
                  note: str | None = None, author: str | None = None) -> list[Correction]:
    """Correct values of a stored event, and apply the corrections at once.

    :param db: open database
    :param event_id: `events.id` as Datasette shows it
    :param changes: field -> new value (empty or None rejects the extracted value)
    :param note: why
    :param author: who
    :return: the corrections recorded (one per field)
    :raises CorrectionError: for an unknown event, field or a malformed value (nothing recorded)
    """
    columns = ", ".join(f"e.[{column}]" for column, _, _ in FIELDS.values())
    found = db.execute(f"select a.id, a.url, a.content_hash, e.event_no, {columns} from events e "
                       "join articles a on a.id = e.article_id where e.id = ?", [event_id]).fetchone()
    if found is None:
        raise CorrectionError(f"no event {event_id}")
    article_id, url, content_hash, event_no, *current = found
    extracted = dict(zip(FIELDS, current))
    # The value the extractor read: a stored correction of the field remembers it.
    remembered = dict(db.execute("select field, extracted_value from corrections where article_url = ? "
                                 "and event_no = ?", [url, event_no]).fetchall())
    now = utc_now()
    made = []
    values = {field: normalise_value(field, value) for field, value in changes.items()}
    current = {field: None if value is None else str(value) for field, value in extracted.items()}
    _check_dates_in_order(values.get("start_date", current["start_date"]), values.get("end_date", current["end_date"]))
    for field, value in values.items():
        was = remembered[field] if field in remembered else extracted[field]
        made.append(Correction(url, event_no, field, value, None if was is None else str(was), content_hash,
                               note, author, now))
    with db.atomic():
        for correction in made:
            check_reference(db, correction.field, correction.value)
        save_corrections(db, made)
        apply_corrections(db.conn, [article_id])
    return made


def save_corrections(db: sqlite_utils.Database, corrections: list[Correction]) -> None:
    """Insert or replace corrections (one per article URL, event and field); the caller applies them."""
    columns = list(Correction.__dataclass_fields__)
    db.conn.executemany(
        f"insert into corrections ({', '.join(columns)}) values ({', '.join('?' for _ in columns)}) "
        "on conflict(article_url, event_no, field) do update set "
        + ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("article_url", "event_no", "field")),
        [tuple(getattr(c, column) for column in columns) for c in corrections])


_IN_BATCH = "(select value from json_each(:ids))"
_EXTRACTED_VALUE = "case corrections.field " + " ".join(
    f"when '{field}' then e.[{column}]" for field, (column, _, _) in FIELDS.items()) + " end"
# A correction fits when its event still exists and either the text is the one it was made on or
# the extractor still reads the value it corrected.
_STATUS_SQL = f"""
update corrections set status = case when exists (
    select 1 from articles a join events e on e.article_id = a.id
    where a.url = corrections.article_url and e.event_no = corrections.event_no
      and (a.content_hash is corrections.content_hash or cast({_EXTRACTED_VALUE} as text) is corrections.extracted_value)
  ) then 'applied' else 'stale' end
where article_url in (select url from articles where id in {_IN_BATCH})
"""
_REFERENCED = {
    "province_code": "and (c.value is null or c.value in (select code from places))",
    "district_code": "and (c.value is null or c.value in (select code from places))",
    "programme_id": "and (c.value is null or c.value in (select id from programmes))",
}
_APPLIED = ("from corrections c join articles a on a.url = c.article_url where a.id = events.article_id "
            "and c.event_no = events.event_no and c.status = 'applied'")


def apply_corrections(conn: sqlite3.Connection, article_ids: list[int]) -> int:
    """Apply the corrections of these articles to their events (inside the caller's transaction).

    Called with the events just written (as extracted), so the check of whether a correction
    still fits compares with what the extractor reads now.

    :param conn: connection holding the transaction that wrote the events
    :param article_ids: articles whose events were just written
    :return: the number of those articles' corrections that are stale
    """
    if not article_ids or not conn.execute("select 1 from corrections limit 1").fetchone():
        return 0
    ids = {"ids": json.dumps(article_ids)}
    conn.execute(_STATUS_SQL, ids)
    for field, (column, _, _) in FIELDS.items():
        # A code the database cannot point at (a hand-edited file) is not applied: the write must not fail.
        known = _REFERENCED.get(field, "")
        conn.execute(f"update events set [{column}] = (select c.value {_APPLIED} and c.field = :field) "
                     f"where article_id in {_IN_BATCH} and exists (select 1 {_APPLIED} and c.field = :field {known})",
                     {**ids, "field": field})
    conn.execute(f"update events set corrected = (select group_concat(field, ',') from "
                 f"(select c.field {_APPLIED} order by c.field)) where article_id in {_IN_BATCH}", ids)
    # A corrected start date moves the event's year and precision with it.
    conn.execute("update events set year = case when start_date like '--%' then null "
                 "else cast(substr(start_date, 1, 4) as integer) end, date_precision = case "
                 "when start_date like '--%' then 'day-no-year' when length(start_date) = 10 then 'day' "
                 "when length(start_date) = 7 then 'month' else 'year' end "
                 f"where article_id in {_IN_BATCH} and ',' || corrected || ',' like '%,start_date,%'", ids)
    return conn.execute(f"select count(*) from corrections where status = 'stale' and article_url in "
                        f"(select url from articles where id in {_IN_BATCH})", ids).fetchone()[0]


def stored_corrections(db: sqlite_utils.Database) -> list[Correction]:
    """Every correction in the database."""
    fields = list(Correction.__dataclass_fields__)
    return [Correction(**row) for row in db.query(f"select {', '.join(fields)} from corrections")]


def stale_corrections(db: sqlite_utils.Database) -> list[dict]:
    """Corrections that no longer fit their article, with what the extractor reads now."""
    return list(db.query("select * from corrections where status = 'stale' order by article_url, event_no, field"))


def load_corrections_file(db: sqlite_utils.Database, path: str | Path) -> tuple[int, int]:
    """Load a reviewed corrections file into the database and apply it.

    :param db: open database
    :param path: YAML list of corrections (data/corrections.yml)
    :return: (corrections loaded, of which stale)
    :raises CorrectionError: naming the file and entry when an entry is malformed (nothing loaded)
    """
    corrections = read_corrections_file(path)
    with db.atomic():
        for number, correction in enumerate(corrections, 1):
            try:
                check_reference(db, correction.field, correction.value)
            except CorrectionError as error:
                raise CorrectionError(f"{path}: entry {number}: {error}") from error
        save_corrections(db, corrections)
        urls = sorted({c.article_url for c in corrections})
        ids = [row[0] for row in db.execute(
            "select id from articles where url in (select value from json_each(?))", [json.dumps(urls)])]
        apply_corrections(db.conn, ids)
    stale = sum(1 for row in stale_corrections(db) if row["article_url"] in set(urls))
    return len(corrections), stale


def read_corrections_file(path: str | Path) -> list[Correction]:
    """Parse a corrections file (an absent file has none).

    :raises CorrectionError: naming the file and the entry when one is malformed
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CorrectionError(f"{path}: cannot read: {error}") from error
    if not isinstance(entries, list):
        raise CorrectionError(f"{path}: expected a list of corrections")
    corrections = []
    known = set(Correction.__dataclass_fields__)
    for number, entry in enumerate(entries, 1):
        try:
            if not isinstance(entry, dict) or not {"article_url", "event_no", "field"} <= set(entry):
                raise CorrectionError("needs article_url, event_no and field")
            unknown = set(entry) - known
            if unknown:
                raise CorrectionError(f"unknown keys {', '.join(sorted(unknown))}")
            values = {key: None if value is None else str(value) for key, value in entry.items()}
            values["event_no"] = int(entry["event_no"])
            values["value"] = normalise_value(values["field"], values.get("value"))
            corrections.append(Correction(**values))
        except (CorrectionError, ValueError, TypeError) as error:
            raise CorrectionError(f"{path}: entry {number}: {error}") from error
    return corrections


def write_corrections_file(path: str | Path, corrections: list[Correction]) -> int:
    """Add corrections to a YAML file, replacing entries for the same article, event and field
    (sorted, so that reviews see small diffs).

    :param path: the reviewed file (data/corrections.yml); created when missing
    :param corrections: corrections to add
    :return: number of corrections in the file
    :raises CorrectionError: when the existing file is malformed (it is left as it was)
    """
    def key(c: Correction) -> tuple:
        return c.article_url, c.event_no, c.field

    merged = {key(c): c for c in read_corrections_file(path)}
    merged.update({key(c): c for c in corrections})
    rows = [{name: value for name, value in c.__dict__.items() if value is not None}
            for _, c in sorted(merged.items())]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=100) if rows else "[]\n"
    path.write_text(FILE_HEADER + body, encoding="utf-8")
    return len(rows)
