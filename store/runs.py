"""Crawl health in the database: the sites crawled, each run's figures, and the errors met."""
from __future__ import annotations

import sqlite_utils

from schema.tables import TABLES_BY_NAME
from store.database import utc_now, write_transaction


def upsert_sites(db: sqlite_utils.Database, sites: list[dict]) -> None:
    """Insert or update sites; keys domain (required), name, family, unit_code, province, base_url.

    :param db: open database
    :param sites: one dict per site; keys that are not columns of `sites` are ignored
    :raises ValueError: when a site has no domain
    """
    columns = set(TABLES_BY_NAME["sites"].column_names())
    rows = []
    for site in sites:
        if not site.get("domain"):
            raise ValueError(f"site without domain: {site!r}")
        rows.append({key: value for key, value in site.items() if key in columns})
    with write_transaction(db):  # (an upsert reads before it writes)
        for row in rows:
            db["sites"].upsert(row, pk="domain")


def record_crawl_run(db: sqlite_utils.Database, run: dict) -> int:
    """Store (or update) the health figures of one crawl run for one site.

    :param db: open database
    :param run: run_id, site, started_at, finished_at, requests, new, changed, failed,
        duration_s, status
    :return: id of the crawl_runs row (same id when the same run_id and site are recorded again)
    """
    if not run.get("run_id") or not run.get("site"):
        raise ValueError(f"crawl run needs run_id and site: {run!r}")
    columns = [c for c in TABLES_BY_NAME["crawl_runs"].column_names() if c != "id"]
    row = {column: run.get(column) for column in columns}
    with db.atomic():
        db.execute("insert or ignore into sites (domain, name) values (?, ?)", [row["site"], row["site"]])
        db.execute(
            f"insert into crawl_runs ({', '.join(f'[{c}]' for c in columns)}) "
            f"values ({', '.join(f':{c}' for c in columns)}) on conflict(run_id, site) do update set "
            + ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in ("run_id", "site")), row)
    return db.execute("select id from crawl_runs where run_id = ? and site = ?",
                      [row["run_id"], row["site"]]).fetchone()[0]


def record_error(db: sqlite_utils.Database, url: str | None, stage: str, message: str) -> None:
    """Log a problem in the errors table (an identical url/stage/message is recorded once).

    :param db: open database
    :param url: URL concerned, or None
    :param stage: pipeline stage, e.g. "crawl", "extract", "ingest"
    :param message: what went wrong
    """
    with write_transaction(db):  # (it reads before it writes)
        insert_error(db, url, stage, message)


def insert_error(db: sqlite_utils.Database, url: str | None, stage: str, message: str) -> None:
    """Insert an errors row inside the caller's transaction (or autocommit)."""
    already = db.execute("select 1 from errors where url is ? and stage = ? and message = ?",
                         [url, stage, message]).fetchone()
    if not already:
        db.execute("insert into errors (url, stage, message, occurred_at) values (?, ?, ?, ?)",
                   [url, stage, message, utc_now()])
