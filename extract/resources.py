"""Reference data from `data/`, loaded once per process and never modified."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    """Parse `data/<name>` (cached: callers must treat the result as read-only).

    :param name: file name inside data/, e.g. "lexicon.yml"
    """
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def lexicon() -> dict:
    return load_yaml("lexicon.yml")


def doc_codes() -> dict:
    return load_yaml("doc_codes.yml")


def programme_catalogue() -> dict:
    return load_yaml("programmes.yml")


def extractor_version(release: str) -> str:
    """`release` plus a digest of the extractor's code and reference data, so that any change to
    the rules gives records a new version (and `reextract` knows what to redo)."""
    digest = hashlib.sha256()
    code = Path(__file__).parent
    # HTML input is read by the page reader, so its code shapes records too.
    for path in sorted(code.glob("*.py")) + sorted((code.parent / "reader").glob("*.py")) + sorted(DATA_DIR.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{release}+{digest.hexdigest()[:8]}"
