"""Settings of scheduled runs: a TOML config file, then environment variables, then defaults.

The config file is `--config PATH`, else `$VNTRAIN_CONFIG`, else `config/pipeline.toml` when it
exists. Its `[nightly]` table holds the keys of `NightlySettings`; `[nightly.scrapy]` holds any
further Scrapy setting. An environment variable `VNTRAIN_<KEY>` (e.g. `VNTRAIN_DB`) overrides
the file. Relative paths are relative to the project directory, so a unit file or crontab can run
the pipeline from anywhere.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "pipeline.toml"
ENV_PREFIX = "VNTRAIN_"


class SettingsError(ValueError):
    """A config file or environment variable is unreadable or has a bad value; the message names it."""


@dataclass(frozen=True)
class NightlySettings:
    """Where the nightly run reads and writes, and how hard it crawls.

    :param db: SQLite database the crawl stores into
    :param archive_dir: folder of the raw WARC archive
    :param sites_dir: folder of site configs
    :param log_dir: folder receiving one log file per run
    :param lock_file: lock that keeps two runs apart (default: `<db>.lock`, next to the database)
    :param concurrency: Scrapy CONCURRENT_REQUESTS over all sites (per-site politeness stays)
    :param contact_url: URL put in the User-Agent so portals can reach the operator (None: project default)
    :param recheck_days: re-fetch stored articles older than this many days (None: never)
    :param proxy: loopback server standing in for the portals (tests and demo only)
    :param scrapy: further Scrapy settings, NAME -> value
    :param workers: crawler processes; more than 1 crawls on a shared Redis frontier with one
        writer (stages/frontier.py)
    :param frontier: Redis URL of a shared frontier (None: a private local Redis when workers > 1)
    """

    db: Path = ROOT / "data" / "training.db"
    archive_dir: Path = ROOT / "data" / "archive"
    sites_dir: Path = ROOT / "data" / "sites"
    log_dir: Path = ROOT / "data" / "logs"
    lock_file: Path | None = None
    concurrency: int = 16
    contact_url: str | None = None
    recheck_days: float | None = None
    proxy: str | None = None
    scrapy: dict[str, Any] = field(default_factory=dict)
    workers: int = 1
    frontier: str | None = None

    @property
    def lock_path(self) -> Path:
        """The lock file actually used."""
        return self.lock_file or self.db.with_name(self.db.name + ".lock")


PATH_KEYS = {"db", "archive_dir", "sites_dir", "log_dir", "lock_file"}
NUMBER_KEYS = {"concurrency": int, "recheck_days": float, "workers": int}
TEXT_KEYS = {"contact_url", "proxy", "frontier"}


def load_settings(config: Path | None = None, environ: Mapping[str, str] | None = None) -> NightlySettings:
    """Read the config file and the environment into settings.

    :param config: TOML file; None: `$VNTRAIN_CONFIG`, else config/pipeline.toml if present
    :param environ: environment variables (default os.environ)
    :raises SettingsError: unreadable file, unknown key or bad value (the message names where)
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config or (Path(environ[ENV_PREFIX + "CONFIG"]) if environ.get(ENV_PREFIX + "CONFIG") else None)
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    if path is not None:
        values.update(_read_config(path))
    for key in PATH_KEYS | NUMBER_KEYS.keys() | TEXT_KEYS:
        if environ.get(ENV_PREFIX + key.upper()):
            values[key] = _convert(key, environ[ENV_PREFIX + key.upper()], ENV_PREFIX + key.upper())
    return NightlySettings(**values)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{path}: cannot read config: {error}") from error
    table = document.get("nightly", {})
    known = {f.name for f in fields(NightlySettings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown key(s) in [nightly]: {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(known))})")
    values = {}
    for key, value in table.items():
        if key == "scrapy":
            if not isinstance(value, dict):
                raise SettingsError(f"{path}: [nightly.scrapy] must be a table of Scrapy settings")
            values[key] = dict(value)
        else:
            values[key] = _convert(key, value, f"{path}: {key}")
    return values


def _convert(key: str, value: Any, where: str) -> Any:
    """Type-check one setting; an empty string means "not set" for optional keys."""
    if key in PATH_KEYS:
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{where}: expected a path, got {value!r}")
        return (ROOT / Path(value).expanduser()).resolve()
    if key in NUMBER_KEYS:
        if value == "" and key == "recheck_days":
            return None
        try:
            number = NUMBER_KEYS[key](value)
        except (TypeError, ValueError) as error:
            raise SettingsError(f"{where}: expected a number, got {value!r}") from error
        if number < (1 if key in ("concurrency", "workers") else 0):
            raise SettingsError(f"{where}: {value!r} is out of range")
        return number
    if not isinstance(value, str):
        raise SettingsError(f"{where}: expected text, got {value!r}")
    return value or None
