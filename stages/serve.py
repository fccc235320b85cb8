"""Serve stage: the Datasette command line that publishes the database with our configuration."""
from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import yaml

from schema.datasette import DATABASE_NAME, METADATA_PATH, PLUGINS_DIR, STATIC_DIR, STATIC_MOUNT, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "sql_time_limit_ms": "5000",
    # A facet of a list reads its index alone (schema/tables.py: 20-80 ms at a million events, then
    # kept until the file changes, schema/cache.py); a facet of a search reads its index too but
    # tests every event against the search (at a million events 0.45 s for a rare query, 0.55-0.75 s
    # for one that matches a third of them): it gives up instead, the page shows the rows, and the
    # facet is counted in the background for the next view (schema/plugins/vn_facets.py).
    "facet_time_limit_ms": "250",
    "truncate_cells_html": "300",
    "default_page_size": "50",
    # Suggesting facets runs a query per column on every page view; the useful facets are configured.
    "suggest_facets": "off",
}


def metadata_for(db_path: Path) -> Path:
    """Metadata file for a database: schema/metadata.yml, renamed when the file is not training.db.

    Datasette names a database after its file, and metadata is keyed by that name.

    :param db_path: SQLite file to publish
    """
    if db_path.stem == DATABASE_NAME:
        return METADATA_PATH
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    metadata["databases"] = {db_path.stem: metadata["databases"][DATABASE_NAME]}
    # One file per database name, rewritten on each start: serving leaves no litter behind.
    target = Path(tempfile.gettempdir()) / f"vntrain-datasette-{os.getuid()}" / f"{db_path.stem}.metadata.yml"
    target.parent.mkdir(mode=0o700, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False), encoding="utf-8")
    partial.replace(target)  # atomic: a server starting at the same time reads a whole file
    return target


def datasette_command(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Command line that starts Datasette on the database with our metadata, plugins, templates and CSS.

    :param db_path: SQLite file built by the pipeline
    :param host: interface to listen on
    :param port: TCP port
    """
    db_path = Path(db_path).resolve()
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port),
               "--metadata", str(metadata_for(db_path)), "--plugins-dir", str(PLUGINS_DIR),
               "--template-dir", str(TEMPLATES_DIR), "--static", f"{STATIC_MOUNT}:{STATIC_DIR}"]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def datasette_env() -> dict[str, str]:
    """Environment in which the plugins can import the project's modules."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


class NotPublic(ValueError):
    """Asked to listen on an address other machines can reach, without --public."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1), which only this machine reaches."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: other machines may resolve it to this one
        return False


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, public: bool = False) -> NoReturn:
    """Replace this process with Datasette, so signals (Ctrl-C, SIGTERM) reach the server itself.

    :param db_path: SQLite file (must exist)
    :param host: interface to listen on
    :param port: TCP port
    :param public: allow an address other machines can reach (README: "Publishing")
    :raises FileNotFoundError: when the database does not exist
    :raises NotPublic: for a non-loopback host without `public`
    """
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no database at {db_path}; run `vntrain ingest FILE` or `vntrain demo` first")
    if not public and not is_loopback(host):
        raise NotPublic(f"--host {host} makes the database reachable from other machines; add --public to "
                        "publish it (see \"Publishing\" in README.md: behind a reverse proxy)")
    command = datasette_command(db_path, host, port)
    os.chdir(ROOT)
    os.execve(command[0], command, datasette_env())
