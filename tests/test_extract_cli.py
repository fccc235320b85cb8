"""`pipeline.py extract` and `pipeline.py evaluate` as a user runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCORER = ROOT.parent / "shared" / "eval" / "score.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "pipeline.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_bad_lines_become_error_records_and_the_batch_goes_on(tmp_path):
    good = {"id": "a1", "url": "https://muonglat.thanhhoa.gov.vn/portal/pages/x.aspx?p=1",
            "text": "Tập huấn\n\nSáng 20-12-2022, UBND huyện tổ chức tập huấn cho hơn 200 đại biểu."}
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"id": "empty", "text": "  "}),
             json.dumps(["a list"]), json.dumps({**good, "id": "a2"}, ensure_ascii=False)]
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("extract", "--input", str(inp), "--output", str(out))
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a1", None, "empty", None, "a2"]
    assert [("error" in r) for r in records] == [False, True, True, True, False]
    assert "line 2" in records[1]["error"] and "bad JSON" in records[1]["error"]
    assert records[0]["events"][0]["participant_total"] == 200
    assert records[0]["events"][0]["start_date"] == "2022-12-20"
    assert records[0]["events"][0]["province"] == "Thanh Hóa"
    assert "3 failed" in result.stderr


def test_a_clean_batch_exits_zero(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(json.dumps({"id": 1, "text": "Không có gì."}) + "\n", encoding="utf-8")
    assert run("extract", "--input", str(inp), "--output", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["is_training"] is False


@pytest.mark.skipif(not SHARED_SCORER.exists(), reason="the reference scorer lives in ../shared (dev and CI machines)")
def test_evaluate_agrees_with_the_reference_scorer():
    ours = run("evaluate", "tests/fixtures/dev", "--quiet")
    assert ours.returncode == 0, ours.stderr
    ref = subprocess.run([sys.executable, str(SHARED_SCORER), "tests/fixtures/dev"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"})
    fields = ("is_training", "start_date", "end_date", "participants", "event_province",
              "documents", "programmes", "provinces", "districts")

    def figures(out: str) -> list[str]:
        """The per-field score lines, whitespace-normalised."""
        return [" ".join(line.split()) for line in out.splitlines() if line.split()[:1] and line.split()[0] in fields]

    assert len(figures(ours.stdout)) == len(fields)
    assert figures(ours.stdout) == figures(ref.stdout)
