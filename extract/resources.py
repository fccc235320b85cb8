"""Reference data from `data/`, loaded once per process and never modified."""
from __future__ import annotations

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
