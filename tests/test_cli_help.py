"""Every command of the one command line answers --help with a description; so does the console script."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import click
import pytest
from click.testing import CliRunner

from pipeline import cli

STAGES = {"demo", "crawl", "extract", "ingest", "reextract", "serve", "export", "sites", "evaluate", "status",
          "nightly", "schema"}


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and sub-command, as the words typed after `pipeline.py`."""
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*path, name))


def resolve(path: tuple[str, ...]) -> click.Command:
    command = cli
    for name in path:
        command = command.commands[name]
    return command


def test_every_stage_has_a_command() -> None:
    assert STAGES <= set(cli.commands)


@pytest.mark.parametrize("path", list(command_paths(cli)), ids=lambda path: " ".join(path) or "pipeline.py")
def test_help_describes_the_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    summary = resolve(path).get_short_help_str(limit=200)
    assert len(summary) > 20 and summary.rstrip(".") in " ".join(result.output.split())
    assert "Options:" in result.output


@pytest.mark.parametrize("name", ["nightly", "status"])
def test_every_option_of_the_operations_commands_is_explained(name: str) -> None:
    options = [param for param in cli.commands[name].params if isinstance(param, click.Option)]
    assert options and all(option.help for option in options)


def test_nightly_help_lists_its_exit_codes() -> None:
    output = " ".join(CliRunner().invoke(cli, ["nightly", "--help"]).output.split())
    assert "0 all sites fine, 2 some site failing, 3 the run itself failed, 4 another run holds the lock" in output


def test_console_script_runs_the_same_command_line(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "vntrain"
    assert script.exists(), "install the project (make setup) to get the vntrain command"
    result = subprocess.run([str(script), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(cli.commands)


def test_console_script_runs_a_stage_outside_the_repository(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "vntrain"
    result = subprocess.run([str(script), "status", "--db", str(tmp_path / "none.db")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert "no database at" in result.stderr, result.stderr[-2000:]
