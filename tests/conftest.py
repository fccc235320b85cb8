"""Shared fixtures: dev articles, their records, a database built by the pipeline, a live Datasette."""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV_DIR = ROOT / "tests" / "fixtures" / "dev"

# Extra articles ingested beside the dev set so that search tests have a known "Đồng Tháp" text
# and a near-miss spelled with other tones ("đông thấp").
SEARCH_ARTICLES = [
    {"id": "search-exact", "url": "https://dongthap.gov.vn/tap-huan-giam-ngheo-dong-thap",
     "published": "2024-03-05",
     "text": "Tập huấn giảm nghèo tại Đồng Tháp\n\nNgày 5/3/2024, Sở Lao động tỉnh Đồng Tháp tổ chức "
             "tập huấn cho 85 cán bộ làm công tác giảm nghèo."},
    {"id": "search-near", "url": "https://example.gov.vn/ban-tin-thoi-tiet",
     "published": "2024-03-06",
     "text": "Bản tin thời tiết\n\nGió mùa đông thấp, trời rét; người dân chú ý giữ ấm."},
]


def dev_entries() -> list[dict]:
    """The dev articles, in file-name order."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(DEV_DIR.glob("*.json"))]


@pytest.fixture(scope="session")
def extractor() -> Callable[..., dict]:
    """The project's extractor (loads its reference data once per session)."""
    from extract import extract_record

    return extract_record


@pytest.fixture(scope="session")
def dev_records(extractor: Callable[..., dict]) -> list[tuple[dict, dict]]:
    """(input entry, record) for every dev article and the search articles, extracted once."""
    pairs = []
    for entry in dev_entries() + SEARCH_ARTICLES:
        pairs.append((entry, extractor(entry["text"], url=entry.get("url"), published=entry.get("published"))))
    return pairs


@pytest.fixture(scope="session")
def ingest_input(tmp_path_factory: pytest.TempPathFactory, dev_records: list[tuple[dict, dict]]) -> tuple[Path, Path]:
    """articles.jsonl and records.jsonl (same order) for the dev set plus the search articles."""
    folder = tmp_path_factory.mktemp("ingest-input")
    articles, records = folder / "articles.jsonl", folder / "records.jsonl"
    with articles.open("w", encoding="utf-8") as a, records.open("w", encoding="utf-8") as r:
        for entry, record in dev_records:
            a.write(json.dumps({k: v for k, v in entry.items() if k != "gold"}, ensure_ascii=False) + "\n")
            r.write(json.dumps(record, ensure_ascii=False) + "\n")
    return articles, records


def run_pipeline(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run pipeline.py with arguments; output captured as text."""
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory, ingest_input: tuple[Path, Path]) -> Path:
    """training.db built by `pipeline.py ingest` from the dev articles and their records."""
    db_path = tmp_path_factory.mktemp("built") / "training.db"
    articles, records = ingest_input
    result = run_pipeline("ingest", str(articles), "--records", str(records), "--db", str(db_path))
    # Exit 1 only when an article could not be stored; an invalid record is stored and logged.
    assert result.returncode == 0, result.stderr
    _add_crawl_history(db_path)
    return db_path


def _add_crawl_history(db_path: Path) -> None:
    """Sites and crawl runs as the crawler would record them, for the crawl-health views."""
    from store import open_database, record_crawl_run, upsert_sites

    db = open_database(db_path)
    upsert_sites(db, [{"domain": "baothainguyen.vn", "name": "Báo Thái Nguyên", "family": "provincial newspaper",
                       "unit_code": "19", "province": "Thái Nguyên"}])
    for run_id, failed in (("run-1", 2), ("run-2", 0)):
        record_crawl_run(db, {"run_id": run_id, "site": "baothainguyen.vn", "started_at": f"2026-01-0{run_id[-1]}T00:00:00",
                              "finished_at": f"2026-01-0{run_id[-1]}T00:10:00", "requests": 40, "new": 5,
                              "changed": 1, "failed": failed, "duration_s": 600.0, "status": "ok"})
    db.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Poll until the URL answers 200; fail early if the server process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def served_datasette(db_path: Path, settings: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real Datasette on `db_path`, as `vntrain serve` starts it: its base URL and process.

    :param settings: Datasette settings in the place of those `vntrain serve` gives
    """
    from stages.serve import datasette_command, datasette_env

    port = free_port()
    command = datasette_command(db_path, "127.0.0.1", port)
    for name, value in (settings or {}).items():
        command += ["--setting", name, value]  # (the last one given counts)
    process = subprocess.Popen(command, env=datasette_env(), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json", process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def datasette_url(built_db: Path) -> Iterator[str]:
    """Base URL of a real Datasette serving built_db with our metadata and plugins."""
    with served_datasette(built_db) as (base, _):
        yield base


@pytest.fixture
def portal(tmp_path: Path) -> Iterator["SamplePortalServer"]:
    """A private copy of the sample portal (tests edit pages and add faults) served on loopback."""
    import shutil

    from stages.sample_server import SamplePortalServer

    root = tmp_path / "portal"
    shutil.copytree(ROOT / "data" / "sample_portal", root)
    with SamplePortalServer(root) as server:
        yield server
