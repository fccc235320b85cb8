"""Crawl the fixture portals (tests/fixtures/portals/) on loopback and print, per family, the
fraction of their articles read right: found, title, date (to the minute where shown), byline,
source, body, and a body free of captions and chrome.

    .venv/bin/python scripts/score_portal_fixtures.py                    # this checkout
    .venv/bin/python scripts/score_portal_fixtures.py --project /tmp/old  # another checkout, e.g.
        # `git archive <commit> | tar -x -C /tmp/old`: the before figures of a change

A family the other checkout does not know is crawled with the family it used for such portals
(`--fallback thanhhoa=tandan`, `wordpress=generic` by default).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from portal_gold import FIELDS, PORTALS, scores  # noqa: E402
from stages.sample_server import SamplePortalServer  # noqa: E402

FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "AUTOTHROTTLE_MAX_DELAY": "0.5",
        "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "5", "LOG_LEVEL": "WARNING", "CRAWL_EXTRACT": "False"}


def crawl_fixtures(project: Path, work: Path, fallbacks: dict[str, str]) -> Path:
    """Crawl a copy of the fixture portals with `project`'s code; return the database."""
    portals = work / "portals"
    shutil.copytree(PORTALS, portals, ignore=shutil.ignore_patterns("*.py", "gold.json"))
    known = {path.stem for path in (project / "data" / "families").glob("*.yml")}
    for config in (portals / "sites").glob("*.yml"):
        text = config.read_text(encoding="utf-8")
        family = re.search(r"^family: (\S+)$", text, re.M)[1]
        if family not in known:
            config.write_text(text.replace(f"family: {family}", f"family: {fallbacks[family]}"), encoding="utf-8")
    db = work / "crawl.db"
    with SamplePortalServer(portals) as server:
        command = [sys.executable, str(project / "pipeline.py"), "crawl", "--db", str(db), "--sites-dir",
                   str(portals / "sites"), "--proxy", server.proxy]
        for name, value in {**FAST, "WARC_DIR": str(work / "archive")}.items():
            command += ["-s", f"{name}={value}"]
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
    print(result.stdout.strip())
    if not db.exists():
        raise SystemExit(f"the crawl stored nothing: {result.stderr[-3000:]}")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout whose code crawls (default: this one)")
    parser.add_argument("--fallback", action="append", default=["thanhhoa=tandan", "wordpress=generic"],
                        help="FAMILY=OLD: the family to use where the checkout lacks FAMILY")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every article's wrong parts")
    args = parser.parse_args()
    fallbacks = dict(item.split("=", 1) for item in args.fallback)
    with tempfile.TemporaryDirectory() as work:
        fractions, verdicts, extra = scores(crawl_fixtures(args.project.resolve(), Path(work), fallbacks))
    print(f"{'family':<11}" + "".join(f"{name:>14}" for name in FIELDS) + f"{'all right':>11}")
    for family, parts in fractions.items():
        print(f"{family:<11}" + "".join(f"{parts[name]:>14.2f}" if name in parts else f"{'-':>14}" for name in FIELDS))
    every = list(verdicts.values())
    right = sum(all(v.values()) for v in every)
    print(f"{'all':<11}" + "".join(f"{sum(v[name] for v in every) / len(every):>14.2f}" if name in every[0]
                                   else f"{'-':>14}" for name in FIELDS) + f"{right:>7}/{len(every)}")
    print(f"stored URLs that are no fixture article: {len(extra)}" + "".join(f"\n  {url}" for url in extra))
    if args.verbose:
        for url, verdict in verdicts.items():
            wrong = [name for name, ok in verdict.items() if not ok]
            if wrong:
                print(f"  {url}: {', '.join(wrong)}")


if __name__ == "__main__":
    main()
