"""Crawl the fixture portals (tests/fixtures/portals/) on loopback and print, per family, the
fraction of their articles read right: found, title, date (to the minute where shown), byline,
source, body, and a body free of captions and chrome.

    .venv/bin/python scripts/score_portal_fixtures.py                    # this checkout
    .venv/bin/python scripts/score_portal_fixtures.py --project /tmp/old  # another checkout, e.g.
        # `git archive <commit> | tar -x -C /tmp/old`: the before figures of a change

A family the other checkout does not know is crawled with the family it used for such portals
(`--fallback thanhhoa=tandan`, `wordpress=generic` by default).

    .venv/bin/python scripts/score_portal_fixtures.py --heldout [-v]
    .venv/bin/python scripts/score_portal_fixtures.py --heldout heldout2 [-v]
    .venv/bin/python scripts/score_portal_fixtures.py --heldout heldout2 --half tune -v

does the same for the held-out portals (tests/fixtures/heldout/, or the second set
tests/fixtures/heldout2/, written without reading the reader): each added with
`pipeline.py sites add HOME` alone, then crawled; it prints first the family and sections
`sites add` chose for each. `--half tune|check` scores one half of the set (hosts sorted by name,
odd positions "tune", even "check"): rules are written from the tune half's pages only, and the
check half tells whether they generalise.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import heldout_gold  # noqa: E402
from portal_gold import FIELDS, crawl_portals, scores  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout whose code crawls (default: this one)")
    parser.add_argument("--fallback", action="append", default=["thanhhoa=tandan", "wordpress=generic"],
                        help="FAMILY=OLD: the family to use where the checkout lacks FAMILY")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every article's wrong parts")
    parser.add_argument("--heldout", nargs="?", const="heldout", choices=["heldout", "heldout2"],
                        help="a held-out set (tests/fixtures/heldout/ by default, or heldout2), each portal added "
                             "with `sites add` alone, instead of the fixture portals")
    parser.add_argument("--half", choices=["tune", "check"],
                        help="only one half of the held-out set: its hosts sorted, odd positions 'tune' (rules may "
                             "be written from them), even 'check' (only measured)")
    args = parser.parse_args()
    fallbacks = dict(item.split("=", 1) for item in args.fallback)
    with tempfile.TemporaryDirectory() as work:
        if args.heldout:
            fixtures = heldout_gold.HELDOUT.parent / args.heldout
            run = heldout_gold.add_and_crawl(Path(work), args.project.resolve(), fixtures=fixtures, half=args.half)
            print_detection(heldout_gold.detection(run.added, fixtures, args.half))
            db, result = run.db, run.crawl
            print(f"crawl exit status {result.returncode}")

            def score(db: Path):
                return heldout_gold.scores(db, fixtures, args.half)
        else:
            db, _, result = crawl_portals(Path(work), args.project.resolve(), fallbacks)
            score = scores
        print(result.stdout.strip())
        if not db.exists():
            raise SystemExit(f"the crawl stored nothing: {result.stderr[-3000:]}")
        fractions, verdicts, extra = score(db)
    print_scores(fractions, verdicts, extra, args.verbose)


def print_detection(rows: list[dict]) -> None:
    """The family and sections `sites add` chose for each held-out portal, next to those expected."""
    right = sum(row["family"] == row["expected"] for row in rows)
    print(f"sites add: family right on {right}/{len(rows)}; sections right on "
          f"{sum(set(row['sections']) == set(row['sections_expected']) for row in rows)}/{len(rows)}")
    for row in rows:
        family = row["family"] if row["family"] == row["expected"] else f"{row['family']} (expected {row['expected']})"
        sections = ("" if set(row["sections"]) == set(row["sections_expected"])
                    else f"  sections {row['sections']} (expected {row['sections_expected']})")
        print(f"  {row['host']:<30} {family}{sections}" + (f"  exit {row['returncode']}" if row["returncode"] else ""))


def print_scores(fractions: dict[str, dict[str, float]], verdicts: dict[str, dict[str, bool]], extra: list[str],
                 verbose: bool) -> None:
    """Per family and overall, the fraction of articles with each part right."""
    print(f"{'family':<11}" + "".join(f"{name:>14}" for name in FIELDS) + f"{'all right':>11}")
    for family, parts in fractions.items():
        print(f"{family:<11}" + "".join(f"{parts[name]:>14.2f}" if name in parts else f"{'-':>14}" for name in FIELDS))
    every = list(verdicts.values())
    right = sum(all(v.values()) for v in every)
    print(f"{'all':<11}" + "".join(f"{sum(v[name] for v in every) / len(every):>14.2f}" if name in every[0]
                                   else f"{'-':>14}" for name in FIELDS) + f"{right:>7}/{len(every)}")
    print(f"stored URLs that are no fixture article: {len(extra)}" + "".join(f"\n  {url}" for url in extra))
    if verbose:
        for url, verdict in verdicts.items():
            wrong = [name for name, ok in verdict.items() if not ok]
            if wrong:
                print(f"  {url}: {', '.join(wrong)}")

if __name__ == "__main__":
    main()
