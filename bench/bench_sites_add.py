"""How well `sites add` does on the fixture portals: family, and articles a crawl of its config finds.

    .venv/bin/python bench/bench_sites_add.py

Every portal of the sample (data/sample_portal/) and of the fixtures (tests/fixtures/portals/) is
added by its address alone: its home page where tests/fixtures/detect/ gives one, else its first
section's address. Each written config is crawled over loopback, and so is the hand-written
config of the same portal; the figures are the families detected right and the share of the
hand-written crawl's articles that the added config's crawl stored too.
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteconfig import load_sites  # noqa: E402
from stages.sample_server import SamplePortalServer  # noqa: E402
from tests.test_sites_add import FAST, FIXTURES, HOMES, SAMPLE, fixture_root  # noqa: E402


def run(*args: str, server: SamplePortalServer) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "pipeline.py"), *args, "--proxy", server.proxy]
    for name, value in {**FAST, "CRAWL_EXTRACT": "False"}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def crawl(sites_dir: Path, db: Path, server: SamplePortalServer) -> dict[str, set[str]]:
    run("crawl", "--db", str(db), "--sites-dir", str(sites_dir), "-s", f"WARC_DIR={db.parent / 'archive'}",
        server=server)
    with sqlite3.connect(db) as connection:
        found: dict[str, set[str]] = {}
        for site, url in connection.execute("select site, url from articles"):
            found.setdefault(site, set()).add(url)
    return found


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-sites-add-") as tmp:
        folder = Path(tmp)
        configured = {site.domain: site for root in (SAMPLE, FIXTURES) for site in load_sites(root / "sites").values()}
        with SamplePortalServer(fixture_root(folder)) as server:
            hand, added = folder / "hand", folder / "added"
            hand.mkdir()
            for root in (SAMPLE, FIXTURES):
                for path in (root / "sites").glob("*.yml"):
                    (hand / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
            families = {}
            for domain, site in sorted(configured.items()):
                address = f"http://{domain}/" if (HOMES / domain).is_dir() else site.sections[0]
                result = run("sites", "add", address, "--sites-dir", str(added), server=server)
                path = added / f"{domain}.yml"
                family = yaml.safe_load(path.read_text(encoding="utf-8")).get("family", "generic") if path.exists() \
                    else f"(none: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else '?'})"
                families[domain] = (address, family, site.family)
            by_hand = crawl(hand, folder / "hand.db", server)
            by_address = crawl(added, folder / "added.db", server)
        right = found = total = 0
        print(f"{'portal':32} {'address given':14} {'detected':10} {'family':10} articles (added / hand-written)")
        for domain, (address, family, expected) in families.items():
            want, got = by_hand.get(domain, set()), by_address.get(domain, set())
            right += family == expected
            found += len(want & got)
            total += len(want)
            print(f"{domain:32} {'home' if address.endswith(domain + '/') else 'section':14} {family:10} "
                  f"{expected:10} {len(want & got)}/{len(want)}" + (f" (+{len(got - want)} others)" if got - want else ""))
        print(f"families right: {right}/{len(families)}; articles found: {found}/{total} "
              f"({100 * found / max(total, 1):.0f}%)")


if __name__ == "__main__":
    main()
