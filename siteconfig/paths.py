"""Where the configuration lives by default (relative to the project directory)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITES_DIR = ROOT / "data" / "sites"
DEFAULT_FAMILIES_DIR = ROOT / "data" / "families"
GENERIC_FAMILY = "generic"
