"""A bounded Datasette: one query cannot eat the machine's memory, and nothing tells where the
database lives on disk. A real Datasette over HTTP, its memory read from /proc."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, free_port, served_datasette

MEMORY_CEILING_MB = 300


@pytest.fixture(scope="module")
def bounded_server(built_db: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A Datasette of our own (the test reads its process's peak memory)."""
    with served_datasette(built_db) as server:
        yield server


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


def run_sql(base: str, query: str) -> tuple[int, dict]:
    url = f"{base}/training.json?" + urllib.parse.urlencode({"sql": query, "_shape": "objects"})
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


ATTACKS = {
    "one huge value": "select randomblob(1000000000)",
    "a huge zero blob": "select length(zeroblob(2000000000))",
    "a huge string": "select replace(printf('%.*c', 10000000, 'x'), 'x', 'xxxxxxxxxx')",
    "many large rows": "with recursive n(i) as (select 1 union all select i + 1 from n limit 1000) "
                       "select i, printf('%.*c', 1000000, 'x') as filler from n",
    "a huge aggregate": "with recursive n(i) as (select 1 union all select i + 1 from n limit 200000) "
                        "select length(group_concat(printf('%.*c', 10000, 'x'))) from n",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_memory_attack_fails_cleanly_and_leaves_memory_bounded(bounded_server, attack: str) -> None:
    base, process = bounded_server
    status, body = run_sql(base, ATTACKS[attack])
    assert status >= 400, f"{attack}: answered {status}"
    assert "too big" in body.get("error", "") or "larger than" in body.get("error", ""), body
    assert peak_memory_mb(process.pid) < MEMORY_CEILING_MB
    # The server is still there and answers ordinary queries.
    status, body = run_sql(base, "select count(*) as n from articles")
    assert status == 200 and body["rows"][0]["n"] > 0


def test_ordinary_pages_and_large_enough_results_still_work(bounded_server) -> None:
    base, _ = bounded_server
    status, body = run_sql(base, "select id, body from articles")
    assert status == 200 and body["rows"] and all(row["body"] for row in body["rows"])
    with urllib.request.urlopen(f"{base}/training/events", timeout=30) as response:
        assert response.status == 200


def test_databases_listing_names_no_path(bounded_server, built_db: Path) -> None:
    base, _ = bounded_server
    for path in ("/-/databases.json", "/-/databases"):
        with urllib.request.urlopen(base + path, timeout=30) as response:
            text = response.read().decode()
        assert str(built_db.resolve().parent) not in text
    listing = json.loads(urllib.request.urlopen(base + "/-/databases.json", timeout=30).read())
    assert [database["name"] for database in listing] == [built_db.stem]
    assert all("path" not in database for database in listing)


def test_robots_are_asked_to_stay_away(bounded_server) -> None:
    base, _ = bounded_server
    with urllib.request.urlopen(base + "/robots.txt", timeout=30) as response:
        assert "Disallow: /" in response.read().decode()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_serve_refuses_an_outside_address_without_public(built_db: Path, host: str) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "serve", "--db", str(built_db),
                             "--host", host, "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--public" in result.stderr and host in result.stderr
    assert "Traceback" not in result.stderr


def test_loopback_hosts_need_no_flag() -> None:
    from stages.serve import is_loopback

    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.1", "example.org", ""))
