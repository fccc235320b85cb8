"""The README tells the truth: every command of its quick start works as written on a fresh demo
database, and the demo prints the same commands."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port, wait_for_http

README = ROOT / "README.md"
DEMO_DB = "data/demo.db"


def quick_start_commands() -> list[str]:
    """The lines of the first bash block under the README's "Quick start" heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Quick start has no bash block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A fresh demo database, made by the demo command itself, and what the demo printed."""
    folder = tmp_path_factory.mktemp("quickstart")
    result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "demo", "--db", str(folder / "demo.db")],
                            cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return folder / "demo.db", result.stdout


def as_run_here(command: str, db: Path) -> list[str]:
    """The README's command with the demo database of the test, run from the project root."""
    words = shlex.split(command)
    assert words[0] == ".venv/bin/vntrain", f"one way to call the CLI: {command}"
    cli = Path(sys.executable).parent / "vntrain"
    assert cli.exists(), "the console script is installed with the project"
    return [str(cli), *(str(db) if word == DEMO_DB else word for word in words[1:])]


def test_the_quick_start_uses_the_demo_database() -> None:
    commands = quick_start_commands()
    assert commands and all(f"--db {DEMO_DB}" in command for command in commands)


def test_every_quick_start_command_works_on_a_fresh_demo_database(demo: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = demo
    for command in quick_start_commands():
        argv = as_run_here(command, db)
        if argv[1] == "serve":
            port = free_port()
            server = subprocess.Popen([*argv, "--port", str(port)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True)
            try:
                wait_for_http(f"http://127.0.0.1:{port}/", server)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{db.stem}/activities.json", timeout=30) as answer:
                    assert answer.status == 200
            finally:
                server.terminate()
                server.wait(timeout=20)
            continue
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{command}: {result.stderr[-1500:]}"
        assert "Traceback" not in result.stderr
        if argv[1] == "export":
            assert (tmp_path / "events.csv").read_text(encoding="utf-8").count("\n") > 1
            assert (tmp_path / "events.csv.dictionary.json").exists()


def test_the_demo_prints_the_quick_start(demo: tuple[Path, str]) -> None:
    db, printed = demo
    shown = printed.split("Next (README, Quick start):", 1)[1].strip().splitlines()

    def normalised(words: list[str], db_seen_as: Path) -> list[str]:
        # The console script and the database, as this machine and the demo's directory spell them.
        return [Path(words[0]).name, *("DB" if (db_seen_as.parent / word).resolve() == db_seen_as.resolve() else word
                                      for word in words[1:])]

    assert [normalised(shlex.split(line), db) for line in shown] == \
        [normalised(shlex.split(command.replace(DEMO_DB, str(db))), db) for command in quick_start_commands()]


def test_the_demo_summary_says_unknown_rather_than_zero(demo: tuple[Path, str]) -> None:
    _, printed = demo
    summary = printed.split("Participants by province", 1)[1].split("Next", 1)[0]
    assert " 0 participants" not in summary
    counts = re.findall(r"(\d[\d,]*|unknown) participants", summary)
    assert counts and all(count == "unknown" or int(count.replace(",", "")) > 0 for count in counts)
