"""Nightly settings: config file, environment, defaults (stages/settings.py) and their errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from stages.nightly import EXIT_RUN_FAILED
from stages.settings import ROOT, NightlySettings, SettingsError, load_settings
from tests.conftest import run_pipeline

EXAMPLE = ROOT / "config" / "pipeline.example.toml"


def test_the_example_config_states_the_defaults() -> None:
    assert load_settings(EXAMPLE, environ={}) == NightlySettings()


def test_environment_overrides_the_file_and_relative_paths_are_project_relative(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text('[nightly]\ndb = "/srv/a.db"\nconcurrency = 4\nlog_dir = "var/logs"\n'
                      '[nightly.scrapy]\nDOWNLOAD_DELAY = 5\n', encoding="utf-8")
    settings = load_settings(config, environ={"VNTRAIN_DB": str(tmp_path / "b.db"), "VNTRAIN_RECHECK_DAYS": "7"})
    assert settings.db == tmp_path / "b.db" and settings.lock_path == tmp_path / "b.db.lock"
    assert (settings.concurrency, settings.recheck_days, settings.scrapy) == (4, 7.0, {"DOWNLOAD_DELAY": 5})
    assert settings.log_dir == ROOT / "var" / "logs"


def test_config_named_by_the_environment_is_read(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('[nightly]\ncontact_url = "https://example.org/bot"\n', encoding="utf-8")
    assert load_settings(environ={"VNTRAIN_CONFIG": str(config)}).contact_url == "https://example.org/bot"


@pytest.mark.parametrize(("text", "environ", "named"), [
    ("[nightly]\ndatabase = 'x.db'\n", {}, "unknown key(s) in [nightly]: database"),
    ("[nightly]\nconcurrency = 'many'\n", {}, "concurrency: expected a number"),
    ("[nightly\n", {}, "cannot read config"),
    ("", {"VNTRAIN_CONCURRENCY": "0"}, "VNTRAIN_CONCURRENCY: '0' is out of range"),
])
def test_bad_settings_are_named(tmp_path: Path, text: str, environ: dict[str, str], named: str) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(named)):
        load_settings(config, environ=environ)


def test_nightly_with_a_bad_config_exits_with_the_run_failed_code(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text("[nightly]\nconcurency = 2\n", encoding="utf-8")
    result = run_pipeline("nightly", "--config", str(config))
    assert result.returncode == EXIT_RUN_FAILED
    assert f"{config}: unknown key(s) in [nightly]: concurency" in result.stderr
