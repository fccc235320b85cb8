"""What the fixture portals' articles should look like once crawled (tests/fixtures/portals/gold.json),
and the comparison of a crawl database with it: used by tests/test_reader_portals.py and by
scripts/score_portal_fixtures.py (the before/after figures)."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from stages.sample_server import SamplePortalServer

PORTALS = Path(__file__).resolve().parent / "fixtures" / "portals"
GOLD = PORTALS / "gold.json"
ROOT = PORTALS.parent.parent.parent
# Loopback: no politeness delays; no extraction (the reading is what is measured).
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5",
        "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "WARNING", "CRAWL_EXTRACT": "False"}
# The parts of an article that are scored, in report order.
FIELDS = ("found", "title", "published", "byline", "source", "body", "captions", "captions_free")


def gold_articles() -> list[dict]:
    """Every fixture article with its expected parts."""
    return json.loads(GOLD.read_text(encoding="utf-8"))


def stored_articles(db: Path) -> dict[str, dict]:
    """The crawl database's articles by URL (with `source` when the table has that column)."""
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        columns = {row[1] for row in connection.execute("pragma table_info(articles)")}
        wanted = ["url", "site", "title", "published", "byline", "body"] + [c for c in ("source", "captions")
                                                                             if c in columns]
        rows = connection.execute(f"select {', '.join(wanted)} from articles").fetchall()
    return {row["url"]: dict(row) for row in rows}


def body_after_title(row: dict) -> str:
    """The stored body without the title line the crawler puts first (`Article.text()`)."""
    body, title = row.get("body") or "", row.get("title") or ""
    return body[len(title) + 2:] if title and body.startswith(title + "\n\n") else body


def judge(expected: dict, row: dict | None) -> dict[str, bool]:
    """Which parts of one article were read right (`source` and `captions` only when the database
    stores them)."""
    if row is None:
        return {name: False for name in FIELDS}
    body = body_after_title(row)
    verdict = {
        "found": True,
        "title": row["title"] == expected["title"],
        "published": row["published"] == expected["published"],
        "byline": row["byline"] == expected["byline"],
        "body": body == "\n\n".join(expected["body"]),
        "captions_free": not any(text in (row.get("body") or "") for text in expected["not_in_body"]),
    }
    if "source" in row:
        verdict["source"] = row["source"] == expected["source"]
    if "captions" in row:
        verdict["captions"] = (row["captions"] or "").split("\n") == expected["captions"]
    return verdict


def family_scores(gold: list[dict], rows: dict[str, dict], judged=judge
                  ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, bool]]]:
    """Per family, the fraction of `gold` articles with each part right, and each one's verdict.

    :param rows: stored row of each article, by its gold URL
    :param judged: the judge of one article (expected, row or None) -> part -> right
    """
    verdicts: dict[str, dict[str, bool]] = {}
    by_family: dict[str, list[dict[str, bool]]] = defaultdict(list)
    for expected in gold:
        verdict = judged(expected, rows.get(expected["url"]))
        verdicts[expected["url"]] = verdict
        by_family[expected["family"]].append(verdict)
    fractions = {family: {name: sum(v[name] for v in results) / len(results)
                          for name in FIELDS if name in results[0]}
                 for family, results in sorted(by_family.items())}
    return fractions, verdicts


def scores(db: Path) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, bool]], list[str]]:
    """Per family, the fraction of fixture articles with each part right; the verdict of every
    article; the stored URLs that are no fixture article (duplicates, listings stored as articles)."""
    stored = stored_articles(db)
    fractions, verdicts = family_scores(gold_articles(), stored)
    expected_urls = {a["url"] for a in gold_articles()}
    extra = sorted(url for url in stored if url not in expected_urls)
    return fractions, verdicts, extra


def crawl_portals(work: Path, project: Path = ROOT, fallbacks: dict[str, str] | None = None
                  ) -> tuple[Path, list[str], subprocess.CompletedProcess[str]]:
    """Crawl a copy of the fixture portals over loopback HTTP with `project`'s `pipeline.py crawl`.

    :param work: an empty directory for the copy, the database and the archive
    :param project: the checkout whose code crawls (another one gives before/after figures)
    :param fallbacks: family -> the family to use where `project` does not know it
    :returns: the database, the URLs the server was asked for, the crawl's process result
    """
    portals = work / "portals"
    shutil.copytree(PORTALS, portals, ignore=shutil.ignore_patterns("*.py", "gold.json"))
    known = {path.stem for path in (project / "data" / "families").glob("*.yml")}
    for config in (portals / "sites").glob("*.yml"):
        text = config.read_text(encoding="utf-8")
        family = re.search(r"^family: (\S+)$", text, re.M)[1]
        if family not in known:
            config.write_text(text.replace(f"family: {family}", f"family: {(fallbacks or {})[family]}"),
                              encoding="utf-8")
    db = work / "crawl.db"
    with SamplePortalServer(portals) as server:
        command = [sys.executable, str(project / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
                   str(portals / "sites"), "--proxy", server.proxy]
        for name, value in {**FAST, "WARC_DIR": str(work / "archive")}.items():
            command += ["-s", f"{name}={value}"]
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
        requested = [request.url for request in server.requests]
    return db, requested, result
