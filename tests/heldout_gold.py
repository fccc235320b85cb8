"""The held-out portals (tests/fixtures/heldout/), added and crawled as a new user would: each with
`pipeline.py sites add HOME` alone (no hand-written config), then one `pipeline.py crawl` of them
all over loopback HTTP; and the comparison of what was stored with their gold. Used by
tests/test_reader_heldout.py and scripts/score_portal_fixtures.py --heldout.

An article is judged as tests/portal_gold.py judges the first fixture portals, except that the time
counts to the minute (a page's `datetime="…T14:35:12"` is right as 14:35), the body is compared
line by line (a `<br>`-separated text may come back with single line breaks), and it is found when
it was stored under its address or one of its aliases (print view; the address without a category
parameter), whatever the order of the query's parameters or a trailing slash.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import yaml

from portal_gold import FAST, family_scores, judge, stored_articles
from reader.article import read_page
from stages.sample_server import SamplePortalServer

HELDOUT = Path(__file__).resolve().parent / "fixtures" / "heldout"
# The second held-out set (tests/fixtures/heldout2/): the traps of real-style titles and bodies.
HELDOUT2 = HELDOUT.parent / "heldout2"
ROOT = HELDOUT.parent.parent.parent


def gold_articles(fixtures: Path = HELDOUT, half: str | None = None) -> list[dict]:
    """Every held-out article with its expected parts.

    :param fixtures: the held-out set (HELDOUT, HELDOUT2)
    :param half: only the articles of that half's portals (`heldout_portals`)
    """
    hosts = {portal["host"] for portal in heldout_portals(fixtures, half)}
    return [article for article in json.loads((fixtures / "gold.json").read_text(encoding="utf-8"))
            if article["host"] in hosts]


def heldout_portals(fixtures: Path = HELDOUT, half: str | None = None) -> list[dict]:
    """Every held-out portal: host, home, expected family and news sections.

    :param half: "tune" (odd positions in host order, the ones rules may be written from) or
        "check" (even positions, only ever measured); None for all
    """
    portals = json.loads((fixtures / "portals.json").read_text(encoding="utf-8"))
    return [portal for portal in portals if portal["host"] in half_hosts(portals, half)]


def half_hosts(portals: list[dict], half: str | None) -> set[str]:
    """The hosts of one half of a held-out set: sorted by name, odd positions "tune", even "check"."""
    hosts = sorted(portal["host"] for portal in portals)
    if half is None:
        return set(hosts)
    return set(hosts[{"tune": 0, "check": 1}[half]::2])


@dataclass
class Added:
    """What `sites add` did with one portal.

    :param returncode: its exit status
    :param output: what it printed
    :param config: the config it wrote (None when it wrote none)
    """

    host: str
    returncode: int
    output: str
    config: dict | None

    @property
    def family(self) -> str:
        """The family written, "generic" when none was (the crawler then detects one)."""
        return (self.config or {}).get("family") or "generic"

    @property
    def sections(self) -> list[str]:
        return list((self.config or {}).get("sections") or [])


@dataclass
class HeldoutRun:
    """One `sites add` of every held-out portal and one crawl of them all."""

    db: Path
    added: dict[str, Added]
    requested: list[str]
    crawl: subprocess.CompletedProcess[str]


def _pipeline(project: Path, server: SamplePortalServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(project / "pipeline.py"), *args, "--proxy", server.proxy]
    for name, value in {**FAST, "CRAWL_EXTRACT": "False"}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=900)


def add_and_crawl(work: Path, project: Path = ROOT, parallel: int = 3, fixtures: Path = HELDOUT,
                  half: str | None = None) -> HeldoutRun:
    """Serve a copy of the held-out portals, `sites add` each from its home page, crawl them all.

    :param work: an empty directory for the copy, the configs, the database and the archive
    :param project: the checkout whose code adds and crawls (another one gives before/after figures)
    :param parallel: `sites add` processes at a time
    :param fixtures: the held-out set (HELDOUT, HELDOUT2)
    :param half: only that half's portals (`heldout_portals`)
    """
    portals = work / "portals"
    shutil.copytree(fixtures, portals, ignore=shutil.ignore_patterns("*.py", "*.json", "__pycache__"))
    sites = work / "sites"
    sites.mkdir()
    db = work / "crawl.db"
    with SamplePortalServer(portals) as server:
        def add(portal: dict) -> Added:
            result = _pipeline(project, server, "sites", "add", portal["home"], "--sites-dir", str(sites))
            path = sites / f"{portal['host']}.yml"
            config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
            return Added(portal["host"], result.returncode, result.stdout + result.stderr[-2000:], config)

        with ThreadPoolExecutor(parallel) as pool:
            added = {a.host: a for a in pool.map(add, heldout_portals(fixtures, half))}
        crawl = _pipeline(project, server, "crawl", "--db", str(db), "--sites-dir", str(sites),
                          "-s", f"WARC_DIR={work / 'archive'}")
        requested = [request.url for request in server.requests]
    return HeldoutRun(db, added, requested, crawl)


def page_file(url: str, fixtures: Path = HELDOUT) -> Path:
    """The file the sample server answers `url` from in a held-out set.

    :param fixtures: the held-out set (HELDOUT, HELDOUT2)
    """
    parts = urlsplit(url)
    relative = parts.path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    path = fixtures / parts.netloc / (relative + ("@" + parts.query if parts.query else ""))
    return path / "index.html" if path.is_dir() else path


def read_alone(expected: dict, rules: dict, fixtures: Path = HELDOUT) -> tuple[dict[str, bool], list[str]]:
    """The reader alone on one held-out page: which parts it read right, and the texts it let into
    the body that must not be there (captions, chrome).

    :param expected: the article's gold
    :param rules: the family rules to read with (`load_families()[name]["article"]`)
    :param fixtures: the held-out set (HELDOUT, HELDOUT2)
    """
    article = read_page(page_file(expected["url"], fixtures).read_bytes(), expected["url"], rules)
    row = {"url": expected["url"], "title": article.title, "published": article.published, "byline": article.byline,
           "body": article.text(), "source": article.source, "captions": "\n".join(article.captions)}
    return judge_heldout(expected, row), [text for text in expected["not_in_body"] if text in article.body]


def _minute(published: str | None) -> str | None:
    """`2023-09-18T14:35:12+07:00` → `2023-09-18T14:35+07:00`; a day alone stays as it is."""
    if published and len(published) >= 19 and published[16] == ":":
        return published[:16] + published[19:]
    return published


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def judge_heldout(expected: dict, row: dict | None) -> dict[str, bool]:
    """Which parts of one held-out article were read right (see the module docstring)."""
    verdict = judge(expected, row)
    if row is None:
        return verdict
    verdict["published"] = _minute(row["published"]) == _minute(expected["published"])
    body = row.get("body") or ""
    title = row.get("title") or ""
    text = body[len(title):] if title and body.startswith(title) else body
    verdict["body"] = _lines(text) == _lines("\n".join(expected["body"]))
    return verdict


def address_key(url: str) -> str:
    """One spelling of an address: host in lower case, no trailing slash, parameters sorted."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{urlencode(sorted(parse_qsl(parts.query)))}"


def stored_rows(db: Path, fixtures: Path = HELDOUT, half: str | None = None) -> tuple[dict[str, dict], list[str]]:
    """The stored row of each held-out article (by its gold URL), and the stored URLs that are no
    held-out article or a second copy of one (duplicates, listings or pages stored as articles).

    :param half: only the articles and URLs of that half's portals (`heldout_portals`)
    """
    stored = stored_articles(db) if db.exists() else {}
    owner = {address_key(address): article["url"] for article in gold_articles(fixtures, half)
             for address in [article["url"], *article["aliases"]]}
    hosts = {portal["host"] for portal in heldout_portals(fixtures, half)}
    rows: dict[str, dict] = {}
    extra = []
    for url, row in sorted(stored.items()):
        if urlsplit(url).netloc.lower() not in hosts:
            continue  # another half's portal
        article = owner.get(address_key(url))
        if article is None or article in rows:
            extra.append(url)
        else:
            rows[article] = row
    return rows, extra


def scores(db: Path, fixtures: Path = HELDOUT, half: str | None = None
           ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, bool]], list[str]]:
    """Per family, the fraction of held-out articles with each part right; each article's verdict;
    the stored URLs that are no held-out article (`stored_rows`)."""
    rows, extra = stored_rows(db, fixtures, half)
    fractions, verdicts = family_scores(gold_articles(fixtures, half), rows, judge_heldout)
    return fractions, verdicts, extra


def detection(added: dict[str, Added], fixtures: Path = HELDOUT, half: str | None = None) -> list[dict]:
    """Per portal: the family and sections `sites add` chose next to those expected."""
    rows = []
    for portal in heldout_portals(fixtures, half):
        got = added.get(portal["host"])
        rows.append({"host": portal["host"], "expected": portal["family"], "family": got.family if got else None,
                     "sections_expected": portal["sections"], "sections": got.sections if got else [],
                     "returncode": got.returncode if got else None})
    return rows
