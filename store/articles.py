"""What is stored about each article, for the crawler's conditional requests and change checks."""
from __future__ import annotations

import sqlite_utils

ARTICLE_STATE_COLUMNS = ("content_hash", "etag", "last_modified", "fetched_at", "version", "title", "published")


def known_articles(db: sqlite_utils.Database, site: str | None = None) -> dict[str, dict]:
    """What is stored about each article, for conditional re-fetching and change detection.

    :param db: open database
    :param site: only this site's articles (domain), or all
    :return: canonical URL -> {"content_hash", "etag", "last_modified", "fetched_at", "version", "title",
        "published"} (title and date let the crawler see a changed layout)
    """
    sql = f"select url, {', '.join(ARTICLE_STATE_COLUMNS)} from articles"
    params: list[str] = []
    if site is not None:
        sql += " where site = ?"
        params.append(site)
    return {row[0]: dict(zip(ARTICLE_STATE_COLUMNS, row[1:])) for row in db.execute(sql, params)}


def mark_checked(db: sqlite_utils.Database, url: str, checked_at: str) -> None:
    """Note that a stored article was re-checked and had not changed (HTTP 304), so that the next
    crawl does not re-check it before its recheck horizon.

    :param db: open database
    :param url: the article's canonical URL
    :param checked_at: UTC ISO time of the check
    """
    with db.conn:
        db.execute("update articles set fetched_at = ? where url = ?", [checked_at, url])
