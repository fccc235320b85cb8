"""Politeness over real loopback HTTP: a robots.txt `Crawl-delay` is the minimum gap between two
requests to that host, whatever AutoThrottle or the configured delay say.

Only lower bounds on the gaps the server saw are asserted (never how fast a crawl is).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stages.sample_server import SamplePortalServer
from tests.test_crawl import crawl, rows  # the `portal` fixture is in conftest.py

SLOW_HOST = "muonglat.thanhhoa.sample.test"
# The server stamps a request when it arrives, the crawler when it sends it: allow a few ms.
CLOCK_SLACK_S = 0.03


def _set_crawl_delay(server: SamplePortalServer, host: str, delay: str) -> None:
    robots = server.root / host / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8").replace("User-agent: *", f"User-agent: *\nCrawl-delay: {delay}"),
                      encoding="utf-8")


def _gaps(server: SamplePortalServer, host: str) -> list[float]:
    times = sorted(r.received_at for r in server.requests if urlsplit(r.url).hostname == host)
    return [later - earlier for earlier, later in zip(times, times[1:])]


@pytest.mark.parametrize("autothrottle", ["True", "False"])
def test_crawl_delay_is_the_minimum_gap_between_requests_to_its_host(portal: SamplePortalServer, tmp_path: Path,
                                                                     autothrottle: str) -> None:
    _set_crawl_delay(portal, SLOW_HOST, "1")
    db = tmp_path / "crawl.db"
    # No delay of our own, AutoThrottle allowed to go down to 0.5 s, 4 requests at a time per host.
    result = crawl(portal, db, "--site", SLOW_HOST, "--site", "vinhphuc.sample.test", AUTOTHROTTLE_ENABLED=autothrottle,
                   CONCURRENT_REQUESTS_PER_DOMAIN="4")
    assert result.returncode == 0, result.stderr[-3000:]
    gaps = _gaps(portal, SLOW_HOST)
    assert len(gaps) >= 8  # robots.txt, three listing pages, six articles
    assert min(gaps) >= 1 - CLOCK_SLACK_S, gaps
    # Everything was still crawled: the delay slows the host down, it loses nothing.
    assert rows(db, "select count(*) from articles where site = ?", SLOW_HOST) == [(6,)]
    assert rows(db, "select count(*) from articles where site = 'vinhphuc.sample.test'") == [(6,)]


def test_a_crawl_delay_beyond_the_cap_is_capped_and_said(portal: SamplePortalServer, tmp_path: Path) -> None:
    _set_crawl_delay(portal, SLOW_HOST, "3600")
    result = crawl(portal, tmp_path / "crawl.db", "--site", SLOW_HOST, CRAWL_DELAY_MAX="0.5", LOG_LEVEL="INFO")
    assert result.returncode == 0, result.stderr[-3000:]
    assert min(_gaps(portal, SLOW_HOST)) >= 0.5 - CLOCK_SLACK_S
    assert "Crawl-delay 3600" in result.stderr and "honouring 0.5 s (CRAWL_DELAY_MAX)" in result.stderr
