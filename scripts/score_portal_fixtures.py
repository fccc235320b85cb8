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
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from portal_gold import FIELDS, crawl_portals, scores  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout whose code crawls (default: this one)")
    parser.add_argument("--fallback", action="append", default=["thanhhoa=tandan", "wordpress=generic"],
                        help="FAMILY=OLD: the family to use where the checkout lacks FAMILY")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every article's wrong parts")
    args = parser.parse_args()
    fallbacks = dict(item.split("=", 1) for item in args.fallback)
    with tempfile.TemporaryDirectory() as work:
        db, _, result = crawl_portals(Path(work), args.project.resolve(), fallbacks)
        print(result.stdout.strip())
        if not db.exists():
            raise SystemExit(f"the crawl stored nothing: {result.stderr[-3000:]}")
        fractions, verdicts, extra = scores(db)
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
